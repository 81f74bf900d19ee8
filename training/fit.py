"""Fitting the softmax heads: full-batch gradient descent with Adam from zero weights (deterministic).

The runtime half (``certcredit.evaluate.head``) only applies fitted weights; this half is for training.
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

from certcredit.evaluate.head import Matrix, SoftmaxHead, softmax

#: The Gram matrix (row dot products, float64) of rows registered with ``remember_rows``: every
#: cross-validation fold fits a subset of the same rows (the focus head, the area head, the topic head, each
#: fold's training part, the definitions), so each fold's Gram matrix is a sub-matrix of this one.
_GRAM: dict[bytes, int] = {}
_GRAM_MATRIX: list[npt.NDArray[np.float64]] = []


def _row_keys(x: npt.NDArray[np.float32]) -> list[bytes]:
    return [hashlib.blake2b(row.tobytes(), digest_size=16).digest() for row in np.ascontiguousarray(x)]


def remember_rows(x: npt.NDArray[np.floating]) -> None:
    """Compute once the Gram matrix of rows the fits will meet again (cross-validation: one per fold)."""
    rows = np.asarray(x, dtype=np.float32)
    _GRAM.clear()
    _GRAM_MATRIX.clear()
    wide = rows.astype(np.float64)
    _GRAM_MATRIX.append(wide @ wide.T)
    for i, key in enumerate(_row_keys(rows)):
        _GRAM.setdefault(key, i)


def forget_rows() -> None:
    _GRAM.clear()
    _GRAM_MATRIX.clear()


def gram(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """``x x^T`` in float64: a sub-matrix of the remembered one when every row is remembered."""
    if _GRAM:
        index = [_GRAM.get(key) for key in _row_keys(x)]
        if all(i is not None for i in index):
            rows = np.array(index, dtype=np.int64)
            return _GRAM_MATRIX[0][np.ix_(rows, rows)]
    wide = np.asarray(x, dtype=np.float64)
    result: npt.NDArray[np.float64] = wide @ wide.T
    return result


def row_coordinates(x: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float64]]:
    """The rows' coordinates (n, r) in an orthonormal basis of their span, and the map back (n, r) such that
    the basis is ``x.T @ back``.

    From the eigen-decomposition of the Gram matrix ``x x^T = U diag(s^2) U^T``: the basis ``x^T U / s`` is the
    SVD's right singular vectors, the coordinates ``U s``. On two busy cores this is several times faster than
    the SVD of the wide matrix (a fold: about a minute against six at load 12), and the Gram matrix of every
    fold is cut from one computed once (``remember_rows``). Directions with no length (s below 1e-6 of the
    largest) are dropped: no row has a component along them.
    """
    values, vectors = np.linalg.eigh(gram(x))
    keep = values > max(float(values.max()), 1e-30) * 1e-12
    lengths = np.sqrt(values[keep])
    u = vectors[:, keep]
    return (u * lengths).astype(np.float32), u / lengths


def fit_softmax(
    vectors: npt.NDArray[np.floating],
    targets: list[str],
    labels: tuple[str, ...],
    *,
    l2: float = 1e-3,
    sample_weights: npt.NDArray[np.floating] | None = None,
    steps: int = 600,
    learning_rate: float = 0.1,
) -> SoftmaxHead:
    """Fit by minimising weighted cross-entropy plus ``l2`` times the squared weights.

    Classes are balanced (each class carries the same total weight), because the labelled bank holds more
    non-qualifying sessions than sessions of any one category.
    """
    x = np.asarray(vectors, dtype=np.float32)
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[t] for t in targets])
    n, d = x.shape
    k = len(labels)
    onehot = np.zeros((n, k), dtype=np.float32)
    onehot[np.arange(n), y] = 1.0
    counts = np.bincount(y, minlength=k).astype(np.float64)
    balance = np.where(counts > 0, n / (k * np.maximum(counts, 1.0)), 0.0)[y]
    w_sample = balance * (np.ones(n) if sample_weights is None else np.asarray(sample_weights, dtype=np.float64))
    w_sample = (w_sample / w_sample.sum()).astype(np.float32)

    # With more features than rows (hashed words beside the embeddings), the penalised optimum lies in the span
    # of the training rows (the part of W orthogonal to them changes no logit and only adds penalty), so the
    # fit runs on the rows' coordinates in that span: the same optimum, about ten times faster. float32
    # throughout, for the same reason.
    back: npt.NDArray[np.float64] | None = None
    original = x
    if d > n:
        x, back = row_coordinates(x)
    params = np.zeros((x.shape[1] + 1, k), dtype=np.float32)
    first, second = np.zeros_like(params), np.zeros_like(params)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    xb = np.hstack([x, np.ones((n, 1), dtype=np.float32)])
    xbt = np.ascontiguousarray(xb.T)
    for step in range(1, steps + 1):
        probs = softmax(xb @ params)
        grad = xbt @ ((probs - onehot) * w_sample[:, None])
        grad[:-1] += 2 * l2 * params[:-1]
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad * grad
        params -= learning_rate * (first / (1 - beta1**step)) / (np.sqrt(second / (1 - beta2**step)) + eps)
    if back is None:
        weights = params[:-1].astype(np.float64)
    else:
        weights = original.T.astype(np.float64) @ (back @ params[:-1].astype(np.float64))
    return SoftmaxHead(labels, weights, params[-1].astype(np.float64))


def fit_temperature(logits: Matrix, targets: list[str], labels: tuple[str, ...]) -> float:
    """The temperature that minimises the negative log-likelihood of out-of-fold logits (grid search).

    Scaling the logits keeps the ranking and makes "confidence 0.8" mean right about 80 % of the time.
    """
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[t] for t in targets])
    best, best_nll = 1.0, np.inf
    for temperature in np.exp(np.linspace(np.log(0.2), np.log(5.0), 81)):
        probs = softmax(logits / temperature)
        nll = -np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, None)))
        if nll < best_nll:
            best, best_nll = float(temperature), nll
    return best
