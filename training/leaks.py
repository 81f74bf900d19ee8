"""The guard that keeps held-out sessions out of training: by content, not by file name.

A held-out session must never be learnt from, whatever file it was copied into: training refuses a bank that
holds a held-out id, or a title and description that equal a held-out session's once case, punctuation and
spacing are set aside (the same text pasted with other quotes or line breaks is the same session).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from training.bank import LabelledSession

_NOT_WORD: Final = re.compile(r"[^0-9a-z]+")


def fingerprint(title: str, description: str) -> str:
    """The words of a title and description, lower-cased, in order: what "the same session" means here."""
    return " ".join(_NOT_WORD.split(f"{title} {description}".casefold())).strip()


def _rows(path: Path) -> Iterable[dict[str, Any]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


def heldout_keys(paths: Sequence[Path]) -> tuple[set[str], dict[str, str]]:
    """The held-out ids and fingerprints (fingerprint → file) of the given files."""
    ids: set[str] = set()
    prints: dict[str, str] = {}
    for path in paths:
        for row in _rows(path):
            if row.get("id") not in (None, ""):
                ids.add(str(row["id"]))
            prints[fingerprint(str(row.get("title") or ""), str(row.get("description") or ""))] = path.name
    return ids, prints


def check_no_heldout(bank: Sequence[LabelledSession], heldout: Sequence[Path]) -> None:
    """Raise ``ValueError`` naming the first training session that is a held-out one (by id or by content)."""
    ids, prints = heldout_keys(heldout)
    for item in bank:
        session = item.session
        if session.id in ids:
            raise ValueError(f"training session {session.id!r} has a held-out id: held-out data is never for training")
        found = prints.get(fingerprint(session.title, session.description))
        if found is not None:
            raise ValueError(
                f"training session {session.id!r} ({session.title!r}) is a held-out session of {found}: "
                "held-out data is never for training"
            )
