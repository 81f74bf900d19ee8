"""Fitting the softmax heads: full-batch gradient descent with Adam from zero weights (deterministic).

The runtime half (``certcredit.evaluate.head``) only applies fitted weights; this half is for training.
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

from certcredit.evaluate.head import Matrix, SoftmaxHead, softmax

#: How many bases are remembered (each is features × rows float32, about 30 MB for a fold of the training file):
#: one per cross-validation fold.
SPANS_KEPT = 8
_SPANS: dict[str, npt.NDArray[np.float32]] = {}


def row_span(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """An orthonormal basis (d, n) of the rows' span, remembered for the same rows: cross-validation fits every
    fold once per L2 strength, and the decomposition does not depend on the strength."""
    key = hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()
    if key not in _SPANS:
        if len(_SPANS) >= SPANS_KEPT:
            _SPANS.pop(next(iter(_SPANS)))
        _, _, vt = np.linalg.svd(x, full_matrices=False)
        _SPANS[key] = np.ascontiguousarray(vt.T)
    return _SPANS[key]


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
    basis: npt.NDArray[np.float32] | None = None
    if d > n:
        basis = row_span(x)
        x = x @ basis
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
    weights = params[:-1] if basis is None else basis @ params[:-1]
    return SoftmaxHead(labels, weights.astype(np.float64), params[-1].astype(np.float64))


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
