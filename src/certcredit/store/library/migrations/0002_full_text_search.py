"""The library's full-text index: an FTS5 table kept in step by triggers on SQLite, a GIN index on PostgreSQL.

Both index the same four fields (title, author's name, arbitrators, the file's text) with an English stemmer
(FTS5's ``porter``, PostgreSQL's ``english`` configuration), so a search finds the same papers on either store
(``certcredit.services.library.search``). On SQLite the triggers live on ``library_librarypaper``: a later
migration that makes Django rebuild that table (SQLite's way to alter a column) must create them again.
"""

from django.db import migrations

FIELDS = "title, author_name, arbitrator, text"

SQLITE = [
    "CREATE VIRTUAL TABLE library_paper_fts USING fts5("
    f"{FIELDS}, content='library_librarypaper', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER library_paper_fts_insert AFTER INSERT ON library_librarypaper BEGIN "
    f"INSERT INTO library_paper_fts(rowid, {FIELDS}) "
    "VALUES (new.id, new.title, new.author_name, new.arbitrator, new.text); END",
    "CREATE TRIGGER library_paper_fts_delete AFTER DELETE ON library_librarypaper BEGIN "
    f"INSERT INTO library_paper_fts(library_paper_fts, rowid, {FIELDS}) "
    "VALUES ('delete', old.id, old.title, old.author_name, old.arbitrator, old.text); END",
    "CREATE TRIGGER library_paper_fts_update AFTER UPDATE ON library_librarypaper BEGIN "
    f"INSERT INTO library_paper_fts(library_paper_fts, rowid, {FIELDS}) "
    "VALUES ('delete', old.id, old.title, old.author_name, old.arbitrator, old.text); "
    f"INSERT INTO library_paper_fts(rowid, {FIELDS}) "
    "VALUES (new.id, new.title, new.author_name, new.arbitrator, new.text); END",
    # papers stored before this migration (none in a new store) go into the index too
    "INSERT INTO library_paper_fts(library_paper_fts) VALUES ('rebuild')",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS library_paper_fts_insert",
    "DROP TRIGGER IF EXISTS library_paper_fts_delete",
    "DROP TRIGGER IF EXISTS library_paper_fts_update",
    "DROP TABLE IF EXISTS library_paper_fts",
]
#: the very expression ``services.library`` searches with, so PostgreSQL uses the index
POSTGRESQL = [
    "CREATE INDEX library_paper_search ON library_librarypaper USING GIN (to_tsvector('english'::regconfig, "
    "title || ' ' || author_name || ' ' || arbitrator || ' ' || text))"
]
POSTGRESQL_UNDO = ["DROP INDEX IF EXISTS library_paper_search"]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]  # noqa: ARG001 (RunPython's signature)
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_UNDO, "postgresql": POSTGRESQL_UNDO}),
        )
    ]
