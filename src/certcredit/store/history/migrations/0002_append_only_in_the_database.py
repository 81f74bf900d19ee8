"""The history is append-only in the database too: triggers refuse UPDATE and DELETE (``certcredit.store.guards``:
SQLite and PostgreSQL SQL)."""

from django.db import migrations

from certcredit.store import guards


class Migration(migrations.Migration):
    dependencies = [("history", "0001_initial")]

    operations = [guards.migration_operation("history")]
