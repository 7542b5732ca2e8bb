"""Resolving what people call a GPU or an LLM to the canonical ids of the reference tables.

Matching is on :func:`normalize_name` (lowercase, every non-alphanumeric character dropped), the
same key the pipeline uses for provider GPU names. A name resolves when its key equals the key
of a canonical id or an alias, or else when it is contained in the keys of exactly one id. An
ambiguous or unknown name raises :class:`NameResolutionError`, whose message lists candidates.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from models.estimation import reference

_NON_ALNUM = re.compile(r"[^a-z0-9]")


def normalize_name(name: str) -> str:
    """Matching key of a name: lowercase with every non-alphanumeric character removed.

    >>> normalize_name("NVIDIA A100-SXM4-80GB")
    'nvidiaa100sxm480gb'
    """
    return _NON_ALNUM.sub("", str(name).lower())


class NameResolutionError(ValueError):
    """A GPU or model name that is unknown or ambiguous; ``candidates`` lists possible ids."""

    def __init__(self, kind: str, name: str, candidates: list[str], ambiguous: bool):
        self.kind, self.name, self.candidates, self.ambiguous = kind, name, candidates, ambiguous
        problem = "is ambiguous" if ambiguous else "is unknown"
        listed = ", ".join(candidates) if candidates else "none close"
        super().__init__(f"{kind} name {name!r} {problem}; candidates: {listed}")


def _resolve(kind: str, name: str, keys: pd.DataFrame) -> str:
    """``keys`` has columns key (normalized name) and id; return the one id ``name`` means."""
    key = normalize_name(name)
    if not key:
        raise NameResolutionError(kind, name, [], ambiguous=False)
    exact = keys.loc[keys["key"] == key, "id"].unique()
    if len(exact) == 1:
        return str(exact[0])
    if len(exact) > 1:
        raise NameResolutionError(kind, name, sorted(exact), ambiguous=True)
    partial = sorted(keys.loc[keys["key"].str.contains(key, regex=False), "id"].unique())
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise NameResolutionError(kind, name, partial, ambiguous=True)
    close = difflib.get_close_matches(key, keys["key"].unique().tolist(), n=8, cutoff=0.6)
    suggestions = sorted(keys.loc[keys["key"].isin(close), "id"].unique())
    raise NameResolutionError(kind, name, suggestions, ambiguous=False)


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

    Names are the id, the display name, the ``aliases`` column, and each OpenRouter id both
    whole and without its ``vendor/`` prefix.
    """
    arch = reference.llm_architectures() if architectures is None else architectures
    rows = []
    for record in arch.itertuples(index=False):
        names = [record.llm_model, record.name]
        names += _split(record.aliases)
        for openrouter_id in _split(record.openrouter_model_ids):
            names += [openrouter_id, openrouter_id.split("/", 1)[-1]]
        rows += [(n, normalize_name(n), record.llm_model) for n in names]
    table = pd.DataFrame(rows, columns=["name", "key", "llm_model"])
    return table.drop_duplicates(["key", "llm_model"])


def resolve_llm(name: str, architectures: pd.DataFrame | None = None) -> str:
    """Canonical ``llm_model`` id for a model name ("Llama 3.1 70B", "llama-3.1-70b", ...)."""
    table = llm_name_keys(architectures)
    return _resolve("model", name, table.rename(columns={"llm_model": "id"}))


def openrouter_model_map(architectures: pd.DataFrame | None = None) -> pd.DataFrame:
    """OpenRouter model id to architecture: columns model_key (normalized id), llm_model."""
    arch = reference.llm_architectures() if architectures is None else architectures
    rows = [(normalize_name(openrouter_id), record.llm_model)
            for record in arch.itertuples(index=False)
            for openrouter_id in _split(record.openrouter_model_ids)]
    return pd.DataFrame(rows, columns=["model_key", "llm_model"]).drop_duplicates("model_key")


def _split(cell) -> list[str]:
    return [part.strip() for part in str(cell).split(";") if part.strip()] if pd.notna(cell) else []
