"""Terminal output shared by the CLI commands: the consoles, the one way to fail, and how a
value is shown in a table.

Errors go to stderr on one line (soft wrap, so they stay greppable) and end the command with
exit code 1, never a traceback. Tables show DATE values as dates, integers as integers and
floats rounded (display only: CSV and JSON keep full precision); cells wrap rather than being
cut, and a table printed to a file or pipe is as wide as its content, not 80 columns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from pipelines.text import cut

console = Console()
err = Console(stderr=True, soft_wrap=True)

# Longest text shown in a table cell; CSV and JSON keep every character.
MAX_CELL_CHARS = 120


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` and return the Exit to raise."""
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


def display_number(value: float) -> str:
    """A float rounded for reading: 4 decimals at most (trailing zeros dropped, so 4.0 is 4),
    4 significant digits below 1 (0.8899999 is 0.89, 1.2e-05 stays visible)."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.4f}" if value == 0 or abs(value) >= 1 else f"{value:.4g}"
    if "e" not in text and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def display_cell(value: object) -> str:
    """One value as a table shows it: NULL empty, a date without a time, a float rounded."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return display_number(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return cut(str(value), MAX_CELL_CHARS)


def print_table(columns: Sequence[str], rows: Iterable[Sequence[object]],
                title: str | None = None) -> None:
    """Rows as a rich table whose cells fold instead of being cut. On a terminal it wraps to
    the terminal's width; elsewhere it is printed at its natural width."""
    table = Table(title=title, title_justify="left")
    numeric: set[int] = set()
    cells = []
    for row in rows:
        cells.append([display_cell(v) for v in row])
        numeric.update(i for i, v in enumerate(row)
                       if isinstance(v, int | float) and not isinstance(v, bool))
    widths = [cell_len(c) for c in columns]
    for row in cells:
        widths = [max(w, cell_len(c)) for w, c in zip(widths, row, strict=True)]
    for i, column in enumerate(columns):
        table.add_column(column, overflow="fold", min_width=min(len(column), 10),
                         justify="right" if i in numeric else "left")
    for row in cells:
        table.add_row(*row)
    if console.is_terminal:
        console.print(table)
    else:  # a file or a pipe: as wide as the content (each cell padded by 1, plus borders)
        natural = sum(widths) + 3 * len(widths) + 1
        Console(file=console.file, width=max(natural, console.width)).print(table)
