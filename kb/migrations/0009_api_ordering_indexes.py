"""Indexes for the API's other orderings (see docs/performance.md).

Each column a list may be ordered by (``?ordering=``) that no index served: claims by the
time they speak about and by offset, transfers by report date, high estimate and creation,
relationships by start of validity, events and sources by title and creation (a sorted list
of sources also counted the claims of every source before it sorted). A page in any documented
order is then read from an index, in either direction, instead of sorting the whole table.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0008_dossier_and_list_order_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["about_on"], name="claim_about_order"),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["start"], name="claim_start_order"),
        ),
        migrations.AddIndex(
            model_name="armstransfer",
            index=models.Index(fields=["reported_on"], name="transfer_reported_order"),
        ),
        migrations.AddIndex(
            model_name="armstransfer",
            index=models.Index(fields=["quantity_high"], name="transfer_quantity_order"),
        ),
        migrations.AddIndex(
            model_name="armstransfer",
            index=models.Index(fields=["created_at"], name="transfer_created_order"),
        ),
        migrations.AddIndex(
            model_name="relationship",
            index=models.Index(fields=["valid_from"], name="relationship_valid_order"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["title"], name="event_title_order"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["created_at"], name="event_created_order"),
        ),
        migrations.AddIndex(
            model_name="source",
            index=models.Index(fields=["title"], name="source_title_order"),
        ),
        migrations.AddIndex(
            model_name="source",
            index=models.Index(fields=["created_at"], name="source_created_order"),
        ),
    ]
