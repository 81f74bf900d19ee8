"""Natural keys: what "the same record" and "the same session" mean, as plain text the store keeps and compares.

Plain values (no store): the store's models, the imports and the web agree on them because they all call these.
"""

from __future__ import annotations

import datetime as dt
import re

_SPACES = re.compile(r"\s+")
#: a stored key's length at most (the store's column)
KEY_LENGTH = 700


def text_key(text: str) -> str:
    """Text compared the way a person would: case and runs of spaces ignored."""
    # ``str.split`` splits on the characters ``\s`` matches (``isspace``), so this is ``_SPACES.sub(" ", text)
    # .strip()`` without the regular expression (a property test compares them); imports key millions of rows
    return " ".join(text.split()).casefold()


def record_key(date: dt.date, title: str, minutes: int, fmt: str, activity: str = "") -> str:
    """A record's stored natural key: date, title (case and spacing ignored), minutes, format and, when it names
    one, the activity. A record without an activity keeps the key it had before the store kept activities.

    The activity is in the key because PMI has a course split across Talent Triangle areas entered as one line
    per area (docs/rules.md): two lines alike but for their activity are two records. Imports decide "already
    present" with ``KnownRecords``, which also lets a row and a record match when only one of them names an
    activity, so neither a file without activities nor one that adds them duplicates what is stored.
    """
    parts = ["r", date.isoformat(), text_key(title), str(minutes), fmt]
    if activity:
        parts.append(activity)
    return "|".join(parts)[:KEY_LENGTH]
