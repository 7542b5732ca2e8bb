"""Only pipelines/ may import dagster: sources/, models/ and warehouse/ run anywhere."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["sources", "models", "warehouse"])
def test_package_does_not_import_dagster(package):
    offenders = [str(p.relative_to(REPO)) for p in (REPO / package).rglob("*.py")
                 if {"dagster", "dagster_duckdb", "pipelines"} & _imports(p)]
    assert offenders == []


def test_steps_and_cli_modules_do_not_import_dagster_at_start():
    # The steps run from a notebook too; the CLI imports Dagster only in the commands that run
    # it (pipelines.runner), so `--help` and queries start fast.
    for name in ("steps.py", "cli.py", "cli_estimate.py", "cli_output.py", "cli_report.py"):
        assert "dagster" not in _imports(REPO / "pipelines" / name), name
