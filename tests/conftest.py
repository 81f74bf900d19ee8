"""Shared test settings: the seeds live in ../shared beside the checkout, read at test time only."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED_EXAMPLES = SHARED / "data" / "seed-examples.jsonl"


@pytest.fixture(scope="session")
def seed_examples_path() -> Path:
    if not SEED_EXAMPLES.exists():
        pytest.fail(f"{SEED_EXAMPLES} is missing: the checkout needs ../shared beside it (README.md)")
    return SEED_EXAMPLES


@pytest.fixture(autouse=True)
def _history_guard_lets_flush_empty_the_history(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """After a transactional test on SQLite, Django empties every table with DELETE, which the history's trigger
    refuses: empty the history first with the trigger lifted, then put it back. (PostgreSQL empties tables
    with TRUNCATE, which the row triggers do not see.)"""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    yield
    from django.db import connection

    from certcredit.store import guards

    if connection.vendor == "sqlite":
        guards.apply(connection, "history", install=False)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM history_historyentry")
        guards.apply(connection, "history", install=True)
