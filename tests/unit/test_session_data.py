"""The labelled session data sets (docs/labelling.md): schema, sizes, and the rules the labels must obey.

The classifier is trained on one file and measured on the other, so a broken line, a duplicated title or a label
that contradicts RULES.md would silently corrupt every figure the evaluation reports.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from certcredit.values.duration import minutes_from_time, minutes_from_value
from certcredit.values.vocabulary import CATEGORIES, SUBJECT_AREAS, TOPICS, VENUES

DATA = Path(__file__).resolve().parents[2] / "data" / "sessions"
TRAIN = DATA / "train.jsonl"
HELDOUT = DATA / "heldout.jsonl"
LABELS = (*CATEGORIES, "none")
REQUIRED = {"id", "title", "description", "label", "subject_area", "topic", "trap"}
OPTIONAL = {"time", "minutes", "venue", "category"}
SPLITS = {"train": (TRAIN, "t", 30, 100), "heldout": (HELDOUT, "h", 12, 45)}

Session = dict[str, Any]


def load(path: Path) -> list[Session]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        assert isinstance(row, dict), f"{path.name} line {number} is not an object"
        rows.append(row)
    return rows


@pytest.fixture(scope="module", params=sorted(SPLITS))
def split(request: pytest.FixtureRequest) -> tuple[str, list[Session]]:
    name = request.param
    return name, load(SPLITS[name][0])


def minutes_of(session: Session) -> int:
    if "minutes" in session:
        return minutes_from_value(session["minutes"])
    return minutes_from_time(session["time"])


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def test_every_session_has_the_documented_keys_and_no_others(split: tuple[str, list[Session]]) -> None:
    name, sessions = split
    for s in sessions:
        keys = set(s)
        assert keys >= REQUIRED, f"{name} {s.get('id')} lacks {REQUIRED - keys}"
        assert keys <= REQUIRED | OPTIONAL, f"{name} {s['id']} has unknown keys {keys - REQUIRED - OPTIONAL}"
        assert ("time" in s) != ("minutes" in s), f"{name} {s['id']} needs exactly one of time and minutes"
        assert isinstance(s["title"], str) and s["title"].strip()
        assert s["trap"] is None or (isinstance(s["trap"], str) and s["trap"].strip())


def test_labels_subject_areas_topics_and_venues_come_from_the_shared_vocabulary(
    split: tuple[str, list[Session]],
) -> None:
    _, sessions = split
    for s in sessions:
        assert s["label"] in LABELS, s["id"]
        assert s["subject_area"] is None or s["subject_area"] in SUBJECT_AREAS, s["id"]
        assert s["topic"] is None or s["topic"] in TOPICS, s["id"]
        assert s.get("venue", VENUES[0]) in VENUES, s["id"]
        assert s.get("category", CATEGORIES[0]) in CATEGORIES, s["id"]


def test_ids_are_unique_across_both_files_and_carry_their_split_prefix() -> None:
    seen: Counter[str] = Counter()
    for path, prefix, _, _ in SPLITS.values():
        for s in load(path):
            assert re.fullmatch(rf"{prefix}-\d{{3,4}}", s["id"]), s["id"]  # t-1000 on: four digits
            seen[s["id"]] += 1
    assert [i for i, n in seen.items() if n > 1] == []


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_each_split_holds_enough_sessions_per_label(name: str) -> None:
    path, _, per_category, none = SPLITS[name]
    counts = Counter(s["label"] for s in load(path))
    for category in CATEGORIES:
        assert counts[category] >= per_category, f"{name}: {category} has {counts[category]}"
    assert counts["none"] >= none, f"{name}: none has {counts['none']}"


def test_no_title_appears_in_both_training_and_heldout_sets() -> None:
    def key(title: str) -> str:
        return " ".join(title.lower().split())

    train = {key(s["title"]) for s in load(TRAIN)}
    heldout = {key(s["title"]) for s in load(HELDOUT)}
    assert train & heldout == set()


def test_titles_are_unique_within_each_split(split: tuple[str, list[Session]]) -> None:
    _, sessions = split
    titles = Counter(" ".join(s["title"].lower().split()) for s in sessions)
    assert [t for t, n in titles.items() if n > 1] == []


def test_every_time_parses_to_a_positive_duration(split: tuple[str, list[Session]]) -> None:
    _, sessions = split
    for s in sessions:
        assert minutes_of(s) > 0, s["id"]


def test_a_session_shorter_than_60_minutes_is_always_labelled_none_and_says_why(
    split: tuple[str, list[Session]],
) -> None:
    _, sessions = split
    short = [s for s in sessions if minutes_of(s) < 60]
    assert short, "the data must include too-short sessions with otherwise qualifying content"
    for s in short:
        assert s["label"] == "none", s["id"]
        assert "under 60 minutes" in s["trap"], s["id"]


def test_about_a_tenth_of_the_none_sessions_are_too_short(split: tuple[str, list[Session]]) -> None:
    _, sessions = split
    none = [s for s in sessions if s["label"] == "none"]
    short = [s for s in none if minutes_of(s) < 60]
    assert 0.05 <= len(short) / len(none) <= 0.2


def test_descriptions_are_between_30_and_120_words(split: tuple[str, list[Session]]) -> None:
    _, sessions = split
    for s in sessions:
        assert 30 <= len(s["description"].split()) <= 120, s["id"]


def test_every_qualifying_session_carries_a_subject_area(split: tuple[str, list[Session]]) -> None:
    _, sessions = split
    for s in sessions:
        if s["label"] != "none":
            assert s["subject_area"] is not None, s["id"]


def test_a_designated_session_of_an_hour_or_more_keeps_its_designation(split: tuple[str, list[Session]]) -> None:
    _, sessions = split
    designated = [s for s in sessions if "category" in s]
    assert designated
    for s in designated:
        expected = s["category"] if minutes_of(s) >= 60 else "none"
        assert s["label"] == expected, s["id"]


def test_an_undesignated_session_at_an_ala_conference_is_labelled_none(split: tuple[str, list[Session]]) -> None:
    _, sessions = split
    undesignated = [s for s in sessions if s.get("venue") == "ala_conference" and "category" not in s]
    assert undesignated
    for s in undesignated:
        assert s["label"] == "none", s["id"]


def test_venue_and_designation_keys_stay_rare(split: tuple[str, list[Session]]) -> None:
    _, sessions = split
    assert sum("venue" in s for s in sessions) <= 5
    assert sum("category" in s for s in sessions) <= 5


def test_no_eight_word_phrase_of_the_guides_examples_is_reused(
    split: tuple[str, list[Session]], seed_examples_path: Path
) -> None:
    seed = []
    for line in seed_examples_path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        seed.append(words(" ".join(str(row.get(k, "")) for k in ("title", "description", "seed_analysis"))))
    grams = {tuple(w[i : i + 8]) for w in seed for i in range(len(w) - 7)}
    _, sessions = split
    for s in sessions:
        w = words(f"{s['title']} {s['description']}")
        reused = [" ".join(w[i : i + 8]) for i in range(len(w) - 7) if tuple(w[i : i + 8]) in grams]
        assert reused == [], f"{s['id']} reuses {reused[:1]}"


NEAR_DUPLICATE = 0.5


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def near_duplicates(sessions: list[Session], references: list[Session]) -> list[str]:
    """Pairs whose titles or descriptions share more than half their distinct words (Jaccard over word sets)."""
    found = []
    for s in sessions:
        title, description = set(words(s["title"])), set(words(s["description"]))
        for r in references:
            t = jaccard(title, set(words(r["title"])))
            d = jaccard(description, set(words(r["description"])))
            if max(t, d) > NEAR_DUPLICATE:
                found.append(f"{s['id']} ~ {r['id']} (title {t:.2f}, description {d:.2f})")
    return found


def test_the_near_duplicate_check_catches_a_light_paraphrase() -> None:
    original = {"id": "a", "title": "Writing Clear Minutes", "description": "Learn to record decisions and owners."}
    reworded = {"id": "b", "title": "Writing Clear Minutes Fast", "description": "Learn to record the decisions."}
    unrelated = {"id": "c", "title": "Excel Pivot Tables", "description": "Summarise billing data by partner."}
    assert near_duplicates([reworded], [original]) != []
    assert near_duplicates([unrelated], [original]) == []


def test_no_training_session_is_a_near_duplicate_of_a_heldout_session() -> None:
    assert near_duplicates(load(TRAIN), load(HELDOUT)) == []


def test_no_session_is_a_near_duplicate_of_the_guides_worked_examples(seed_examples_path: Path) -> None:
    seed = load(seed_examples_path)
    assert near_duplicates(load(TRAIN) + load(HELDOUT), seed) == []
