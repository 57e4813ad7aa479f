"""Factories and fixtures shared by the test suite; every record is made through the services."""

import itertools

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import override_settings

from kb import services
from kb.choices import ActorKind, ClaimStatus, Modality

_seq = itertools.count(1)

ARTICLE = (
    "Kim Jong-un met Vladimir Putin at the Vostochny Cosmodrome in September 2023.\n\n"
    "North Korea is expected to sell artillery shells to Russia. "
    "Russia’s need for a “continuous supply” of weapons is growing.\n\n"
    "The two leaders signed a treaty in Pyongyang on June 19, 2024."
)


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
def sample_kb(editor, make_source):
    """A small knowledge base of every kind: one of each backed by an accepted claim, one of each by a proposed one."""
    from kb.choices import AgreementKind, AgreementStatus, EventKind, TransferCategory, TransferStatus

    u = editor
    dprk = services.actor_create(user=u, name="North Korea", kind=ActorKind.STATE, aliases=["DPRK"], slug="north-korea")
    russia = services.actor_create(user=u, name="Russia", kind=ActorKind.STATE, country_code="RU")
    kim = services.actor_create(user=u, name="Kim Jong Un", kind=ActorKind.PERSON, aliases=["Kim Jong-un"])
    source = make_source(title="Summit at Vostochny")
    quotes = [
        "Kim Jong-un met Vladimir Putin at the Vostochny Cosmodrome in September 2023.",
        "North Korea is expected to sell artillery shells to Russia.",
    ]
    kb = {"actors": [dprk, russia, kim], "source": source}
    for status, quote in zip((ClaimStatus.ACCEPTED, ClaimStatus.PROPOSED), quotes, strict=True):
        claim = services.claim_create(
            user=u, source=source, quote=quote, modality=Modality.FACT, subjects=[kim, dprk], status=status
        )
        kb[status] = {
            "claim": claim,
            "event": services.event_create(
                user=u, title=f"Summit ({status})", kind=EventKind.SUMMIT, start_on="2023-09", evidence=[claim]
            ),
            "agreement": services.agreement_create(
                user=u,
                title=f"Treaty ({status})",
                kind=AgreementKind.TREATY,
                status=AgreementStatus.SIGNED,
                signed_on="2024-06-19",
                parties=[(dprk, kim), russia],
                provisions=[{"label": "Article 4", "kind": "mutual_defence", "summary": "Mutual aid."}],
                evidence=[claim],
            ),
            "transfer": services.transfer_create(
                user=u,
                supplier=dprk,
                recipient=russia,
                category=TransferCategory.AMMUNITION,
                description="Artillery shells",
                status=TransferStatus.REPORTED,
                start_on="2023",
                evidence=[claim],
            ),
            "relationship": services.relationship_create(
                user=u,
                subject=kim,
                predicate="leader_of" if status == ClaimStatus.ACCEPTED else "member_of",
                object=dprk,
                evidence=[claim],
            ),
        }
    return kb
