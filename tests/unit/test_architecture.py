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


# --- import cycles and private names (ARCHITECTURE.md; docs/layout.md) -----------------------------------------


def module_files(root: Path) -> dict[str, tuple[Path, bool]]:
    """Every module under ``root`` (a folder holding packages) by dotted name, with whether it is a package."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, package)
    return found


def import_graph(root: Path) -> tuple[dict[str, set[str]], list[tuple[str, str, str]]]:
    """Which modules each module imports (at any depth: a function's own imports count), and every private name
    (``_name``) one module imports from another."""
    modules = module_files(root)
    edges: dict[str, set[str]] = {name: set() for name in modules}
    private: list[tuple[str, str, str]] = []
    for name, (path, package) in modules.items():
        here = name if package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges[name].update(alias.name for alias in node.names if alias.name in modules)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join(parent + ([node.module] if node.module else []))
                for alias in node.names:
                    if f"{base}.{alias.name}" in modules:  # a module of a package
                        edges[name].add(f"{base}.{alias.name}")
                    elif base in modules:
                        edges[name].add(base)
                        if alias.name.startswith("_") and not alias.name.startswith("__"):
                            private.append((name, base, alias.name))
    return edges, private


def import_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted: every cycle lies in one."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in edges[node]:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_no_module_in_src_takes_part_in_an_import_cycle() -> None:
    edges, _ = import_graph(SRC.parent)
    assert import_cycles(edges) == []


def test_no_module_imports_another_modules_private_name() -> None:
    _, private = import_graph(SRC.parent)
    assert private == []


def test_the_cycle_finder_sees_a_circle_through_a_function_level_import_and_a_private_name(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import helper\n")
    (package / "b.py").write_text("def helper():\n    from pkg import c\n")
    (package / "c.py").write_text("from . import a\nfrom pkg.a import _hidden\n")
    (package / "d.py").write_text("import pkg.a\n")
    edges, private = import_graph(tmp_path)
    assert import_cycles(edges) == [["pkg.a", "pkg.b", "pkg.c"]]
    assert private == [("pkg.c", "pkg.a", "_hidden")]


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


def classes_named(name: str) -> list[str]:
    """Where ``src/certcredit`` defines a class called ``name`` (migrations aside)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [str(path.relative_to(SRC)) for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == name]
    return found


@pytest.mark.parametrize(
    "name", ["Record", "EducationRecord", "Session", "SessionFacts", "Problem", "Outlook", "Deadline", "AgeingOut"]
)
def test_a_name_that_once_meant_two_things_now_names_one_class(name: str) -> None:
    # the store's model keeps the plain word, the core's value and the API's schema say what they are (layout.md)
    assert len(classes_named(name)) == 1, classes_named(name)
