"""Evaluate the rows of a file: good rows are decided, bad rows are kept in place as errors (SPEC.md).

Rows arrive already read (plain ``values.row.Row`` values: the edge reads the file), so this stays pure: no file,
no terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from certcredit.evaluate.classify import SessionEvaluator
from certcredit.evaluate.sessions import SessionError, SessionFacts, session_from_row
from certcredit.values.row import Row, RowError, row_id


@dataclass(frozen=True, slots=True)
class RowResult:
    """One output object in input order; ``error``/``where`` are set for a rejected row."""

    output: dict[str, Any]
    where: str
    error: str | None = None


def evaluate_rows(rows: Iterable[Row | RowError], evaluator: SessionEvaluator) -> list[RowResult]:
    """Each row's evaluation, or ``{"id", "error"}`` in its place when it cannot be read."""
    slots: list[RowResult | tuple[int, SessionFacts, str]] = []
    sessions: list[SessionFacts] = []
    for row in rows:
        if isinstance(row, RowError):
            identifier = row_id(row.data, row.position)
            slots.append(RowResult({"id": identifier, "error": row.reason}, row.where, row.reason))
            continue
        try:
            session = session_from_row(row.data, row.position)
        except SessionError as error:
            identifier = row_id(row.data, row.position)
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


@lru_cache(maxsize=1)
def default_evaluator() -> SessionEvaluator:
    """The shipped model with the ONNX embedder and the packaged lexicon, built once per process."""
    from certcredit.evaluate.embedder import default_embedder
    from certcredit.evaluate.lexicon import default_lexicon
    from certcredit.evaluate.model import shipped_model

    return SessionEvaluator(shipped_model(), default_embedder(), default_lexicon())
