"""The trainer and its labelled data stay out of the wheel, and held-out sessions never enter training.

Issue 11: training data shipped in the wheel, runtime modules imported the trainer, and the only guard against
training on held-out data compared file names. Now the data lives in ``data/``, the trainer in ``training/``
(not a package the wheel finds), and the guard compares content.
"""

from __future__ import annotations

import ast
import json
import tomllib
from pathlib import Path

import pytest
from training.bank import HELDOUT_PATH, TRAIN_PATH, labelled_from_row, read_bank
from training.leaks import check_no_heldout, fingerprint
from training.real import REAL_HELDOUT_PATH, REAL_TRAIN_PATH, read_real

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_ships_no_labelled_sessions_and_finds_no_trainer() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = project["tool"]["setuptools"]
    assert not any(pattern.endswith(".jsonl") for pattern in setuptools["package-data"]["certcredit"])
    assert setuptools["packages"]["find"]["where"] == ["src"]
    assert not (ROOT / "src" / "training").exists()
    assert not list((ROOT / "src").rglob("*.jsonl")), "labelled sessions belong in data/, not in the package"


def test_no_runtime_module_imports_the_trainer() -> None:
    offenders = []
    for path in (ROOT / "src" / "certcredit").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names if name.split(".")[0] == "training"]
    assert offenders == []


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_no_held_out_session_is_in_a_training_file_by_id_or_by_content() -> None:
    train = read_bank(TRAIN_PATH) + (read_real(REAL_TRAIN_PATH) if REAL_TRAIN_PATH.exists() else [])
    held_out = [p for p in (HELDOUT_PATH, REAL_HELDOUT_PATH) if p.exists()]
    check_no_heldout(train, held_out)  # raises on a leak
    held_prints = {fingerprint(str(r["title"]), str(r.get("description") or "")) for p in held_out for r in _rows(p)}
    assert not held_prints & {fingerprint(i.session.title, i.session.description) for i in train}


def test_a_held_out_session_pasted_into_training_with_other_spacing_and_quotes_is_refused() -> None:
    row = _rows(HELDOUT_PATH)[0]
    pasted = dict(row)
    pasted["id"] = "t-9999"
    pasted["title"] = f"  {str(row['title']).upper()} "
    pasted["description"] = str(row["description"]).replace(" ", "\n  ").replace("'", "’")
    bank = [*read_bank(TRAIN_PATH)[:5], labelled_from_row(pasted, 6)]
    with pytest.raises(ValueError, match="held-out session"):
        check_no_heldout(bank, [HELDOUT_PATH])


def test_a_held_out_id_in_training_is_refused() -> None:
    row = dict(_rows(TRAIN_PATH)[0])
    row["id"] = _rows(HELDOUT_PATH)[0]["id"]
    with pytest.raises(ValueError, match="held-out id"):
        check_no_heldout([labelled_from_row(row, 1)], [HELDOUT_PATH])


def test_the_trainer_refuses_a_training_file_that_holds_a_held_out_session(tmp_path: Path) -> None:
    from training.train import main

    leaky = tmp_path / "train.jsonl"
    lines = TRAIN_PATH.read_text(encoding="utf-8").splitlines()[:3]
    held = dict(_rows(HELDOUT_PATH)[1])
    held["id"] = "t-9998"
    leaky.write_text("\n".join([*lines, json.dumps(held)]) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["--train", str(leaky), "--no-real", "--output", str(tmp_path / "model.npz")])
    assert not (tmp_path / "model.npz").exists()
