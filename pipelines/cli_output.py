"""Terminal output shared by the CLI commands: the consoles and the one way to fail.

Errors go to stderr on one line (soft wrap, so they stay greppable) and end the command with
exit code 1, never a traceback.
"""

from __future__ import annotations

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` and return the Exit to raise."""
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)
