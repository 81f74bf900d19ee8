"""The numpy softmax head: it learns, it calibrates, and the model file round-trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from training.fit import fit_softmax, fit_temperature

from certcredit.evaluate.model import SessionModel
from tests.unit.evaluate_support import hashing_model


def test_the_head_separates_three_clusters_it_was_trained_on() -> None:
    rng = np.random.default_rng(7)
    centres = np.eye(3, 8) * 3
    x = np.vstack([c + rng.normal(0, 0.3, size=(20, 8)) for c in centres])
    y = [label for label in ("a", "b", "c") for _ in range(20)]
    head = fit_softmax(x, y, ("a", "b", "c"))
    predicted = [head.labels[i] for i in head.probabilities(x).argmax(axis=1)]
    assert predicted == y


def test_training_twice_gives_the_same_weights() -> None:
    x = np.eye(4)
    first = fit_softmax(x, ["a", "b", "a", "b"], ("a", "b"))
    second = fit_softmax(x, ["a", "b", "a", "b"], ("a", "b"))
    assert np.array_equal(first.weights, second.weights)


def test_a_temperature_above_one_softens_overconfident_logits() -> None:
    logits = np.array([[5.0, 0.0], [5.0, 0.0], [5.0, 0.0], [5.0, 0.0]])
    assert fit_temperature(logits, ["a", "a", "b", "b"], ("a", "b")) > 1.0


def test_a_saved_model_loads_back_with_the_same_predictions(tmp_path: Path) -> None:
    model = hashing_model()
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = SessionModel.load(path)
    from certcredit.evaluate.embedder import HashingEmbedder
    from certcredit.evaluate.features import session_features

    x = session_features(
        HashingEmbedder(),
        ["Memos", "Excel"],
        ["Grammar.", "Pivot tables."],
        ["Memos. Grammar.", "Excel. Pivot tables."],
        model.hashing,
    )
    assert np.allclose(model.category.probabilities(x), loaded.category.probabilities(x), atol=1e-3)
    assert loaded.settings == model.settings
    assert loaded.hashing == model.hashing
    assert loaded.train_sha256 == "fixture"
    assert loaded.neighbours.titles == model.neighbours.titles


def test_a_fit_on_remembered_rows_equals_the_fit_that_computes_its_own_row_products() -> None:
    from training.fit import forget_rows, remember_rows

    rng = np.random.default_rng(5)
    x = rng.normal(size=(30, 80)).astype(np.float32)
    y = [("a", "b", "c")[i % 3] for i in range(30)]
    subset = [0, 2, 3, 5, 8, 13, 21, 29, 1, 4, 6, 7]
    plain = fit_softmax(x[subset], [y[i] for i in subset], ("a", "b", "c"), l2=1e-3)
    remember_rows(x)
    try:
        cached = fit_softmax(x[subset], [y[i] for i in subset], ("a", "b", "c"), l2=1e-3)
    finally:
        forget_rows()
    assert np.allclose(cached.probabilities(x), plain.probabilities(x), atol=1e-5)
    assert not np.allclose(plain.probabilities(x)[0], 1 / 3)
