"""Factories and fixtures shared by the test suite; every record is made through the services."""

import itertools

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from kb import services
from kb.choices import ActorKind, ClaimStatus, Modality
from tests.helpers import ARTICLE, token_for
from tests.world import CORE, HIDDEN, World, build_world

_seq = itertools.count(1)

# The production hasher (PBKDF2, a million iterations) costs most of a second per user made or
# logged in with a password; the tests are not about its strength, so they hash with MD5.
# tests/test_settings.py checks that the settings themselves keep the real hasher.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    # Throttle counts and cached whole-base reads live in the cache, which outlives a test's
    # rolled-back database; each test starts with it empty.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor(db) -> User:
    user = User.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.groups.add(Group.objects.get(name=services.EDITORS_GROUP))
    return user


@pytest.fixture
def analyst(db) -> User:
    return User.objects.create_user("analyst", password="pw-analyst-123")


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_superuser("admin", password="pw-admin-123")


@pytest.fixture
def desk(client, editor) -> Client:
    """The test client signed in as the editor: the admin and the review desk."""
    client.force_login(editor)
    return client


@pytest.fixture
def anon() -> APIClient:
    """An API client that signs in as nobody."""
    return APIClient()


@pytest.fixture
def as_editor(editor) -> APIClient:
    """An API client with the editor's token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    return client


@pytest.fixture
def make_actor(db, editor):
    def make(name: str | None = None, kind: str = ActorKind.STATE, **fields):
        name = name or f"Actor {next(_seq)}"
        return services.actor_create(user=editor, name=name, kind=kind, **fields)

    return make


@pytest.fixture
def make_source(db, editor):
    def make(text: str | None = None, **fields):
        n = next(_seq)
        fields.setdefault("title", f"Article {n}")
        fields.setdefault("publisher", "Test Wire")
        fields.setdefault("published_on", "2024-07-01")
        return services.source_create(user=editor, text=text or f"{ARTICLE}\n\nArticle number {n}.", **fields)

    return make


@pytest.fixture
def make_claim(db, editor, make_source):
    def make(quote: str = "North Korea is expected to sell artillery shells to Russia.", source=None, **fields):
        fields.setdefault("modality", Modality.FORECAST)
        fields.setdefault("statement", "A paraphrase.")
        return services.claim_create(user=editor, source=source or make_source(), quote=quote, **fields)

    return make


@pytest.fixture
def accepted(editor):
    def accept(claim):
        return services.claim_review(claim, user=editor, status=ClaimStatus.ACCEPTED)

    return accept


@pytest.fixture
def sample_kb(editor) -> World:
    """Every kind of record twice: once backed by the accepted meeting claim, once (HIDDEN) by a proposed claim only.

    Three actors and two claims, both about Kim; the shown treaty and transfer are backed by the
    meeting claim too. A draft transfer (editors only) comes from the proposed claim.
    tests/test_selectors.py and tests/test_sweep.py count them, tests/test_permissions.py reads
    each kind's pair, tests/test_fuzz.py aims its ids at them.
    """
    return build_world(
        editor,
        *("dprk", "russia", "kim", "source", "meeting", "proposed"),
        *("summit", "treaty", "transfer", "leader"),
        *HIDDEN,
        "draft",
        proposed={"subjects": ["kim", "dprk"]},
        treaty={"evidence": ["meeting"]},
        transfer={"evidence": ["meeting"]},
    )


@pytest.fixture
def kb(editor) -> World:
    """The analyst UI's world (tests/test_web.py, tests/browser/): CORE, Putin and two places, a nested claim,
    a proposed one supporting the shells claim and backing a hidden event and transfer, a claim quoting a
    script tag, the war, and Putin's leadership."""
    return build_world(
        editor,
        *CORE,
        *("putin", "vostochny", "pyongyang"),
        *("nested", "proposed", "script", "support"),
        *("war", "hidden_event", "hidden_transfer", "putin_leader"),
        source={"title": "Summit <b>and</b> shells"},
    )
