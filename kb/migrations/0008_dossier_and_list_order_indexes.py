"""Indexes for the orders that lists and dossiers read (see docs/performance.md).

- sources by publication date then title, newest first: the sources list, and claims in
  their default order (by source, then offset) walk sources by it;
- agreements by signing date then title, newest first (the agreements list; events have
  theirs from migration 0007);
- an actor's transfers by supplier and by recipient, latest first, and an actor's
  relationships by subject and by object, then predicate: a dossier reads the first of
  each in index order instead of sorting the thousands of the most-mentioned actors.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0007_event_start_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="source",
            index=models.Index(fields=["-published_on", "title", "id"], name="source_published_order"),
        ),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(fields=["-signed_on", "title", "id"], name="agreement_signed_order"),
        ),
        migrations.AddIndex(
            model_name="armstransfer",
            index=models.Index(fields=["supplier", "-start_on", "id"], name="transfer_supplier_latest"),
        ),
        migrations.AddIndex(
            model_name="armstransfer",
            index=models.Index(fields=["recipient", "-start_on", "id"], name="transfer_recipient_latest"),
        ),
        migrations.AddIndex(
            model_name="relationship",
            index=models.Index(fields=["subject", "predicate"], name="relationship_subject_order"),
        ),
        migrations.AddIndex(
            model_name="relationship",
            index=models.Index(fields=["object", "predicate"], name="relationship_object_order"),
        ),
    ]
