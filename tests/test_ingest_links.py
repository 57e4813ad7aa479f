"""Records a sentence cites without naming them: events by kind, place, time and participants; transfers by
parties and what was sent; the signing of a cited agreement; "the war" once an article names its war."""

import pytest

from kb import services
from kb.dates import PartialDate
from kb.ingest.links import EventCue, RecordCues, TransferCue, designation_words, refers_to_war, title_words
from kb.ingest.names import PhraseIndex
from kb.ingest.proposals import analyse

PUBLISHED = PartialDate.parse("2025-06-20")


def day(value: str) -> PartialDate:
    return PartialDate.parse(value)


@pytest.fixture
def cues() -> RecordCues:
    return RecordCues(
        events=[
            EventCue(
                "vostochny", "summit", day("2023-09"), place="vostochny", participants=frozenset({"kju", "putin"})
            ),
            EventCue(
                "vladivostok", "summit", day("2019"), place="vladivostok", participants=frozenset({"kju", "putin"})
            ),
            EventCue("trip", "visit", day("2023-09-12"), place="far-east", participants=frozenset({"kju", "ru"})),
            EventCue("2019-trip", "visit", day("2019-04"), place="ru", participants=frozenset({"kju"})),
            EventCue("signing", "signing", day("2024-06-19"), place="pyongyang", agreement="csp"),
            EventCue("invasion", "war", day("2022"), place="ukraine", participants=frozenset({"ru", "ua"})),
        ],
        transfers=[
            TransferCue("shells", "nk", "ru", "artillery", start=day("2022")),
            TransferCue("ammo", "nk", "ru", "ammunition", "weapons and ammunition (expected sales)", start=day("2023")),
            TransferCue("missiles", "nk", "ru", "missiles", "short-range missiles", start=day("2024")),
            TransferCue("iran", "nk", "ir", "missiles"),
            TransferCue("satellite", "ru", "nk", "technology", "satellite programme assistance"),
            TransferCue("submarine", "ru", "nk", "technology", "submarine technology"),
        ],
        states={"ru", "nk", "ua", "ir"},
    )


def cited(cues, text, *, places=(), actors=(), pair=("nk", "ru"), dates=(), agreements=()):
    return cues.cited(
        text,
        places=frozenset(places),
        actors=frozenset(actors),
        pair=pair,
        dates=[day(d) for d in dates],
        agreements=agreements,
    )


def test_an_event_is_cited_by_its_kind_place_and_time(cues):
    text = "He met Putin at the Vostochny Cosmodrome in September 2023."
    assert cited(cues, text, places={"putin", "vostochny"}, actors={"putin", "vostochny"}, dates=["2023-09"]) == [
        "vostochny"
    ]
    # the same words with a date outside its time cite nothing; without a word of meeting, nothing either
    assert cited(cues, text, places={"putin", "vostochny"}, actors={"putin", "vostochny"}, dates=["2019"]) == []
    assert cited(cues, "The Vostochny Cosmodrome was built in 2023.", places={"vostochny"}, dates=["2023"]) == []


def test_a_time_and_a_participant_tell_one_visit_from_another(cues):
    # Russia, the place of another visit, is one who took part in this one: it does not put the trip elsewhere
    assert cited(cues, "He travelled to Russia in September 2023.", actors={"ru"}, dates=["2023-09"]) == ["trip"]
    assert cited(cues, "He travelled to Russia in April 2019.", actors={"ru"}, dates=["2019-04"]) == ["2019-trip"]
    # no time, and a state for a place: any visit to Russia
    assert cited(cues, "He travelled to Russia.", places={"ru"}, actors={"ru"}) == []


def test_two_events_that_fit_equally_cite_neither(cues):
    # "Kim met Putin": both summits had both men; no place, no time
    assert cited(cues, "Kim met Putin at a summit.", actors={"kju", "putin"}) == []


def test_signing_a_cited_agreement_cites_its_signing_but_signing_a_later_step_does_not(cues):
    assert cited(cues, "Later that day they signed the treaty.", agreements=["csp"]) == ["signing"]
    assert cited(cues, "Putin signed the ratification law.", agreements=["csp"]) == []


def test_a_transfer_is_cited_by_its_parties_and_what_was_sent(cues):
    text = "North Korea has shipped about 5 million artillery shells and some ammunition to Russia."
    assert cited(cues, text, actors={"nk", "ru"}) == ["shells"]  # the shells say which ammunition
    assert cited(cues, "North Korea has sent Russia KN-23 ballistic missiles.", actors={"nk", "ru"}) == ["missiles"]
    # the recipient named decides between two suppliers' missiles
    assert cited(cues, "North Korea sold missiles to Iran.", actors={"nk", "ir"}) == ["iran"]
    # a date before the deliveries began: not those deliveries
    assert cited(cues, "North Korea sent Russia shells in 2019.", actors={"nk", "ru"}, dates=["2019"]) == []
    # ammunition without shells is the ammunition's, not the artillery's
    text = "North Korea is expected to sell weapons and ammunition to Russia."
    assert cited(cues, text, actors={"nk", "ru"}) == ["ammo"]


def test_a_designations_own_words_cite_it_and_give_the_direction(cues):
    text = (
        "Officials in Seoul say it includes help with satellite launches and perhaps submarine or missile "
        "re-entry technology."
    )
    # neither party named: the article's two states; the missiles are North Korea's, not what Russia gave
    assert sorted(cited(cues, text, actors={"kr"})) == ["satellite", "submarine"]
    assert designation_words("satellite programme assistance") == {"satellite"}
    assert designation_words("weapons from warehouse stockpiles") == {"warehouse", "stockpile"}


def test_the_war_cites_the_war_the_article_names():
    actors = PhraseIndex([("Russia", "ru"), ("Ukraine", "ua"), ("North Korea", "nk")])
    # Ukraine is a state, yet place enough for a war without a date
    cues = RecordCues(
        events=[EventCue("invasion", "war", day("2022"), place="ua", participants=frozenset({"ru"}))],
        states={"ru", "ua", "nk"},
    )
    text = (
        "North Korea backs the war in Ukraine with shells and troops.\n"
        "The partnership between Russia and North Korea has limits, and they will show the moment the war ends."
    )
    first, second = analyse(text, actors=actors, published=PUBLISHED, cues=cues).proposals
    assert (first.links, second.links) == (["invasion"], ["invasion"])
    # without a war named anywhere, "the war" cites nothing
    (alone,) = analyse(text.split("\n")[1], actors=actors, published=PUBLISHED, cues=cues).proposals
    assert alone.links == []


# --- through the service --------------------------------------------------------------------


def test_ingest_cites_the_events_and_transfers_an_article_speaks_of(make_actor, editor):
    nk = make_actor("North Korea", aliases=["DPRK"], country_code="KP")
    ru = make_actor("Russia", country_code="RU")
    kim = make_actor("Kim Jong Un", kind="person")
    putin = make_actor("Vladimir Putin", kind="person", aliases=["Putin"])
    cosmodrome = make_actor("Vostochny Cosmodrome", kind="facility")
    summit = services.event_create(
        user=editor,
        title="Summit at the Vostochny Cosmodrome",
        kind="summit",
        start_on="2023-09-13",
        start_on_precision="day",
        place=cosmodrome,
        participants=[kim, putin, nk, ru],
    )
    services.event_create(
        user=editor,
        title="Vladivostok summit",
        kind="summit",
        start_on="2019-04-25",
        start_on_precision="day",
        participants=[kim, putin],
    )
    shells = services.transfer_create(
        user=editor,
        supplier=nk,
        recipient=ru,
        category="artillery",
        description="Shells.",
        status="reported",
        start_on="2023-01-01",
        start_on_precision="year",
    )
    text = (
        "Kim Jong Un last met Putin at the Vostochny Cosmodrome in September 2023.\n"
        "Since then North Korea has shipped millions of artillery shells to Russia, officials in Seoul say."
    )
    result = services.source_ingest(
        user=editor,
        content=text.encode(),
        filename="a.txt",
        title="Kim and Putin",
        publisher="Wire",
        published_on="2025-06-20",
    )
    met, shipped = result.claims
    assert list(met.events.all()) == [summit]
    assert list(shipped.transfers.all()) == [shells]


def test_a_transfer_between_others_is_not_the_articles(cues):
    # the sentence names who sent and who received: not the article's two states, whoever speaks
    text = "Russia has sent artillery shells to Iran, officials in North Korea said."
    named = frozenset({"ru", "ir", "nk"})
    parties = frozenset({"ru", "ir"})  # not who speaks
    assert cues.cited(text, places=named, actors=named, parties=parties, to=frozenset({"ir"}), pair=("nk", "ru")) == []
    assert (
        cues.cited(
            "Iran has sent artillery shells to Russia.",
            places=frozenset(),
            actors=frozenset({"ir", "ru"}),
            parties=frozenset({"ir", "ru"}),
            to=frozenset({"ru"}),
            pair=("nk", "ru"),
        )
        == []
    )


def test_another_kinds_place_does_not_put_an_event_elsewhere(cues):
    text = "Kim Jong Un met Vladimir Putin in September 2023 as the war in Ukraine ground on."
    assert sorted(
        cited(cues, text, places={"kju", "putin", "ua"}, actors={"kju", "putin", "ua"}, dates=["2023-09"])
    ) == [
        "invasion",
        "vostochny",
    ]
    assert not refers_to_war("The front page of Rodong Sinmun carried the photo.")
    assert refers_to_war("Russia's war drags on along the front line.")


def test_two_agreements_signed_on_one_day_leave_the_signing_to_the_editor(make_actor, editor):
    nk = make_actor("North Korea", country_code="KP")
    ru = make_actor("Russia", country_code="RU")
    for title in ("Comprehensive Strategic Partnership", "Agreement on zoological cooperation"):
        services.agreement_create(
            user=editor,
            title=title,
            kind="treaty",
            status="signed",
            parties=[nk, ru],
            signed_on="2024-06-19",
            signed_on_precision="day",
        )
    services.event_create(
        user=editor,
        title="Signing in Pyongyang",
        kind="signing",
        start_on="2024-06-19",
        start_on_precision="day",
        participants=[nk, ru],
    )
    text = "Russia and North Korea signed the Comprehensive Strategic Partnership, officials said."
    result = services.source_ingest(
        user=editor,
        content=text.encode(),
        filename="a.txt",
        title="Signed",
        publisher="Wire",
        published_on="2024-06-20",
    )
    (claim,) = result.claims
    assert [a.title for a in claim.agreements.all()] == ["Comprehensive Strategic Partnership"]
    assert not claim.events.exists()


def test_a_country_and_someone_who_took_part_place_a_summit_and_a_report_is_a_publication():
    cues = RecordCues(
        events=[
            EventCue("hanoi", "summit", day("2019"), place="vn", participants=frozenset({"kju", "trump", "us"})),
            EventCue("report", "publication", day("2022-09"), participants=frozenset({"nyt", "ru", "nk"})),
            EventCue("invasion", "war", day("2022"), place="ua", participants=frozenset({"ru", "ua"})),
        ],
        states={"vn", "us", "ru", "nk", "ua"},
    )
    # a country as the place, with another who took part: enough without a date
    assert cited(cues, "It came after the failed Vietnam summit with Trump.", actors={"vn", "trump"}) == ["hanoi"]
    assert cited(cues, "It came after a summit in Vietnam.", actors={"vn"}) == []
    # a report, published when it was, by one who took part
    text = "In early September 2022, The New York Times published a story about Russia."
    assert cited(cues, text, actors={"nyt", "ru"}, dates=["2022-09"]) == ["report"]
    assert cited(cues, text, actors={"nyt", "ru"}, dates=["2023-09"]) == []
    # an army that moved into a country invaded it
    assert cited(cues, "Days after Russia's military moved into Ukraine, it was over.", actors={"ru", "ua"}) == [
        "invasion"
    ]


def test_an_event_of_no_kind_is_cited_by_its_titles_words():
    cues = RecordCues(
        events=[
            EventCue(
                "closure",
                "other",
                day("2020s"),
                participants=frozenset({"nk"}),
                title="North Korea's Covid-19 border closure",
            ),
            EventCue(
                "dormant",
                "other",
                day("1990s"),
                place="sungri",
                participants=frozenset({"nk"}),
                title="Sŭngri chemical plant goes dormant",
            ),
        ],
        states={"nk"},
    )
    assert title_words("North Korea's Covid-19 border closure") == {"covid-19", "border", "closur"}
    text = "Even during North Korea's almost total border closure during Covid-19, factories ran."
    assert cited(cues, text, actors={"nk"}) == ["closure"]
    assert cited(cues, "North Korea closed a border crossing.", actors={"nk"}) == []
    # one word of the title with its time and one who took part; "since" starts a period that is still going on
    text = "This facility has laid dormant since the early 1990s, and North Korea could refine oil there."
    assert cues.cited(text, places=frozenset(), actors=frozenset({"nk"}), since=[day("1990s")]) == ["dormant"]
    assert cues.cited(text, places=frozenset(), actors=frozenset({"nk"}), dates=[day("2010s")]) == []
    # the words of a name the sentence gives are the place's, not what happened to it
    named = "Russia could supply the Sŭngri chemical plant with oil."
    blank = "Russia could supply the                     with oil."
    assert cues.cited(named, places=frozenset({"sungri"}), actors=frozenset({"sungri"}), unnamed=blank) == []


def test_since_then_reaches_what_came_after_and_met_picks_the_summit_over_a_meeting():
    cues = RecordCues(
        events=[
            EventCue("trip", "visit", day("2023-09"), place="far-east", participants=frozenset({"kju", "ru"})),
            EventCue("vladivostok", "summit", day("2019"), participants=frozenset({"kju", "putin", "nk", "ru"})),
            EventCue("dialogue", "meeting", day("2018"), day("2019"), participants=frozenset({"nk", "us"})),
        ],
        states={"nk", "ru", "us"},
    )
    text = "Since then, ties have grown, culminating in Kim's trip to Russia."
    assert cues.cited(text, places=frozenset(), actors=frozenset({"kju", "ru"}), since=[day("2022-09")]) == ["trip"]
    assert cues.cited(text, places=frozenset(), actors=frozenset({"kju", "ru"}), dates=[day("2022-09")]) == []
    text = "North Korea had little contact with Russia, but Kim met Putin in 2019."
    assert cited(cues, text, actors={"nk", "ru", "kju", "putin"}, dates=["2019"]) == ["vladivostok"]


def test_this_meeting_is_the_one_the_sentence_before_cited(make_actor, editor):
    nk = make_actor("North Korea", country_code="KP")
    ru = make_actor("Russia", country_code="RU")
    kim = make_actor("Kim Jong Un", kind="person")
    putin = make_actor("Vladimir Putin", kind="person", aliases=["Putin"])
    summit = services.event_create(
        user=editor,
        title="Vladivostok summit",
        kind="summit",
        start_on="2019-04-25",
        start_on_precision="day",
        participants=[kim, putin, nk, ru],
    )
    text = (
        "Kim Jong Un met Putin in April 2019 for the first time.\n"
        "This meeting came shortly after a failed summit elsewhere, and North Korea took note."
    )
    result = services.source_ingest(
        user=editor, content=text.encode(), filename="a.txt", title="T", publisher="Wire", published_on="2024-07-01"
    )
    met, this = result.claims
    assert list(met.events.all()) == [summit]
    assert list(this.events.all()) == [summit]


def test_arms_cite_a_transfer_the_designation_calls_arms_and_buyers_named_together_each_theirs():
    cues = RecordCues(
        transfers=[
            TransferCue("arms", "nk", "ru", "other", "arms (unspecified)"),
            TransferCue("expected", "nk", "ru", "ammunition", "weapons and ammunition (expected sales)", planned=True),
            TransferCue("syria", "nk", "sy", "missiles"),
            TransferCue("iran", "nk", "ir", "missiles"),
        ],
        states={"nk", "ru", "sy", "ir"},
    )
    # both named: "arms" are the arms (unspecified); not with the pair standing in, nor "nuclear weapons"
    assert cited(cues, "By selling arms to Russia, North Korea bolsters its economy.", actors={"nk", "ru"}) == ["arms"]
    assert cited(cues, "North Korea sells arms abroad.", actors={"nk"}) == []
    assert cited(cues, "Russia backs North Korea's nuclear weapons.", actors={"nk", "ru"}) == []
    # an expected transfer, in a sentence on what is to come
    text = "It would be close to a monopoly buyer of North Korean weapons."
    assert cues.cited(text, places=frozenset(), actors=frozenset({"nk"}), pair=("nk", "ru"), future=True) == [
        "expected"
    ]
    assert cues.cited(text, places=frozenset(), actors=frozenset({"nk"}), pair=("nk", "ru")) == []
    # two buyers named together: each one's missiles
    text = "Figures show North Korean missiles being purchased by Syria and Iran."
    assert sorted(cited(cues, text, actors={"nk", "sy", "ir"})) == ["iran", "syria"]
