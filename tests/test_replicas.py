"""Read replicas: the router, the pins that give a writer its own writes back, and a real streaming standby.

The tests marked ``real_replica`` need one: a PostgreSQL ``DATABASE_URL`` and
``DATABASE_REPLICA_URLS`` naming a streaming standby of it (``.ci/replica up`` builds one;
CI runs them). The test runner creates the test databases on the primary only; the
replicas' aliases are test mirrors of ``default``, so they open the same database name on
the standby, where it arrives by streaming replication. Elsewhere they are skipped.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import multidb
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string
from multidb.pinning import pin_this_thread, this_thread_is_pinned, unpin_this_thread
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient
from rest_framework.views import APIView

from kb import replicas, services
from kb.models import Actor
from kb.replicas import (
    PinnedAuthenticationMixin,
    ReplicaPinMiddleware,
    ReplicaRouter,
    pin_user,
    pin_user_if_recent,
)
from tests.helpers import admin_url, token_for

ROOT = Path(__file__).resolve().parent.parent
PIN_MIDDLEWARE = "kb.replicas.ReplicaPinMiddleware"

real_replica = pytest.mark.skipif(
    not getattr(settings, "REPLICA_DATABASES", None),
    reason="needs a streaming standby: set DATABASE_URL to a PostgreSQL primary and DATABASE_REPLICA_URLS "
    "to a standby of it (.ci/replica up builds one on this machine; CI does)",
)


@pytest.fixture(autouse=True)
def _unpinned():
    unpin_this_thread()
    yield
    unpin_this_thread()


@pytest.fixture
def replica_settings(monkeypatch):
    """Replicas configured as settings.py configures them, whether or not this run has one.

    Without a real replica the router stays out (reads stay on ``default``); what these
    settings add is the pins: the middleware, its cookie and the per-user pin.
    """
    if getattr(settings, "REPLICA_DATABASES", None):
        yield
        return
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, PIN_MIDDLEWARE)
    with override_settings(
        REPLICA_DATABASES=["replica1"],
        MIDDLEWARE=middleware,
        MULTIDB_PINNING_COOKIE="kb_primary",
        MULTIDB_PINNING_SECONDS=15,
        MULTIDB_PINNING_COOKIE_HTTPONLY=True,
        KB_REPLICA_PIN_SECONDS=15,
    ):
        yield


@pytest.fixture
def pinned_in_views(monkeypatch):
    """Whether each API view that runs was pinned to the primary once its user was known."""
    seen: list[bool] = []
    check_permissions = APIView.check_permissions

    def spy(self, request):
        seen.append(this_thread_is_pinned())
        return check_permissions(self, request)

    monkeypatch.setattr(APIView, "check_permissions", spy)
    return seen


# --- settings ----------------------------------------------------------------------------


def settings_in_subprocess(**env: str) -> subprocess.CompletedProcess:
    """kb.settings as a fresh process reads it from ``env`` (and nothing of this run's database settings)."""
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("KB_", "DATABASE_", "DJANGO_", "REDIS_", "SECRET"))
    }
    code = (
        "import json, kb.settings as s; print(json.dumps({'routers': getattr(s, 'DATABASE_ROUTERS', []), "
        "'databases': s.DATABASES, 'replicas': s.REPLICA_DATABASES, 'middleware': s.MIDDLEWARE, "
        "'cookie': getattr(s, 'MULTIDB_PINNING_COOKIE', None), 'seconds': s.KB_REPLICA_PIN_SECONDS, "
        "'auth': s.REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES']}, default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_without_replica_urls_nothing_changes():
    result = settings_in_subprocess()
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    assert read["routers"] == []
    assert list(read["databases"]) == ["default"]
    assert read["databases"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert read["replicas"] == []
    assert PIN_MIDDLEWARE not in read["middleware"]
    assert read["cookie"] is None


def test_replica_urls_add_replicas_the_router_and_the_pins():
    result = settings_in_subprocess(
        DATABASE_URL="postgres://kb:pw@db0.example:5432/kb",
        DATABASE_REPLICA_URLS=" postgres://kb:pw@db1.example:5432/kb , postgres://kb:pw@db2.example:6432/kb",
        KB_REPLICA_PIN_SECONDS="30",
    )
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    assert read["routers"] == ["kb.replicas.ReplicaRouter"]
    assert read["replicas"] == ["replica1", "replica2"]
    assert [(d["HOST"], d["PORT"], d["NAME"]) for d in read["databases"].values()] == [
        ("db0.example", 5432, "kb"),
        ("db1.example", 5432, "kb"),
        ("db2.example", 6432, "kb"),
    ]
    assert read["databases"]["replica1"]["TEST"] == {"MIRROR": "default"}
    assert read["databases"]["replica2"]["CONN_HEALTH_CHECKS"] is True
    middleware = read["middleware"]
    assert (
        middleware.index(PIN_MIDDLEWARE)
        == middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    )
    assert read["cookie"] == "kb_primary"
    assert read["seconds"] == 30
    # The API's token authentication finds a user's pin once it knows the user.
    assert issubclass(import_string(read["auth"][0]), PinnedAuthenticationMixin)


def test_replicas_need_a_postgresql_primary():
    result = settings_in_subprocess(DATABASE_REPLICA_URLS="postgres://kb@db1.example:5432/kb")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS names PostgreSQL replicas of a PostgreSQL DATABASE_URL" in result.stderr


# --- the router ----------------------------------------------------------------------------


@pytest.fixture
def two_replicas(monkeypatch):
    monkeypatch.setattr(multidb, "replicas", itertools.cycle(["replica1", "replica2"]))


def test_reads_go_to_the_replicas_in_turn_and_writes_to_the_primary(two_replicas):
    router = ReplicaRouter()
    assert [router.db_for_read(Actor) for _ in range(3)] == ["replica1", "replica2", "replica1"]
    assert router.db_for_write(Actor) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "kb")
    assert not router.allow_migrate("replica1", "kb")


def test_a_pinned_thread_reads_from_the_primary(two_replicas):
    router = ReplicaRouter()
    pin_this_thread()
    assert router.db_for_read(Actor) == DEFAULT_DB_ALIAS


def test_reads_inside_a_transaction_go_to_the_primary(two_replicas, db):
    # The test runs inside a transaction on default, as a service's reads do.
    assert connections[DEFAULT_DB_ALIAS].in_atomic_block
    assert ReplicaRouter().db_for_read(Actor) == DEFAULT_DB_ALIAS


# --- the pins ------------------------------------------------------------------------------


class Editor:
    """A user as the pins see one: authenticated, with a primary key."""

    is_authenticated = True

    def __init__(self, pk: int = 7):
        self.pk = pk


def through_middleware(request, status: int = 200) -> tuple[HttpResponse, bool]:
    seen = []

    def view(request):
        seen.append(this_thread_is_pinned())
        return HttpResponse(status=status)

    response = ReplicaPinMiddleware(view)(request)
    assert not this_thread_is_pinned(), "the worker thread must serve its next request unpinned"
    return response, seen[0]


def test_a_successful_write_pins_its_browser_by_cookie(replica_settings):
    request = RequestFactory().post("/admin/kb/actor/add/")
    request.user = AnonymousUser()
    response, pinned = through_middleware(request, status=302)
    assert pinned, "a write runs on the primary throughout"
    cookie = response.cookies["kb_primary"]
    assert cookie["max-age"] == 15
    assert cookie["httponly"]


def test_a_refused_write_leaves_no_pin(replica_settings):
    request = RequestFactory().post("/api/v1/actors/")
    request.user = Editor()
    response, _ = through_middleware(request, status=400)
    assert "kb_primary" not in response.cookies
    assert not pin_user_if_recent(Editor())


def test_the_cookie_pins_the_browsers_reads(replica_settings):
    request = RequestFactory().get("/actors/")
    request.user = AnonymousUser()
    assert through_middleware(request)[1] is False
    request = RequestFactory().get("/actors/")
    request.user = AnonymousUser()
    request.COOKIES["kb_primary"] = "y"
    assert through_middleware(request)[1] is True


def test_a_pinned_streamed_export_reads_its_rows_from_the_primary(replica_settings):
    seen = []

    def rows():
        seen.append(this_thread_is_pinned())
        yield b"id\r\n"

    request = RequestFactory().get("/api/v1/actors/?format=csv")
    request.user = AnonymousUser()
    request.COOKIES["kb_primary"] = "y"
    response = ReplicaPinMiddleware(lambda request: StreamingHttpResponse(rows()))(request)
    assert not this_thread_is_pinned()
    assert b"".join(response.streaming_content) == b"id\r\n"
    assert seen == [True]
    assert not this_thread_is_pinned()


def test_a_session_user_who_wrote_is_pinned_in_any_browser(replica_settings):
    pin_user(Editor())
    request = RequestFactory().get("/actors/")
    request.user = Editor()
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "another-browser"
    assert through_middleware(request)[1] is True
    request.user = Editor(pk=8)
    assert through_middleware(request)[1] is False


def test_the_user_pin_ends_after_the_window(replica_settings, monkeypatch):
    pin_user(Editor())
    assert pin_user_if_recent(Editor())
    unpin_this_thread()
    later = time.time() + 15.5
    monkeypatch.setattr(replicas.time, "time", lambda: later)
    assert not pin_user_if_recent(Editor())
    assert not this_thread_is_pinned()


@override_settings(REPLICA_DATABASES=[])
def test_no_pins_without_replicas():
    pin_user(Editor())
    assert not pin_user_if_recent(Editor())


def test_a_token_client_who_wrote_reads_from_the_primary(replica_settings, editor, analyst, pinned_in_views):
    writer = APIClient()
    writer.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    response = writer.post("/api/v1/actors/", {"name": "Rason", "kind": "place"})
    assert response.status_code == 201, response.content
    # A token client keeps no cookie: the pin it finds is the one kept for its user.
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    assert reader.get(f"/api/v1/actors/{response.json()['id']}/").status_code == 200
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {token_for(analyst)}")
    assert other.get("/api/v1/actors/").status_code == 200
    assert APIClient().get("/api/v1/actors/").status_code == 200
    assert pinned_in_views == [True, True, False, False]


def test_a_web_login_leaves_the_pin_cookie(replica_settings, editor, client):
    response = client.post(admin_url("login"), {"username": "editor", "password": "pw-editor-123"})
    assert response.status_code == 302
    assert response.cookies["kb_primary"]["max-age"] == 15


def test_a_token_the_replica_lacks_is_found_on_the_primary(replica_settings, two_replicas, monkeypatch):
    class LaggingTokens:
        def authenticate(self, request):
            if not this_thread_is_pinned():
                raise AuthenticationFailed("Invalid token.")
            return Editor(), "key"

    class Authentication(PinnedAuthenticationMixin, LaggingTokens):
        pass

    user, _ = Authentication().authenticate(RequestFactory().get("/api/v1/"))
    assert user.pk == 7
    assert this_thread_is_pinned()


# --- a real streaming standby --------------------------------------------------------------


def replica_queries(action) -> tuple[int, int]:
    """How many queries ``action()`` sent to the primary and to the replicas."""
    contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in settings.DATABASES}
    for context in contexts.values():
        context.__enter__()
    try:
        action()
    finally:
        for context in contexts.values():
            context.__exit__(None, None, None)
    on_primary = len(contexts.pop(DEFAULT_DB_ALIAS).captured_queries)
    return on_primary, sum(len(c.captured_queries) for c in contexts.values())


def wait_on_replicas(check, timeout: float = 10.0) -> float:
    """Seconds until ``check(alias)`` holds on every replica."""
    began = time.perf_counter()
    for alias in settings.REPLICA_DATABASES:
        while not check(alias):
            assert time.perf_counter() - began < timeout, f"{alias} did not catch up within {timeout} s"
            time.sleep(0.005)
    return time.perf_counter() - began


ALL_DATABASES = pytest.mark.django_db(transaction=True, databases="__all__")


@real_replica
@ALL_DATABASES
def test_the_replicas_are_standbys_streaming_the_test_database(editor):
    for alias in settings.REPLICA_DATABASES:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), current_database()")
            in_recovery, name = cursor.fetchone()
        assert in_recovery, f"{alias} is not a standby"
        assert name == connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    actor = services.actor_create(user=editor, name="Chongjin", kind="place")
    lag = wait_on_replicas(lambda alias: Actor.objects.using(alias).filter(pk=actor.pk).exists())
    assert lag < 5


@real_replica
@ALL_DATABASES
def test_reads_go_to_a_replica_writes_and_transactions_to_the_primary(editor):
    services.actor_create(user=editor, name="Wonsan", kind="place")
    assert replica_queries(lambda: Actor.objects.count()) == (0, 1)

    def in_transaction():
        with transaction.atomic():
            Actor.objects.count()

    on_primary, on_replicas = replica_queries(in_transaction)
    assert on_replicas == 0 and on_primary >= 1


@real_replica
@ALL_DATABASES
def test_the_writer_reads_its_write_from_the_primary_and_others_from_a_replica(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    response = client.post("/api/v1/actors/", {"name": "Nampo", "kind": "place"})
    assert response.status_code == 201, response.content
    path = f"/api/v1/actors/{response.json()['id']}/"

    answers = []
    on_primary, on_replicas = replica_queries(lambda: answers.append(client.get(path).status_code))
    assert answers == [200]
    assert on_replicas == 0 and on_primary > 0, "the writer's read-back must come from the primary"

    anonymous = APIClient()
    on_primary, on_replicas = replica_queries(lambda: anonymous.get("/api/v1/actors/"))
    assert on_primary == 0 and on_replicas > 0, "a reader who did not write reads from a replica"


@real_replica
@ALL_DATABASES
def test_the_pin_cookie_sends_a_browser_to_the_primary(client):
    on_primary, on_replicas = replica_queries(lambda: client.get("/actors/"))
    assert on_replicas > 0
    client.cookies["kb_primary"] = "y"
    on_primary, on_replicas = replica_queries(lambda: client.get("/actors/"))
    assert on_replicas == 0 and on_primary > 0


# --- cached totals -------------------------------------------------------------------------


def test_a_replicas_total_is_kept_apart_and_only_until_the_window_after_a_write_closes(
    replica_settings, monkeypatch, editor, django_capture_on_commit_callbacks
):
    from kb.selectors import cache as cached_reads

    monkeypatch.setattr(cached_reads, "reads_from_replica", lambda: True)
    stored = {}
    set_entry = cached_reads.cache.set
    monkeypatch.setattr(
        cached_reads.cache,
        "set",
        lambda key, value, timeout=None: stored.update({key: timeout}) or set_entry(key, value, timeout),
    )
    assert cached_reads.cached("total", lambda: 1, user=None) == 1
    assert next(t for k, t in stored.items() if ":replica:" in k) == settings.KB_CACHE_SECONDS

    with django_capture_on_commit_callbacks(execute=True):  # a write, committed: the window opens
        services.actor_create(user=editor, name="Hamhung", kind="place")
    stored.clear()
    assert cached_reads.cached("total", lambda: 2, user=None) == 2
    assert next(t for k, t in stored.items() if ":replica:" in k) <= settings.KB_REPLICA_PIN_SECONDS

    # A reader on the primary (a writer, pinned) never gets what the replica gave.
    monkeypatch.setattr(cached_reads, "reads_from_replica", lambda: False)
    assert cached_reads.cached("total", lambda: 3, user=None) == 3
