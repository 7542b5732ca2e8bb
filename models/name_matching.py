"""Matching what people type to the names the product knows, in plain Python (no pandas).

The one rule for GPU and model names (:func:`resolve_name`: exact key, else a unique key that
contains it, else :class:`NameResolutionError` with candidates) and the suggestions for any
other unknown name (a source, table, provider, price type: :func:`closest_names`). The
estimation engine's resolvers (:mod:`models.estimation.names`) and the CLI's ``gpus`` command
(which reads the aliases from the published snapshot and must start without pandas) share it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

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


def resolve_name(kind: str, name: str, keyed_ids: Iterable[tuple[str, str]]) -> str:
    """The one id ``name`` means, given (normalized key, id) pairs: the id of the key equal to
    ``name``'s key, else of the only keys containing it; otherwise NameResolutionError listing
    the ambiguous ids or the ids of the closest keys (difflib)."""
    pairs = list(keyed_ids)
    key = normalize_name(name)
    if not key:
        raise NameResolutionError(kind, name, [], ambiguous=False)
    exact = sorted({i for k, i in pairs if k == key})
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise NameResolutionError(kind, name, exact, ambiguous=True)
    partial = sorted({i for k, i in pairs if key in k})
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise NameResolutionError(kind, name, partial, ambiguous=True)
    keys = list(dict.fromkeys(k for k, _ in pairs))
    close = set(difflib.get_close_matches(key, keys, n=8, cutoff=0.6))
    raise NameResolutionError(kind, name, sorted({i for k, i in pairs if k in close}),
                              ambiguous=False)


def closest_names(name: str, known: Iterable[str], n: int = 5) -> list[str]:
    """The known names closest to ``name`` (case and punctuation ignored), best first."""
    by_key: dict[str, str] = {}
    for candidate in known:
        by_key.setdefault(normalize_name(candidate), candidate)
    close = difflib.get_close_matches(normalize_name(name), list(by_key), n=n, cutoff=0.5)
    return [by_key[k] for k in close]


def unknown_name_message(kind: str, name: str, known: Iterable[str]) -> str:
    """``unknown KIND 'name'; closest: a, b`` (or ``known: ...`` when nothing is close)."""
    known = sorted(set(known))
    close = closest_names(name, known)
    if close:
        return f"unknown {kind} {name!r}; closest: {', '.join(close)}"
    return f"unknown {kind} {name!r}; known: {', '.join(known)}"
