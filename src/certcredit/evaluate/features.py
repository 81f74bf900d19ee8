"""What the heads read for one session: the embedding views beside hashed words and word pairs.

The sentence embedding carries meaning ("pivot tables" is near "spreadsheets"), but it blurs the exact words a
main focus often turns on ("market *with* the tools" against "use the tools"; a product name the embedding has
never met). Hashed word and word-pair counts from the title and from the description keep those words, and a
linear head over both views weighs them. Cross-validation on the training file (docs/evaluator.md) measured
the gain; the embedding's word-piece cut is chosen there too.

Hashing (crc32, signed) rather than a vocabulary: nothing to ship or keep in step with the training file, and
the same text gives the same vector in every process.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from certcredit.evaluate.embedder import Embedder
from certcredit.evaluate.sessions import SessionFacts

Vectors = npt.NDArray[np.float32]

_WORD: Final = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")

#: Catalogue boilerplate that says nothing about a session's main focus: credit and price lines, dates and
#: clock times, track and audience labels, the frame of a learning-objectives list, "read more" and ellipses.
#: Real catalogues open with it, and the embedding reads only the first 64 word pieces, so it is cut before the
#: text is read (the title and the teaching content stay). Each pattern removes only the matched words.
_BOILERPLATE: Final = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\btarget audience:.*?(?=learning (?:outcomes|objectives)|program (?:description|objectives)|$)",
        r"\b(?:audience|level|format|prerequisites?|tracks?|sectors?|subjects?|event types?|location|speakers?|"
        r"presenters?|moderators?|faculty|by|presented at|cost|price|fee|registration):[^.]*(?:\.|$)",
        r"\b(?:learning (?:outcomes|objectives)|program (?:description|objectives)|course (?:overview|description)|"
        r"session description|what you(?:'|’)ll learn|description|objectives)\s*:?",
        r"\bby the end of this (?:session|program|course|webinar),? (?:you|participants|attendees) will be able to:?",
        r"\b(?:participants|attendees|you) will (?:be able to|learn to|learn|gain|be introduced to)\b",
        r"\b(?:total |mcle |cle |cpe |ce |cpd |ethics )*credits?(?: included)?:?\s*\d+(?:\.\d+)?"
        r"(?: (?:hours?|ethics))?",
        r"\b(?:(?:this|the) (?:program|programme|course|session|webinar|webcast|seminar) (?:is |has been )?)?"
        r"(?:provides?|offers?|earns?|approved for|eligible for|qualifies for|worth)\s+(?:[^.]|\.\d){0,40}?"
        r"\b(?:mcle|cle|cpe|cpd|ce|clm|hrci|shrm)\b[^.]*(?:\.|$)",
        r"\b\d+(?:\.\d+)? (?:general |ethics )?(?:mcle|cle|cpe|cpd|ce) (?:credits?|hours?)\b",
        r"\b(?:live )?(?:webinar|webcast|program date|on[- ]demand)\b:?",
        r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,? (?:\d{1,2}/\d{1,2}/\d{2,4}|[a-z]+\.? \d{1,2}(?:, \d{4})?)",
        r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}",
        r"\b\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)?\s*[-–—]\s*\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)"
        r"(?:\s*(?:eastern|central|mountain|pacific)? ?(?:time)?\s*\(?(?:e|c|m|p)[sd]?t\)?)?",
        r"\bread more\b|\bclick here\b|\blearn more\b|\bregister (?:now|today|here)\b",
        r"…|\.\.\.+",
    )
)


def catalogue_text(description: str) -> str:
    """The description without catalogue boilerplate (``_BOILERPLATE``), spaces collapsed."""
    text = description
    for pattern in _BOILERPLATE:
        text = pattern.sub(" ", text)
    return " ".join(text.split()).strip(" .;:,-")


def feature_inputs(sessions: Sequence[SessionFacts]) -> tuple[list[str], list[str], list[str]]:
    """Titles, cleaned descriptions and the texts read (title and cleaned description) of the sessions."""
    titles = [s.title for s in sessions]
    descriptions = [catalogue_text(s.description) for s in sessions]
    texts = [SessionFacts(s.id, s.title, d).text for s, d in zip(sessions, descriptions, strict=True)]
    return titles, descriptions, texts


@dataclass(frozen=True)
class WordHashing:
    """How the hashed word block is built; stored with the trained model so training and use agree."""

    title_dimension: int = 2048
    description_dimension: int = 4096
    #: The block's length against each unit-length embedding view (1.0: the same weight as one view).
    scale: float = 1.0

    @property
    def dimension(self) -> int:
        return self.title_dimension + self.description_dimension


NO_WORDS: Final = WordHashing(0, 0, 0.0)


def word_grams(text: str) -> list[str]:
    """Lower-cased words and adjacent word pairs, in order."""
    words = _WORD.findall(text.lower())
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def hashed_grams(texts: Sequence[str], dimension: int) -> Vectors:
    """Signed hashed counts of each text's words and word pairs, damped (log) and scaled to unit length.

    The log keeps a word repeated five times from outweighing five different words; the sign bit halves the
    bias that collisions would otherwise add.
    """
    out = np.zeros((len(texts), dimension), dtype=np.float32)
    if dimension == 0:
        return out
    for row, text in enumerate(texts):
        for gram in word_grams(text):
            code = zlib.crc32(gram.encode("utf-8"))
            out[row, code % dimension] += 1.0 if (code >> 20) & 1 else -1.0
    out = np.sign(out) * np.log1p(np.abs(out))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    result: Vectors = (out / np.clip(norms, 1e-12, None)).astype(np.float32)
    return result


def word_block(titles: Sequence[str], descriptions: Sequence[str], hashing: WordHashing) -> Vectors:
    """The hashed words of the titles and of the descriptions, side by side, times ``hashing.scale``."""
    block = np.hstack(
        [hashed_grams(titles, hashing.title_dimension), hashed_grams(descriptions, hashing.description_dimension)]
    )
    result: Vectors = (block * np.float32(hashing.scale)).astype(np.float32)
    return result


def session_features(
    embedder: Embedder, titles: Sequence[str], descriptions: Sequence[str], texts: Sequence[str], hashing: WordHashing
) -> Vectors:
    """The embedding views (``Embedder.features``) followed by the hashed word block.

    The embedding views come first, so their first ``embedder.dimension`` columns are still the whole-text
    vector the analysis compares with the labelled neighbours.
    """
    views = embedder.features(list(titles), list(texts))
    if hashing.dimension == 0:
        return views
    return np.hstack([views, word_block(titles, descriptions, hashing)])
