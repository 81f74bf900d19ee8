"""A person's record without an activity and one with an activity but otherwise the same key are refused by the
database (``certcredit.store.guards``: a trigger per vendor; on PostgreSQL it also locks the person's row)."""

from django.db import migrations

from certcredit.store import guards


class Migration(migrations.Migration):
    dependencies = [("records", "0003_one_key_and_import_attempts"), ("accounts", "0001_initial")]

    operations = [guards.migration_operation("records")]
