"""Actors get ``sort_name``, the accent- and case-folded form their lists sort by, filled for every existing actor.

The historical rows are filled too, so that a reverted actor keeps its place in lists.
"""

from django.db import migrations, models

from kb.ingest.normalize import name_sort_key

BATCH = 1000


def fill_sort_names(apps, schema_editor):
    alias = schema_editor.connection.alias
    for model_name in ("Actor", "HistoricalActor"):
        model = apps.get_model("kb", model_name)
        key = model._meta.pk.name
        rows = model.objects.using(alias).order_by(key).only(key, "name")
        batch = []
        for row in rows.iterator(chunk_size=BATCH):
            row.sort_name = name_sort_key(row.name)
            batch.append(row)
            if len(batch) == BATCH:
                model.objects.using(alias).bulk_update(batch, ["sort_name"])
                batch = []
        if batch:
            model.objects.using(alias).bulk_update(batch, ["sort_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0012_source_publisher_optional"),
    ]

    operations = [
        migrations.AddField(
            model_name="actor",
            name="sort_name",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="historicalactor",
            name="sort_name",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop, elidable=False),
        migrations.AlterModelOptions(
            name="actor",
            options={"ordering": ["sort_name", "id"]},
        ),
        migrations.AddIndex(
            model_name="actor",
            index=models.Index(fields=["sort_name", "id"], name="actor_sort_name_order"),
        ),
    ]
