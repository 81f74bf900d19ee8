"""The dates of a credential, as pure functions of the family's rules (``rules/credentials/*.yaml``).

domain/clm.md R24: the anniversary is the June 30 or November 30 nearest the day the exam was passed (the
rulebook's ``anniversaries``; an exact midpoint goes to the ``tie`` setting, ``later`` for CLM); the first cycle
ends ``cycle_months`` (three years) after the anniversary and each recertification adds another three years.
R25: the recertification must be in by the cycle's end: no grace period (``grace_days`` 0). A cycle's end that
lands on a missing day takes the month's last day, as every window does (``windows.add_months``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from certcredit.engine.windows import add_months
from certcredit.rules.credentials import CredentialRules

#: the states a verifier is told (``state_on``)
VALID, LAPSED, REVOKED, RETIRED, SUPERSEDED, NOT_CERTIFIED = (
    "valid",
    "lapsed",
    "revoked",
    "retired",
    "superseded",
    "not certified",
)


def _on(year: int, month: int, day: int) -> dt.date:
    """The month-day in ``year``; a day the month lacks (02-29) takes the month's last day."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def anniversary(passed: dt.date, rules: CredentialRules) -> dt.date:
    """The anniversary the exam passed on ``passed`` gives: the nearest of the rules' month-days, before or after.

    On an exact midpoint the ``tie`` setting decides (``later``: the one after the exam). With CLM's June 30 and
    November 30 a midpoint exists only from November 30 to June 30 of a year without February 29 (212 days, so
    March 16 is 106 days from both); from June 30 to November 30 is 153 days, no whole-day midpoint.
    """
    if not dt.MINYEAR < passed.year < dt.MAXYEAR:
        raise ValueError(f"an exam-passed date in the year {passed.year} has no anniversary on the calendar")
    years = (passed.year - 1, passed.year, passed.year + 1)
    candidates = sorted(_on(year, month, day) for year in years for month, day in rules.month_days)
    best = min(abs((c - passed).days) for c in candidates)
    nearest = [c for c in candidates if abs((c - passed).days) == best]
    return nearest[-1] if rules.tie == "later" else nearest[0]


def cycle_end(anniversary_day: dt.date, cycle: int, rules: CredentialRules) -> dt.date:
    """The end of cycle number ``cycle`` (1 = the first, ending ``cycle_months`` after the anniversary)."""
    if cycle < 1:
        raise ValueError(f"cycles are numbered from 1, not {cycle}")
    if rules.cycle_months is None:
        raise ValueError(f"the {rules.abbreviation} credential has no cycles: it is held for good")
    return add_months(anniversary_day, rules.cycle_months * cycle)


def cycle_start(anniversary_day: dt.date, cycle: int, rules: CredentialRules) -> dt.date:
    """The day cycle ``cycle`` starts from: the anniversary, or the previous cycle's end. Records dated on it
    belong to the previous cycle (RULES.md: a window that starts after E minus three years)."""
    return anniversary_day if cycle == 1 else cycle_end(anniversary_day, cycle - 1, rules)


def recertification_deadline(end: dt.date, rules: CredentialRules) -> dt.date:
    """The last day a recertification for the cycle ending ``end`` is accepted (R25: the cycle's end, no grace)."""
    return end + dt.timedelta(days=rules.grace_days)


def is_late(submitted: dt.date, end: dt.date, rules: CredentialRules) -> bool:
    """Whether a recertification submitted on ``submitted`` for the cycle ending ``end`` is refused (R25)."""
    return submitted > recertification_deadline(end, rules)


@dataclass(frozen=True, slots=True)
class Standing:
    """What a verifier is told on a day: the state and, for a certified holder, the days left in the cycle."""

    state: str
    days_left: int | None


def state_on(
    status: str, valid_until: dt.date | None, today: dt.date, rules: CredentialRules, superseded: bool = False
) -> Standing:
    """The state now of a credential with stored ``status`` and ``valid_until``.

    A ``certified`` credential whose recertification deadline has passed is lapsed, even before staff record the
    lapse (R25: a designation not recertified by the deadline is not current). ``superseded`` (a newer credential
    of the family replaced this one) wins over everything but revocation.
    """
    if status == "revoked":
        return Standing(REVOKED, None)
    if superseded:
        return Standing(SUPERSEDED, None)
    if status == "retired":
        return Standing(RETIRED, None)
    if status == "lapsed":
        return Standing(LAPSED, None)
    if status == "certified" and valid_until is not None:
        if today > recertification_deadline(valid_until, rules):
            return Standing(LAPSED, None)
        return Standing(VALID, (valid_until - today).days)
    if status == "certified" and rules.cycle_months is None:  # held for good (CLRM): no end, no days left
        return Standing(VALID, None)
    return Standing(NOT_CERTIFIED, None)
