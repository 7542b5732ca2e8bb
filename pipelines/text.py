"""Cutting long text for one-line messages and table cells (a 10 MB name in a payload must
not flood a terminal or a log line); plain Python, so the fast CLI commands can use it."""

from __future__ import annotations


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"
