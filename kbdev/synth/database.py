"""Writing a synthetic plan into the database: refuse foreign data, empty the kb tables, bulk-insert, analyse.

This is deliberately the one writer that bypasses ``kb.services``: synthetic load data is
inserted with ``bulk_create`` in batches, so a full-scale base loads in minutes. The plan
keeps every invariant ``verify_kb`` checks, but no history rows are written: the records
were never edited by anyone.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction

from kb.models import (
    Actor,
    Agreement,
    AgreementParty,
    Alias,
    ArmsTransfer,
    Claim,
    ClaimLink,
    Event,
    Provision,
    Relationship,
    Source,
)
from kb.progress import Progress, silent
from kb.selectors.cache import data_changed
from kbdev.synth.plan import DEFAULT_SEED, SYNTH_URL, Plan, plan

BATCH = 2000


class NotSyntheticError(Exception):
    """The database holds records that synth_kb did not make."""


def kb_models() -> list[type[models.Model]]:
    """Every table of the kb app: models, history models and automatic m2m tables."""
    return list(apps.get_app_config("kb").get_models(include_auto_created=True))


def holds_data() -> bool:
    return Actor.objects.exists() or Source.objects.exists() or Claim.objects.exists()


def is_synthetic() -> bool:
    """True when the database holds kb data and every source in it was made by synth_kb."""
    return Source.objects.exists() and not Source.objects.exclude(url__startswith=SYNTH_URL).exists()


def wipe() -> None:
    """Empty every kb table (records, history and links), resetting id sequences."""
    tables = [model._meta.db_table for model in kb_models()]
    if connection.vendor == "postgresql":
        # Deferred foreign-key checks still pending in this transaction would block TRUNCATE.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=False)
    connection.ops.execute_sql_flush(statements)


def _bulk(model: type[models.Model], objects: Iterable, report: Callable[[int], None], batch: int = BATCH) -> int:
    """Insert ``objects`` in batches, reporting the running count after each."""
    done = 0
    iterator = iter(objects)
    while chunk := list(itertools.islice(iterator, batch)):
        model.objects.bulk_create(chunk, batch_size=batch)
        done += len(chunk)
        report(done)
    return done


def _through(
    model: type[models.Model],
    field_name: str,
    left: str,
    right: str,
    pairs: Iterable[tuple[int, int]],
    report: Callable[[int], None],
) -> int:
    """Insert many-to-many links of ``model.field_name`` from (left id, right id) pairs."""
    through = getattr(model, field_name).through
    return _bulk(through, (through(**{f"{left}_id": a, f"{right}_id": b}) for a, b in pairs), report)


def write(result: Plan, *, progress: Progress = silent) -> dict[str, int]:
    """Insert the planned rows; returns counts by table. The database must be empty of kb data."""
    rows = result.rows
    # (label, model, planned rows) for plain rows; (label, model, m2m field, left, right, id pairs) for links.
    steps: list[tuple] = [
        ("actors", Actor, rows["actor"]),
        ("aliases", Alias, rows["alias"]),
        ("sources", Source, rows["source"]),
        ("source authors", Source, "authors", "source", "actor", rows["source_authors"]),
        ("claims", Claim, rows["claim"]),
        ("claim subjects", Claim, "subjects", "claim", "actor", rows["claim_subjects"]),
        ("claim links", ClaimLink, rows["claim_link"]),
        ("relationships", Relationship, rows["relationship"]),
        ("relationship evidence", Relationship, "evidence", "relationship", "claim", rows["relationship_evidence"]),
        ("events", Event, rows["event"]),
        ("event participants", Event, "participants", "event", "actor", rows["event_participants"]),
        ("event evidence", Event, "evidence", "event", "claim", rows["event_evidence"]),
        ("agreements", Agreement, rows["agreement"]),
        ("agreement parties", AgreementParty, rows["agreement_party"]),
        ("provisions", Provision, rows["provision"]),
        ("agreement evidence", Agreement, "evidence", "agreement", "claim", rows["agreement_evidence"]),
        ("arms transfers", ArmsTransfer, rows["transfer"]),
        ("transfer evidence", ArmsTransfer, "evidence", "armstransfer", "claim", rows["transfer_evidence"]),
    ]
    counts: dict[str, int] = {}
    with transaction.atomic():
        for label, model, *link, planned in steps:
            total = len(planned)
            progress(f"writing {label}", 0, total)

            def report(done: int, label: str = label, total: int = total) -> None:
                progress(f"writing {label}", done, total)

            if link:
                counts[label] = _through(model, *link, planned, report)
            elif model is Source:
                counts[label] = _bulk(model, planned, report, batch=200)  # full texts: smaller batches
            else:
                counts[label] = _bulk(model, planned, report)
        # Explicit ids leave PostgreSQL's sequences behind; move them past the rows.
        statements = connection.ops.sequence_reset_sql(no_style(), kb_models())
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
    # Fresh statistics, so the planner sees the real shape of the data; on PostgreSQL also
    # the visibility map (VACUUM), without which index-only scans read every row.
    progress("gathering statistics", 0, 1)
    with connection.cursor() as cursor:
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    progress("gathering statistics", 1, 1)
    return counts


def generate(
    *, scale: float = 1.0, seed: int = DEFAULT_SEED, force: bool = False, progress: Progress = silent
) -> dict[str, int]:
    """Fill the current database with the synthetic knowledge base of ``scale`` and ``seed``.

    A database already holding synthetic data is emptied first. One holding anything else
    is refused with NotSyntheticError unless ``force`` (then it is emptied too).
    """
    if holds_data() and not is_synthetic() and not force:
        raise NotSyntheticError(
            "The database already holds records that synth_kb did not make. Point DATABASE_URL at a "
            "separate database, or pass --force to delete every kb record in this one."
        )
    result = plan(scale=scale, seed=seed, progress=progress)
    wipe()
    counts = write(result, progress=progress)
    data_changed()  # bulk rows send no signals: whole-base reads cached before are stale now
    return counts
