"""Model invariants: partial dates, alias normalisation, quote anchoring and database constraints."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kb.choices import DatePrecision
from kb.dates import PartialDate, PartialDateText, overlap_q
from kb.ingest.anchor import AnchorError, check_anchor, find_anchor, paragraph_around
from kb.ingest.normalize import clean_text, normalize_name
from kb.models import Actor, ArmsTransfer, Claim, Event, Relationship, Source

# --- partial dates ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("2024-06-19", dt.date(2024, 6, 19), DatePrecision.DAY),
        ("2024-06", dt.date(2024, 6, 1), DatePrecision.MONTH),
        ("2024", dt.date(2024, 1, 1), DatePrecision.YEAR),
        ("1950s", dt.date(1950, 1, 1), DatePrecision.DECADE),
        ("2024-02-29", dt.date(2024, 2, 29), DatePrecision.DAY),
    ],
)
def test_partial_date_parses_each_precision(text, date, precision):
    parsed = PartialDate.parse(text)
    assert (parsed.date, parsed.precision) == (date, precision)
    assert str(parsed) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-02-30", "February 2024 has 29 days"),
        ("2023-02-29", "February 2023 has 28 days"),
        ("2024-13", "months run 1–12"),
        ("2024-00-10", "months run 1–12"),
        ("24-06-19", "is not a date. Write a year"),
        ("June 2024", "is not a date. Write a year"),
        ("1955s", "is not a date. Write a year"),
        ("", "is not a date. Write a year"),
        ("0000", "years start at 0001"),
    ],
)
def test_partial_date_refuses_impossible_or_malformed(text, message):
    with pytest.raises(ValueError, match=message):
        PartialDate.parse(text)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024", "2024"),
        ("2024-06", "2024-06"),
        ("2024-06-19", "2024-06-19"),
        ("June 2024", "2024-06"),
        ("june  2024", "2024-06"),
        ("Jun 2024", "2024-06"),
        ("Sept. 2023", "2023-09"),
        ("19 June 2024", "2024-06-19"),
        ("1st May 2020", "2020-05-01"),
        ("June 19, 2024", "2024-06-19"),
        ("Jun 19 2024", "2024-06-19"),
        ("the 1990s", "1990s"),
        ("The 1990’s", "1990s"),
        ("1990s", "1990s"),
        ("2020s", "2020s"),
        ("29 February 2024", "2024-02-29"),
    ],
)
def test_partial_date_parses_dates_as_people_write_them(text, iso):
    parsed = PartialDate.parse_human(text)
    assert str(parsed) == iso
    assert PartialDate.parse_human(parsed.display()) == parsed  # what display() writes reads back


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31 June 2024", "“31 June 2024” is not a date: June 2024 has 30 days"),
        ("29 February 2023", "February 2023 has 28 days"),
        ("Juny 2024", "“juny” is not a month"),
        ("2024-13", "months run 1–12"),
        ("the 1995s", "is not a date. Write a year"),
        ("next year", "is not a date. Write a year"),
        ("", "is not a date. Write a year"),
        ("x" * 100, "is too long to be a date"),
    ],
)
def test_partial_date_as_people_write_it_refuses_what_is_not_a_date(text, message):
    with pytest.raises(ValueError, match=message) as caught:
        PartialDate.parse_human(text)
    assert "the 1990s" in str(caught.value)  # says how to write one


def test_partial_date_must_start_its_period():
    with pytest.raises(ValueError, match="not the first day of its month"):
        PartialDate(dt.date(2024, 1, 15), DatePrecision.MONTH)
    with pytest.raises(ValueError, match="Unknown date precision"):
        PartialDate(dt.date(2024, 1, 1), "week")


def test_partial_date_bounds_and_display():
    jan = PartialDate.parse("2024-01")
    assert (jan.start, jan.end) == (dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    assert PartialDate.parse("2024-02").end == dt.date(2024, 2, 29)
    assert PartialDate.parse("2023").end == dt.date(2023, 12, 31)
    assert PartialDate.parse("1950s").end == dt.date(1959, 12, 31)
    assert jan.display() == "January 2024"
    assert PartialDate.parse("2024-06-19").display() == "19 June 2024"
    assert PartialDate.parse("1950s").display() == "the 1950s"
    # "January 2024" is not the day 2024-01-01.
    assert jan != PartialDate.parse("2024-01-01")


def test_partial_date_ordering_and_comparisons():
    values = [PartialDate.parse(v) for v in ["2024-06-19", "2024", "2023-09", "2024-06", "2020s", "2024-01-01"]]
    assert [str(v) for v in sorted(values)] == ["2020s", "2023-09", "2024-01-01", "2024", "2024-06", "2024-06-19"]
    year, september = PartialDate.parse("2023"), PartialDate.parse("2023-09")
    assert year.overlaps(september) and september.overlaps(year)
    assert year.contains(september) and not september.contains(year)
    assert not PartialDate.parse("2023-10").overlaps(september)
    assert PartialDate.parse("2020s").contains(year)


@pytest.mark.django_db
def test_overlap_filter_has_partial_date_semantics(make_actor, editor):
    from kb import services

    place = make_actor("Vladivostok", kind="place")
    for slug, start in [
        ("y2023", "2023"),
        ("sep", "2023-09"),
        ("oct", "2023-10"),
        ("day", "2023-09-13"),
        ("d20", "2020s"),
    ]:
        services.event_create(user=editor, title=slug, slug=slug, kind="summit", start_on=start, place=place)
    services.event_create(user=editor, title="undated", slug="undated", kind="other")
    sept = PartialDate.parse("2023-09")
    found = set(Event.objects.filter(overlap_q("start_on", sept.start, sept.end)).values_list("slug", flat=True))
    assert found == {"y2023", "sep", "day", "d20"}
    after = set(Event.objects.filter(overlap_q("start_on", start=dt.date(2023, 9, 20))).values_list("slug", flat=True))
    assert after == {"y2023", "sep", "oct", "d20"}


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2024-06-19", "2024-06", "2024", "2020s", "0900s", "0987-03", None])
def test_partial_date_text_in_the_database_is_the_partial_dates_text(make_actor, value):
    # The exports read partial dates as the query wrote them; they must read as PartialDate does.
    actor = make_actor(start_on=value)
    written = Actor.objects.annotate(text=PartialDateText("start_on")).values_list("text", flat=True).get(pk=actor.pk)
    assert written == (str(actor.start) if value else None)


@pytest.mark.django_db
def test_partial_date_validation_on_models(make_actor):
    actor = make_actor("Someone", kind="person")
    actor.start_on, actor.start_on_precision = dt.date(1984, 1, 8), ""
    with pytest.raises(ValidationError) as exc:
        actor.full_clean()
    assert "start_on_precision" in exc.value.message_dict
    actor.start_on, actor.start_on_precision = None, DatePrecision.YEAR
    with pytest.raises(ValidationError) as exc:
        actor.full_clean()
    assert "start_on" in exc.value.message_dict
    actor.start_on, actor.start_on_precision = dt.date(1984, 3, 1), DatePrecision.YEAR
    with pytest.raises(ValidationError, match="not the first day of its year"):
        actor.full_clean()


# --- alias normalisation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Kim Jong-un", "kim jong un"),
        ("Kim Jong Un", "kim jong un"),
        ("  kim   jong\tun ", "kim jong un"),
        ("KIM JONG–UN", "kim jong un"),
        ("Sŭngri", "sungri"),
        ("Sungri", "sungri"),
        ("Su\u0306ngri", "sungri"),
        ("U.S.", "us"),
        ("People’s Republic of China", "peoples republic of china"),
        ("Pyongyang/Moscow", "pyongyang moscow"),
        ("Straße", "strasse"),
    ],
)
def test_normalize_name(raw, normal):
    assert normalize_name(raw) == normal


@pytest.mark.django_db
def test_alias_spellings_are_one_name(make_actor, editor):
    from kb import selectors, services

    kim = make_actor("Kim Jong-un", kind="person", aliases=["Kim Jong Un"])
    assert kim.aliases.count() == 1  # "Kim Jong Un" normalises like the name
    with pytest.raises(ValidationError, match="already an alias"):
        services.alias_add(user=editor, actor=kim, name="kim jong un")
    plant = make_actor("Sŭngri Motor Complex", kind="facility")
    assert list(selectors.actors_named(name="Sungri Motor Complex", exact=True)) == [plant]
    assert list(selectors.actors_named(name="KIM JONG UN", exact=True)) == [kim]


@pytest.mark.django_db
def test_alias_unique_per_actor_in_database(make_actor):
    kim = make_actor("Kim Jong-un", kind="person")
    with pytest.raises(IntegrityError), transaction.atomic():
        kim.aliases.create(name="Kim Jong Un", normalized="kim jong un")


# --- quote anchoring --------------------------------------------------------------

TEXT = "Kim praised Russia’s “sacred fight”. Kim left.\n\nThe Sŭngri plant makes trucks."


def test_anchor_exact():
    anchor = find_anchor(TEXT, "The Sŭngri plant")
    assert TEXT[anchor.start : anchor.end] == anchor.quote == "The Sŭngri plant"


def test_anchor_ambiguous_needs_occurrence():
    with pytest.raises(AnchorError, match="occurs 2 times") as exc:
        find_anchor(TEXT, "Kim")
    assert exc.value.field == "quote" and exc.value.occurrences == 2
    second = find_anchor(TEXT, "Kim", occurrence=2)
    assert second.start == TEXT.index("Kim left")
    with pytest.raises(AnchorError, match="occurs 2 time") as exc:
        find_anchor(TEXT, "Kim", occurrence=3)
    assert exc.value.field == "occurrence"


def test_anchor_missing_names_quote():
    with pytest.raises(AnchorError, match="does not occur") as exc:
        find_anchor(TEXT, "Putin praised")
    assert exc.value.field == "quote"
    with pytest.raises(AnchorError, match="empty"):
        find_anchor(TEXT, "   ")


def test_anchor_combining_marks_and_curly_quotes():
    # The quote typed with a combining breve finds the precomposed ŭ of the text.
    decomposed = find_anchor(TEXT, "The Su\u0306ngri plant")
    assert decomposed.quote == "The Sŭngri plant"
    # Straight quotes pasted for the text's curly ones: the stored quote is the text's own.
    straight = find_anchor(TEXT, 'Russia\'s "sacred fight"')
    assert straight.quote == "Russia’s “sacred fight”"
    assert TEXT[straight.start : straight.end] == straight.quote


def test_check_anchor_and_paragraph():
    start = TEXT.index("The Sŭngri")
    check_anchor(TEXT, "The Sŭngri", start, start + 10)
    with pytest.raises(AnchorError, match="reads"):
        check_anchor(TEXT, "The Sungri", start, start + 10)
    with pytest.raises(AnchorError, match="out of range") as exc:
        check_anchor(TEXT, "x", len(TEXT), len(TEXT) + 1)
    assert exc.value.field == "start"
    para = paragraph_around(TEXT, start + 4, start + 10)
    assert TEXT[para[0] : para[1]] == "The Sŭngri plant makes trucks."


def test_clean_text_is_canonical():
    raw = "\ufeffTitle\r\n\r\n\r\n  Body  with\u00a0 spaces \u200b\nSu\u0306ngri"
    cleaned = clean_text(raw)
    assert cleaned == "Title\n\nBody with spaces\nSŭngri"
    assert clean_text(cleaned) == cleaned


# --- database constraints (behind the services' back) ------------------------------


@pytest.mark.django_db
def test_claim_constraints_hold_in_database(make_claim):
    claim = make_claim()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(end=claim.end + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(quote="", start=0, end=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(credibility=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status="maybe")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(source=claim.source, quote=claim.quote, start=claim.start, end=claim.end, modality="fact")


@pytest.mark.django_db
def test_other_constraints_hold_in_database(make_actor, make_source, editor):
    from kb import services

    ru, kp = make_actor("Russia"), make_actor("North Korea")
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(subject=ru, object=ru, predicate="ally_of")
    with pytest.raises(IntegrityError), transaction.atomic():
        ArmsTransfer.objects.create(
            supplier=kp,
            recipient=ru,
            category="artillery",
            description="shells",
            status="reported",
            quantity_low=10,
            quantity_high=5,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(title="x", slug="x", kind="summit", start_on=dt.date(2023, 9, 1))
    source = make_source()
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(title="dup", publisher="p", text=source.text, sha256=source.sha256)
    with pytest.raises(IntegrityError), transaction.atomic():
        Actor.objects.create(name="", slug="empty", kind="state")
    with pytest.raises(IntegrityError), transaction.atomic():
        Actor.objects.create(name="Mars", slug="mars", kind="planet")
    services.actor_update(ru, user=editor, wikidata_id="Q159")
    with pytest.raises(IntegrityError), transaction.atomic():
        Actor.objects.filter(pk=kp.pk).update(wikidata_id="Q159")
