"""The labelled sessions the head learns from (``data/sessions/train.jsonl``, ``data/real/train.jsonl``) and is
measured on (the ``heldout.jsonl`` beside each).

A label is the session's *content* focus (a category id or ``none``) as ``docs/labelling.md`` defines it; the
decision a session should get also follows from its duration, venue and designation, which ``expected`` works
out with the same rules the evaluator applies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from certcredit.evaluate.model import LABELS as LABELS
from certcredit.evaluate.model import NONE as NONE
from certcredit.evaluate.model import package_data
from certcredit.evaluate.sessions import MINIMUM_MINUTES, SessionFacts, session_from_row

#: The repository's data folder (a checkout: the trainer and its files are not in the wheel).
DATA: Final = Path(__file__).resolve().parents[1] / "data"
SESSIONS: Final = DATA / "sessions"
TRAIN_PATH: Final = SESSIONS / "train.jsonl"
HELDOUT_PATH: Final = SESSIONS / "heldout.jsonl"
DEFINITIONS_PATH: Final = SESSIONS / "definitions.yaml"


@dataclass(frozen=True, slots=True)
class LabelledSession:
    session: SessionFacts
    label: str
    subject_area: str | None
    topic: str | None
    #: The site a real session was published on (cross-validation holds out whole sites); None for the
    #: project's own sessions, whose folds are their authors' batches.
    site: str | None = None
    #: Whether the subject area is the one the association itself filed the course under.
    area_official: bool = False

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


def read_bank(path: Path) -> list[LabelledSession]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            rows.append(labelled_from_row(json.loads(line), number))
    return rows


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
    """The hash of the default training inputs, as ``python -m training.train`` records it."""
    return bank_hash(*training_inputs())


def training_inputs() -> tuple[Path, ...]:
    """The files the shipped weights are trained from, in hashing order."""
    from training.real import REAL_TRAIN_PATH

    paths = [TRAIN_PATH, DEFINITIONS_PATH, package_data(LEXICON_FILE)]
    if REAL_TRAIN_PATH.exists():
        paths.append(REAL_TRAIN_PATH)
    return tuple(paths)


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
