"""The word lists are data, validated; a veto may never reject a session labelled with a category."""

from __future__ import annotations

from pathlib import Path

import pytest
from training.bank import TRAIN_PATH, read_bank
from training.train import TrainingDataError, check_vetoes, train

from certcredit.evaluate.embedder import HashingEmbedder
from certcredit.evaluate.lexicon import LexiconError, default_lexicon, parse_lexicon
from tests.unit.evaluate_support import labelled_bank


def test_the_shipped_vetoes_hit_no_training_session_labelled_with_a_category() -> None:
    check_vetoes(read_bank(TRAIN_PATH), default_lexicon())


def test_training_refuses_a_veto_that_would_reject_a_qualifying_title() -> None:
    lexicon = parse_lexicon({"veto": [{"pattern": r"\bmemos\b", "kind": "wrong_focus", "focus": "memos"}]})
    with pytest.raises(TrainingDataError, match="Sharper Memos"):
        train(labelled_bank(), HashingEmbedder(), lexicon, "x", lambda _line: None)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"veto": [{"pattern": "x", "kind": "maybe", "focus": "f"}]}, "kind must be one of"),
        ({"veto": [{"pattern": "(", "kind": "wrong_focus", "focus": "f"}]}, "bad pattern"),
        ({"cues": {"leadership": ["lead"]}}, "unknown category"),
        ({"topics": {"safety": ["x"]}}, "unknown topic"),
    ],
)
def test_a_mistake_in_the_lexicon_names_the_entry(raw: dict[str, object], words: str) -> None:
    with pytest.raises(LexiconError, match=words):
        parse_lexicon(raw)


def test_the_veto_matches_the_title_only_and_reports_the_words() -> None:
    lexicon = default_lexicon()
    hit = lexicon.veto("Annual Golf Outing")
    assert hit is not None
    assert hit[0].kind == "non_education"
    assert hit[1].lower() == "golf outing"
    assert lexicon.veto("Running Meetings That Decide Something") is None


@pytest.mark.parametrize("title", ["Reception Desk Excellence", "Training Reception Staff to Greet Clients"])
def test_a_session_about_the_reception_desk_is_not_vetoed_as_a_social_event(title: str) -> None:
    assert default_lexicon().veto(title) is None
    assert default_lexicon().veto("Welcome Reception") is not None


def test_cue_words_are_found_as_whole_words() -> None:
    cues = default_lexicon().cue_words("writing", "Clear memos and e-mail with better grammar")
    assert cues[:3] == ["grammar", "memos", "e-mail"] or set(cues) >= {"grammar", "memos", "e-mail"}
    assert "write" not in default_lexicon().cue_words("writing", "rewrite nothing here")


def test_the_definitions_are_sentences_for_every_label(tmp_path: Path) -> None:
    from training.bank import DEFINITIONS_PATH, LABELS, read_definitions

    pairs = read_definitions(DEFINITIONS_PATH)
    assert {label for label, _ in pairs} == set(LABELS)
    bad = tmp_path / "definitions.yaml"
    bad.write_text("writing:\n  - Topic: a colon makes this a mapping\n", encoding="utf-8")
    with pytest.raises(ValueError, match="quote it"):
        read_definitions(bad)


def test_the_training_inputs_hash_changes_with_any_input(tmp_path: Path) -> None:
    from training.bank import bank_hash

    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("x")
    b.write_text("y")
    assert bank_hash(a, b) != bank_hash(b, a)
    assert bank_hash(a) != bank_hash(a, b)
