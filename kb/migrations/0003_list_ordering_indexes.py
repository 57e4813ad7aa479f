"""Indexes for the hot lists at scale (see docs/performance.md).

- claims by review status and modality, covering the id (counts of a filtered list read
  the index alone);
- accepted claims by id, a partial index: "is this record backed by an accepted claim",
  the visibility test of every backed record, reads the index alone;
- sources by publication date, newest first (the dossier's and the claims list's order:
  the first page is read in index order instead of sorting every claim);
- arms transfers by period start, newest first (the register's and the dossier's order).

Created with SQL, like migration 0002, so that the models stay as they are.
"""

from django.db import migrations

INDEXES = [
    ("kb_claim_status_modality", "kb_claim (status, modality, id)"),
    ("kb_claim_accepted", "kb_claim (id) WHERE status = 'accepted'"),
    ("kb_source_published", "kb_source (published_on DESC, id)"),
    ("kb_armstransfer_start", "kb_armstransfer (start_on DESC, id)"),
]


def forwards(apps, schema_editor) -> None:
    for name, target in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}", params=None)


def backwards(apps, schema_editor) -> None:
    for name, _ in reversed(INDEXES):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0002_search_and_performance_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
