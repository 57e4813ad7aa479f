"""Arms transfers keep the order and the delivery apart, each with estimate flags, and SIPRI's comments;
a source may be a dataset (a SIPRI Trade Register file).

The existing quantity (low/high) and period (start/end) stay where they are, now named as the
delivery's: nothing is moved, so nothing is lost. A quantity given as a range (or with one side
only) was always an estimate, and is flagged as one.
"""

import importlib

from django.db import migrations, models
from django.db.models import F, Q

# SQLite rebuilds a table to add a column with a default or change a constraint, and what
# earlier migrations made with SQL on it goes with the old table: the list-order indexes
# (migration 0003) and the triggers that keep the full-text index in step (0006). Its planner
# statistics go too.
LIST_ORDER = importlib.import_module("kb.migrations.0003_list_ordering_indexes")
FULL_TEXT = importlib.import_module("kb.migrations.0006_full_text_search_everywhere")
REBUILT = ("kb_source", "kb_armstransfer")


def rebuilt_tables_restored(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL alters tables in place: its indexes and generated columns stay
    for name, target in LIST_ORDER.INDEXES:
        if target.split(" ")[0] in REBUILT:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}", params=None)
    for table in REBUILT:
        for create, _drop in FULL_TEXT._sqlite(table, FULL_TEXT.DOCUMENTS[table]):
            if create.startswith("CREATE TRIGGER"):
                schema_editor.execute(create, params=None)
        schema_editor.execute(f"ANALYZE {table}", params=None)


def flag_ranges_as_estimates(apps, schema_editor):
    ArmsTransfer = apps.get_model("kb", "ArmsTransfer")
    ranges = (
        Q(quantity_low__isnull=True, quantity_high__isnull=False)
        | Q(quantity_low__isnull=False, quantity_high__isnull=True)
        | Q(quantity_low__lt=F("quantity_high"))
    )
    ArmsTransfer.objects.using(schema_editor.connection.alias).filter(ranges).update(delivered_quantity_estimated=True)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0013_actor_sort_name"),
    ]

    operations = [
        # Undone last when the migration is reversed (the tables are rebuilt again on the way back).
        migrations.RunPython(migrations.RunPython.noop, rebuilt_tables_restored, elidable=False),
        migrations.AddField(
            model_name="armstransfer",
            name="comments",
            field=models.TextField(blank=True, help_text="Notes on the deal, e.g. SIPRI's comments."),
        ),
        migrations.AddField(
            model_name="armstransfer",
            name="delivered_period_estimated",
            field=models.BooleanField(default=False, help_text="The years of delivery are estimates."),
        ),
        migrations.AddField(
            model_name="armstransfer",
            name="delivered_quantity_estimated",
            field=models.BooleanField(
                default=False, help_text="The number delivered is an estimate (a low/high range always is)."
            ),
        ),
        migrations.AddField(
            model_name="armstransfer",
            name="ordered_on",
            field=models.DateField(
                blank=True,
                help_text="When the deal was made (SIPRI: year of order).",
                null=True,
                verbose_name="ordered",
            ),
        ),
        migrations.AddField(
            model_name="armstransfer",
            name="ordered_on_estimated",
            field=models.BooleanField(default=False, help_text="The date of the order is an estimate."),
        ),
        migrations.AddField(
            model_name="armstransfer",
            name="ordered_on_precision",
            field=models.CharField(
                blank=True,
                choices=[("day", "Day"), ("month", "Month"), ("year", "Year"), ("decade", "Decade")],
                default="",
                max_length=6,
                verbose_name="ordered precision",
            ),
        ),
        migrations.AddField(
            model_name="armstransfer",
            name="ordered_quantity",
            field=models.PositiveIntegerField(blank=True, help_text="The number ordered.", null=True),
        ),
        migrations.AddField(
            model_name="armstransfer",
            name="ordered_quantity_estimated",
            field=models.BooleanField(default=False, help_text="The number ordered is an estimate."),
        ),
        migrations.AddField(
            model_name="historicalarmstransfer",
            name="comments",
            field=models.TextField(blank=True, help_text="Notes on the deal, e.g. SIPRI's comments."),
        ),
        migrations.AddField(
            model_name="historicalarmstransfer",
            name="delivered_period_estimated",
            field=models.BooleanField(default=False, help_text="The years of delivery are estimates."),
        ),
        migrations.AddField(
            model_name="historicalarmstransfer",
            name="delivered_quantity_estimated",
            field=models.BooleanField(
                default=False, help_text="The number delivered is an estimate (a low/high range always is)."
            ),
        ),
        migrations.AddField(
            model_name="historicalarmstransfer",
            name="ordered_on",
            field=models.DateField(
                blank=True,
                help_text="When the deal was made (SIPRI: year of order).",
                null=True,
                verbose_name="ordered",
            ),
        ),
        migrations.AddField(
            model_name="historicalarmstransfer",
            name="ordered_on_estimated",
            field=models.BooleanField(default=False, help_text="The date of the order is an estimate."),
        ),
        migrations.AddField(
            model_name="historicalarmstransfer",
            name="ordered_on_precision",
            field=models.CharField(
                blank=True,
                choices=[("day", "Day"), ("month", "Month"), ("year", "Year"), ("decade", "Decade")],
                default="",
                max_length=6,
                verbose_name="ordered precision",
            ),
        ),
        migrations.AddField(
            model_name="historicalarmstransfer",
            name="ordered_quantity",
            field=models.PositiveIntegerField(blank=True, help_text="The number ordered.", null=True),
        ),
        migrations.AddField(
            model_name="historicalarmstransfer",
            name="ordered_quantity_estimated",
            field=models.BooleanField(default=False, help_text="The number ordered is an estimate."),
        ),
        migrations.AlterField(
            model_name="armstransfer",
            name="end_on",
            field=models.DateField(
                blank=True,
                help_text="When the deliveries ended (or the last known).",
                null=True,
                verbose_name="period end",
            ),
        ),
        migrations.AlterField(
            model_name="armstransfer",
            name="quantity_high",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="The number delivered: its high estimate.",
                null=True,
                verbose_name="delivered (high)",
            ),
        ),
        migrations.AlterField(
            model_name="armstransfer",
            name="quantity_low",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="The number delivered: its low estimate.",
                null=True,
                verbose_name="delivered (low)",
            ),
        ),
        migrations.AlterField(
            model_name="armstransfer",
            name="start_on",
            field=models.DateField(
                blank=True, help_text="First day of the deliveries.", null=True, verbose_name="period start"
            ),
        ),
        migrations.AlterField(
            model_name="historicalarmstransfer",
            name="end_on",
            field=models.DateField(
                blank=True,
                help_text="When the deliveries ended (or the last known).",
                null=True,
                verbose_name="period end",
            ),
        ),
        migrations.AlterField(
            model_name="historicalarmstransfer",
            name="quantity_high",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="The number delivered: its high estimate.",
                null=True,
                verbose_name="delivered (high)",
            ),
        ),
        migrations.AlterField(
            model_name="historicalarmstransfer",
            name="quantity_low",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="The number delivered: its low estimate.",
                null=True,
                verbose_name="delivered (low)",
            ),
        ),
        migrations.AlterField(
            model_name="historicalarmstransfer",
            name="start_on",
            field=models.DateField(
                blank=True, help_text="First day of the deliveries.", null=True, verbose_name="period start"
            ),
        ),
        migrations.AddConstraint(
            model_name="armstransfer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("ordered_on__isnull", True), ("ordered_on_precision", "")),
                    models.Q(
                        ("ordered_on__isnull", False), ("ordered_on_precision__in", ["day", "month", "year", "decade"])
                    ),
                    _connector="OR",
                ),
                name="transfer_ordered_on_precision_set_with_date",
                violation_error_message="ordered_on and ordered_on_precision must be given together.",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="source",
            name="source_kind_valid",
        ),
        migrations.AlterField(
            model_name="historicalsource",
            name="kind",
            field=models.CharField(
                choices=[
                    ("news", "News"),
                    ("analysis", "Analysis"),
                    ("opinion", "Opinion"),
                    ("official", "Official"),
                    ("dataset", "Dataset"),
                ],
                db_index=True,
                default="news",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="kind",
            field=models.CharField(
                choices=[
                    ("news", "News"),
                    ("analysis", "Analysis"),
                    ("opinion", "Opinion"),
                    ("official", "Official"),
                    ("dataset", "Dataset"),
                ],
                db_index=True,
                default="news",
                max_length=16,
            ),
        ),
        migrations.AddConstraint(
            model_name="source",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["news", "analysis", "opinion", "official", "dataset"])),
                name="source_kind_valid",
            ),
        ),
        migrations.RunPython(flag_ranges_as_estimates, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(rebuilt_tables_restored, migrations.RunPython.noop, elidable=False),
    ]
