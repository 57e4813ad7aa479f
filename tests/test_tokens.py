"""API tokens: stored as digests, named, expiring, made and revoked by their owner (or a superuser)."""

import datetime as dt
import io
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.crypto import hash_token
from rest_framework.test import APIClient

from kb import services
from kb.models import ApiToken
from tests.helpers import V1, form_data
from tests.helpers import admin_url as url

ACTOR = {"name": "Pyongyang", "kind": "place"}


def api(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def other_editor(db) -> User:
    user = User.objects.create_user("other", password="pw-other-123", is_staff=True)
    user.groups.add(Group.objects.get(name=services.EDITORS_GROUP))
    return user


# --- storage and expiry ---------------------------------------------------------------


def test_only_a_digest_of_the_secret_is_stored(editor):
    token, secret = services.token_create(user=editor, name="nightly import")
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert secret not in str(stored)
    assert stored["digest"] == hash_token(secret) and stored["name"] == "nightly import"
    assert api(secret).post(f"{V1}/actors/", ACTOR, format="json").status_code == 201


def test_an_expired_token_is_refused_and_removed(editor):
    token, secret = services.token_create(user=editor, days=1)
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    response = api(secret).get(f"{V1}/actors/")
    assert response.status_code == 401 and "detail" in response.json()
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_a_token_of_zero_days_lasts_until_revoked(client, editor):
    token, secret = services.token_create(user=editor, days=0)
    assert token.expiry is None
    client.force_login(editor)
    assert "never (until revoked)" in client.get(url("kb_apitoken_changelist")).text
    services.token_revoke(token=token, user=editor)
    assert api(secret).get(f"{V1}/actors/").status_code == 401


def test_presenting_a_token_reads_no_other_token(editor):
    _, secret = services.token_create(user=editor)
    client = api(secret)
    client.get(f"{V1}/sources/")
    few = _queries(client)
    for _ in range(10):
        services.token_create(user=editor)
    assert _queries(client) == few


def _queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{V1}/sources/").status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_only_the_owner_or_a_superuser_makes_and_revokes_tokens(editor, other_editor, admin_user):
    with pytest.raises(PermissionDenied):
        services.token_create(user=editor, owner=other_editor)
    token, _ = services.token_create(user=admin_user, owner=other_editor, name="for other")
    assert token.user == other_editor
    with pytest.raises(PermissionDenied):
        services.token_revoke(token=token, user=editor)
    services.token_revoke(token=token, user=admin_user)
    assert not ApiToken.objects.exists()


# --- create_editor ----------------------------------------------------------------------


def _create_editor(*args) -> tuple[str, str]:
    out = io.StringIO()
    call_command("create_editor", *args, stdout=out)
    return out.getvalue(), out.getvalue().strip().splitlines()[-1]


def test_create_editor_mints_a_new_token_each_run(db):
    first_out, first = _create_editor("scripter", "--token-name", "ingest cron", "--token-days", "30")
    assert "it is shown only now" in first_out and "ingest cron" in first_out
    _, second = _create_editor("scripter")
    assert first != second
    assert api(first).post(f"{V1}/actors/", ACTOR, format="json").status_code == 201
    assert api(second).get(f"{V1}/actors/").status_code == 200
    token = ApiToken.objects.get(name="ingest cron")
    assert (token.expiry - timezone.now()).days in (29, 30)


def test_create_editor_rotate_revokes_the_other_tokens(db):
    _, old = _create_editor("scripter")
    _, new = _create_editor("scripter", "--rotate-token")
    assert api(old).get(f"{V1}/actors/").status_code == 401
    assert api(new).post(f"{V1}/actors/", ACTOR, format="json").status_code == 201
    assert ApiToken.objects.count() == 1


def test_create_editor_without_a_token(db):
    _, last = _create_editor("scripter", "--no-token")
    assert last == "Created editor scripter." and not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--token-days", "-1"], "--token-days: A token lasts 0"),
        (["--token-days", "99999"], "--token-days: A token lasts 0"),
        (["--token-name", "x" * 200], "--token-name: At most"),
        (["--no-token", "--rotate-token"], "--no-token mints nothing"),
    ],
)
def test_create_editor_refuses_bad_token_options_and_changes_nothing(db, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("create_editor", "scripter", *args, stdout=io.StringIO())
    assert not User.objects.filter(username="scripter").exists()
    assert not ApiToken.objects.exists()


# --- the admin ----------------------------------------------------------------------------


def test_an_editor_sees_and_revokes_only_their_own_tokens(client, editor, other_editor):
    mine, _ = services.token_create(user=editor, name="mine")
    theirs, _ = services.token_create(user=other_editor, name="theirs")
    client.force_login(editor)
    page = client.get(url("kb_apitoken_changelist"))
    assert page.status_code == 200
    assert "mine" in page.text and "theirs" not in page.text
    assert client.get(url("kb_apitoken_change", theirs.pk)).status_code == 302  # not found, back to the list
    assert client.post(url("kb_apitoken_delete", theirs.pk), {"post": "yes"}).status_code == 302
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert client.post(url("kb_apitoken_delete", mine.pk), {"post": "yes"}).status_code == 302
    assert not ApiToken.objects.filter(pk=mine.pk).exists()


def test_a_new_tokens_secret_is_shown_once_and_never_listed(client, editor):
    client.force_login(editor)
    data = form_data(client.get(url("kb_apitoken_add")))
    assert "owner" not in data  # an editor makes tokens for themselves only
    data.update(name="analysis notebook", days="7")
    response = client.post(url("kb_apitoken_add"), data, follow=True)
    assert response.status_code == 200
    (secret,) = re.findall(r'<code class="token-secret">([^<]+)</code>', response.text)
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.digest) == (editor, "analysis notebook", hash_token(secret))
    assert api(secret).post(f"{V1}/actors/", ACTOR, format="json").status_code == 201
    for page in (url("kb_apitoken_changelist"), url("kb_apitoken_change", token.pk)):
        text = client.get(page).text
        assert "analysis notebook" in text and secret not in text


def test_the_token_pages_never_show_a_secret_again(client, editor):
    token, secret = services.token_create(user=editor, name="cron")
    client.force_login(editor)
    for page in (url("kb_apitoken_changelist"), url("kb_apitoken_change", token.pk)):
        response = client.get(page)
        assert response.status_code == 200 and "cron" in response.text
        # The page names the token by its digest (its primary key), which gives no way back to the secret.
        assert secret not in response.text


def test_a_superuser_sees_every_token_and_makes_one_for_an_editor(client, admin_user, editor, other_editor):
    services.token_create(user=editor, name="mine")
    services.token_create(user=other_editor, name="theirs")
    client.force_login(admin_user)
    page = client.get(url("kb_apitoken_changelist"))
    assert "mine" in page.text and "theirs" in page.text
    # The user filter offers the token holders only.
    filtered = [choice["display"] for choice in page.context["cl"].filter_specs[1].choices(page.context["cl"])]
    assert filtered == ["All", "editor", "other"]
    data = form_data(client.get(url("kb_apitoken_add")))
    data.update(name="made for other", days="0", owner=str(other_editor.pk))
    assert client.post(url("kb_apitoken_add"), data).status_code == 302
    assert ApiToken.objects.get(name="made for other").user == other_editor


def test_an_editor_cannot_make_a_token_for_someone_else(client, editor, other_editor):
    client.force_login(editor)
    data = form_data(client.get(url("kb_apitoken_add")))
    data.update(name="sneaky", days="1", owner=str(other_editor.pk))
    client.post(url("kb_apitoken_add"), data)
    assert not ApiToken.objects.filter(user=other_editor).exists()
    assert ApiToken.objects.get(name="sneaky").user == editor


def test_bad_days_in_the_admin_form_are_refused(client, editor):
    client.force_login(editor)
    data = form_data(client.get(url("kb_apitoken_add")))
    data.update(name="bad", days="-3")
    response = client.post(url("kb_apitoken_add"), data)
    assert response.status_code == 200 and not ApiToken.objects.exists()


# --- the migration from plain-text tokens ---------------------------------------------


@pytest.mark.django_db(transaction=True, databases="__all__")  # with read replicas too
def test_plain_text_tokens_are_migrated_to_digests_and_keep_working():
    executor = MigrationExecutor(connection)
    executor.migrate([("kb", "0009_api_ordering_indexes")])
    try:
        user = User.objects.create_user("legacy", is_staff=True)
        user.groups.add(Group.objects.get_or_create(name=services.EDITORS_GROUP)[0])
        key = "0123456789abcdef0123456789abcdef01234567"
        with connection.schema_editor() as editor:
            editor.execute(
                "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp with time zone "
                "NOT NULL, user_id integer NOT NULL)"
                if connection.vendor == "postgresql"
                else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created datetime NOT NULL, "
                "user_id integer NOT NULL)"
            )
        created = timezone.now() - dt.timedelta(days=40)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, created, user.pk])
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.using("default").get(user__username="legacy")
    assert (token.digest, token.name, token.expiry) == (hash_token(key), "migrated token", None)
    assert abs(token.created - created) < dt.timedelta(seconds=1)
    assert api(key).get(f"{V1}/actors/").status_code == 200
