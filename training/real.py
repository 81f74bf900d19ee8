"""Real published sessions (``data/real/``): catalogue text as providers print it, labelled from the guide.

Each line keeps the title, the description as published (at most 150 words), the printed duration, the
source page's address and its site, the label with a one-line reason, and the subject area (with
``area_given_by_source`` when the association itself filed the course under that area). The held-out file's
sites never appear in the training file; the trainer reads the training file only.

A real session is tried as its provider would submit it: with its printed duration, or, where the page printed
none (or one the reader cannot parse), at 60 minutes: the label is the content's focus, and the provider knows
how long the session runs. A printed duration under 60 minutes is kept, and the label then says ``none``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Final

from certcredit.evaluate.sessions import SessionError
from training.bank import DATA, LabelledSession, labelled_from_row

REAL: Final = DATA / "real"
REAL_TRAIN_PATH: Final = REAL / "train.jsonl"
REAL_HELDOUT_PATH: Final = REAL / "heldout.jsonl"
#: The duration a real session is tried at when its page printed none.
UNPRINTED_MINUTES: Final = 60


def site_group(site: str) -> str:
    """The registrable part of a site's host (``2023alaannual.eventscribe.net`` → ``eventscribe.net``), so that
    sub-sites of one publisher fall in one cross-validation fold."""
    host = site.split(":", 1)[0].lower().removeprefix("www.")
    parts = host.split(".")
    keep = 3 if len(parts) >= 3 and parts[-2] in {"com", "org", "net", "gov", "edu", "ac", "co"} else 2
    return ".".join(parts[-keep:])


def real_id(row: dict[str, Any]) -> str:
    """A stable id for a real session: its site and its text, hashed (the files carry no ids of their own)."""
    basis = "\x00".join(str(row.get(key) or "") for key in ("site", "title", "description"))
    return "r-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:12]


def read_real(path: Path) -> list[LabelledSession]:
    """The labelled real sessions of one file; a bad line is an error naming the file and line."""
    sessions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            row = {
                "id": data.get("id") or real_id(data),
                "title": data["title"],
                "description": data.get("description") or "",
                "label": data["label"],
                "subject_area": data.get("subject_area"),
                "topic": data.get("topic"),
            }
            if data.get("minutes") not in (None, ""):
                row["minutes"] = data["minutes"]
            elif data.get("time") not in (None, ""):
                row["time"] = data["time"]
            for key in ("category", "venue"):
                if data.get(key):
                    row[key] = data[key]
            try:
                item = labelled_from_row(row, number)
            except SessionError:
                if "time" not in row:
                    raise
                del row["time"]  # a printed time the reader does not know: tried as unprinted
                item = labelled_from_row(row, number)
            if item.session.minutes is None:
                row["minutes"] = UNPRINTED_MINUTES
                item = labelled_from_row(row, number)
        except (KeyError, ValueError, SessionError, json.JSONDecodeError) as error:
            raise ValueError(f"{path}:{number}: {error}") from error
        site = site_group(str(data.get("site") or data.get("source") or ""))
        sessions.append(
            LabelledSession(
                item.session,
                item.label,
                item.subject_area,
                item.topic,
                site=site,
                area_official=bool(data.get("area_given_by_source")),
            )
        )
    return sessions
