"""Shape of the real labelled corpus in data/real/ (published sessions, split by site; see data/real/README.md)."""

import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "data" / "real"
TRAIN, HELDOUT, DISPUTED = REAL / "train.jsonl", REAL / "heldout.jsonl", REAL / "disputed.jsonl"
LABELS = {
    "writing",
    "communication",
    "self_management",
    "information_technology",
    "organizational_development",
    "none",
}
AREAS = {"HR", "FM", "OM", "LI", "CM", None}
FIELDS = {
    "id",
    "title",
    "description",
    "minutes",
    "time",
    "source",
    "site",
    "label",
    "reason",
    "subject_area",
    "area_given_by_source",
    "borderline",
}
OPTIONAL = {"second_read", "third_read", "trimmed", "resolution"}
MAX_WORDS = 150

Row = dict[str, Any]


def load(path: Path) -> list[Row]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def tool() -> ModuleType:
    """scripts/real_corpus.py, the tool that keeps the files: it decides which sites belong to one owner."""
    spec = importlib.util.spec_from_file_location("real_corpus", ROOT / "scripts" / "real_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def train() -> list[Row]:
    return load(TRAIN)


@pytest.fixture(scope="module")
def heldout() -> list[Row]:
    return load(HELDOUT)


@pytest.fixture(scope="module")
def disputed() -> list[Row]:
    return load(DISPUTED)


def test_the_files_are_big_enough(train: list[Row], heldout: list[Row]) -> None:
    assert len(train) + len(heldout) >= 400
    assert len(heldout) >= 120
    for rows in (train, heldout):
        assert {row["label"] for row in rows} == LABELS


@pytest.mark.parametrize("name", ["train", "heldout", "disputed"])
def test_every_line_has_the_fields_and_a_label_from_the_vocabulary(name: str, request: pytest.FixtureRequest) -> None:
    rows: list[Row] = request.getfixturevalue(name)
    for row in rows:
        keys = set(row)
        extra = {"split"} if name == "disputed" else set()
        assert FIELDS <= keys <= FIELDS | OPTIONAL | extra, row["id"]
        assert re.fullmatch(r"r-\d{4}", row["id"])
        assert row["label"] in LABELS, row["id"]
        assert row["subject_area"] in AREAS, row["id"]
        assert isinstance(row["borderline"], bool) and isinstance(row["area_given_by_source"], bool)
        assert row["minutes"] is None or (isinstance(row["minutes"], int) and row["minutes"] > 0)
        assert row["title"].strip() and row["reason"].strip(), row["id"]
        assert row.get("second_read", row["label"]) in LABELS
        assert row.get("third_read", row["label"]) in LABELS


@pytest.mark.parametrize("name", ["train", "heldout", "disputed"])
def test_descriptions_are_at_most_150_words(name: str, request: pytest.FixtureRequest) -> None:
    rows: list[Row] = request.getfixturevalue(name)
    for row in rows:
        assert len(row["description"].split()) <= MAX_WORDS, row["id"]


@pytest.mark.parametrize("name", ["train", "heldout", "disputed"])
def test_every_line_names_its_source_and_its_site(name: str, request: pytest.FixtureRequest) -> None:
    rows: list[Row] = request.getfixturevalue(name)
    for row in rows:
        parts = urlsplit(row["source"])
        assert parts.scheme in ("http", "https") and parts.hostname, row["id"]
        assert row["site"] == parts.hostname.lower().rstrip(".").removeprefix("www."), row["id"]


def test_ids_are_unique_across_the_files(train: list[Row], heldout: list[Row], disputed: list[Row]) -> None:
    ids = [row["id"] for row in train + heldout + disputed]
    assert len(ids) == len(set(ids))


def test_every_borderline_label_had_a_second_cold_read(train: list[Row], heldout: list[Row]) -> None:
    """Where the two reads disagreed, the line is disputed, or a later read settled it by a named rule."""
    for row in train + heldout:
        if row["borderline"]:
            assert row.get("second_read") == row["label"] or row.get("resolution", "").strip(), row["id"]


def test_a_settled_disagreement_names_the_rule_that_settled_it(train: list[Row], heldout: list[Row]) -> None:
    for row in train + heldout:
        if "resolution" in row:
            resolution = row["resolution"]
            assert row["label"] in resolution, row["id"]
            assert "docs/labelling.md" in resolution or re.search(r"\[[A-Z][A-Za-z ]*\]", resolution), row["id"]


def test_disputed_lines_are_the_borderline_ones_whose_reads_disagree(disputed: list[Row]) -> None:
    for row in disputed:
        assert row["borderline"], row["id"]
        assert row["second_read"] != row["label"] or row.get("third_read", row["label"]) != row["label"], row["id"]
        assert row["split"] in ("train", "heldout")


def test_no_site_is_on_both_sides_of_the_split(train: list[Row], heldout: list[Row], disputed: list[Row]) -> None:
    sides = {"train": train + [r for r in disputed if r["split"] == "train"]}
    sides["heldout"] = heldout + [r for r in disputed if r["split"] == "heldout"]
    assert {r["site"] for r in sides["train"]}.isdisjoint({r["site"] for r in sides["heldout"]})
    owner: Callable[[str], str] = tool().group_of
    assert {owner(r["site"]) for r in sides["train"]}.isdisjoint({owner(r["site"]) for r in sides["heldout"]})


def test_the_site_register_agrees_with_the_files(train: list[Row], heldout: list[Row]) -> None:
    register = json.loads((REAL / "sites.json").read_text(encoding="utf-8"))
    owner: Callable[[str], str] = tool().group_of
    for side, rows in (("train", train), ("heldout", heldout)):
        for row in rows:
            assert register[owner(row["site"])] == side, row["id"]


def same_session(a: Row, b: Row) -> bool:
    """One published session: near-identical descriptions (a talk given again elsewhere keeps its blurb), or,
    where a description is missing, the same title at the same printed time (two conferences' "Opening
    Reception" are different sessions; so are two different blurbs under the title "Stress Management")."""
    da, db = set(words(a["description"])), set(words(b["description"]))
    if da and db:
        return jaccard(da, db) > 0.5
    return words(a["title"]) == words(b["title"]) and a.get("time") == b.get("time")


def test_no_session_is_in_both_files(train: list[Row], heldout: list[Row]) -> None:
    assert [(a["id"], b["id"]) for a in train for b in heldout if same_session(a, b)] == []


def test_the_same_session_check_tells_a_repeat_from_a_namesake() -> None:
    repeat = {"title": "Stress Management", "description": "Learn to reduce stress at work with proven methods."}
    rerun = {"title": "Stress management", "description": "Learn to reduce stress at work with proven methods today."}
    namesake = {"title": "Stress Management", "description": "A December seminar on library stressors and relaxation."}
    reception = {"title": "Opening Reception", "description": "", "time": "6:00 PM"}
    other_reception = {"title": "Opening Reception", "description": "", "time": "6:00 - 8:30 pm"}
    assert same_session(repeat, rerun)
    assert not same_session(repeat, namesake)
    retitled = {"title": "Stress Relief at Work", "description": "Learn to reduce stress at work with proven methods."}
    assert same_session(repeat, retitled)
    assert same_session(reception, dict(reception))
    assert not same_session(reception, other_reception)


def test_none_of_the_guides_worked_examples_is_in_the_corpus(
    train: list[Row], heldout: list[Row], disputed: list[Row], seed_examples_path: Path
) -> None:
    seed = load(seed_examples_path)
    grams = set()
    for example in seed:
        w = words(f"{example['title']} {example['description']}")
        grams |= {tuple(w[i : i + 8]) for i in range(len(w) - 7)}
    for row in train + heldout + disputed:
        for example in seed:
            assert jaccard(set(words(row["title"])), set(words(example["title"]))) <= 0.5, (row["id"], example["id"])
            assert jaccard(set(words(row["description"])), set(words(example["description"]))) <= 0.5, row["id"]
        w = words(f"{row['title']} {row['description']}")
        assert not any(tuple(w[i : i + 8]) in grams for i in range(len(w) - 7)), row["id"]
