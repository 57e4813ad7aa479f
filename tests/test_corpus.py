"""The seed corpus: it loads cleanly and idempotently, every quote anchors, and it says what the articles say."""

import datetime as dt
import re
import shutil
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Q

from kb.choices import ClaimLinkKind, ClaimStatus, DatePrecision, Modality, TransferStatus
from kb.corpus import DEFAULT_PATH, read_corpus
from kb.models import (
    Actor,
    Agreement,
    ArmsTransfer,
    Claim,
    ClaimLink,
    Event,
    Provision,
    Relationship,
    Source,
)
from kb.services import actors_by_name

LOWY = "The historical roots of North Korea’s lucky break with Russia"
OPINION = "The Russia-North Korea marriage of convenience is no bromance"


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
    assert "claims: 0 created, 1 updated, 100 unchanged" in out
    assert claim("lowy-kis-life").statement == "Kim Il-sung lived from 1912 to 1994."
    assert Claim.history.count() == history + 1
    assert "Nothing to do" in load(path=path)


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
    assert "claims: 0 created, 0 updated, 101 unchanged" in out
    opinion.refresh_from_db()
    assert "Things differ now." in opinion.text
    assert dict(Claim.objects.filter(source=opinion).values_list("pk", "quote")) == quotes
    out = StringIO()
    call_command("verify_kb", stdout=out)
    assert "no violations" in out.getvalue()


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
    assert "101 claims (every quote anchors)" in load(check=True)
    assert not Actor.objects.exists()
    path = broken_copy(
        tmp_path,
        "sources/lowy-historical-roots.toml",
        'quote = "Kim Il-sung (1912–94)"',
        'quote = "Kim Il-sung (1912–95)"',
    )
    with pytest.raises(CommandError, match=r"lowy-kis-life: The quote .* does not occur"):
        load(path=path, check=True)


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


@pytest.mark.usefixtures("corpus")
class TestLoadedCorpus:
    """Read-only checks of the loaded corpus: counts, anchors, evidence and what the articles say."""

    def test_corpus_loads_and_verify_kb_is_clean(self, corpus, db):
        assert "claims: 101 created" in corpus
        assert Source.objects.count() == 2
        assert Claim.objects.count() == Claim.objects.filter(status=ClaimStatus.ACCEPTED).count() == 101
        assert Claim.objects.filter(reviewed_at__isnull=True).count() == 0
        out = StringIO()
        call_command("verify_kb", stdout=out)
        assert "no violations" in out.getvalue()

    def test_counts_per_type_and_per_source(self, db):
        assert Actor.objects.count() == 37
        assert Relationship.objects.count() == 32
        assert Event.objects.count() == 19
        assert Agreement.objects.count() == 1
        assert Provision.objects.count() == 4
        assert ArmsTransfer.objects.count() == 9
        assert ClaimLink.objects.count() == 13
        per_source = dict(Source.objects.annotate(n=Count("claims")).values_list("title", "n"))
        assert per_source == {LOWY: 49, OPINION: 52}

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
        agreement = Agreement.objects.get(slug="russia-north-korea-comprehensive-strategic-partnership")
        assert (agreement.signed_on, agreement.signed_on_precision) == (dt.date(2024, 6, 19), DatePrecision.DAY)
        assert agreement.signed_place.slug == "pyongyang"
        assert agreement.status == "signed"
        parties = {p.actor.slug: p.signatory.slug for p in agreement.party_links.select_related("actor", "signatory")}
        assert parties == {"russia": "vladimir-putin", "north-korea": "kim-jong-un"}
        kinds = list(agreement.provisions.values_list("kind", flat=True))
        assert kinds == ["political", "un_coordination", "military_technical", "labour"]
        signing = Event.objects.get(slug="comprehensive-strategic-partnership-signing")
        assert (signing.start_on, signing.start_on_precision, signing.place.slug) == (
            dt.date(2024, 6, 19),
            DatePrecision.DAY,
            "pyongyang",
        )

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
            assert list(actors_by_name(name).values_list("slug", flat=True)) == [slug], name

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
        assert ArmsTransfer.objects.filter(supplier__slug="soviet-union", recipient__slug="north-korea").exists()
        for buyer in ("syria", "iran"):
            assert ArmsTransfer.objects.filter(supplier__slug="north-korea", recipient__slug=buyer, category="missiles")

    def test_claims_across_the_two_articles_are_linked(self, db):
        assert ClaimLink.objects.filter(
            from_claim=claim("grz-selling-arms"), kind=ClaimLinkKind.UPDATES, to_claim=claim("lowy-expected-sell")
        ).exists()
        assert ClaimLink.objects.filter(
            from_claim=claim("grz-sept-12-visit"), kind=ClaimLinkKind.SUPPORTS, to_claim=claim("lowy-far-east-trip")
        ).exists()
        cross = ClaimLink.objects.exclude(from_claim__source=F("to_claim__source"))
        assert cross.count() == 11
