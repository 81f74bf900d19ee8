"""The installed ``certcredit`` command in a fresh process, as a user runs it (Django set up by the command)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["CERTCREDIT_VAR"] = str(var)
    command = [sys.executable, "-m", "certcredit", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_fresh_process_migrates_loads_the_demo_and_imports_a_file_reporting_its_bad_row(tmp_path: Path) -> None:
    records = tmp_path / "records.csv"
    records.write_text("date,title,minutes\n2026-01-05,Drafting,90\n2026-01-06,No minutes,\n")

    assert run(tmp_path, "migrate").returncode == 0
    assert "member@example.org" in run(tmp_path, "demo").stdout
    result = run(tmp_path, "import", "records", str(records), "--person", "member@example.org", "--json")

    assert result.returncode == 2, result.stderr
    assert f"{records}: line 3: no duration" in result.stderr
    assert '"added": 1' in result.stdout
    assert (tmp_path / "certcredit.sqlite3").exists()
