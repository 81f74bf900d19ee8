"""Which reminders are due on a day: pure functions of dates and the credential rulebook's settings.

Each reminder has a key that names what it is about (the deadline and the threshold, the apply-by date, the
day completeness ends), so the service sends each one once whatever how often ``certcredit remind`` runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from certcredit.rules.credentials import CredentialRules


def deadline_threshold(deadline: dt.date, today: dt.date, rules: CredentialRules) -> int | None:
    """The tightest of ``reminder_days`` reached on ``today`` before ``deadline`` (None: none yet, or past).

    With 90/30/7: 100 days left gives None, 90 to 31 give 90, 30 to 8 give 30, 7 to 0 give 7. A run missed for
    a while sends only the tightest threshold reached, not every one passed.
    """
    return threshold_reached(deadline, today, rules.reminder_days)


def threshold_reached(deadline: dt.date, today: dt.date, days: Sequence[int]) -> int | None:
    """The tightest of ``days`` (counts of days before ``deadline``) reached on ``today``; None before the first
    and after the deadline. Each program's reminders (the credential's, the CLRM paper's) count the same way."""
    left = (deadline - today).days
    if left < 0:
        return None
    reached = [d for d in days if left <= d]
    return min(reached) if reached else None


def deadline_key(deadline: dt.date, threshold: int) -> str:
    return f"deadline:{deadline.isoformat()}:{threshold}"


def apply_by_due(apply_by: dt.date | None, today: dt.date, rules: CredentialRules) -> bool:
    """Whether the apply-by date is near enough to say so (on or after today, within ``apply_by_notice_days``)."""
    return apply_by is not None and 0 <= (apply_by - today).days <= rules.apply_by_notice_days


def ageing_out_due(incomplete_from: dt.date | None, today: dt.date, rules: CredentialRules) -> bool:
    """Whether records ageing out end completeness soon enough to say so."""
    return incomplete_from is not None and 0 <= (incomplete_from - today).days <= rules.ageing_out_notice_days


def clrm_paper_key(deadline: dt.date, threshold: int) -> str:
    """The candidate's reminder of the CLRM paper deadline at one threshold (sent once)."""
    return f"clrm-paper:{deadline.isoformat()}:{threshold}"


def clrm_passed_key(candidate_id: int, deadline: dt.date) -> str:
    """Staff's notice that a candidate's paper deadline passed without a timely submission (sent once each)."""
    return f"clrm-passed:{candidate_id}:{deadline.isoformat()}"


def passed_recently(deadline: dt.date, today: dt.date, notice_days: int) -> bool:
    """Whether the deadline has passed (it is before ``today``) at most ``notice_days`` days ago."""
    return 1 <= (today - deadline).days <= notice_days
