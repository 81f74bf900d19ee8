"""The hashed word block beside the embeddings, and the head fitted in the span of its training rows."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from training.fit import fit_softmax

from certcredit.evaluate.features import WordHashing, char_grams, hashed_chars, hashed_grams, word_block, word_grams
from certcredit.evaluate.head import softmax


def test_word_grams_are_the_lower_cased_words_then_the_adjacent_pairs() -> None:
    assert word_grams("Excel Pivot tables!") == ["excel", "pivot", "tables", "excel pivot", "pivot tables"]


def test_hashed_vectors_have_unit_length_and_an_empty_text_gives_zeros() -> None:
    vectors = hashed_grams(["Write better memos", "", "memos memos memos"], 256)
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0)
    assert np.isclose(np.linalg.norm(vectors[2]), 1.0)
    assert not vectors[1].any()


def test_word_order_changes_the_pairs_and_so_the_vector() -> None:
    forward, backward, again = hashed_grams(["use the tools", "tools the use", "use the tools"], 4096)
    assert np.array_equal(forward, again)
    assert not np.allclose(forward, backward)
    assert forward @ backward > 0.3  # the same three words still count


def test_the_word_block_puts_title_words_before_description_words_at_the_given_scale() -> None:
    hashing = WordHashing(title_dimension=64, description_dimension=128, scale=2.0)
    block = word_block(["Grammar"], ["Commas and clauses"], hashing)
    assert block.shape == (1, 192)
    assert np.isclose(np.linalg.norm(block[0, :64]), 2.0)
    assert np.isclose(np.linalg.norm(block[0, 64:]), 2.0)


def test_character_grams_are_the_three_to_five_letter_pieces_of_each_marked_word() -> None:
    assert char_grams("Law!") == ["<la", "law", "aw>", "<law", "law>", "<law>"]
    assert char_grams("") == []


def test_spellings_of_one_stem_share_character_grams_where_whole_words_share_none() -> None:
    library, librarian = hashed_chars(["library", "librarian"], 4096)
    words = hashed_grams(["library", "librarian"], 4096)
    assert np.isclose(np.linalg.norm(library), 1.0)
    assert library @ librarian > 0.3
    assert abs(float(words[0] @ words[1])) < 0.05


def test_hashed_characters_equal_hashing_every_gram_one_by_one() -> None:
    """Independent answer: the per-word remembered codes give the vector a plain loop over the grams gives."""
    text = "Project plans, schedules and plans again for the library's managers"
    expected = np.zeros(512)
    for gram in char_grams(text):
        code = zlib.crc32(gram.encode("utf-8"))
        expected[code % 512] += 1.0 if (code >> 20) & 1 else -1.0
    expected = np.sign(expected) * np.log1p(np.abs(expected))
    assert np.allclose(hashed_chars([text, ""], 512)[0], expected / np.linalg.norm(expected), atol=1e-6)
    assert not hashed_chars([""], 512).any()


def test_the_character_block_follows_the_word_block_and_needs_the_texts_read() -> None:
    hashing = WordHashing(title_dimension=64, description_dimension=128, scale=1.0, char_dimension=256, char_scale=0.5)
    block = word_block(["Grammar"], ["Commas and clauses"], hashing, ["Grammar. Commas and clauses"])
    assert block.shape == (1, 448) == (1, hashing.dimension)
    assert np.isclose(np.linalg.norm(block[0, 192:]), 0.5)
    with pytest.raises(ValueError, match="texts read"):
        word_block(["Grammar"], ["Commas"], hashing)


def _objective(x: np.ndarray, y: np.ndarray, weights: np.ndarray, bias: np.ndarray, l2: float) -> float:
    probs = softmax(x @ weights + bias)
    return float(-np.mean(np.log(probs[np.arange(len(y)), y])) + l2 * np.sum(weights**2))


def test_with_more_features_than_rows_the_fit_reaches_the_full_space_optimum() -> None:
    """Independent answer: plain gradient descent over all the features, run to convergence."""
    rng = np.random.default_rng(3)
    n, d, l2 = 12, 40, 1e-2
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = np.array([i % 3 for i in range(n)])
    head = fit_softmax(x, [str(v) for v in y], ("0", "1", "2"), l2=l2, steps=3000)
    weights, bias = np.zeros((d, 3)), np.zeros(3)
    onehot = np.eye(3)[y]
    for _ in range(20000):
        residual = (softmax(x @ weights + bias) - onehot) / n
        weights -= 0.05 * (x.T @ residual + 2 * l2 * weights)
        bias -= 0.05 * residual.sum(axis=0)
    reference = _objective(x, y, weights, bias, l2)
    assert _objective(x, y, head.weights, head.bias, l2) <= reference + 1e-3
    assert np.allclose(head.probabilities(x), softmax(x @ weights + bias), atol=0.02)


def test_catalogue_boilerplate_is_set_aside_and_the_teaching_content_kept() -> None:
    from certcredit.evaluate.features import catalogue_text

    text = (
        "Total Credits 1.5 Live Webinar Tue 3/16/2021 1:00PM - 2:00PM Eastern Time (EDT) Target Audience: new "
        "associates Learning Objectives: Participants will be able to plan a matter budget and a task schedule. "
        "This program provides 1.5 hours of MCLE credit. Read more…"
    )
    cleaned = catalogue_text(text)
    assert cleaned == "plan a matter budget and a task schedule"


def test_a_description_without_boilerplate_is_left_as_it_is() -> None:
    from certcredit.evaluate.features import catalogue_text

    text = "Draft clear memos and e-mail: grammar, punctuation, structure and a plain writing style."
    assert catalogue_text(text) == text.rstrip(".")
