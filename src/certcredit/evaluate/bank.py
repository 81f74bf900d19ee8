"""The labelled sessions the head learns from (``data/sessions-train.jsonl``) and is measured on.

A label is the session's *content* focus (a category id or ``none``) as ``docs/labelling.md`` defines it; the
decision a session should get also follows from its duration, venue and designation, which ``expected`` works
out with the same rules the evaluator applies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from certcredit.evaluate.sessions import MINIMUM_MINUTES, Session, session_from_row
from certcredit.values.vocabulary import CATEGORIES

NONE: Final = "none"
LABELS: Final = (*CATEGORIES, NONE)
TRAIN_FILE: Final = "sessions-train.jsonl"
HELDOUT_FILE: Final = "sessions-heldout.jsonl"


@dataclass(frozen=True, slots=True)
class LabelledSession:
    session: Session
    label: str
    subject_area: str | None
    topic: str | None

    @property
    def teaches_focus(self) -> bool:
        """Whether the label says what the content teaches, so the head may learn from it.

        Under 60 minutes the labeller writes ``none`` whatever the content; such rows would teach the head
        that duration shows in the words. At an ALA conference the label may be ``none`` for the venue's
        sake (labelling.md leaves it open), so those rows are left out too.
        """
        session = self.session
        short = session.minutes is not None and session.minutes < MINIMUM_MINUTES
        return not short and session.venue is None

    def expected(self) -> tuple[str, str | None]:
        """The decision and category this session should get under RULES.md."""
        session = self.session
        if session.minutes is not None and session.minutes < MINIMUM_MINUTES:
            return "does_not_qualify", None
        if session.category is not None:
            return ("needs_review", None) if session.minutes is None else ("qualifies", session.category)
        if session.venue == "ala_conference":
            return "does_not_qualify", None
        if session.minutes is None:
            return "needs_review", None
        if self.label == NONE:
            return "does_not_qualify", None
        return "qualifies", self.label


def labelled_from_row(data: dict[str, Any], position: int) -> LabelledSession:
    label = data.get("label")
    if label not in LABELS:
        raise ValueError(f"row {position}: label must be one of {LABELS}, not {label!r}")
    return LabelledSession(session_from_row(data, position), label, data.get("subject_area"), data.get("topic"))


def data_path(name: str) -> Path:
    return Path(str(resources.files("certcredit.evaluate") / "data" / name))


def read_bank(path: Path) -> list[LabelledSession]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            rows.append(labelled_from_row(json.loads(line), number))
    return rows


DEFINITIONS_FILE: Final = "definitions.yaml"
LEXICON_FILE: Final = "lexicon.yaml"


def bank_hash(path: Path, *extra: Path) -> str:
    """sha256 over the training file's bytes and any ``extra`` files': the shipped weights record it.

    The default training inputs are the labelled sessions, the definitions and the lexicon (its veto decides
    which sessions the thresholds are tuned on), so a change to any of them calls for retraining.
    """
    digest = hashlib.sha256()
    for part in (path, *extra):
        content = part.read_bytes()
        digest.update(len(content).to_bytes(8, "big"))
        digest.update(content)
    return digest.hexdigest()


def training_inputs_hash() -> str:
    """The hash of the packaged training inputs, as ``python -m certcredit.evaluate.train`` records it."""
    return bank_hash(data_path(TRAIN_FILE), data_path(DEFINITIONS_FILE), data_path(LEXICON_FILE))


def read_definitions(path: Path) -> list[tuple[str, str]]:
    """(label, sentence) pairs from the definitions file; an unknown label is an error."""
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for label, sentences in raw.items():
        if label not in LABELS:
            raise ValueError(f"{path.name}: unknown label {label!r}")
        for sentence in sentences:
            if not isinstance(sentence, str):
                raise ValueError(f"{path.name}: {label}: {sentence!r} is not a sentence (quote it)")
            pairs.append((label, sentence))
    return pairs
