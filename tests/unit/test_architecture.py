"""The pure core (rules, engine, evaluate) and the values under it stay free of Django, the store and the edges
(ARCHITECTURE.md); the import contracts of docs/layout.md hold, and would catch an import that breaks them."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "certcredit"
CORE = ("values", "rules", "engine", "evaluate")
FORBIDDEN = (
    "django",
    "ninja",
    "psycopg",
    "certcredit.web",
    "certcredit.store",
    "certcredit.services",
    "certcredit.cli",
    "typer",
    "rich",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


CORE_FILES = sorted(p for package in CORE for p in (SRC / package).rglob("*.py"))


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_the_pure_core_imports_no_framework_store_or_edge(path: Path) -> None:
    bad = {m for m in imported_modules(path) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)}
    assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"


def test_the_forbidden_list_catches_a_django_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from django.db import models\nimport certcredit.web.settings\n")
    assert imported_modules(sample) == {"django.db", "certcredit.web.settings"}


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the tree under ``root`` (its src/ first on the path), with the project's contracts."""
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", str(ROOT / "pyproject.toml")]
    env = {"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"}
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_the_import_contracts_hold_and_catch_a_store_import_in_the_values(tmp_path: Path) -> None:
    assert lint_imports(ROOT).returncode == 0
    shutil.copytree(SRC, tmp_path / "src" / "certcredit", ignore=shutil.ignore_patterns("*.onnx", "*.npz", "data"))
    planted = tmp_path / "src" / "certcredit" / "values" / "duration.py"
    planted.write_text(planted.read_text() + "\nimport certcredit.store.records.models  # noqa\n")
    broken = lint_imports(tmp_path)
    assert broken.returncode != 0
    assert "certcredit.values.duration -> certcredit.store.records.models" in broken.stdout
