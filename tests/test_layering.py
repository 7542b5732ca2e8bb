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


def test_refresh_and_cli_modules_do_not_import_dagster():
    # The CLI and the refresh routine must start fast and run without a Dagster instance.
    for name in ("refresh.py", "cli.py", "cli_estimate.py"):
        assert "dagster" not in _imports(REPO / "pipelines" / name), name
