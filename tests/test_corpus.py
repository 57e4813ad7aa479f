"""The seed corpus: it loads cleanly and idempotently, every quote anchors, and it says what the articles say."""

import datetime as dt
import io
import re
import shutil
import subprocess
import tarfile
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Q

from kb import services
from kb.choices import (
    AgreementKind,
    AgreementStatus,
    ClaimLinkKind,
    ClaimStatus,
    DatePrecision,
    Modality,
    RelationshipPredicate,
    TransferStatus,
)
from kb.corpus import DEFAULT_PATH, read_corpus
from kb.corpus.loader import WITHDRAWN_REASON
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
from kb.selectors import actors_named

LOWY = "The historical roots of North Korea’s lucky break with Russia"
OPINION = "The Russia-North Korea marriage of convenience is no bromance"
PARTNERSHIP = "russia-north-korea-comprehensive-strategic-partnership"
ARRANGEMENT = "russia-north-korea-arms-for-assistance-arrangement"


def load(**options) -> str:
    out = StringIO()
    call_command("load_corpus", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="class")
def corpus(django_db_setup, django_db_blocker):
    """The corpus loaded once for a class of read-only checks, rolled back after the class."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = load()
        yield output
        transaction.set_rollback(True)


def claim(key: str) -> Claim:
    """The stored claim of a fixture claim key, found by its quote's anchor."""
    fixtures = read_corpus()
    source_fixture = next(s for s in fixtures.sources if any(k == key for k, _row in s.claims))
    anchor = fixtures.anchors[key]
    return Claim.objects.get(source__title=source_fixture.fields["title"], start=anchor.start, end=anchor.end)


def history_rows() -> int:
    return sum(
        model.objects.count()
        for model in apps.get_app_config("kb").get_models()
        if model.__name__.startswith("Historical")
    )


# --- loading ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_second_load_changes_nothing():
    load()
    counts = {model: model.objects.count() for model in (Actor, Source, Claim, ClaimLink, Relationship, Event)}
    history = history_rows()
    out = load()
    assert "Nothing to do" in out
    assert " 0 created, 0 updated" in out and " created, 1" not in out
    assert {model: model.objects.count() for model in counts} == counts
    assert history_rows() == history


@pytest.mark.slow
@pytest.mark.django_db
def test_load_shows_progress_on_stderr_and_none_with_v0():
    err = StringIO()
    out = load(stderr=err)
    # A line when the load ends, and one every ten seconds before that on a slow machine.
    *running, last = err.getvalue().splitlines()
    total = re.fullmatch(r"load_corpus: records: ([\d,]+)/\1 \(100 %\)", last).group(1)
    assert all(re.fullmatch(rf"load_corpus: records: [\d,]+/{total} \(\d+ %\)", line) for line in running)
    assert "records:" not in out
    err = StringIO()
    assert "Nothing to do" in load(verbosity=0, stderr=err)
    assert err.getvalue() == ""


@pytest.mark.slow
@pytest.mark.django_db
def test_second_load_reads_each_record_a_bounded_number_of_times(django_assert_max_num_queries):
    load()
    fixtures = read_corpus()
    records = (
        len(fixtures.actors)
        + len(fixtures.anchors)
        + sum(len(source.links) for source in fixtures.sources)
        + len(fixtures.relationships)
        + len(fixtures.events)
        + len(fixtures.agreements)
        + len(fixtures.transfers)
    )
    # A lookup per record and one per many-to-many field it compares; nothing per alias, subject or evidence claim.
    with django_assert_max_num_queries(3 * records):
        assert "Nothing to do" in load()


@pytest.mark.slow
@pytest.mark.django_db
def test_fixture_change_updates_only_that_record(tmp_path):
    load()
    path = tmp_path / "corpus"
    shutil.copytree(DEFAULT_PATH, path)
    fixture = path / "sources" / "lowy-historical-roots.toml"
    text = fixture.read_text(encoding="utf-8")
    old = 'statement = "Kim Il-sung was born in 1912 and died in 1994."'
    assert old in text
    fixture.write_text(text.replace(old, 'statement = "Kim Il-sung lived from 1912 to 1994."'), encoding="utf-8")
    history = Claim.history.count()
    out = load(path=path)
    assert "claims: 0 created, 1 updated, 101 unchanged" in out
    assert claim("lowy-kis-life").statement == "Kim Il-sung lived from 1912 to 1994."
    assert Claim.history.count() == history + 1
    assert "Nothing to do" in load(path=path)


@pytest.mark.slow
@pytest.mark.django_db
def test_corrected_source_text_updates_the_source_and_keeps_its_claims_anchored(tmp_path):
    load()
    opinion = Source.objects.get(title=OPINION)
    quotes = dict(Claim.objects.filter(source=opinion).values_list("pk", "quote"))
    # A correction outside every quote: the claims after it move with their words.
    path = broken_copy(
        tmp_path,
        "sources/grzelczyk-marriage-of-convenience.txt",
        "Things are very different now.",
        "Things differ now.",
    )
    out = load(path=path)
    assert "sources: 0 created, 1 updated, 1 unchanged" in out
    assert "claims: 0 created, 0 updated, 102 unchanged" in out
    opinion.refresh_from_db()
    assert "Things differ now." in opinion.text
    assert dict(Claim.objects.filter(source=opinion).values_list("pk", "quote")) == quotes
    out = StringIO()
    call_command("verify_kb", stdout=out)
    assert "no violations" in out.getvalue()


@pytest.mark.slow
@pytest.mark.django_db
def test_correction_inside_a_quote_is_refused_naming_the_claim(tmp_path):
    load()
    path = broken_copy(
        tmp_path, "sources/lowy-historical-roots.txt", "Its workers are paid", "Its workers are all paid"
    )
    fixture = path / "sources" / "lowy-historical-roots.toml"
    text = fixture.read_text(encoding="utf-8")
    fixture.write_text(text.replace("Its workers are paid", "Its workers are all paid"), encoding="utf-8")
    with pytest.raises(
        CommandError, match=r"^sources/lowy-historical-roots\.toml: source: text: .*Its workers are paid"
    ):
        load(path=path)
    assert "Its workers are paid" in Source.objects.get(title=LOWY).text


@pytest.mark.django_db
def test_check_reads_the_fixtures_and_writes_nothing(tmp_path):
    assert "102 claims (every quote anchors)" in load(check=True)
    assert not Actor.objects.exists()
    path = broken_copy(
        tmp_path,
        "sources/lowy-historical-roots.toml",
        'quote = "Kim Il-sung (1912–94)"',
        'quote = "Kim Il-sung (1912–95)"',
    )
    with pytest.raises(CommandError, match=r"lowy-kis-life: The quote .* does not occur"):
        load(path=path, check=True)


# --- upgrading a loaded database ----------------------------------------------------------

# The corpus as it stood before the editorial audit's corrections (issue 17).
AUDITED_CORPUS_COMMIT = "1d8ded4"
VOLATILE_FIELDS = {"id", "created_at", "updated_at", "reviewed_at", "published_at"}


def natural(value):
    """A record named by what the fixtures name it by, never by its database id."""
    if isinstance(value, Claim):
        return ("claim", value.source.title, value.start, value.end)
    if isinstance(value, Source):
        return ("source", value.title)
    if hasattr(value, "slug"):
        return value.slug
    if hasattr(value, "username"):
        return value.username
    return row(value)


def row(record) -> tuple:
    values = []
    for field in record._meta.concrete_fields:
        if field.name not in VOLATILE_FIELDS:
            value = getattr(record, field.name)
            values.append((field.name, natural(value) if field.is_relation and value is not None else value))
    for field in record._meta.many_to_many:
        values.append((field.name, sorted(repr(natural(v)) for v in getattr(record, field.name).all())))
    return tuple(values)


def snapshot() -> dict[str, list[str]]:
    """Every corpus record, by natural keys: two databases with the same corpus compare equal."""
    kinds = (Actor, Alias, Source, Claim, ClaimLink, Relationship, Event, Agreement, AgreementParty, Provision)
    return {model.__name__: sorted(repr(row(r)) for r in model.objects.all()) for model in (*kinds, ArmsTransfer)}


@pytest.fixture
def audited_corpus(tmp_path):
    """The fixtures of the audited corpus, from the repository's history."""
    try:
        archive = subprocess.run(
            ["git", "archive", AUDITED_CORPUS_COMMIT, "fixtures/corpus"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"the repository's history (commit {AUDITED_CORPUS_COMMIT}) is not available")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp_path, filter="data")
    return tmp_path / "fixtures" / "corpus"


@pytest.mark.slow
@pytest.mark.django_db
def test_upgrade_from_the_audited_corpus_reaches_a_fresh_load_with_history(audited_corpus):
    with transaction.atomic():
        load()
        fresh = snapshot()
        transaction.set_rollback(True)
    load(path=audited_corpus)
    partnership = Agreement.objects.get(slug=PARTNERSHIP)
    withdrawn = [
        *partnership.provisions.all(),
        ArmsTransfer.objects.get(supplier__slug="soviet-union"),
        Relationship.objects.get(subject__slug="soviet-union", predicate="supplier_of"),
        Event.objects.get(slug="putin-visit-to-pyongyang-2024"),
        ClaimLink.objects.get(from_claim=claim("grz-reselling-copying"), to_claim=claim("lowy-expected-sell")),
    ]
    assert len(withdrawn) == 8
    gift = claim("grz-aurus-gift")
    assert gift.about_on is not None
    gift_history = gift.history.count()

    out = load()
    assert "provisions: 4 created, 0 updated, 0 unchanged, 4 removed" in out
    assert "transfers: 1 created, 1 updated, 7 unchanged, 1 removed" in out
    assert "relationships: 2 created, 2 updated, 29 unchanged, 1 removed" in out
    assert "events: 0 created, 4 updated, 14 unchanged, 1 removed" in out
    assert "claim links: 1 created, 0 updated, 12 unchanged, 1 removed" in out
    assert "claims: 1 created, 21 updated, 80 unchanged" in out
    assert snapshot() == fresh
    corpus = get_user_model().objects.get(username="corpus")
    for record in withdrawn:
        assert not type(record).objects.filter(pk=record.pk).exists()
        last = record.history.model.objects.filter(id=record.pk).latest("history_date")
        assert (last.history_type, last.history_user, last.history_change_reason) == ("-", corpus, WITHDRAWN_REASON)
    # Corrections are updates of the same records, each kept in history.
    assert claim("grz-aurus-gift").pk == gift.pk
    assert gift.history.count() == gift_history + 1
    assert [h.about_on for h in gift.history.order_by("-history_date")[:2]] == [None, dt.date(2024, 6, 1)]
    assert Agreement.objects.get(slug=PARTNERSHIP).pk == partnership.pk

    history = history_rows()
    assert "Nothing to do" in load()
    assert history_rows() == history


@pytest.mark.slow
@pytest.mark.django_db
def test_withdrawal_removes_only_the_corpus_records_and_keeps_what_editors_use(tmp_path, editor):
    load()
    arrangement = Agreement.objects.get(slug=ARRANGEMENT)
    # An editor's own records: a relationship, an event citing a corpus claim, a provision of a corpus agreement.
    own = services.relationship_create(
        user=editor,
        subject=Actor.objects.get(slug="china"),
        predicate=RelationshipPredicate.ALLY_OF,
        object=Actor.objects.get(slug="north-korea"),
        evidence=[claim("grz-survival-support")],
    )
    services.event_create(user=editor, title="Border talks", kind="meeting", evidence=[claim("lowy-land-border")])
    services.provision_add(user=editor, agreement=arrangement, kind="other", summary="An editor's provision.", order=5)
    # A copy of the fixtures without the land-border claim, the Chinese support and the arrangement.
    path = broken_copy(tmp_path, "sources/lowy-historical-roots.toml", 'key = "lowy-land-border"', 'key = "x"')
    source = path / "sources" / "lowy-historical-roots.toml"
    text = source.read_text(encoding="utf-8")
    start = text.index('[[claim]]\nkey = "x"')
    source.write_text(text[:start] + text[text.index("[[claim]]", start + 1) :], encoding="utf-8")
    for file, table, first_line in [
        ("relationships.toml", "relationship", 'subject = "china"'),
        ("agreements.toml", "agreement", f'slug = "{ARRANGEMENT}"'),
    ]:
        fixture = path / file
        text = fixture.read_text(encoding="utf-8")
        start = text.index(f"[[{table}]]\n{first_line}")
        end = text.find(f"[[{table}]]", start + 1)
        fixture.write_text(text[:start] + (text[end:] if end != -1 else ""), encoding="utf-8")

    out = load(path=path)
    assert "relationships: 0 created, 0 updated, 32 unchanged, 1 removed" in out
    assert not Relationship.objects.filter(subject__slug="china", predicate="supporter_of").exists()
    assert Relationship.objects.filter(pk=own.pk).exists()
    # Still used by an editor's records, so kept with its parts, and named.
    assert claim("lowy-land-border").status == ClaimStatus.ACCEPTED
    assert "left the fixtures but is used by 1 event (as evidence)" in out
    assert f"kept: agreement “{arrangement.title}” left the fixtures but is used by 1 provision not from" in out
    assert arrangement.provisions.count() == 5 and arrangement.party_links.count() == 2
    assert "Nothing to do" in load(path=path)

    # Once the editor's provision is gone, the arrangement goes with its parts, each kept in history.
    services.record_delete(arrangement.provisions.get(order=5), user=editor)
    parts = [*arrangement.provisions.all(), *arrangement.party_links.all()]
    out = load(path=path)
    assert "provisions: 0 created, 0 updated, 0 unchanged, 4 removed" in out
    assert "agreement parties: 0 created, 0 updated, 2 unchanged, 2 removed" in out
    assert not Agreement.objects.filter(slug=ARRANGEMENT).exists()
    for record in [*parts, arrangement]:
        last = record.history.model.objects.filter(id=record.pk).latest("history_date")
        assert (last.history_type, last.history_change_reason) == ("-", WITHDRAWN_REASON)
        assert last.history_user.username == "corpus"
    assert "Nothing to do" in load(path=path)


# --- bad fixtures ------------------------------------------------------------------------


def broken_copy(tmp_path, file: str, old: str, new: str):
    path = tmp_path / "corpus"
    shutil.copytree(DEFAULT_PATH, path)
    target = path / file
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "sources/lowy-historical-roots.toml",
            'quote = "For Russia, the benefits are obvious."',
            'quote = "For Russia, the benefits are plain."',
            r"^sources/lowy-historical-roots\.toml: lowy-benefits-obvious: The quote .* does not occur",
        ),
        (
            "events.toml",
            'participants = ["kim-il-sung"]',
            'participants = ["kim-il-sungg"]',
            r"^events\.toml: death-of-kim-il-sung: unknown actor 'kim-il-sungg' in participants$",
        ),
        (
            "sources/grzelczyk-marriage-of-convenience.toml",
            'key = "grz-lacked-agenda"',
            'key = "lowy-kis-life"',
            r"^sources/lowy-historical-roots\.toml: lowy-kis-life: duplicate claim key",
        ),
        (
            "transfers.toml",
            'evidence = ["grz-white-house-missiles"]',
            'evidence = ["grz-white-house-missile"]',
            r"^transfers\.toml: north-korea-russia-short-range-missiles-2024: unknown claim 'grz-white-house-missile'",
        ),
        (
            "agreements.toml",
            'signed = "2024-06-19"',
            'signed = "2024-06-31"',
            r"^agreements\.toml: russia-north-korea-comprehensive-strategic-partnership: signed: .*has 30 days",
        ),
        (
            "agreements.toml",
            '{ actor = "russia", signed = "2024-06-19", evidence = ["grz-signed-csp", "grz-inked-pyongyang"] }',
            '{ actor = "russia", signed = "2024-06-19", evidence = ["grz-signed-csp", "grz-signed-cps"] }',
            r"^agreements\.toml: russia-north-korea-comprehensive-strategic-partnership party russia: "
            r"unknown claim 'grz-signed-cps' in evidence$",
        ),
        (
            "agreements.toml",
            '{ actor = "russia", signed = "2024-06-19",',
            '{ actor = "russia", signed = "2024-06-19", ratified = "2024-05", ratification_kind = "ratification",',
            r"^agreements\.toml: russia-north-korea-comprehensive-strategic-partnership party russia: ratified_on: "
            r"The ratification \(2024-05\) is before the signature \(signed_on, 2024-06-19\)",
        ),
        (
            "actors.toml",
            'kind = "facility"',
            'kind = "building"',
            r"^actors\.toml: vostochny-cosmodrome: kind must be one of",
        ),
    ],
)
def test_bad_fixture_is_a_clear_error_and_writes_nothing(tmp_path, file, old, new, message):
    path = broken_copy(tmp_path, file, old, new)
    with pytest.raises(CommandError, match=message) as excinfo:
        load(path=path)
    assert "\n" not in str(excinfo.value)
    assert not Source.objects.exists() and not Actor.objects.exists() and not Claim.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_error_while_writing_rolls_back_everything(tmp_path):
    # Passes the fixture checks but breaks a database rule (a relationship of an actor to itself).
    path = broken_copy(
        tmp_path,
        "relationships.toml",
        'subject = "moscow"\npredicate = "located_in"',
        'subject = "russia"\npredicate = "located_in"',
    )
    with pytest.raises(CommandError, match=r"^relationships\.toml: russia located_in russia: "):
        load(path=path)
    assert not Source.objects.exists() and not Actor.objects.exists()


@pytest.mark.django_db
def test_unclean_text_file_is_refused(tmp_path):
    path = broken_copy(
        tmp_path, "sources/lowy-historical-roots.txt", "In early September 2022,", "In early  September 2022,"
    )
    with pytest.raises(CommandError, match=r"lowy-historical-roots\.toml: source: text_file .* not in cleaned form"):
        load(path=path)
    assert not Source.objects.exists()


# --- the loaded corpus -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.usefixtures("corpus")
class TestLoadedCorpus:
    """Read-only checks of the loaded corpus: counts, anchors, evidence and what the articles say."""

    def test_corpus_loads_and_verify_kb_is_clean(self, corpus, db):
        assert "claims: 102 created" in corpus
        assert Source.objects.count() == 2
        assert Claim.objects.count() == Claim.objects.filter(status=ClaimStatus.ACCEPTED).count() == 102
        assert Claim.objects.filter(reviewed_at__isnull=True).count() == 0
        out = StringIO()
        call_command("verify_kb", stdout=out)
        assert "no violations" in out.getvalue()

    def test_counts_per_type_and_per_source(self, db):
        assert Actor.objects.count() == 37
        assert Relationship.objects.count() == 33
        assert Event.objects.count() == 18
        assert Agreement.objects.count() == 2
        assert Provision.objects.count() == 4
        assert ArmsTransfer.objects.count() == 9
        assert ClaimLink.objects.count() == 13
        per_source = dict(Source.objects.annotate(n=Count("claims")).values_list("title", "n"))
        assert per_source == {LOWY: 50, OPINION: 52}

    def test_every_quote_anchors_in_the_stored_text(self, db):
        fixtures = read_corpus()
        assert len(fixtures.anchors) == Claim.objects.count()
        for stored in Claim.objects.select_related("source"):
            assert stored.source.text[stored.start : stored.end] == stored.quote
        for source_fixture in fixtures.sources:
            source = Source.objects.get(title=source_fixture.fields["title"])
            assert source.text == source_fixture.text
            for key, row in source_fixture.claims:
                anchor = fixtures.anchors[key]
                assert source.text[anchor.start : anchor.end] == row["quote"], key

    def test_no_duplicate_claims(self, db):
        assert not Claim.objects.values("source", "quote").annotate(n=Count("id")).filter(n__gt=1).exists()
        assert not Claim.objects.values("source", "statement").annotate(n=Count("id")).filter(n__gt=1).exists()

    def test_page_furniture_is_not_in_the_stored_text(self, db):
        lowy = Source.objects.get(title=LOWY)
        for furniture in (
            "Published daily",
            "Getty Images",
            "Flickr",
            "You may also be interested",
            "Angara",
            "\u00a0",
        ):
            assert furniture not in lowy.text
        # Pull-quotes and the standfirst repeat body sentences; only the body's occurrence is kept.
        for repeated in (
            "Estimates of the number of arms factories in North Korea vary between 50 and close to 140",
            "Military industry is already almost entirely controlled by the state",
            "Kim Jong-un can thank decisions taken by his grandfather",
        ):
            assert lowy.text.count(repeated) == 1
        assert lowy.subtitle.startswith("Kim Jong-un can thank decisions")
        opinion = Source.objects.get(title=OPINION)
        assert not opinion.text.startswith("7/1/24") and OPINION not in opinion.text
        assert opinion.text.startswith("Virginie Grzelczyk is the dean")

    def test_every_backed_record_has_accepted_evidence(self, db):
        accepted = Q(evidence__status=ClaimStatus.ACCEPTED)
        for model in (Event, Agreement, ArmsTransfer, Relationship, Provision):
            rows = model.objects.annotate(n=Count("evidence", filter=accepted))
            assert rows.exists()
            assert not rows.filter(n=0).exists(), model.__name__

    def test_every_source_is_public(self, db):
        """The corpus's claims are accepted as loaded, and the first one published its source."""
        assert Source.objects.exists()
        assert not Source.objects.filter(published_at=None).exists()

    def test_sources_metadata(self, db):
        lowy = Source.objects.get(title=LOWY)
        assert (lowy.kind, lowy.reliability, lowy.byline) == ("analysis", "B", "")
        assert (lowy.published_on, lowy.published_on_precision) == (dt.date(2023, 1, 1), DatePrecision.YEAR)
        assert "Lowy Institute" in lowy.publisher and lowy.furniture_note
        assert not lowy.authors.exists()
        opinion = Source.objects.get(title=OPINION)
        assert (opinion.kind, opinion.byline) == ("opinion", "Virginie Grzelczyk")
        assert (opinion.published_on, opinion.published_on_precision) == (dt.date(2024, 7, 1), DatePrecision.DAY)
        assert list(opinion.authors.values_list("slug", flat=True)) == ["virginie-grzelczyk"]

    def test_partnership_signed_in_pyongyang_on_19_june_2024(self, db):
        agreement = Agreement.objects.get(slug=PARTNERSHIP)
        assert (agreement.signed_on, agreement.signed_on_precision) == (dt.date(2024, 6, 19), DatePrecision.DAY)
        assert agreement.signed_place.slug == "pyongyang"
        assert agreement.status == "signed"
        # Neither source says who signed it.
        parties = {p.actor.slug: p.signatory for p in agreement.party_links.select_related("actor", "signatory")}
        assert parties == {"russia": None, "north-korea": None}
        # Each party's ladder: both signed that day, as two quotes say; no source gives a ratification
        # or an entry into force.
        for party in agreement.party_links.all():
            assert (str(party.signed), party.ratified, party.in_force) == ("2024-06-19", None, None)
            assert set(party.evidence.all()) == {claim("grz-signed-csp"), claim("grz-inked-pyongyang")}
        signing = Event.objects.get(slug="comprehensive-strategic-partnership-signing")
        assert (signing.start_on, signing.start_on_precision, signing.place.slug) == (
            dt.date(2024, 6, 19),
            DatePrecision.DAY,
            "pyongyang",
        )
        assert set(signing.participants.values_list("slug", flat=True)) == {"russia", "north-korea"}
        assert not Event.objects.filter(slug="putin-visit-to-pyongyang-2024").exists()

    def test_partnership_has_no_provisions_and_its_four_ways_are_evidence(self, db):
        agreement = Agreement.objects.get(slug=PARTNERSHIP)
        assert not agreement.provisions.exists()
        evidence = set(agreement.evidence.all())
        for key in (
            "grz-four-ways",
            "grz-ideological-boon",
            "grz-veto-backing",
            "grz-selling-arms",
            "grz-labor-cooperation",
        ):
            assert claim(key) in evidence, key

    def test_the_arrangement_is_expected_with_its_parties_provisions_and_evidence(self, db):
        arrangement = Agreement.objects.get(slug=ARRANGEMENT)
        assert (arrangement.kind, arrangement.status) == (AgreementKind.ARRANGEMENT, AgreementStatus.EXPECTED)
        assert arrangement.signed_on is None and arrangement.signed_place is None
        assert set(arrangement.parties.values_list("slug", flat=True)) == {"russia", "north-korea"}
        kinds = list(arrangement.provisions.values_list("kind", flat=True))
        assert kinds == ["military_technical", "military_technical", "economic", "economic"]
        assert {claim("lowy-expected-sell"), claim("lowy-asks-assistance"), claim("lowy-oil-energy")} <= set(
            arrangement.evidence.all()
        )
        # Its arms and technology are also transfers, each with its status.
        for supplier, recipient, designation in [
            ("north-korea", "russia", "weapons and ammunition (expected sales)"),
            ("russia", "north-korea", "submarine technology"),
            ("russia", "north-korea", "satellite programme assistance"),
        ]:
            transfer = ArmsTransfer.objects.get(
                supplier__slug=supplier, recipient__slug=recipient, designation=designation
            )
            assert transfer.status == TransferStatus.PLANNED, designation

    def test_people_and_their_relationships(self, db):
        kim_il_sung = Actor.objects.get(slug="kim-il-sung")
        assert (kim_il_sung.start_on, kim_il_sung.start_on_precision) == (dt.date(1912, 1, 1), DatePrecision.YEAR)
        assert (kim_il_sung.end_on, kim_il_sung.end_on_precision) == (dt.date(1994, 1, 1), DatePrecision.YEAR)
        assert Relationship.objects.filter(
            subject__slug="kim-jong-un", predicate="grandchild_of", object=kim_il_sung
        ).exists()
        assert Relationship.objects.filter(
            subject__slug="kim-jong-un", predicate="leader_of", object__slug="north-korea"
        )
        assert Actor.objects.get(slug="kim-jong-il").end_on == dt.date(2011, 1, 1)
        # Both articles' spellings, and common ones, find the same actor.
        for name, slug in [
            ("Kim Jong Un", "kim-jong-un"),
            ("kim jong-un", "kim-jong-un"),
            ("DPRK", "north-korea"),
            ("Sungri chemical plant", "sungri-chemical-plant"),
            ("Vostochny space centre", "vostochny-cosmodrome"),
            ("SIPRI", "sipri"),
        ]:
            assert list(actors_named(name=name, exact=True).values_list("slug", flat=True)) == [slug], name

    def test_events_are_dated_at_the_precision_the_text_supports(self, db):
        def dates(slug):
            event = Event.objects.get(slug=slug)
            return str(event.start), str(event.end) if event.end else None

        assert dates("vostochny-summit-2023") == ("2023-09", None)
        assert dates("kim-jong-un-russian-far-east-trip-2023") == ("2023-09-12", "2023-09-17")
        assert dates("korean-war") == ("1950", "1953")
        assert dates("vladivostok-summit-2019") == ("2019", None)
        assert dates("nyt-report-north-korean-artillery-2022") == ("2022-09", None)
        assert dates("kim-jong-un-comes-to-power") == ("2010s", None)
        summit = Event.objects.get(slug="vostochny-summit-2023")
        assert summit.place.slug == "vostochny-cosmodrome"
        assert {"kim-jong-un", "vladimir-putin"} <= set(summit.participants.values_list("slug", flat=True))

    def test_modalities_and_attribution(self, db):
        assert claim("lowy-expected-sell").modality == Modality.FORECAST
        assert claim("lowy-asks-assistance").modality == Modality.ASSESSMENT
        praise = claim("lowy-kim-sacred-fight")
        assert (praise.modality, praise.speaker.slug, praise.attributed_to) == (
            Modality.STATEMENT,
            "kim-jong-un",
            "Kim Jong-un",
        )
        white_house = claim("grz-white-house-missiles")
        assert (white_house.modality, white_house.speaker.slug) == (Modality.STATEMENT, "white-house")
        assert (white_house.about_on, white_house.about_on_precision) == (dt.date(2024, 1, 1), DatePrecision.MONTH)
        assert claim("grz-rational-calculation").modality == Modality.OPINION

    def test_transfers(self, db):
        missiles = ArmsTransfer.objects.get(supplier__slug="north-korea", recipient__slug="russia", category="missiles")
        assert (missiles.status, missiles.reported_by, str(missiles.reported)) == ("reported", "White House", "2024-01")
        expected = ArmsTransfer.objects.get(
            supplier__slug="north-korea", recipient__slug="russia", category="ammunition"
        )
        assert expected.status == TransferStatus.PLANNED
        assert expected.evidence.filter(modality=Modality.FORECAST).exists()
        assert ArmsTransfer.objects.filter(supplier__slug="russia", recipient__slug="north-korea").count() == 2
        for buyer in ("syria", "iran"):
            assert ArmsTransfer.objects.filter(supplier__slug="north-korea", recipient__slug=buyer, category="missiles")
        stockpiles = ArmsTransfer.objects.get(designation="weapons from warehouse stockpiles")
        assert (stockpiles.supplier.slug, stockpiles.recipient.slug, stockpiles.status) == (
            "north-korea",
            "russia",
            TransferStatus.REPORTED,
        )
        assert claim("lowy-buying-stockpiles") in stockpiles.evidence.all()
        # "post-2022": the decade holds whichever way it is read.
        unspecified = ArmsTransfer.objects.get(designation="arms (unspecified)")
        assert str(unspecified.start) == "2020s"

    def test_no_soviet_transfer_but_chinese_and_soviet_support(self, db):
        assert not ArmsTransfer.objects.filter(supplier__slug="soviet-union").exists()
        assert not Relationship.objects.filter(subject__slug="soviet-union", predicate="supplier_of").exists()
        for patron in ("china", "soviet-union"):
            support = Relationship.objects.get(
                subject__slug=patron, predicate=RelationshipPredicate.SUPPORTER_OF, object__slug="north-korea"
            )
            assert support.valid_from is None
            assert list(support.evidence.all()) == [claim("grz-survival-support")]

    def test_dates_the_text_does_not_give_are_not_recorded(self, db):
        gift = claim("grz-aurus-gift")
        assert (gift.about_on, gift.about_on_precision) == (None, "")
        assert Event.objects.get(slug="putin-gives-kim-aurus-limousine").start_on is None
        for slug in ("aurus", "vladimir-putin"):
            assert "June" not in Actor.objects.get(slug=slug).summary, slug
        # Spans running to the time of writing have no single date.
        for key in ("lowy-sungri-dormant", "lowy-semi-privatisation"):
            assert claim(key).about_on is None, key

    def test_modalities_and_grades_follow_the_corpus_rules(self, db):
        for key in ("lowy-monopoly-buyer", "lowy-economic-support", "lowy-expected-sell"):
            assert (claim(key).modality, claim(key).credibility) == (Modality.FORECAST, 3), key
        assert (claim("lowy-workers-paid").modality, claim("lowy-workers-paid").credibility) == (Modality.FACT, 2)
        for key in ("lowy-satellite-icbm", "lowy-soviet-model", "grz-experts-knew", "grz-limited-engagement"):
            assert claim(key).modality == Modality.FACT, key
        # Credibility 1 is for what the other article confirms: both ends of a supports link between them.
        confirmed = set()
        for link in ClaimLink.objects.filter(kind=ClaimLinkKind.SUPPORTS).exclude(
            from_claim__source=F("to_claim__source")
        ):
            confirmed |= {link.from_claim_id, link.to_claim_id}
        assert set(Claim.objects.filter(credibility=1).values_list("pk", flat=True)) == confirmed
        assert {claim("lowy-nyt-artillery").pk, claim("lowy-kim-sacred-fight").pk} <= confirmed
        assert not ClaimLink.objects.filter(from_claim=claim("grz-reselling-copying")).exists()

    def test_claims_across_the_two_articles_are_linked(self, db):
        assert ClaimLink.objects.filter(
            from_claim=claim("grz-selling-arms"), kind=ClaimLinkKind.UPDATES, to_claim=claim("lowy-expected-sell")
        ).exists()
        assert ClaimLink.objects.filter(
            from_claim=claim("grz-sept-12-visit"), kind=ClaimLinkKind.SUPPORTS, to_claim=claim("lowy-far-east-trip")
        ).exists()
        cross = ClaimLink.objects.exclude(from_claim__source=F("to_claim__source"))
        assert cross.count() == 11
