"""The pure core (rules, engine, evaluate) stays free of Django, the store and the edges (ARCHITECTURE.md)."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "certcredit"
CORE = ("rules", "engine", "evaluate")
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
