"""The trained model the evaluator ships: three heads, the abstention threshold and the labelled neighbours.

Stored as one small ``.npz`` in the package (``data/model.npz``), written by ``python -m training.train`` from a
checkout (the trainer and its labelled files are not part of the wheel), so start-up trains nothing. It records
the sha256 of the training inputs it came from and the embedder it was trained on; a test fails when the
training inputs changed and nobody retrained.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from certcredit.evaluate.features import NO_WORDS, WordHashing
from certcredit.evaluate.head import SoftmaxHead
from certcredit.values.vocabulary import CATEGORIES

#: The category head's labels: a session's content focus is one of the five categories or none of them.
NONE: Final = "none"
LABELS: Final = (*CATEGORIES, NONE)
MODEL_FILE: Final = "model.npz"
NO_AREA: Final = "none"
NO_TOPIC: Final = "none"


@dataclass(frozen=True)
class Neighbours:
    """The labelled sessions, embedded: the analysis names the closest ones as evidence.

    Only the whole-text part of each feature vector is kept (the first third), which is what "reads closest
    to" means to a person, and keeps the shipped file small.
    """

    vectors: npt.NDArray[np.float32]
    titles: tuple[str, ...]
    labels: tuple[str, ...]

    @cached_property
    def _by_label(self) -> dict[str, tuple[npt.NDArray[np.float32], tuple[str, ...]]]:
        """Each label's vectors and titles, gathered once: the evaluator asks for every session it explains."""
        vectors = np.asarray(self.vectors, dtype=np.float32)
        groups: dict[str, tuple[npt.NDArray[np.float32], tuple[str, ...]]] = {}
        for label in dict.fromkeys(self.labels):
            rows = [i for i, name in enumerate(self.labels) if name == label]
            groups[label] = (vectors[rows], tuple(self.titles[i] for i in rows))
        return groups

    def nearest(self, vector: npt.NDArray[np.float32], label: str, count: int = 2) -> list[tuple[str, float]]:
        """The ``count`` most similar labelled sessions carrying ``label``, with their cosine similarity."""
        if label not in self._by_label:
            return []
        vectors, titles = self._by_label[label]
        scores = vectors @ vector[: vectors.shape[1]].astype(np.float32)
        order = np.argsort(-scores, kind="stable")[:count]
        return [(titles[i], float(scores[i])) for i in order]


@dataclass(frozen=True)
class Settings:
    """Decision settings measured by cross-validation on the training file (never on held-out data)."""

    review_below: float  # under this top probability a session the head reads as a category goes to review
    none_below: float  # under this top probability a session the head reads as "none" goes to review too
    area_switch_above: float  # a qualifying session leaves its category's default area only above this
    topic_above: float  # a topic is given only above this probability (and with a cue word present)


REVIEW: Final = "review"


def model_verdict(label: str, probability: float, settings: Settings) -> tuple[str, str]:
    """What the category head's reading decides, as (label or ``REVIEW``, reason).

    ``label`` is the head's best label with its ``probability``. Below its threshold a reading goes to review
    in either direction: "does not qualify" is a decision like a category, and the model's own doubt is never
    settled by a default (RULES.md's ambiguity rule is about the session's text, which ``classify.py`` applies
    with the words it quotes as evidence). One function for the evaluator and for the cross-validation that
    chooses the thresholds, so that the thresholds are measured with the rules they will be used with.
    """
    floor = settings.none_below if label == NONE else settings.review_below
    if probability >= floor:
        return label, ("other_focus" if label == NONE else "main_focus")
    return REVIEW, "unsure"


@dataclass(frozen=True)
class SessionModel:
    category: SoftmaxHead
    area: SoftmaxHead
    topic: SoftmaxHead
    neighbours: Neighbours
    settings: Settings
    embedder: str
    train_sha256: str
    metrics: dict[str, float]
    #: The hashed word block beside the embedding views (none for weights trained on embeddings alone).
    hashing: WordHashing = NO_WORDS

    def save(self, path: Path) -> None:
        arrays: dict[str, npt.NDArray[np.generic]] = {}
        for name, head in (("category", self.category), ("area", self.area), ("topic", self.topic)):
            arrays[f"{name}_weights"] = head.weights.astype(np.float32)
            arrays[f"{name}_bias"] = head.bias.astype(np.float32)
        arrays["neighbour_vectors"] = self.neighbours.vectors.astype(np.float16)
        meta = {
            "labels": {
                n: list(h.labels) for n, h in (("category", self.category), ("area", self.area), ("topic", self.topic))
            },
            "temperature": {
                n: h.temperature for n, h in (("category", self.category), ("area", self.area), ("topic", self.topic))
            },
            "neighbour_titles": list(self.neighbours.titles),
            "neighbour_labels": list(self.neighbours.labels),
            "settings": {
                "review_below": self.settings.review_below,
                "none_below": self.settings.none_below,
                "area_switch_above": self.settings.area_switch_above,
                "topic_above": self.settings.topic_above,
            },
            "embedder": self.embedder,
            "train_sha256": self.train_sha256,
            "metrics": self.metrics,
            "hashing": {
                "title_dimension": self.hashing.title_dimension,
                "description_dimension": self.hashing.description_dimension,
                "scale": self.hashing.scale,
                "char_dimension": self.hashing.char_dimension,
                "char_scale": self.hashing.char_scale,
            },
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        path.write_bytes(buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> SessionModel:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            heads = {
                name: SoftmaxHead(
                    tuple(meta["labels"][name]),
                    data[f"{name}_weights"].astype(np.float64),
                    data[f"{name}_bias"].astype(np.float64),
                    float(meta["temperature"][name]),
                )
                for name in ("category", "area", "topic")
            }
            neighbours = Neighbours(
                data["neighbour_vectors"].astype(np.float32),
                tuple(meta["neighbour_titles"]),
                tuple(meta["neighbour_labels"]),
            )
        return cls(
            heads["category"],
            heads["area"],
            heads["topic"],
            neighbours,
            Settings(**meta["settings"]),
            meta["embedder"],
            meta["train_sha256"],
            {k: float(v) for k, v in meta["metrics"].items()},
            WordHashing(**meta["hashing"]) if "hashing" in meta else NO_WORDS,
        )


@lru_cache(maxsize=1)
def shipped_model() -> SessionModel:
    """The model in the package, loaded once."""
    return SessionModel.load(package_data(MODEL_FILE))


def package_data(name: str) -> Path:
    """A file shipped in the package's ``data/`` folder (the weights, the lexicon, the tokenizer)."""
    return Path(str(resources.files("certcredit.evaluate") / "data" / name))
