"""Rules the database itself enforces, whatever code writes to it: per-vendor SQL that migrations install.

* The history is append-only: a trigger refuses every UPDATE and DELETE of ``history_historyentry`` (the ORM's
  own refusals in ``certcredit.store.history.models`` are a first line; these hold for raw SQL, ``_base_manager``,
  upserts and ``save_base`` too).
* One key for a person's record: the unique constraint ``one_record_per_natural_key`` (person, date, title,
  minutes, format and activity) plus a trigger for the one case a unique index cannot say: a record that names
  no activity is the same record as one with the same ``base_key`` that names one (``KnownRecords``). On
  PostgreSQL the trigger is per statement (COPY and multi-row inserts check once) and first locks the person's
  row, so two transactions writing the same person's records are checked one after the other, never both
  against a snapshot that misses the other's rows.

Both raise an integrity error (Django's ``IntegrityError``) on either store.
"""

from __future__ import annotations

from typing import Any

HISTORY_MESSAGE = "history entries are never changed or deleted"
RECORD_KEY_MESSAGE = (
    "one_record_per_key: a record without an activity is the same record as one with the same date, title,"
    " minutes and format that names an activity"
)

_SQLITE_HISTORY = [
    f"""CREATE TRIGGER IF NOT EXISTS history_no_update BEFORE UPDATE ON history_historyentry
    BEGIN SELECT RAISE(ABORT, '{HISTORY_MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS history_no_delete BEFORE DELETE ON history_historyentry
    BEGIN SELECT RAISE(ABORT, '{HISTORY_MESSAGE}'); END""",
]
_SQLITE_HISTORY_DROP = ["DROP TRIGGER IF EXISTS history_no_update", "DROP TRIGGER IF EXISTS history_no_delete"]

_PG_HISTORY = [
    f"""CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{HISTORY_MESSAGE}' USING ERRCODE = 'restrict_violation';
    END $$""",
    "DROP TRIGGER IF EXISTS history_no_change ON history_historyentry",
    """CREATE TRIGGER history_no_change BEFORE UPDATE OR DELETE ON history_historyentry
    FOR EACH ROW EXECUTE FUNCTION history_append_only()""",
]
_PG_HISTORY_DROP = [
    "DROP TRIGGER IF EXISTS history_no_change ON history_historyentry",
    "DROP FUNCTION IF EXISTS history_append_only()",
]

_SQLITE_CLASH = """EXISTS (SELECT 1 FROM records_record r WHERE r.person_id = NEW.person_id
    AND r.base_key = NEW.base_key AND r.id IS NOT NEW.id AND (NEW.activity = '' OR r.activity = ''))"""
_SQLITE_RECORDS = [
    f"""CREATE TRIGGER IF NOT EXISTS records_one_key_insert BEFORE INSERT ON records_record
    WHEN {_SQLITE_CLASH} BEGIN SELECT RAISE(ABORT, '{RECORD_KEY_MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS records_one_key_update BEFORE UPDATE OF person_id, base_key, activity
    ON records_record WHEN {_SQLITE_CLASH} BEGIN SELECT RAISE(ABORT, '{RECORD_KEY_MESSAGE}'); END""",
]
_SQLITE_RECORDS_DROP = [
    "DROP TRIGGER IF EXISTS records_one_key_insert",
    "DROP TRIGGER IF EXISTS records_one_key_update",
]

_PG_RECORDS = [
    f"""CREATE OR REPLACE FUNCTION records_one_key() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM accounts_person p WHERE p.id IN (SELECT DISTINCT person_id FROM new_rows)
            ORDER BY p.id FOR NO KEY UPDATE;
        -- one index probe per new row (LATERAL, kept apart by OFFSET): the planner has no statistics for the
        -- rows this transaction wrote and would otherwise read the whole table for every statement
        IF EXISTS (
            SELECT 1 FROM new_rows n, LATERAL (
                SELECT 1 FROM records_record r
                WHERE r.person_id = n.person_id AND r.base_key = n.base_key AND r.id <> n.id
                    AND (n.activity = '' OR r.activity = '')
                LIMIT 1 OFFSET 0
            ) AS clash
        ) THEN
            RAISE EXCEPTION '{RECORD_KEY_MESSAGE}' USING ERRCODE = 'unique_violation';
        END IF;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS records_one_key_insert ON records_record",
    "DROP TRIGGER IF EXISTS records_one_key_update ON records_record",
    """CREATE TRIGGER records_one_key_insert AFTER INSERT ON records_record
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION records_one_key()""",
    """CREATE TRIGGER records_one_key_update AFTER UPDATE ON records_record
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION records_one_key()""",
]
_PG_RECORDS_DROP = [
    "DROP TRIGGER IF EXISTS records_one_key_insert ON records_record",
    "DROP TRIGGER IF EXISTS records_one_key_update ON records_record",
    "DROP FUNCTION IF EXISTS records_one_key()",
]

_SQL: dict[tuple[str, str, bool], list[str]] = {
    ("history", "sqlite", True): _SQLITE_HISTORY,
    ("history", "sqlite", False): _SQLITE_HISTORY_DROP,
    ("history", "postgresql", True): _PG_HISTORY,
    ("history", "postgresql", False): _PG_HISTORY_DROP,
    ("records", "sqlite", True): _SQLITE_RECORDS,
    ("records", "sqlite", False): _SQLITE_RECORDS_DROP,
    ("records", "postgresql", True): _PG_RECORDS,
    ("records", "postgresql", False): _PG_RECORDS_DROP,
}


def statements(guard: str, vendor: str, install: bool = True) -> list[str]:
    """The SQL that installs (or removes) a guard on one vendor; ``ValueError`` for a store without one."""
    try:
        return _SQL[(guard, vendor, install)]
    except KeyError:
        raise ValueError(
            f"no {guard} guard for the {vendor} store (certcredit supports SQLite and PostgreSQL)"
        ) from None


def apply(connection: Any, guard: str, install: bool = True) -> None:
    """Install or remove ``guard`` ("history" or "records") on a Django connection."""
    with connection.cursor() as cursor:
        for sql in statements(guard, connection.vendor, install):
            cursor.execute(sql)


def migration_operation(guard: str) -> Any:
    """A ``RunPython`` that installs the guard (and removes it when the migration is reversed)."""
    from django.db import migrations

    def forwards(_apps: Any, schema_editor: Any) -> None:
        apply(schema_editor.connection, guard, install=True)

    def backwards(_apps: Any, schema_editor: Any) -> None:
        apply(schema_editor.connection, guard, install=False)

    return migrations.RunPython(forwards, backwards, elidable=False)
