"""Resolving what people call a GPU or an LLM to the canonical ids of the reference tables.

Matching is on :func:`normalize_name` (lowercase, every non-alphanumeric character dropped), the
same key the pipeline uses for provider GPU names, by the rule of
:func:`models.name_matching.resolve_name` (shared with the CLI): a name resolves when its key
equals the key of a canonical id or an alias, or else when it is contained in the keys of
exactly one id. An ambiguous or unknown name raises :class:`NameResolutionError`, whose
message lists candidates.

LLM names also go through ``llm_name_rules.csv``: provider and Hugging Face ids
(``together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo``, ``deepseek-ai/DeepSeek-V3-0324``,
``accounts/fireworks/models/qwen3-235b-a22b``, OpenRouter ids with ``:free``...) are lowercased,
``_`` and spaces become ``-``, a ``:variant`` suffix is dropped, and the first rule whose
pattern occurs in the result names the architecture (fine-tunes and distills resolve to the
architecture they were trained from; suffixes such as -Instruct, -Turbo, -FP8 and dates do not
matter because patterns match inside the id).
"""

from __future__ import annotations

import difflib
import re
from functools import cache

import pandas as pd

from models.estimation import reference
from models.name_matching import NameResolutionError, normalize_name, resolve_name


def _resolve(kind: str, name: str, keys: pd.DataFrame) -> str:
    """``keys`` has columns key (normalized name) and id; return the one id ``name`` means."""
    return resolve_name(kind, name, zip(keys["key"], keys["id"], strict=True))


def gpu_alias_keys(gpus: pd.DataFrame | None = None,
                   aliases: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every accepted GPU name: columns alias, alias_key, gpu_model. Besides the aliases, each
    canonical id and each display name (``name`` of gpu_models.csv) is an alias of its GPU.

    Raises ValueError when an alias points to an unknown id or two names share a key but not a
    target.
    """
    gpus = reference.gpu_models() if gpus is None else gpus
    aliases = reference.gpu_aliases() if aliases is None else aliases
    known = set(gpus["gpu_model"])
    unknown = sorted(set(aliases["gpu_model"]) - known)
    if unknown:
        raise ValueError(f"gpu_aliases.csv maps to unknown gpu_model ids: {unknown}")
    table = pd.concat([
        pd.DataFrame({"alias": gpus["gpu_model"], "gpu_model": gpus["gpu_model"]}),
        aliases[["alias", "gpu_model"]],
        pd.DataFrame({"alias": gpus["name"], "gpu_model": gpus["gpu_model"]}),
    ], ignore_index=True)
    table["alias_key"] = table["alias"].map(normalize_name)
    targets = table.groupby("alias_key")["gpu_model"].nunique()
    if (targets > 1).any():
        clashing = sorted(targets[targets > 1].index)
        raise ValueError(f"GPU names sharing a key but not an id: {clashing}")
    table = table.drop_duplicates("alias_key")  # keep the first spelling of each key
    return table[["alias", "alias_key", "gpu_model"]].reset_index(drop=True)


def resolve_gpu(name: str, gpus: pd.DataFrame | None = None,
                aliases: pd.DataFrame | None = None) -> str:
    """Canonical ``gpu_model`` id for a GPU name ("H100", "h100 sxm", "NVIDIA L40S", ...)."""
    table = gpu_alias_keys(gpus, aliases)
    return _resolve("GPU", name, table.rename(columns={"alias_key": "key", "gpu_model": "id"}))


def llm_name_keys(architectures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every accepted LLM name: columns name, key, llm_model.

    Names are the id, the display name, the ``aliases`` column, and each OpenRouter and
    Hugging Face id both whole and without its ``vendor/`` prefix.
    """
    arch = reference.llm_architectures() if architectures is None else architectures
    rows = []
    for record in arch.itertuples(index=False):
        names = [record.llm_model, record.name]
        names += _split(record.aliases)
        for repo_id in [*_split(record.openrouter_model_ids), *_split(record.hf_repo_ids)]:
            names += [repo_id, repo_id.split("/", 1)[-1]]
        rows += [(n, normalize_name(n), record.llm_model) for n in names]
    table = pd.DataFrame(rows, columns=["name", "key", "llm_model"])
    return table.drop_duplicates(["key", "llm_model"])


def model_id_text(model_id: str) -> str:
    """The text rules match: lowercase, '_' and spaces as '-', without a ':variant' suffix."""
    text = str(model_id).strip().lower().split(":", 1)[0]
    return re.sub(r"[_\s]+", "-", text)


@cache
def _compiled_rules() -> tuple[tuple[re.Pattern, str], ...]:
    rules = reference.llm_name_rules()
    return tuple((re.compile(p), m) for p, m in zip(rules["pattern"], rules["llm_model"],
                                                     strict=True))


def llm_by_rule(model_id: str) -> str | None:
    """Architecture of the first rule matching ``model_id``, or None."""
    text = model_id_text(model_id)
    for pattern, llm_model in _compiled_rules():
        if pattern.search(text):
            return llm_model
    return None


def resolve_llm(name: str, architectures: pd.DataFrame | None = None) -> str:
    """Canonical ``llm_model`` id for a model name ("Llama 3.1 70B", "llama-3.1-70b",
    "deepseek-ai/DeepSeek-R1-Distill-Llama-70B", ...): an exact name or alias, else the first
    matching rule, else (for plain names, not ``vendor/model`` ids) a unique partial match;
    otherwise NameResolutionError with the close candidates."""
    return _resolve_llm(name, llm_name_keys(architectures).rename(columns={"llm_model": "id"}))


def _resolve_llm(name: str, table: pd.DataFrame) -> str:
    key = normalize_name(name)
    exact = table.loc[table["key"] == key, "id"].unique()
    if len(exact) == 1:
        return str(exact[0])
    by_rule = llm_by_rule(name)
    if by_rule is not None and by_rule in set(table["id"]):
        return by_rule
    if "/" in name:  # a provider or repo id: a truncated id ("cohere/command") must not
        # resolve to the one architecture whose id happens to extend it
        raise NameResolutionError("model", name, _close_llms(name, table), ambiguous=False)
    try:
        return _resolve("model", name, table)
    except NameResolutionError as error:
        if error.ambiguous:
            raise
        raise NameResolutionError("model", name, _close_llms(name, table),
                                  ambiguous=False) from None


#: Tokens of a model id that say nothing about the architecture.
_VARIANT_TOKENS = re.compile(r"^(instruct|chat|it|turbo|fp8|fp4|bf16|awq|gptq|hf|preview|base|"
                             r"free|thinking|v\d+(\.\d+)*|\d{4}|\d{8})$")


def _close_llms(name: str, table: pd.DataFrame) -> list[str]:
    """Architectures whose names are closest to ``name`` without its provider path and its
    variant tokens (-Instruct, -FP8, dates ...)."""
    last = model_id_text(name).rsplit("/", 1)[-1]
    core = normalize_name("".join(t for t in last.split("-") if not _VARIANT_TOKENS.match(t)))
    close = difflib.get_close_matches(core, table["key"].unique().tolist(), n=5, cutoff=0.6)
    return sorted(table.loc[table["key"].isin(close), "id"].unique())


def resolve_llm_ids(model_ids, architectures: pd.DataFrame | None = None) -> pd.Series:
    """``llm_model`` of each id (None where it does not resolve), each distinct id resolved
    once."""
    ids = pd.Series(model_ids, dtype=object)
    table = llm_name_keys(architectures).rename(columns={"llm_model": "id"})
    resolved = {}
    for model_id in ids.dropna().unique():
        try:
            resolved[model_id] = _resolve_llm(model_id, table)
        except NameResolutionError:
            resolved[model_id] = None
    return ids.map(resolved)


def openrouter_model_map(architectures: pd.DataFrame | None = None) -> pd.DataFrame:
    """OpenRouter model id to architecture: columns model_key (normalized id), llm_model."""
    arch = reference.llm_architectures() if architectures is None else architectures
    rows = [(normalize_name(openrouter_id), record.llm_model)
            for record in arch.itertuples(index=False)
            for openrouter_id in _split(record.openrouter_model_ids)]
    return pd.DataFrame(rows, columns=["model_key", "llm_model"]).drop_duplicates("model_key")


def _split(cell) -> list[str]:
    return [part.strip() for part in str(cell).split(";") if part.strip()] if pd.notna(cell) else []
