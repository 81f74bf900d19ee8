"""An on-disk cache of the embedding views, for training runs only.

The embedder is deterministic (one session per forward pass, pinned weights), so a text's views never change;
training, cross-validation and the benchmarks embed the same few thousand texts again and again on a shared
two-core machine. The cache lives under ``var/`` (not committed), keyed by the embedder's name and the text.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from certcredit.evaluate.embedder import Embedder

Vectors = npt.NDArray[np.float32]
CACHE_DIR: Final = Path(__file__).resolve().parents[1] / "var" / "embeddings"


class CachingEmbedder:
    """An ``Embedder`` that remembers the views of every (title, text) it has embedded."""

    def __init__(self, inner: Embedder, directory: Path = CACHE_DIR) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.path = directory / f"{inner.name}.npz"
        self._rows: dict[str, Vectors] = {}
        self._dirty = False
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
                self._rows = {str(k): vectors[i] for i, k in enumerate(keys)}

    def embed(self, texts: list[str]) -> Vectors:
        return self.inner.embed(texts)

    def features(self, titles: list[str], texts: list[str]) -> Vectors:
        keys = [_key(title, text) for title, text in zip(titles, texts, strict=True)]
        missing = [i for i, key in enumerate(keys) if key not in self._rows]
        if missing:
            fresh = self.inner.features([titles[i] for i in missing], [texts[i] for i in missing])
            for i, row in zip(missing, fresh, strict=True):
                self._rows[keys[i]] = row
            self._dirty = True
            self.save()
        if not keys:
            return self.inner.features([], [])
        return np.stack([self._rows[key] for key in keys]).astype(np.float32)

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._rows)
        temporary = self.path.with_suffix(".tmp.npz")
        np.savez(temporary, keys=np.array(keys), vectors=np.stack([self._rows[k] for k in keys]))
        temporary.replace(self.path)
        self._dirty = False


def _key(title: str, text: str) -> str:
    return hashlib.sha256(f"{title}\x00{text}".encode()).hexdigest()
