"""Evaluate the rows of a file: good rows are decided, bad rows are kept in place as errors (SPEC.md).

Rows arrive already read (``certcredit.io.readers``), so this stays pure: no file, no terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from certcredit.evaluate.classify import SessionEvaluator
from certcredit.evaluate.sessions import Session, SessionError, session_from_row
from certcredit.io.readers import Row, RowError


@dataclass(frozen=True, slots=True)
class RowResult:
    """One output object in input order; ``error``/``where`` are set for a rejected row."""

    output: dict[str, Any]
    where: str
    error: str | None = None


def evaluate_rows(rows: Iterable[Row | RowError], evaluator: SessionEvaluator) -> list[RowResult]:
    """Each row's evaluation, or ``{"id", "error"}`` in its place when it cannot be read."""
    slots: list[RowResult | tuple[int, Session, str]] = []
    sessions: list[Session] = []
    for row in rows:
        if isinstance(row, RowError):
            identifier = str(row.data.get("id", row.position)) if row.data else str(row.position)
            slots.append(RowResult({"id": identifier, "error": row.reason}, row.where, row.reason))
            continue
        try:
            session = session_from_row(row.data, row.position)
        except SessionError as error:
            identifier = _raw_id(row)
            slots.append(RowResult({"id": identifier, "error": str(error)}, row.where, str(error)))
            continue
        slots.append((len(sessions), session, row.where))
        sessions.append(session)
    evaluations = evaluator.evaluate(sessions)
    results = []
    for slot in slots:
        if isinstance(slot, RowResult):
            results.append(slot)
        else:
            index, _, where = slot
            results.append(RowResult(evaluations[index].as_dict(), where))
    return results


def _raw_id(row: Row) -> str:
    value = row.data.get("id")
    if value is None or isinstance(value, bool) or not isinstance(value, str | int | float) or str(value).strip() == "":
        return str(row.position)
    return str(value).strip()


@lru_cache(maxsize=1)
def default_evaluator() -> SessionEvaluator:
    """The shipped model with the ONNX embedder and the packaged lexicon, built once per process."""
    from certcredit.evaluate.embedder import default_embedder
    from certcredit.evaluate.lexicon import default_lexicon
    from certcredit.evaluate.model import shipped_model

    return SessionEvaluator(shipped_model(), default_embedder(), default_lexicon())
