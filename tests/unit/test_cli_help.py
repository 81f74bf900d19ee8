"""Every command's --help reads as plain text: no type placeholders of the framework, no markup of docstrings."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from certcredit.cli import _register, app

ROOT = Path(__file__).resolve().parents[2]
#: what a reader should never see in help: Typer's type placeholders, required-argument braces, reST or Rich markup
LEAKS = re.compile(r"<bool>|<str>|<path>|<int>|<list\[|\{[a-z_]+\}|``|:class:|:func:|\[/?(bold|dim|red|green)\]")


def command_paths() -> list[list[str]]:
    _register()
    root = typer.main.get_command(app)
    found: list[list[str]] = [[]]

    def walk(group: click.Command, prefix: list[str]) -> None:
        for name, sub in getattr(group, "commands", {}).items():
            found.append([*prefix, name])
            walk(sub, [*prefix, name])

    walk(root, [])
    return found


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "certcredit")
def test_help_shows_no_placeholders_or_raw_markup(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert not LEAKS.findall(result.output), result.output


def test_every_command_is_reached_by_the_help_check() -> None:
    names = {" ".join(p) for p in command_paths()}
    assert {"evaluate", "audit", "plan", "import records", "export records", "rules list", "token create"} <= names


def test_the_license_is_an_spdx_string_not_the_deprecated_table() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert isinstance(project["license"], str)
    assert re.fullmatch(r"[A-Za-z0-9.+-]+|LicenseRef-[A-Za-z0-9.-]+", project["license"])
