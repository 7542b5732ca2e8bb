"""Every command the README shows works as written after ``make demo``.

The README's shell blocks are parsed: ``export NAME=VALUE`` lines set the environment of the
commands after them, ``compute-atlas`` lines run through the CLI and ``duckdb`` lines through
the installed DuckDB shell, in a directory where ``data/demo`` is the demo warehouse (built once
per session, as ``make demo`` builds it) and the repository's ``docs`` and ``tests`` are at hand.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from tests.conftest import REPO

_SHELL_BLOCK = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.MULTILINE | re.DOTALL)
RUNNABLE = ("compute-atlas", "duckdb")


@dataclass(frozen=True)
class Example:
    line: str
    env: tuple[tuple[str, str], ...]

    @property
    def argv(self) -> list[str]:
        return shlex.split(self.line, comments=True)


def readme_examples(text: str) -> list[Example]:
    examples, env = [], {}
    for block in _SHELL_BLOCK.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ["export"]:
                name, value = words[1].split("=", 1)
                env[name] = value
            elif words[:1] and words[0] in RUNNABLE:
                examples.append(Example(line.strip(), tuple(env.items())))
    return examples


EXAMPLES = readme_examples((REPO / "README.md").read_text())


def test_the_readme_has_examples_of_the_analysts_commands():
    commands = {e.argv[1] for e in EXAMPLES if e.argv[0] == "compute-atlas"}
    assert {"gpus", "query", "export", "estimate"} <= commands
    assert any(e.argv[0] == "duckdb" for e in EXAMPLES)


@pytest.fixture
def demo_cwd(demo_warehouse, tmp_path, monkeypatch) -> Path:
    """A working directory laid out like the repository after ``make demo``."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "demo").symlink_to(demo_warehouse[0])
    for name in ("docs", "tests"):
        (tmp_path / name).symlink_to(REPO / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.line[:60] for e in EXAMPLES])
def test_readme_example_runs_as_written(example, demo_cwd, monkeypatch):
    for name, value in example.env:
        monkeypatch.setenv(name, value)
    argv = example.argv
    redirect = None
    if ">" in argv:
        argv, redirect = argv[:argv.index(">")], argv[argv.index(">") + 1]
    if argv[0] == "duckdb":
        shell = Path(sys.executable).parent / "duckdb"
        result = subprocess.run([str(shell), *argv[1:]], capture_output=True, text=True,
                                env=os.environ, check=False)
        assert result.returncode == 0, result.stderr
        output = result.stdout
    else:
        result = CliRunner().invoke(app, argv[1:])
        assert result.exit_code == 0, result.output
        output = result.stdout
    assert output.strip()
    if redirect:
        (demo_cwd / redirect).write_text(output)
