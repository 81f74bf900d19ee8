"""Short builders for CLRM event rows, so each test reads as the candidate's history."""

from __future__ import annotations

from datetime import date
from typing import Any

from certcredit.engine.clrm import audit_clrm


def academy(day: str, which: str, **extra: Any) -> dict[str, Any]:
    return {"date": day, "type": "academy_completed", "academy": which, **extra}


def step(day: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"date": day, "type": kind, **extra}


def academies(*days: str) -> list[dict[str, Any]]:
    """foundation, negotiations, arbitration completed on the given days, in that order."""
    return [academy(day, which) for day, which in zip(days, ("foundation", "negotiations", "arbitration"), strict=True)]


def ready(day: str) -> list[dict[str, Any]]:
    """Arbitrator approved and orientation attended on ``day``."""
    return [step(day, "arbitrator_approved"), step(day, "orientation_attended")]


def audit(rows: list[dict[str, Any]], as_of: str) -> dict[str, Any]:
    return audit_clrm(rows, date.fromisoformat(as_of))
