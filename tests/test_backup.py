"""kb_backup and kb_restore: a round trip keeps every row and its history, across SQLite and PostgreSQL."""

import datetime as dt
import gzip
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import psycopg2
import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.management import CommandError, call_command
from django.db import connection

from kb import services
from kb.backup import model_counts, write_backup
from kb.choices import ClaimStatus
from kb.models import Actor, Claim
from tests.helpers import token_for
from tests.world import CORE, World, build_world

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def kb_data(editor, admin_user, make_actor) -> World:
    """CORE with a hostile source title, then edits, a review, a delete, a token and an admin log entry."""
    world = build_world(
        editor, *CORE, source={"title": "Summit <script>alert(1)</script> report", "byline": "A. Writer"}
    )
    services.claim_review(world.meeting, user=editor, status=ClaimStatus.DISPUTED, note="Only one source.")
    services.actor_update(world.russia, user=editor, summary="A state. “Quoted” — ünïcödé.")
    services.actor_delete(make_actor("Temporary"), user=editor)
    token_for(editor)
    LogEntry.objects.log_actions(
        user_id=admin_user.pk,
        queryset=Actor.objects.filter(pk=world.russia.pk),
        action_flag=ADDITION,
        change_message="Added.",
        single_object=True,
    )
    return world


def dump() -> tuple[dict, list[dict]]:
    """A backup of the test database, read back as (header, rows)."""
    buffer = io.BytesIO()
    write_backup(buffer)
    lines = gzip.decompress(buffer.getvalue()).decode().splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:]]


def write_file(path: Path, header: dict, rows: list[dict]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for item in [header, *rows]:
            out.write(json.dumps(item) + "\n")
    return path


# --- the file ---------------------------------------------------------------------


def test_backup_holds_every_model_with_counts_and_history(kb_data, tmp_path):
    out = io.StringIO()
    call_command("kb_backup", "--dir", str(tmp_path), stdout=out)
    (path,) = tmp_path.glob("kb-*.jsonl.gz")
    assert str(path) in out.getvalue()
    with gzip.open(path, "rt") as lines:
        header, *rows = [json.loads(line) for line in lines]
    assert header["format"] == "kb-backup" and header["version"] == 1
    assert header["database"] == connection.vendor
    assert header["counts"] == model_counts()
    for label, count in header["counts"].items():
        assert sum(1 for row in rows if row["model"] == label) == count, label
    labels = set(header["counts"])
    assert {"kb.claim", "kb.historicalclaim", "kb.historicalclaim_subjects", "auth.user", "auth.group"} <= labels
    assert {"kb.apitoken", "admin.logentry"} <= labels
    assert header["counts"]["kb.historicalactor"] > header["counts"]["kb.actor"]  # edits and the delete
    # References to migrate-made rows are natural keys, so they survive other ids elsewhere.
    (entry,) = [row for row in rows if row["model"] == "admin.logentry"]
    assert entry["fields"]["content_type"] == ["kb", "actor"]
    (group,) = [row for row in rows if row["model"] == "auth.group"]
    assert ["view_claim", "kb", "claim"] in group["fields"]["permissions"]


def test_backup_query_count_does_not_grow_with_rows(kb_data, make_claim, django_assert_max_num_queries):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        dump()
    source = kb_data["source"]
    for quote in ["Russia’s need for a “continuous supply” of weapons is growing.", "Kim Jong-un met", "Putin"]:
        make_claim(quote, source=source)
    with django_assert_max_num_queries(len(before.captured_queries)):
        dump()


# --- restore in place -----------------------------------------------------------


def test_restore_refuses_a_database_that_is_not_empty(kb_data, tmp_path):
    header, rows = dump()
    path = write_file(tmp_path / "b.jsonl.gz", header, rows)
    before = model_counts()
    with pytest.raises(CommandError, match=r"The database is not empty: .*kb\.claim \(3\)"):
        call_command("kb_restore", str(path))
    assert model_counts() == before


def test_force_restore_replaces_everything_and_round_trips(kb_data, tmp_path):
    disputed = kb_data["meeting"]
    history = [(h.history_id, h.status, h.history_user_id) for h in disputed.history.order_by("history_id")]
    header, rows = dump()
    path = write_file(tmp_path / "b.jsonl.gz", header, rows)
    services.actor_create(user=None, name="Added after the backup", kind="state")
    out = io.StringIO()
    settle_constraints()
    call_command("kb_restore", str(path), "--force", stdout=out)
    assert "counts match and verify_kb found no violations" in out.getvalue()
    assert model_counts() == header["counts"]
    assert dump()[1] == rows
    assert not Actor.objects.filter(name="Added after the backup").exists()
    # Ids go on after the restored ones (sequences reset on PostgreSQL).
    new = services.actor_create(user=None, name="Brand new", kind="state")
    assert new.pk > max(row["pk"] for row in rows if row["model"] == "kb.actor")
    # History is back whole: the claim's review and its edits, with the acting user.
    claim = Claim.objects.get(pk=disputed.pk)
    assert [(h.history_id, h.status, h.history_user_id) for h in claim.history.order_by("history_id")] == history
    assert history[-1][1] == "disputed"
    assert claim.history.latest().history_user.username == "editor"


def test_backup_and_restore_show_progress_on_stderr_and_none_with_v0(kb_data, tmp_path):
    total = sum(model_counts().values())
    out, err = io.StringIO(), io.StringIO()
    call_command("kb_backup", "--dir", str(tmp_path / "shown"), stdout=out, stderr=err)
    *running, last = err.getvalue().splitlines()  # a line every ten seconds before the end, on a slow machine
    assert last == f"kb_backup: rows: {total:,}/{total:,} (100 %)"
    assert all(line.startswith("kb_backup: rows: ") for line in running)
    (path,) = (tmp_path / "shown").glob("kb-*.jsonl.gz")
    assert out.getvalue() == f"{total} rows from {connection.vendor}\n{path}\n"
    out, err = io.StringIO(), io.StringIO()
    call_command("kb_backup", "--dir", str(tmp_path / "quiet"), verbosity=0, stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert out.getvalue().splitlines()[-1] == str(next((tmp_path / "quiet").glob("kb-*.jsonl.gz")))

    settle_constraints()
    out, err = io.StringIO(), io.StringIO()
    call_command("kb_restore", str(path), "--force", stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[-1] == "kb_restore: checking counts, constraints and verify_kb: 1/1 (100 %)"
    assert f"kb_restore: rows: {total:,}/{total:,} (100 %)" in lines
    assert all(line.startswith("kb_restore: ") for line in lines)
    assert "rows:" not in out.getvalue()
    settle_constraints()
    out, err = io.StringIO(), io.StringIO()
    call_command("kb_restore", str(path), "--force", verbosity=0, stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert "counts match and verify_kb found no violations" in out.getvalue()


def settle_constraints():
    """Run deferred foreign-key checks now: PostgreSQL cannot flush with checks pending in the test's transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def empty_the_database():
    settle_constraints()
    call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda h, rows: (dict(h, version=99), rows), "format version 99 is not supported"),
        (lambda h, rows: ({"hello": 1}, rows), "Not a kb backup"),
        (
            lambda h, rows: (dict(h, counts={**h["counts"], "kb.claim": 4}), rows),
            r"Row counts differ after restore \(kb\.claim: 4 in the backup, 3 restored\)",
        ),
        (
            lambda h, rows: (
                dict(h, migrations={**h["migrations"], "kb": [*h["migrations"]["kb"], "9999_future"]}),
                rows,
            ),
            "migrations this database lacks",
        ),
        (lambda h, rows: (h, [*rows, {"model": "kb.nothing", "pk": 1, "fields": {}}]), "Unknown model 'kb.nothing'"),
        (
            lambda h, rows: (
                h,
                [
                    dict(r, fields={**r["fields"], "quote": "X" * len(r["fields"]["quote"])})
                    if r["model"] == "kb.claim"
                    else r
                    for r in rows
                ],
            ),
            "verify_kb found 3 violation",
        ),
        (
            lambda h, rows: (
                h,
                [dict(r, fields={**r["fields"], "end": 0}) if r["model"] == "kb.claim" else r for r in rows],
            ),
            "constraint",
        ),
    ],
    ids=["version", "not-a-backup", "counts", "schema", "unknown-model", "broken-anchor", "constraint"],
)
def test_a_bad_backup_is_refused_and_nothing_is_written(kb_data, tmp_path, damage, message):
    header, rows = dump()
    path = write_file(tmp_path / "bad.jsonl.gz", *damage(header, rows))
    empty_the_database()
    before = model_counts()
    with pytest.raises(CommandError, match=message):
        call_command("kb_restore", str(path))
    assert model_counts() == before


def test_a_truncated_or_foreign_file_is_refused(kb_data, tmp_path):
    header, rows = dump()
    whole = write_file(tmp_path / "whole.jsonl.gz", header, rows).read_bytes()
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "plain.txt").write_text("not a backup\n")
    empty_the_database()
    before = model_counts()
    with pytest.raises(CommandError, match="damaged"):
        call_command("kb_restore", str(tmp_path / "cut.jsonl.gz"))
    with pytest.raises(CommandError, match="Not a kb backup"):
        call_command("kb_restore", str(tmp_path / "plain.txt"))
    with pytest.raises(CommandError, match="No backup file"):
        call_command("kb_restore", str(tmp_path / "missing.jsonl.gz"))
    assert model_counts() == before


# --- across databases -------------------------------------------------------------


def server_url() -> str | None:
    """A PostgreSQL server to make scratch databases on: the test database's, or a local one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = os.environ.get("KB_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    try:
        psycopg2.connect(**_pg_args(url, "postgres"), connect_timeout=3).close()
    except psycopg2.OperationalError:
        return None
    return url


def _pg_args(url: str, name: str) -> dict:
    cfg = dj_database_url.parse(url)
    return {
        "host": cfg["HOST"],
        "port": cfg["PORT"] or 5432,
        "user": cfg["USER"],
        "password": cfg["PASSWORD"],
        "dbname": name,
    }


@pytest.fixture
def scratch_postgres():
    url = server_url()
    if url is None:
        pytest.skip("no PostgreSQL server reachable for the cross-database round trip")
    name = f"kb_restore_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(**_pg_args(url, "postgres"))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    cfg = _pg_args(url, name)
    auth = cfg["user"] + (f":{cfg['password']}" if cfg["password"] else "")
    yield f"postgres://{auth}@{cfg['host']}:{cfg['port']}/{name}"
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KB_ENV", "DEBUG", "DJANGO_SETTINGS"))}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**env, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def backup_via(database_url: str, directory: Path) -> tuple[Path, dict, list[dict]]:
    path = Path(manage(database_url, "kb_backup", "--dir", str(directory)).stdout.strip().splitlines()[-1])
    with gzip.open(path, "rt") as lines:
        header, *rows = [json.loads(line) for line in lines]
    return path, header, rows


@pytest.mark.slow
def test_round_trip_across_sqlite_and_postgresql(kb_data, tmp_path, scratch_postgres):
    """Test database → fresh SQLite file → fresh PostgreSQL database: every row comes back identical."""
    header, rows = dump()
    original = write_file(tmp_path / "original.jsonl.gz", header, rows)
    sqlite_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"

    manage(sqlite_url, "migrate", "--no-input", "-v0")
    restored = manage(sqlite_url, "kb_restore", str(original))
    assert f"kb_restore: rows: {len(rows):,}/{len(rows):,} (100 %)" in restored.stderr  # progress, off stdout
    assert "kb_restore:" not in restored.stdout
    manage(sqlite_url, "verify_kb")
    from_sqlite, sqlite_header, sqlite_rows = backup_via(sqlite_url, tmp_path / "from-sqlite")
    assert sqlite_header["database"] == "sqlite"
    assert sqlite_header["counts"] == header["counts"]
    assert sqlite_rows == rows

    manage(scratch_postgres, "migrate", "--no-input", "-v0")
    quiet = manage(scratch_postgres, "kb_restore", "-v0", str(from_sqlite))
    assert f"Restored {len(rows)} rows from a sqlite backup" in quiet.stdout
    assert "kb_restore:" not in quiet.stderr
    _, pg_header, pg_rows = backup_via(scratch_postgres, tmp_path / "from-postgres")
    assert pg_header["database"] == "postgresql"
    assert pg_header["counts"] == header["counts"]
    assert pg_rows == rows


def test_times_keep_their_microseconds(kb_data, tmp_path):
    stamp = dt.datetime(2024, 6, 19, 8, 30, 15, 400, tzinfo=dt.UTC)  # under a millisecond
    Actor.objects.filter(name="Russia").update(updated_at=stamp)
    header, rows = dump()
    path = write_file(tmp_path / "b.jsonl.gz", header, rows)
    settle_constraints()
    call_command("kb_restore", str(path), "--force", stdout=io.StringIO())
    assert Actor.objects.get(name="Russia").updated_at == stamp
