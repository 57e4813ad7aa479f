"""A claim lists the fields whose values ingest suggested (a paraphrase, a credibility) until an editor changes them."""

import importlib

from django.db import migrations, models

# SQLite rebuilds a table to add a column with a default, and what earlier migrations made
# with SQL on it goes with the old table: the claims' list-order indexes (migration 0003)
# and the triggers that keep their full-text index in step (0002). Its planner statistics go too.
SEARCH = importlib.import_module("kb.migrations.0002_search_and_performance_indexes")
LIST_ORDER = importlib.import_module("kb.migrations.0003_list_ordering_indexes")
REBUILT = "kb_claim"


def rebuilt_table_restored(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL alters tables in place: its indexes and generated columns stay
    for name, target in LIST_ORDER.INDEXES:
        if target.split(" ")[0] == REBUILT:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}", params=None)
    for create, _drop in SEARCH.SQLITE_ONLY:
        if create.startswith("CREATE TRIGGER"):
            schema_editor.execute(create, params=None)
    schema_editor.execute(f"ANALYZE {REBUILT}", params=None)


FIELD_HELP = (
    "Fields whose value ingest suggested (e.g. statement, credibility); a field leaves the list "
    "when an editor changes it."
)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0015_agreement_party_ladder"),
    ]

    operations = [
        # Undone last when the migration is reversed (the table is rebuilt again on the way back).
        migrations.RunPython(migrations.RunPython.noop, rebuilt_table_restored, elidable=False),
        migrations.AddField(
            model_name="claim",
            name="suggested",
            field=models.JSONField(blank=True, default=list, editable=False, help_text=FIELD_HELP),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="suggested",
            field=models.JSONField(blank=True, default=list, editable=False, help_text=FIELD_HELP),
        ),
        migrations.RunPython(rebuilt_table_restored, migrations.RunPython.noop, elidable=False),
    ]
