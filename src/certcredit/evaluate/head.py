"""A softmax-regression head over sentence embeddings, in plain numpy (the runtime half).

classifier.md measured a logistic-regression head on the embeddings as the best lever (about 7 points over
prototypes or nearest neighbours); this is that head without scikit-learn or scipy (about 165 MB saved).
Fitting it lives in the training package (``training/fit.py``), which the wheel does not ship.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SoftmaxHead:
    """Class probabilities from a vector: softmax((x @ weights + bias) / temperature)."""

    labels: tuple[str, ...]
    weights: Matrix  # (dimension, classes)
    bias: Matrix  # (classes,)
    temperature: float = 1.0

    def logits(self, vectors: npt.NDArray[np.floating]) -> Matrix:
        result: Matrix = np.asarray(vectors, dtype=np.float64) @ self.weights + self.bias
        return result

    def probabilities(self, vectors: npt.NDArray[np.floating]) -> Matrix:
        return softmax(self.logits(vectors) / self.temperature)

    def with_temperature(self, temperature: float) -> SoftmaxHead:
        return SoftmaxHead(self.labels, self.weights, self.bias, temperature)


def softmax(logits: Matrix) -> Matrix:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: Matrix = exp / exp.sum(axis=1, keepdims=True)
    return result
