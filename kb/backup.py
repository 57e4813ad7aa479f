"""Backup and restore of the whole knowledge base: records, history, users, groups and API tokens.

A backup is one gzip-compressed JSON Lines file. Its first line is a header (format,
version, time, the database it came from, the applied migrations and the number of
rows of every model); every other line is one row in Django's serialization
(``{"model", "pk", "fields"}``) with its primary key kept, so history rows still point
at their records. Content types and permissions are made by ``migrate`` with ids of
their own, so references to them are written as natural keys. The format does not
depend on the database: a backup of SQLite restores into PostgreSQL and back.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from kb.progress import Progress, silent
from kb.selectors import kb_violations
from kb.selectors.cache import data_changed

FORMAT = "kb-backup"
VERSION = 1
# The apps whose rows make up the knowledge base; sessions, login attempts, content
# types and permissions are either transient or made by migrate.
APPS = ("auth", "admin", "kb")
EXCLUDED = {"auth.permission"}
BATCH = 500


class BackupEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but times keep their microseconds (it cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A backup that cannot be read or restored here; the message says why. Nothing was written."""


@dataclass
class RestoreResult:
    """What a restore did: the backup's header and the rows restored per model."""

    header: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def backup_models() -> list[type[models.Model]]:
    """Every model a backup holds, parents before the rows that refer to them."""
    wanted = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.proxy or not model._meta.managed or model._meta.label_lower in EXCLUDED:
                continue
            wanted.append(model)
    app_list = {}
    for model in wanted:
        app_list.setdefault(apps.get_app_config(model._meta.app_label), []).append(model)
    return serializers.sort_dependencies(app_list.items(), allow_cycles=True)


def model_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    return {model._meta.label_lower: model._base_manager.using(using).count() for model in backup_models()}


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    applied = MigrationRecorder(connections[using]).applied_migrations()
    return {app: sorted(name for app_, name in applied if app_ == app) for app in APPS}


# --- natural keys for rows migrate makes --------------------------------------------


def _natural_refs(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """Names of ``model``'s foreign keys to ContentType and many-to-many fields to Permission."""
    fks = [f.name for f in model._meta.fields if f.is_relation and f.related_model is ContentType]
    m2ms = [f.name for f in model._meta.many_to_many if f.related_model is Permission]
    return fks, m2ms


def _content_type_keys(using: str) -> dict[int, list[str]]:
    return {ct.pk: [ct.app_label, ct.model] for ct in ContentType.objects.using(using).all()}


def _permission_keys(using: str) -> dict[int, list[str]]:
    qs = Permission.objects.using(using).select_related("content_type")
    return {p.pk: [p.codename, p.content_type.app_label, p.content_type.model] for p in qs}


# --- backup -----------------------------------------------------------------------


def backup_rows(using: str = DEFAULT_DB_ALIAS) -> Iterator[dict[str, Any]]:
    """Every row of every backed-up model, serialized, in dependency then primary-key order."""
    content_types = _content_type_keys(using)
    permissions = _permission_keys(using)
    for model in backup_models():
        fks, m2ms = _natural_refs(model)
        queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
        many = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
        if many:
            queryset = queryset.prefetch_related(*many)
        for row in serializers.serialize("python", queryset.iterator(chunk_size=BATCH)):
            fields = row["fields"]
            for name in fks:
                if fields.get(name) is not None:
                    fields[name] = content_types[fields[name]]
            for name in m2ms:
                fields[name] = [permissions[pk] for pk in fields.get(name, [])]
            yield row


def write_backup(stream: IO[bytes], *, using: str = DEFAULT_DB_ALIAS, progress: Progress = silent) -> dict[str, Any]:
    """Write a backup of database ``using`` to the binary ``stream``; returns its header.

    Runs in one repeatable snapshot on PostgreSQL (a read-only transaction), so the
    counts in the header match the rows that follow even while editors keep writing.
    ``progress`` hears of every row written, out of the header's total.
    """
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "migrations": applied_migrations(using),
            "counts": model_counts(using),
        }
        total = sum(header["counts"].values())
        progress("rows", 0, total)
        with gzip.GzipFile(fileobj=stream, mode="wb") as gz:
            gz.write(json.dumps(header, sort_keys=True).encode() + b"\n")
            for done, row in enumerate(backup_rows(using), start=1):
                gz.write(json.dumps(row, cls=BackupEncoder, ensure_ascii=False).encode() + b"\n")
                progress("rows", done, total)
    return header


def backup_to_file(
    directory: Path, *, using: str = DEFAULT_DB_ALIAS, progress: Progress = silent
) -> tuple[Path, dict[str, Any]]:
    """Write a timestamped backup file into ``directory`` (made if missing); returns its path and header."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = directory / f"kb-{stamp}.jsonl.gz"
    partial = path.with_suffix(".partial")
    try:
        with partial.open("wb") as stream:
            header = write_backup(stream, using=using, progress=progress)
        partial.rename(path)  # a file under the final name is always complete
    finally:
        partial.unlink(missing_ok=True)
    return path, header


# --- restore ----------------------------------------------------------------------


def read_header(stream: IO[bytes]) -> dict[str, Any]:
    try:
        line = stream.readline()
        header = json.loads(line)
    except (OSError, EOFError, ValueError) as exc:
        raise BackupError(f"Not a kb backup (gzip JSON Lines): {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("Not a kb backup: the first line is not a kb-backup header.")
    if header.get("version") != VERSION:
        raise BackupError(f"Backup format version {header.get('version')!r} is not supported (expected {VERSION}).")
    return header


def _non_empty(using: str) -> dict[str, int]:
    """Rows already in the database that a restore would collide with (groups made by migrate aside)."""
    counts = model_counts(using)
    return {label: n for label, n in counts.items() if n and label != "auth.group"}


def _check_schema(header: dict[str, Any], using: str) -> None:
    here = applied_migrations(using)
    theirs = header.get("migrations", {})
    for app in APPS:
        missing = sorted(set(theirs.get(app, [])) - set(here[app]))
        extra = sorted(set(here[app]) - set(theirs.get(app, [])))
        if missing:
            raise BackupError(
                f"The backup was made after migrations this database lacks ({app}: {', '.join(missing)}); "
                "run migrate with the code that made the backup first."
            )
        if extra:
            raise BackupError(
                f"This database has migrations the backup predates ({app}: {', '.join(extra)}); "
                "restore into a database migrated to the backup's state, then migrate."
            )


def _restore_row(row: dict[str, Any], content_types: dict, permissions: dict, natural: dict, using: str) -> str:
    label = row.get("model", "")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise BackupError(f"Unknown model {label!r} in the backup.") from exc
    if label not in natural:
        natural[label] = _natural_refs(model)
    fks, m2ms = natural[label]
    fields = row["fields"]
    for name in fks:
        if fields.get(name) is not None:
            fields[name] = content_types[tuple(fields[name])]
    for name in m2ms:
        fields[name] = [permissions[tuple(key)] for key in fields.get(name, [])]
    for obj in serializers.deserialize("python", [row], using=using):
        # The rows are history already: saving them (and their many-to-many values) records none.
        obj.object.skip_history_when_saving = True
        obj.save(using=using)
    return label


def restore(
    stream: IO[bytes], *, using: str = DEFAULT_DB_ALIAS, force: bool = False, progress: Progress = silent
) -> RestoreResult:
    """Load the backup in binary ``stream`` into database ``using``: all of it or nothing.

    The database must be migrated to the backup's state and hold no records (``force``
    flushes it first). One transaction loads every row, resets the id sequences, and
    then checks that the row count of every model equals the header's and that
    ``verify_kb`` finds nothing; any failure rolls everything back and raises
    ``BackupError``. ``progress`` hears of every row restored, then of the checks.
    """
    try:
        gz = gzip.GzipFile(fileobj=stream, mode="rb")
        header = read_header(gz)
    except gzip.BadGzipFile as exc:
        raise BackupError(f"Not a kb backup (not gzip): {exc}") from exc
    _check_schema(header, using)
    if force:
        call_command("flush", database=using, interactive=False, verbosity=0)
    occupied = _non_empty(using)
    if occupied:
        listed = ", ".join(f"{label} ({n})" for label, n in sorted(occupied.items()))
        raise BackupError(f"The database is not empty: {listed}. Restore into an empty database, or use --force.")

    connection = connections[using]
    result = RestoreResult(header=header)
    try:
        with transaction.atomic(using=using):
            # Groups made by migrate (Editors) come back with the backup's ids and permissions.
            Group.objects.using(using).all().delete()
            content_types = {tuple(key): pk for pk, key in _content_type_keys(using).items()}
            permissions = {tuple(key): pk for pk, key in _permission_keys(using).items()}
            natural: dict[str, tuple[list[str], list[str]]] = {}
            total, done = sum(header.get("counts", {}).values()), 0
            progress("rows", 0, total)
            for line in gz:
                if not line.strip():
                    continue
                label = _restore_row(json.loads(line), content_types, permissions, natural, using)
                result.counts[label] = result.counts.get(label, 0) + 1
                done += 1
                progress("rows", done, total)
            sequences = connection.ops.sequence_reset_sql(no_style(), backup_models())
            if sequences:
                with connection.cursor() as cursor:
                    for sql in sequences:
                        cursor.execute(sql)
            progress("checking counts, constraints and verify_kb", 0, 1)
            connection.check_constraints()
            _verify(header, using)
            progress("checking counts, constraints and verify_kb", 1, 1)
    except IntegrityError as exc:
        raise BackupError(f"The backup's rows break a database constraint and were not restored: {exc}") from exc
    except KeyError as exc:
        raise BackupError(f"The backup refers to a content type or permission this database lacks: {exc}") from exc
    except (OSError, EOFError, ValueError, serializers.base.DeserializationError) as exc:
        raise BackupError(f"The backup is damaged and was not restored: {exc}") from exc
    data_changed()
    return result


def _verify(header: dict[str, Any], using: str) -> None:
    expected = header.get("counts", {})
    actual = model_counts(using)
    wrong = {label: (n, actual.get(label, 0)) for label, n in expected.items() if actual.get(label, 0) != n}
    if wrong:
        listed = ", ".join(f"{label}: {want} in the backup, {got} restored" for label, (want, got) in wrong.items())
        raise BackupError(f"Row counts differ after restore ({listed}); nothing was restored.")
    violations = list(kb_violations())
    if violations:
        listed = "; ".join(violations[:5])
        raise BackupError(
            f"verify_kb found {len(violations)} violation(s) after restore ({listed}); nothing was restored."
        )
