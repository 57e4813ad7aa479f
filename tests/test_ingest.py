"""Ingest: text extraction, sentence splitting, detection rules, the source_ingest service and ingest_article."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command, load_command_class

from kb import services
from kb.api.ingest import IngestResultSerializer
from kb.choices import ClaimStatus, Modality
from kb.dates import PartialDate
from kb.ingest.candidates import find_candidates
from kb.ingest.dates import find_dates
from kb.ingest.extract import ArticleInputError, article_text
from kb.ingest.modality import detect_modality
from kb.ingest.names import PhraseIndex, demonyms, title_phrases
from kb.ingest.proposals import analyse
from kb.ingest.split import split_sentences
from kb.models import Actor, Claim, Source
from kb.services import ingest as ingest_service
from tests.helpers import ingest

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = PartialDate.parse("2024-07-01")


def sentences(text: str) -> list[str]:
    found = split_sentences(text)
    for s in found:
        assert text[s.start : s.end] == s.text
    return [s.text for s in found]


# --- sentence splitting ------------------------------------------------------------


def test_split_keeps_abbreviations_inside_sentences():
    text = (
        "The U.S. President met Mr. Kim on Dec. 4 in Seoul. On Sept. 12, 2023, Kim Jong Un travelled to Russia. "
        "Donald J. Trump left early. It was 3.5 km away."
    )
    assert sentences(text) == [
        "The U.S. President met Mr. Kim on Dec. 4 in Seoul.",
        "On Sept. 12, 2023, Kim Jong Un travelled to Russia.",
        "Donald J. Trump left early.",
        "It was 3.5 km away.",
    ]


def test_split_ends_a_sentence_at_an_abbreviation_before_a_sentence_opener():
    assert sentences("Sanctions came from the U.S. The talks stalled. It rained etc. and more.") == [
        "Sanctions came from the U.S.",
        "The talks stalled.",
        "It rained etc. and more.",
    ]


def test_split_handles_hyphenated_initialisms_quotes_and_lines():
    text = 'Talks with then-U.S. President Donald Trump failed. He said "It is over." Then he left!\nA heading'
    assert sentences(text) == [
        "Talks with then-U.S. President Donald Trump failed.",
        'He said "It is over."',
        "Then he left!",
        "A heading",
    ]


# --- actors, candidates ------------------------------------------------------------


@pytest.fixture
def index() -> PhraseIndex:
    return PhraseIndex(
        [
            ("North Korea", "nk"),
            ("DPRK", "nk"),
            ("Korea", "korea"),
            ("Kim Jong-un", "kju"),
            ("Kim Jong Un", "kju"),
            ("Russia", "ru"),
            ("U.S.", "us"),
            ("Sŭngri", "sungri"),
            ("People's Republic of China", "cn"),
        ]
    )


def test_actors_longest_match_first_on_word_boundaries(index):
    text = "North Korea and the DPRK’s leader Kim Jong Un met Russian officials; Korea was divided."
    found = [(m.surface, m.keys) for m in index.find(text)]
    assert found == [
        ("North Korea", ("nk",)),
        ("DPRK", ("nk",)),
        ("Kim Jong Un", ("kju",)),
        ("Korea", ("korea",)),
    ]  # "Russian" is not "Russia": whole words only


def test_actors_through_normalised_aliases(index):
    text = "Kim Jong-un visited the Sungri plant, then the People’s Republic of China and the US; let us go."
    found = [(text[m.start : m.end], m.keys[0]) for m in index.find(text)]
    assert found == [("Kim Jong-un", "kju"), ("Sungri", "sungri"), ("People’s Republic of China", "cn"), ("US", "us")]


def test_candidates_are_unknown_capitalised_names(index):
    text = (
        "The Stockholm International Peace Research Institute counted arms. "
        "But Donald Trump met North Korean officials in June. Kim Jong Un met Vladimir Putin."
    )
    adjectives = PhraseIndex((form, "nk") for form in demonyms("North Korea"))
    known = [*index.find(text), *adjectives.find(text)]
    assert find_candidates(text, known) == [
        "Stockholm International Peace Research Institute",
        "Donald Trump",
        "Vladimir Putin",
    ]


def test_demonyms():
    assert demonyms("Russia") == ["Russian"]
    assert demonyms("North Korea") == ["North Korean"]
    assert demonyms("Ukraine") == ["Ukrainian"]
    assert demonyms("Soviet Union") == ["Soviet", "Soviet Unionian"]
    assert demonyms("China") == ["Chinese", "Chinan"]


def test_title_phrases_give_the_distinctive_core():
    assert title_phrases("Treaty on Comprehensive Strategic Partnership between Russia and the DPRK") == [
        "Treaty on Comprehensive Strategic Partnership between Russia and the DPRK",
        "Comprehensive Strategic Partnership",
    ]


# --- dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("inked in Pyongyang on June 19 last month", "2024-06-19"),
        ("signed on 19 June 2024 in Pyongyang", "2024-06-19"),
        ("On Sept. 12, 2023, he travelled", "2023-09-12"),
        ("met in September 2023 at Vostochny", "2023-09"),
        ("in early September 2022 the Times", "2022-09"),
        ("By January this year, reports", "2024-01"),
        ("met Putin in 2019 in Vladivostok", "2019"),
        ("a recipient state in the 1950s", "1950s"),
        ("registers post-2022 indicate", "2022"),
        ("After the Korean War (1950–53), Kim", "1950s"),
        ("throughout the 1970s and 80s", "1970s"),
    ],
)
def test_date_expressions_become_partial_dates(text, expected):
    dates = find_dates(text, PUBLISHED)
    assert dates, text
    assert str(dates[0].date) == expected


def test_dates_without_a_year_are_the_nearest_before_publication():
    january = PartialDate.parse("2024-01-10")
    assert [str(d.date) for d in find_dates("by Dec. 4 the talks had ended", january)] == ["2023-12-04"]
    assert [str(d.date) for d in find_dates("talks on March 3", january)] == ["2024-03-03"]
    assert [str(d.date) for d in find_dates("talks on March 3", PartialDate.parse("2024"))] == ["2024-03-03"]


def test_date_qualifiers_and_impossible_dates():
    (post,) = find_dates("registers post-2022 indicate", PUBLISHED)
    assert (post.surface, post.qualifier) == ("post-2022", "post")
    assert [str(d.date) for d in find_dates("the 1970s and 80s", PUBLISHED)] == ["1970s", "1980s"]
    assert find_dates("on February 30 nothing happened", PUBLISHED) == []
    assert find_dates("it cost 2,000 won", PUBLISHED) == []


# --- modality ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "modality"),
    [
        ("North Korea is expected to sell artillery shells to Russia.", Modality.FORECAST),
        ("Russia will send engineers to the plant next year.", Modality.FORECAST),
        ("The deal is likely to include oil deliveries.", Modality.FORECAST),
        ("North Korea could refine crude oil there.", Modality.FORECAST),
        ("The shells appear to come from old stockpiles.", Modality.ASSESSMENT),
        ("This suggests a rise in imports.", Modality.ASSESSMENT),
        ("Russia would gain a reliable supplier.", Modality.FORECAST),
        ("Russia would have gained a reliable supplier.", Modality.ASSESSMENT),
        ("The regime need not fear Russia, as it would with Western partners.", Modality.FACT),
        ("Kim can thank his grandfather for any exports that may come about in the future.", Modality.FACT),
        ("Pyongyang aims to secure Moscow's backing against sanctions.", Modality.FACT),
        ("Russia needed shells in 2023 because its own factories could not keep up.", Modality.ASSESSMENT),
        ("The death of Kim Jong Il in 2011 meant the country was a state of concern.", Modality.ASSESSMENT),
        ("These underscore the evolving relationship.", Modality.ASSESSMENT),
        ("It allows North Korea to position itself as a counterbalance.", Modality.ASSESSMENT),
        ("One constant has always been its relationship with arms.", Modality.ASSESSMENT),
        ("It would be a mistake to answer a transactional partnership with panic.", Modality.OPINION),
        ("North Korea may send labourers next year.", Modality.FORECAST),
        ("North Korea is likely asking for submarine technology.", Modality.ASSESSMENT),
        ("Factories have likely been better maintained than others.", Modality.ASSESSMENT),
        ("Sanctions should be tightened at once.", Modality.OPINION),
        ("The treaty was signed in Pyongyang.", Modality.FACT),
        ("Xi may have shared a stage with Kim and Putin.", Modality.ASSESSMENT),
        ("Moscow might have delivered the parts in secret.", Modality.ASSESSMENT),
        ("The Kremlin has not announced whether Kim will travel to Russia first.", Modality.FACT),
        ("An alliance is measured by what each side will risk for the other.", Modality.FACT),
        ("Officials who will attend the summit arrived in Moscow.", Modality.FACT),
        ("If the war drags on, North Korea could seek more technology.", Modality.FORECAST),
        ("Russia will send more troops, which may help.", Modality.FORECAST),
    ],
)
def test_modality_from_the_wording(sentence, modality):
    assert detect_modality(sentence).modality == modality


@pytest.mark.parametrize(
    ("sentence", "who"),
    [
        ("Vladimir Putin said the talks went well.", "Vladimir Putin"),
        ("The talks went well, according to the Kremlin.", "the Kremlin"),
        ("The Russian leader called it a statement of ambition.", "The Russian leader"),
        ("Shells were shipped in August, South Korean officials said.", "South Korean officials"),
        ("The talks went well, said Dmitry Peskov.", "Dmitry Peskov"),
        ("Russian trade registers post-2022 indicate an import trend.", "Russian trade registers"),
        ("By January, White House reports indicated that Russia had begun.", "White House reports"),
        ("Kim, in turn, praised Russia's war in Ukraine.", "Kim"),
        ("Days later, Pyongyang justified Russia's actions.", "Pyongyang"),
        ("Until now both governments had dismissed the reports as fake news.", "both governments"),
        ("When they signed it in 2024, many commentators described it as an alliance.", "many commentators"),
        ("Diplomats in Seoul expect another meeting next June.", "Diplomats in Seoul"),
        ("Western officials suspect that Russia has supplied air-defence systems.", "Western officials"),
        ("South Korean officials believe the help put a satellite into orbit.", "South Korean officials"),
        ("The Joint Chiefs of Staff estimated in March that shells were shipped.", "The Joint Chiefs of Staff"),
        ("At Vostochny, Putin made plain that Russia was ready to help.", "Putin"),
        ("Choe Son Hui, for her part, reiterated that Pyongyang supports Moscow.", "Choe Son Hui"),
        ("Putin made it clear that Russia would help.", "Putin"),
        ("Lavrov recalled that the two countries had fought together.", "Lavrov"),
    ],
)
def test_statements_are_attributed(sentence, who):
    cue = detect_modality(sentence)
    assert (cue.modality, cue.attributed_to) == (Modality.STATEMENT, who)


@pytest.mark.parametrize(
    ("sentence", "who"),
    [
        (
            "Russia's chief of the General Staff, Valery Gerasimov, announced that the region was freed.",
            "Valery Gerasimov",
        ),
        ("Its speaker, Vyacheslav Volodin, said the vote showed resolve.", "Vyacheslav Volodin"),
        (
            "Lee Seong-kweon, a member of parliament's intelligence committee, said the North could gain.",
            "Lee Seong-kweon",
        ),
        (
            "South Korea's National Intelligence Service (NIS) has estimated that 11,000 soldiers were sent.",
            "South Korea's National Intelligence Service",
        ),
        (
            "SEOUL, April 28 (Eastline) - North Korea confirmed that its troops fought, days after Moscow said so.",
            "North Korea",
        ),
        (
            "In Seoul, the acting president's office called the deployment a grave violation.",
            "the acting president's office",
        ),
        (
            '"This is the first war," President Volodymyr Zelensky wrote on social media.',
            "President Volodymyr Zelensky",
        ),
        (
            '"They learned fast," said one Seoul-based researcher, who asked not to be named.',
            "one Seoul-based researcher",
        ),
        (
            '"Shells were only the first chapter," said Park Ji-hoon, a researcher at an institute in Seoul.',
            "Park Ji-hoon",
        ),
        ('"Moscow will need the North far less," said Mikhail Dorofeev, a former diplomat.', "Mikhail Dorofeev"),
        ("North Korea has sent shells and, by South Korean estimates, some 11,000 troops.", "South Korean estimates"),
        ("Russian officials describe them as students and trainees.", "Russian officials"),
    ],
)
def test_statements_name_the_speaker_in_apposition_and_after_a_dateline(sentence, who):
    cue = detect_modality(sentence)
    assert (cue.modality, cue.attributed_to) == (Modality.STATEMENT, who)


@pytest.mark.parametrize(
    "sentence",
    [
        "Moscow has not confirmed it.",
        "The Kremlin has not said whether Kim will travel to Russia first.",
        "Beijing, for its part, has said nothing in public about North Korean troops in Russia.",
        "The two countries signed a treaty that promises mutual military assistance.",
        "Kim unveiled what state media called a nuclear-powered submarine.",
        # passives, and verbs that speak only before "that"
        "Kim Jong Un is believed to have travelled by train.",
        "North Korea is suspected of supplying missiles to Russia.",
        "North Korea recalled its ambassador in 2024.",
        "Vladimir Putin welcomed Kim Jong Un at the Vostochny cosmodrome.",
        "Ukrainian soldiers found documents that identified the dead as North Koreans.",
        "Kim visited the plant, praised the Su-35, a fighter jet, and left.",
    ],
)
def test_silence_and_relative_clauses_are_not_statements(sentence):
    assert detect_modality(sentence).modality != Modality.STATEMENT


def test_he_she_and_the_minister_speak_for_the_last_named_speaker(index):
    text = (
        "Kim Jong Un said that the talks went well in Pyongyang.\n"
        "He stressed that North Korea remains faithful to its obligations.\n"
        "Their joint military exercises, he said, were a dangerous escalation.\n"
        "Sergei Lavrov told reporters that Russia would stand firm.\n"
        "The minister stressed that Russia needs no permission.\n"
        "She also rejected the statement as interference by Russia."
    )
    proposals = analyse(text, actors=index, published=PUBLISHED).proposals
    assert [(p.modality, p.attributed_to, p.speaker) for p in proposals] == [
        (Modality.STATEMENT, "Kim Jong Un", "kju"),
        (Modality.STATEMENT, "Kim Jong Un", "kju"),
        (Modality.STATEMENT, "Kim Jong Un", "kju"),
        (Modality.STATEMENT, "Sergei Lavrov", None),
        (Modality.STATEMENT, "Sergei Lavrov", None),
        (Modality.STATEMENT, "Sergei Lavrov", None),
    ]
    # a quotation closed by "he said" goes on with the last named speaker; the quote's "We" is not a speaker
    quoted = analyse(
        'Sergei Lavrov told reporters that Russia would stand firm.\n"We have said so many times," he said.',
        actors=index,
        published=PUBLISHED,
    ).proposals
    assert [(p.modality, p.attributed_to) for p in quoted] == [(Modality.STATEMENT, "Sergei Lavrov")] * 2
    # "The Ukrainian president said" is his, not the last speaker's; '"…," he said' after a person is theirs
    others = analyse(
        "Sergei Lavrov told reporters that Russia would stand firm.\n"
        "The Ukrainian president said North Korean troops had been killed.\n"
        'Kim Jong Un arrived in Moscow in June 2024. "We are brothers in arms," he said.',
        actors=index,
        published=PUBLISHED,
        people={"kju"},
    ).proposals
    assert [p.attributed_to for p in others] == [
        "Sergei Lavrov",
        "The Ukrainian president",
        "",
        "Kim Jong Un",
    ]
    # a quotation standing alone goes on with the one quoted before it in its paragraph, not in the next one
    alone = analyse(
        '"Shells were the first chapter," said Park Ji-hoon, a researcher. "What matters now is what Russia gives."\n'
        '"North Korea will want more from Russia."',
        actors=index,
        published=PUBLISHED,
    ).proposals
    assert [(p.modality, p.attributed_to) for p in alone] == [
        (Modality.STATEMENT, "Park Ji-hoon"),
        (Modality.STATEMENT, "Park Ji-hoon"),
        (Modality.FORECAST, ""),
    ]
    # without a named speaker before it, a pronoun speaks for nobody known
    alone = analyse("He stressed that North Korea remains faithful.", actors=index, published=PUBLISHED).proposals
    assert (alone[0].attributed_to, alone[0].speaker) == ("", None)


def test_who_issued_a_statement_speaks_in_the_sentences_that_quote_it(index):
    text = (
        "Sergei Lavrov said that Russia would stand firm in 2024.\n"
        "On the same day Choe Son Hui, minister of Foreign Affairs, issued a press statement on the talks.\n"
        "She said that North Korea would stand by Russia.\n"
        "KCNA carried a statement from the party's Central Military Commission on the troops in Russia.\n"
        "The statement said the troops of North Korea had fought with honour."
    )
    proposals = analyse(text, actors=index, published=PUBLISHED).proposals
    assert [p.attributed_to for p in proposals if p.quote.startswith(("She", "The statement"))] == [
        "Choe Son Hui",
        "Central Military Commission",
    ]
    report = (
        "Last month the Sanctions Monitoring Team, formed by eleven governments, published its second report.\n"
        "It found that North Korea had sent Russia 9 million shells in 2024."
    )
    found = analyse(report, actors=index, published=PUBLISHED).proposals
    assert (found[-1].modality, found[-1].attributed_to) == (Modality.STATEMENT, "Sanctions Monitoring Team")


def test_a_possessor_is_not_the_speaker(index):
    text = (
        "Russia's defence ministry said that troops fought in March 2024.\nRussia said that troops fought in May 2024."
    )
    first, second = analyse(text, actors=index, published=PUBLISHED).proposals
    assert (first.attributed_to, first.speaker) == ("Russia's defence ministry", None)
    assert (second.attributed_to, second.speaker) == ("Russia", "ru")


def test_an_official_readout_is_the_agencys_statement(index):
    text = (
        "Pyongyang, June 18 (KCNA)\n"
        "Kim Jong Un received the Russian envoy on June 17.\n"
        "The talks proceeded in a friendly atmosphere.\n"
        "Kim Jong Un said that the treaty is a powerful legal basis.\n"
        "He left the capital in the evening."
    )
    proposals = analyse(text, actors=index, published=PUBLISHED, kind="official").proposals
    assert [(p.quote[:12], p.modality, p.attributed_to) for p in proposals] == [
        ("Kim Jong Un ", Modality.STATEMENT, "KCNA"),
        ("The talks pr", Modality.STATEMENT, "KCNA"),
        ("Kim Jong Un ", Modality.STATEMENT, "Kim Jong Un"),
        ("He left the ", Modality.STATEMENT, "KCNA"),
    ]
    # without a dateline's agency, the publisher issues the readout
    released = analyse(
        text.partition("\n")[2], actors=index, published=PUBLISHED, kind="official", publisher="Foreign Ministry"
    ).proposals
    ministry = "Foreign Ministry"
    assert [p.attributed_to for p in released] == [ministry, ministry, "Kim Jong Un", ministry]
    # in a news article the same sentences are the reporter's facts
    news = analyse(text, actors=index, published=PUBLISHED).proposals
    assert news[0].modality == Modality.FACT and news[0].attributed_to == ""


def test_undated_plain_sentences_are_the_authors_assessment_in_analysis_and_opinion(index):
    text = (
        "North Korea has a vast arms industry.\nKim Jong Un met Russia's leader in September 2023.\n"
        "Russia and North Korea have signed a partnership."
    )
    for kind, expected in [
        ("news", Modality.FACT),
        ("analysis", Modality.ASSESSMENT),
        ("opinion", Modality.ASSESSMENT),
    ]:
        first, dated, event = analyse(text, actors=index, published=PUBLISHED, kind=kind).proposals
        assert (first.modality, dated.modality, event.modality) == (expected, Modality.FACT, Modality.FACT)
    # a person's life dates date the person, not the sentence
    (life,) = analyse("North Korea still follows Kim Il-sung (1912–94).", actors=index, kind="analysis").proposals
    assert (life.modality, life.about) == (Modality.ASSESSMENT, None)


def test_analyse_proposes_only_sentences_worth_citing(index):
    text = (
        "Published daily by the Institute\n"
        "Kim Jong Un met Russia's leader in September 2023.\n"
        "The weather in the city was pleasant and warm that afternoon.\n"
        "Experts expect prices of rice to fall soon, which may help.\n"
        "Short line."
    )
    analysis = analyse(text, actors=index, published=PUBLISHED)
    assert [p.quote for p in analysis.proposals] == [
        "Kim Jong Un met Russia's leader in September 2023.",
        "Experts expect prices of rice to fall soon, which may help.",
    ]
    first = analysis.proposals[0]
    assert (first.subjects, str(first.about), first.modality) == (["kju", "ru"], "2023-09", Modality.FACT)
    assert analysis.actors == ["kju", "ru"]


def test_a_paragraph_about_the_topic_is_proposed_whole_short_sentences_too(index):
    text = (
        "Economic ties were also on the agenda. Officials in Russia discussed new rail links in June 2024.\n"
        "Ratification was quick. North Korea ratified it first. The flows are lopsided.\n"
        "The weather in the city was pleasant and warm that afternoon.\n"
        "Ratification was quick.\n"
        "What should Russia do? It waits."
    )
    assert [p.quote for p in analyse(text, actors=index, published=PUBLISHED).proposals] == [
        "Economic ties were also on the agenda.",
        "Officials in Russia discussed new rail links in June 2024.",
        "Ratification was quick.",
        "North Korea ratified it first.",
        "The flows are lopsided.",
    ]


def test_a_name_led_by_the_is_not_known_by_the(index):
    index.add("The New York Times", "nyt")
    text = (
        "In September 2022, The New York Times published a story about Russia.\n"
        "The military has its own economic system in Russia."
    )
    first, second = analyse(text, actors=index, published=PUBLISHED).proposals
    assert (first.subjects, second.subjects) == (["nyt", "ru"], ["ru"])


def test_a_person_named_in_full_is_then_known_by_one_name(index):
    index.add("Sergei Shoigu", "shoigu")
    text = (
        "Kim Jong Un received Sergei Shoigu in Pyongyang on June 17.\n"
        "Kim called the treaty the most powerful in history, and Shoigu agreed.\n"
        "Korea was not mentioned by Kim Il Sung's heirs."
    )
    _, second, third = analyse(text, actors=index, published=PUBLISHED).proposals
    assert second.subjects == ["kju", "shoigu"]
    assert (second.modality, second.attributed_to, second.speaker) == (Modality.STATEMENT, "Kim", "kju")
    assert third.subjects == ["korea"]  # a place's word is no short name, another Kim is not Kim Jong Un
    # before the full name, "Kim" is nobody known
    assert analyse("Kim met Russia's envoy in June 2024.", actors=index, published=PUBLISHED).proposals[0].subjects == [
        "ru"
    ]


def test_the_two_countries_are_the_two_states_an_article_names_most(index):
    index.add("Pyongyang", "pyongyang")
    index.add("China", "cn")
    text = (
        "Russia and North Korea signed a treaty in Pyongyang in June 2024. North Korea sent shells to Russia.\n"
        "China watched in June 2024.\n"
        "The two countries promised each other help, and both sides ratified it.\n"
        "Trade between the two partners remains small.\n"
        "The sides agreed to meet again in 2025."
    )
    capitals = {"pyongyang": "nk", "moscow": "ru", "beijing": "cn"}
    proposals = analyse(text, actors=index, published=PUBLISHED, capitals=capitals).proposals
    assert [p.subjects for p in proposals[-3:]] == [["ru", "nk"], ["ru", "nk"], ["ru", "nk"]]
    concerned = analyse(
        text + "\nChina urged the parties concerned to show restraint in 2024.",
        actors=index,
        published=PUBLISHED,
        capitals=capitals,
    ).proposals
    assert concerned[-1].subjects == ["cn"]
    # with no clear pair, "the two countries" names nobody
    even = "Russia met China and North Korea in June 2024.\nThe two countries promised each other help in 2024."
    assert (
        analyse(even, actors=index, published=PUBLISHED, capitals={"x": "ru", "y": "cn", "z": "nk"})
        .proposals[1]
        .subjects
        == []
    )


# --- extraction and bad input --------------------------------------------------------

HTML = """<!DOCTYPE html><html><head><title>Site</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li><li>Subscribe now</li></ul></nav>
<article><h1>Kim meets Putin</h1>
<p>Kim Jong Un met Vladimir Putin at the Vostochny Cosmodrome in September 2023. The meeting lasted several
hours and covered military cooperation between the two states.</p>
<p>North Korea is expected to sell artillery shells to Russia, officials said after the talks had ended.</p>
<p>The two leaders later signed a treaty in Pyongyang on June 19, 2024, with a mutual defence clause.</p>
</article>
<aside><h3>Related stories</h3><ul><li><a href="/a">Another story entirely</a></li></ul></aside>
<footer>Copyright 2024 Site Name. All rights reserved. Privacy policy.</footer>
</body></html>"""


def test_html_main_text_is_extracted_without_furniture():
    article = article_text(HTML.encode(), filename="page.html", max_bytes=10**6)
    assert article.format == "html"
    assert "North Korea is expected to sell artillery shells to Russia" in article.text
    for furniture in ("Subscribe now", "Related stories", "Another story", "All rights reserved", "World news"):
        assert furniture not in article.text
    sniffed = article_text(HTML.encode(), filename="upload", max_bytes=10**6)
    assert sniffed.text == article.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n\n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Kim Jong Un met Putin in Vostochny.".encode("utf-16"), "binary"),
        ("Kim Jong-un visited Sŭngri.".encode("latin-1", "replace").replace(b"?", b"\xfb"), "not valid UTF-8"),
        (b"x" * 2001, "largest article accepted is 2,000 bytes"),
    ],
)
def test_bad_files_are_refused(content, message):
    with pytest.raises(ArticleInputError, match=message):
        article_text(content, filename="a.txt", max_bytes=2000)


# --- the service and the command ----------------------------------------------------

ARTICLE = (
    "Kim Jong Un met Vladimir Putin at the Vostochny Cosmodrome in September 2023.\n\n"
    "North Korea is expected to sell artillery shells to Russia, the Defence Ministry said. "
    "Russia's need for a continuous supply of weapons is growing.\n\n"
    "The two leaders signed the Comprehensive Strategic Partnership in Pyongyang on June 19, 2024. "
    "Analysts at the Stockholm International Peace Research Institute have tracked KN-23 missiles."
)


@pytest.fixture
def world(make_actor, editor):
    actors = {
        "nk": make_actor("North Korea", aliases=["DPRK"], country_code="KP"),
        "ru": make_actor("Russia", aliases=["Russian Federation"], country_code="RU"),
        "kim": make_actor("Kim Jong-un", kind="person", aliases=["Kim Jong Un"]),
        "putin": make_actor("Vladimir Putin", kind="person", aliases=["Putin"]),
        "pyongyang": make_actor("Pyongyang", kind="place"),
    }
    actors["treaty"] = services.agreement_create(
        user=editor,
        title="Treaty on Comprehensive Strategic Partnership between the Russian Federation and the DPRK",
        kind="treaty",
        status="signed",
        parties=[actors["ru"], actors["nk"]],
    )
    actors["kn23"] = services.transfer_create(
        user=editor,
        supplier=actors["nk"],
        recipient=actors["ru"],
        category="missiles",
        designation="KN-23",
        description="Short-range ballistic missiles.",
        status="reported",
    )
    return actors


def test_ingest_stores_the_source_and_proposes_anchored_claims(world, editor):
    result = ingest(editor, ARTICLE, byline="A. Writer", url="https://example.org/a")
    source = result.source
    assert result.created and source.text.startswith("Kim Jong Un met")
    assert (source.byline, source.published_precision if hasattr(source, "published_precision") else "day") == (
        "A. Writer",
        "day",
    )
    assert len(result.claims) == 5
    for claim in result.claims:
        assert claim.status == ClaimStatus.PROPOSED
        assert source.text[claim.start : claim.end] == claim.quote
    by_quote = {c.quote: c for c in Claim.objects.filter(source=source).prefetch_related("subjects")}
    meeting = by_quote["Kim Jong Un met Vladimir Putin at the Vostochny Cosmodrome in September 2023."]
    assert {a.slug for a in meeting.subjects.all()} == {"kim-jong-un", "vladimir-putin"}
    assert (str(meeting.about), meeting.modality) == ("2023-09", Modality.FACT)
    sale = by_quote["North Korea is expected to sell artillery shells to Russia, the Defence Ministry said."]
    assert (sale.modality, sale.attributed_to) == (Modality.STATEMENT, "the Defence Ministry")
    treaty_claim = next(c for q, c in by_quote.items() if "Comprehensive Strategic Partnership" in q)
    assert str(treaty_claim.about) == "2024-06-19"
    assert list(world["treaty"].evidence.all()) == [treaty_claim]
    assert [c.quote for c in world["kn23"].evidence.all()] == [
        "Analysts at the Stockholm International Peace Research Institute have tracked KN-23 missiles."
    ]
    assert [a.name for a in result.actors] == ["Kim Jong-un", "Vladimir Putin", "North Korea", "Russia", "Pyongyang"]
    assert "Stockholm International Peace Research Institute" in result.candidates
    assert not Actor.objects.filter(name__icontains="Stockholm").exists()  # reported, never created
    summary = IngestResultSerializer(result).data
    assert summary["source"]["id"] == source.pk and summary["created"] is True
    assert len(summary["claims"]) == 5 and summary["claims"][0]["about"] == "2023-09"


def test_ingest_is_idempotent(world, editor):
    first = ingest(editor, ARTICLE)
    counts = (Source.objects.count(), Claim.objects.count(), Source.history.count(), Claim.history.count())
    again = ingest(editor, content=b"\xef\xbb\xbf" + ARTICLE.replace("\n\n", "\r\n\r\n").encode(), title="Other")
    assert not again.created and again.source == first.source
    assert [c.pk for c in again.claims] == [c.pk for c in first.claims]
    assert (Source.objects.count(), Claim.objects.count(), Source.history.count(), Claim.history.count()) == counts


def test_ingest_is_one_transaction(world, editor, monkeypatch):
    original = services.claims_propose

    def propose_then_fail(**kwargs):
        original(**kwargs)
        raise ValidationError({"quote": ["refused"]})

    monkeypatch.setattr(ingest_service, "claims_propose", propose_then_fail)
    with pytest.raises(ValidationError):
        ingest(editor, ARTICLE)
    assert (Source.objects.count(), Claim.objects.count(), Claim.history.count()) == (0, 0, 0)


def test_proposed_claims_keep_history_with_their_subjects(world, editor):
    result = ingest(editor, ARTICLE)
    claim = next(c for c in result.claims if c.quote.startswith("Kim Jong Un met"))
    (entry,) = claim.history.all()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == ("+", editor, "ingest")
    assert {row.actor.slug for row in entry.subjects.all()} == {"kim-jong-un", "vladimir-putin"}
    assert claim.created_by == editor


def test_claims_propose_refuses_a_bad_anchor(world, editor, make_source):
    source = make_source()
    with pytest.raises(ValidationError) as caught:
        services.claims_propose(
            user=editor, source=source, claims=[{"quote": "Not in the text", "start": 0, "end": 15}]
        )
    assert "quote" in caught.value.message_dict
    assert Claim.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"content": b""}, "content"),
        ({"content": b"\x00\x01\x02binary\x00"}, "content"),
        ({"content": "Kim Jong-un visited Sŭngri.".encode("cp1252", "replace") + b"\xfb"}, "content"),
        ({"title": "  "}, "title"),
        ({"publisher": ""}, "publisher"),
        ({"published_on": "2024-02-30"}, "published_on"),
        ({"published_on": "last Tuesday"}, "published_on"),
        ({"published_on": ""}, "published_on"),
        ({"kind": "blog"}, "kind"),
        ({"url": "not a url"}, "url"),
        ({"title": "x" * 400}, "title"),
    ],
)
def test_ingest_refuses_bad_input_and_stores_nothing(world, editor, fields, field):
    with pytest.raises(ValidationError) as caught:
        ingest(editor, **{"content": ARTICLE, **fields})
    assert field in caught.value.message_dict
    assert (Source.objects.count(), Claim.objects.count()) == (0, 0)


def test_ingest_refuses_a_file_over_the_size_limit(world, editor, settings):
    settings.KB_INGEST_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="largest article accepted is 100 bytes"):
        ingest(editor, ARTICLE)
    assert Source.objects.count() == 0


def test_ingest_html(world, editor):
    result = ingest(editor, content=HTML.encode(), filename="page.html")
    assert "Subscribe now" not in result.source.text
    assert "Extracted from HTML" in result.source.furniture_note
    assert any(c.modality == Modality.STATEMENT and c.attributed_to == "officials" for c in result.claims)


def test_command_json_summary(world, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    out = StringIO()
    args = [str(path), "--title", "Kim meets Putin", "--publisher", "Wire", "--published", "2024-07-01"]
    call_command("ingest_article", *args, "--author", "A. Writer", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    source = Source.objects.get()
    assert summary["source"]["id"] == source.pk and summary["created"] is True
    assert len(summary["claims"]) == Claim.objects.count() == 5
    assert {a["slug"] for a in summary["actors"]} >= {"kim-jong-un", "north-korea"}
    assert "Stockholm International Peace Research Institute" in summary["candidates"]
    out = StringIO()
    call_command("ingest_article", *args, stdout=out)
    assert "nothing changed" in out.getvalue()
    assert Source.objects.count() == 1


def test_command_human_summary_and_partial_publication_date(world, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    out = StringIO()
    call_command("ingest_article", str(path), "--title", "T", "--publisher", "P", "--published", "2024-07", stdout=out)
    assert "Proposed 5 claim(s)" in out.getvalue()
    assert Source.objects.get().published_on_precision == "month"


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"", [], "content: The file is empty."),
        (b"\xff\xfe\x00binary", [], "binary"),
        ("Sŭngri".encode("utf-16-le")[:-1] + b"\xff", [], "content"),
        (ARTICLE.encode(), ["--published", "2023-13-01"], "published_on: “2023-13-01” is not a date: months run 1–12."),
        (ARTICLE.encode(), ["--title", ""], "title: The title is missing."),
    ],
)
def test_command_bad_input_is_one_line_error(world, tmp_path, content, args, message):
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    defaults = {"--title": "T", "--publisher": "P", "--published": "2024-07-01"}
    defaults.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = [str(path)] + [x for pair in defaults.items() for x in pair]
    with pytest.raises(CommandError) as caught:
        call_command("ingest_article", *argv)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert Source.objects.count() == 0


def test_command_exits_non_zero_with_one_line_and_no_traceback(db, tmp_path, capsys):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    command = load_command_class("kb", "ingest_article")
    argv = ["manage.py", "ingest_article", str(path), "--title", "T", "--publisher", "P", "--published", "2024-07-01"]
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv([*argv, "--skip-checks"])
    assert exited.value.code != 0
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr
    assert stderr.strip().count("\n") == 0 and "The file is empty." in stderr


def test_command_missing_file(db):
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest_article", "/nonexistent/a.txt", "--title", "T", "--publisher", "P", "--published", "2024")


def test_ingest_query_count_does_not_grow_with_the_claims(world, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(text: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            result = ingest(editor, content=text.encode())
        return len(ctx.captured_queries), len(result.claims)

    small, small_claims = queries(ARTICLE)
    longer = "\n\n".join(f"{ARTICLE}\n\nPart {n} ends here with Russia." for n in range(4))
    large, large_claims = queries(longer)
    assert large_claims >= 3 * small_claims
    # The second ingest finds evidence from the first on the treaty and the transfer: one more
    # history insert for each of the two records, whatever the number of claims.
    assert large == small + 2


def test_year_ranges():
    assert [(str(d.date), d.qualifier) for d in find_dates("the Korean War (1950–53) ended", PUBLISHED)] == [
        ("1950s", "range")
    ]
    assert [(str(d.date), d.qualifier) for d in find_dates("talks in 2018-2019 stalled", PUBLISHED)] == [
        ("2010s", "range")
    ]
    assert [(str(d.date), d.qualifier) for d in find_dates("Kim Il-sung (1912–94) ruled", PUBLISHED)] == [
        ("1912", "span")
    ]


def test_sentences_that_continue_their_paragraph_are_proposed(index):
    text = (
        "North Korea sells shells to Russia in large numbers.\n"
        "It is reselling some of its old stock and copying technology.\n"
        "Subscribe to our newsletter for more news every day.\n"
        "Nothing here continues any earlier topic at all, sadly."
    )
    proposals = analyse(text, actors=index, published=PUBLISHED).proposals
    assert [p.quote for p in proposals] == [
        "North Korea sells shells to Russia in large numbers.",
    ]
    joined = text.replace("\nIt is", " It is")
    proposals = analyse(joined, actors=index, published=PUBLISHED).proposals
    assert [p.quote for p in proposals] == [
        "North Korea sells shells to Russia in large numbers.",
        "It is reselling some of its old stock and copying technology.",
    ]
    assert analyse(joined, actors=index, published=PUBLISHED).proposals[1].subjects == []


def test_a_capital_named_as_an_actor_stands_for_its_state(index):
    index.add("Pyongyang", "pyongyang")
    text = "Days later, Pyongyang justified Russia's actions in public.\nThe treaty was inked in Pyongyang on June 19."
    first, second = analyse(text, actors=index, published=PUBLISHED, capitals={"pyongyang": "nk"}).proposals
    assert (first.subjects, first.speaker) == (["nk", "ru"], "nk")
    assert second.subjects == ["pyongyang"]


def test_ingest_reads_a_capital_as_its_state(world, editor, make_actor):
    world["pyongyang"] = services.actor_update(world["pyongyang"], user=editor, country_code="KP")
    result = ingest(editor, content=b"Pyongyang praised the Russian Federation for its help last week.")
    (claim,) = result.claims
    assert (claim.modality, claim.speaker) == (Modality.STATEMENT, world["nk"])
    assert {a.slug for a in claim.subjects.all()} == {"north-korea", "russia"}


def test_the_same_text_stored_meanwhile_by_another_editor_is_no_error(world, editor, monkeypatch):
    original = ingest_service._ingest_write

    def someone_was_faster(**kwargs):
        original(**kwargs)  # the other editor's ingest, committed first
        raise ValidationError({"text": ["This text is already stored."]})

    monkeypatch.setattr(ingest_service, "_ingest_write", someone_was_faster)
    result = ingest(editor, ARTICLE)
    assert not result.created and Source.objects.count() == 1
    assert len(result.claims) == 5


def test_events_by_title_and_agreements_by_signing_day(world, editor):
    death = services.event_create(user=editor, title="Death of Kim Jong Il", kind="death")
    services.record_update(world["treaty"], user=editor, signed_on="2024-06-19")
    text = (
        "North Korea's precarity after the death of Kim Jong Il in 2011 worried Russia.\n"
        "The path to this relationship, inked in Pyongyang on June 19, was explicit.\n"
        "Russia and North Korea held talks on June 19 about railways and ports."
    )
    result = ingest(editor, content=text.encode())
    by_start = sorted(result.claims, key=lambda c: c.start)
    assert list(death.evidence.all()) == [by_start[0]]
    assert list(world["treaty"].evidence.all()) == [by_start[1]]  # talks on that day are no signing


def test_record_titles_match_in_any_case_but_names_keep_their_capitals():
    titles = PhraseIndex([("Death of Kim Jong Il", "event")], match_case=False)
    assert [m.surface for m in titles.find("after the death of Kim Jong Il")] == ["death of Kim Jong Il"]
    names = PhraseIndex([("China", "cn")])
    assert [(m.start, m.surface) for m in names.find("fine china and China")] == [(15, "China")]


def test_command_records_the_acting_user(world, editor, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    args = [str(path), "--title", "T", "--publisher", "P", "--published", "2024-07-01"]
    with pytest.raises(CommandError, match="--user: no user named 'nobody'"):
        call_command("ingest_article", *args, "--user", "nobody")
    call_command("ingest_article", *args, "--user", editor.username, stdout=StringIO())
    assert Source.objects.get().history.get().history_user == editor


# --- the evaluation ------------------------------------------------------------------


def test_eval_ingest_scores_the_corpus_and_leaves_nothing_behind(db):
    out = StringIO()
    call_command("eval_ingest", "--json", stdout=out)
    report = json.loads(out.getvalue())
    # Loose floors: a regression guard, not the reported figures (see docs/ingest.md).
    corpus = report["corpus"]
    assert len(corpus) == 3 and corpus["total"]["worth_citing"] > 50
    assert corpus["total"]["sentence_recall"] >= 0.7 and corpus["total"]["subject_precision"] >= 0.7
    # The curators' clause-level claims are compared too, without targets.
    figures = report["curated_claims"]["total"]
    assert figures["curated"] > 50 and figures["proposed"] > 30
    assert figures["claim_precision"] >= 0.8 and figures["claim_recall"] >= 0.8
    assert figures["actor_precision"] >= 0.8 and figures["modality_agreement"] >= 0.4
    # The development set is scored on its own, every article and the total, beside the targets.
    dev = report["devset"]
    assert len(dev) >= 7 and dev["total"]["worth_citing"] > 150
    assert dev["total"]["sentence_recall"] >= 0.7 and dev["total"]["subject_precision"] >= 0.7
    # So is the held-out set, in the same form.
    heldout = report["heldout"]
    assert len(heldout) >= 5 and heldout["total"]["worth_citing"] > 80
    assert heldout["total"]["sentence_recall"] >= 0.7
    assert report["targets"]["sentences worth citing proposed"] == {"figure": "sentence_recall", "at_least": 0.95}
    assert (Actor.objects.count(), Source.objects.count(), Claim.objects.count()) == (0, 0, 0)


def test_eval_ingest_needs_an_empty_database(make_actor):
    make_actor("Russia")
    with pytest.raises(CommandError, match="needs an empty database"):
        call_command("eval_ingest")


def test_summary_of_a_long_article_needs_no_query_per_claim(world, editor, django_assert_num_queries):
    longer = "\n\n".join(f"{ARTICLE}\n\nPart {n} ends here with Russia." for n in range(3))
    result = ingest(editor, content=longer.encode())
    assert len(result.claims) >= 15
    with django_assert_num_queries(0):
        summary = IngestResultSerializer(result).data
    assert all(claim["subjects"] for claim in summary["claims"][:3])


def test_a_designation_shared_by_several_transfers_cites_none(world, editor):
    second = services.transfer_create(
        user=editor,
        supplier=world["nk"],
        recipient=world["ru"],
        category="missiles",
        designation="KN-23",
        description="A second delivery of the same missiles.",
        status="alleged",
    )
    result = ingest(editor, ARTICLE)
    assert any("KN-23" in c.quote for c in result.claims)
    assert not world["kn23"].evidence.exists() and not second.evidence.exists()
    # The unambiguous agreement title is still cited.
    assert world["treaty"].evidence.exists()


# --- suggestions, the ingest account -------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "who", "expected"),
    [
        (
            "The Defence Ministry said that North Korea shipped shells to Russia.",
            "The Defence Ministry",
            "The Defence Ministry: North Korea shipped shells to Russia.",
        ),
        (
            "According to Seoul's spy agency, some 10,000 troops were sent.",
            "Seoul's spy agency",
            "Seoul's spy agency: Some 10,000 troops were sent.",
        ),
        (
            "North Korea is expected to sell artillery shells to Russia, the Defence Ministry said.",
            "the Defence Ministry",
            "The Defence Ministry: North Korea is expected to sell artillery shells to Russia.",
        ),
        ("Kim praised the treaty in a long speech.", "Kim", ""),  # no frame to rewrite: the editor writes it
    ],
)
def test_paraphrase_suggestion_of_attributed_sentences(sentence, who, expected):
    from kb.ingest.suggest import paraphrase

    assert paraphrase(sentence, who) == expected


def test_credibility_suggestion_from_reliability_and_modality():
    from kb.ingest.suggest import credibility

    assert credibility("A", Modality.FACT) == 2
    assert credibility("B", Modality.STATEMENT) == 3
    assert credibility("D", Modality.FACT) == 4
    assert credibility("E", Modality.ASSESSMENT) == 5
    assert credibility("A", Modality.FORECAST) == 6
    assert credibility("F", Modality.FACT) == 6


def test_ingest_suggests_paraphrase_and_credibility_and_marks_them(world, editor):
    result = ingest(editor, ARTICLE, reliability="B")
    by_quote = {c.quote: c for c in result.claims}
    sale = by_quote["North Korea is expected to sell artillery shells to Russia, the Defence Ministry said."]
    assert sale.statement == "The Defence Ministry: North Korea is expected to sell artillery shells to Russia."
    assert (sale.credibility, sale.suggested) == (3, ["statement", "credibility"])
    meeting = by_quote["Kim Jong Un met Vladimir Putin at the Vostochny Cosmodrome in September 2023."]
    assert (meeting.statement, meeting.credibility, meeting.suggested) == ("", 2, ["credibility"])
    assert result.source.reliability == "B"
    summary = IngestResultSerializer(result).data["claims"]
    assert any(c["suggested"] == ["statement", "credibility"] and c["statement"] for c in summary)


def test_ingest_takes_the_publishers_reliability_and_refuses_an_unknown_grade(world, editor):
    ingest(editor, content=b"Russia signed a deal with North Korea in 2023.", reliability="A")
    second = ingest(editor, content=b"Russia met North Korea in 2024 to talk again.")
    assert second.source.reliability == "A" and second.claims[0].credibility == 2
    with pytest.raises(ValidationError) as excinfo:
        ingest(editor, content=b"Russia met North Korea in 2022 to talk.", reliability="Z")
    assert "reliability" in excinfo.value.message_dict
    assert Source.objects.count() == 2


def test_an_editors_change_clears_the_suggestion_and_the_api_shows_it_to_editors(world, editor, as_editor, anon):
    sale = next(c for c in ingest(editor, ARTICLE, reliability="C").claims if c.statement)
    services.claim_update(sale, user=editor, credibility=sale.credibility)  # the same value: still a suggestion
    assert Claim.objects.get(pk=sale.pk).suggested == ["statement", "credibility"]
    services.claim_update(sale, user=editor, statement="The ministry expects North Korean shell sales.")
    sale.refresh_from_db()
    assert sale.suggested == ["credibility"]
    assert sale.history.first().suggested == ["credibility"]
    url = f"/api/v1/claims/{sale.pk}/"
    assert as_editor.get(url).json()["suggested"] == ["credibility"]
    services.claim_review(sale, user=editor, status="accepted")
    assert anon.get(url).json()["suggested"] is None


def test_the_claims_table_keeps_its_search_triggers_and_indexes_after_gaining_suggestions(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL alters the table in place")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index') AND tbl_name = 'kb_claim'")
        made = {name for (name,) in cursor.fetchall()}
    assert {f"kb_claim_search_{when}" for when in ("insert", "update", "delete")} <= made
    assert {"kb_claim_status_modality", "kb_claim_accepted"} <= made


def test_command_records_the_ingest_account_by_default(world, tmp_path):
    from django.contrib.auth import get_user_model

    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    call_command(
        "ingest_article", str(path), "--title", "T", "--publisher", "P", "--published", "2024-07-01", stdout=StringIO()
    )
    account = get_user_model().objects.get(username=services.INGEST_USERNAME)
    assert not account.has_usable_password()
    source = Source.objects.get()
    assert source.history.get().history_user == account
    assert {entry.history_user for entry in Claim.history.all()} == {account}
    path.write_text(ARTICLE + "\n\nRussia answered on June 20, 2024.", encoding="utf-8")
    call_command(
        "ingest_article", str(path), "--title", "T", "--publisher", "P", "--published", "2024-07-01", stdout=StringIO()
    )
    assert get_user_model().objects.filter(username=services.INGEST_USERNAME).count() == 1


def test_a_refused_or_already_stored_command_run_makes_no_account(world, editor, tmp_path):
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    users = set(get_user_model().objects.values_list("username", flat=True))
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    args = ["ingest_article", str(path), "--title", "T", "--publisher", "P"]
    with pytest.raises(CommandError, match="published"):
        call_command(*args, "--published", "last week", stdout=StringIO())
    assert set(get_user_model().objects.values_list("username", flat=True)) == users
    assert not Source.objects.exists()
    call_command(*args, "--published", "2024-07-01", "--user", editor.username, stdout=StringIO())
    out = StringIO()
    call_command(*args, "--published", "2024-07-01", stdout=out)
    assert "Already stored" in out.getvalue()
    assert set(get_user_model().objects.values_list("username", flat=True)) == users


def test_a_headline_repeating_the_title_is_not_kept_in_the_body(world, editor):
    content = ("KIM MEETS PUTIN\n\n" + ARTICLE).encode()
    result = ingest(editor, content=content, title="Kim meets Putin")
    assert result.source.text == ARTICLE
    assert ingest(editor, content=content, title="Kim meets Putin").created is False
    html = f"<html><body><article><h1>Kim meets Putin</h1><p>{ARTICLE}</p></article></body></html>"
    assert not article_text(html.encode(), filename="a.html", max_bytes=10**6, title="Kim meets Putin").text.startswith(
        "Kim meets Putin"
    )
    # A first line that is not the title stays, and so does a text that is nothing but its title.
    other = ingest(editor, content=b"Kim meets Putin again\n\nRussia met North Korea in 2022.", title="Kim meets Putin")
    assert other.source.text.startswith("Kim meets Putin again")
    only = ingest(editor, content=b"Russia and North Korea met in 2021.", title="Russia and North Korea met in 2021")
    assert only.source.text == "Russia and North Korea met in 2021."


# --- an editor's first pass: dates --------------------------------------------------


def dated(text: str, published: str = "2024-07-01", anchor: str | None = None) -> list[str]:
    base = PartialDate.parse(anchor) if anchor else None
    return [str(d.date) for d in find_dates(text, PartialDate.parse(published), anchor=base)]


def test_a_month_without_a_year_is_the_latest_such_month_not_after_publication():
    assert dated("In March, Russia sent engineers.") == ["2024-03"]
    assert dated("Talks resumed in late May near the border.") == ["2024-05"]
    assert dated("In September, Russia sent engineers.") == ["2023-09"]
    assert dated("In July, Russia sent engineers.") == ["2024-07"]  # the month of publication itself
    # The future tense looks ahead: the next such month.
    assert dated("In September, Putin will visit Pyongyang.") == ["2024-09"]
    assert dated("In March, Russia sent engineers.", published="2024") == ["2024-03"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia denied it yesterday.", "2024-07-02"),
        ("Kim met Putin on Tuesday.", "2024-07-02"),
        ("Shoigu went to Pyongyang on Monday.", "2024-07-01"),
        ("The shells arrived last month.", "2024-06"),
        ("Trade collapsed last year.", "2023"),
        ("The talks began earlier this month.", "2024-07"),
        ("Moscow promised more aid last week.", "2024-06"),
        ("Putin will visit on Friday.", "2024-07-05"),
        ("Kim came to power over a decade ago.", "2010s"),
        ("Two weeks ago the ship docked.", "2024-06"),
    ],
)
def test_relative_dates_are_read_against_the_publication(text, expected):
    assert dated(text, published="2024-07-03") == [expected]  # a Wednesday


def test_relative_dates_after_an_earlier_date_of_the_article():
    assert dated("Three days later, Russia answered.", anchor="2024-06-19") == ["2024-06-22"]
    assert dated("The next day the delegation left.", anchor="2024-06-19") == ["2024-06-20"]
    assert dated("The following week, Kim went home.", anchor="2024-06-19") == ["2024-06"]
    assert dated("A month later the first trains ran.", anchor="2024-06-19") == ["2024-07"]
    assert dated("Later that day he and Kim signed the treaty.", anchor="2024-06-19") == ["2024-06-19"]
    assert dated("On the same day Choe issued a statement.", anchor="2025-06-17") == ["2025-06-17"]
    assert dated("He left Pyongyang later that evening.", anchor="2025-06") == ["2025-06"]
    assert dated("It was warm that afternoon.", anchor="2025-06") == []
    assert dated("Two years later the border opened.", anchor="2019") == ["2021"]
    # With no date before it, "later" has nothing to count from.
    assert dated("Three days later, Russia answered.") == []


def test_a_weekday_before_a_full_date_a_relative_year_after_a_day_and_a_span_after_an_event():
    # the weekday names the date that follows it, not the week of publication
    assert dated("On Wednesday, June 19, 2024, Putin landed in Pyongyang.", "2025-09-15") == ["2024-06-19"]
    assert dated("On Wednesday 19 June 2024 Putin landed.", "2025-09-15") == ["2024-06-19"]
    # "last year", "this year" after a day give its year
    assert dated("On June 19 last year, Putin and Kim signed it.", "2025-06-20") == ["2024-06-19"]
    assert dated("He recalled that on August 15 this year they will mark it.", "2025-07-12") == ["2025-08-15"]
    assert dated("On 15 August next year they will mark it.", "2025-07-12") == ["2026-08-15"]
    # "two decades after Putin's first trip" counts from that trip, not from the article's last date
    assert dated("Two decades after Putin's first trip, Kim came.", anchor="2001") == []
    assert dated("Kim arrived only two months after his summit in Hanoi.", anchor="2019-02") == []
    assert dated("Three days after, Russia answered.", anchor="2024-06-19") == ["2024-06-22"]
    assert dated("Two days after that, state media reported it.", anchor="2024-11-09") == ["2024-11-11"]


def test_a_datelines_date_is_not_the_sentences():
    text = "SEOUL, Nov 20 (Kestrel) - North Korea has shipped shells to Russia since August 2023."
    assert dated(text, "2025-11-20") == ["2023-08"]
    assert dated("SEOUL, April 28 (Eastline) - North Korea on Monday confirmed it.", "2025-04-28") == ["2025-04-28"]
    assert dated("Pyongyang, June 19 (KCNA) -- Russia has sent oil since August 2023.", "2025-06-19") == ["2023-08"]
    assert dated("Two days after this week's summit, Kim left.", anchor="2024-06-19") == ["2024-07"]  # this week


def test_seasons_vague_intervals_and_parts_of_the_day_are_told_as_far_as_they_go():
    assert dated("The ratification began in the autumn.", anchor="2024-06-20") == ["2024"]
    assert dated("Since spring, tour groups have travelled north.", "2024-12-10") == ["2024"]
    assert dated("In the summer of 2023 the talks resumed.") == ["2023"]
    assert dated("Days later, Lavrov hosted Choe in Moscow.", anchor="2024-11-09") == ["2024-11"]
    assert dated("A few weeks later the trains ran.", anchor="2024-11") == ["2024-11"]
    assert dated("He left Pyongyang in the evening.", anchor="2025-06-17") == ["2025-06-17"]
    assert dated("He left Pyongyang in the evening.", anchor="2025-06") == []  # which evening is not known


def test_a_day_told_in_the_past_tense_is_never_after_publication_and_a_plan_told_in_the_past_is_ahead():
    assert dated("Kim ratified the pact by decree on 11 November.", "2025-06-19") == ["2024-11-11"]
    assert dated("talks on March 3", "2024-01-15") == ["2024-03-03"]  # no tense: the nearest
    assert dated("He said tourists would travel to the zone from July.", "2025-06-17") == ["2025-07"]
    assert dated("He said tourists travelled to the zone from July.", "2025-06-17") == ["2024-07"]


def test_a_sentence_is_dated_by_what_it_reports_and_by_its_finest_date(index):
    text = (
        "The agency told lawmakers last month that North Korea had shipped shells since August 2023.\n"
        "The Federation Council followed last month, on November 6, and North Korea agreed.\n"
        "North Korea on Monday confirmed that Russia had helped, two days after Moscow said so."
    )
    told, finer, monday = analyse(text, actors=index, published=PartialDate.parse("2024-12-02")).proposals
    assert (str(told.about), str(finer.about), str(monday.about)) == ("2023-08", "2024-11-06", "2024-12-02")


def test_the_next_sentences_date_counts_from_the_main_date_not_a_clause_or_a_plan(index):
    text = (
        "Kim Jong Un received Russia's envoy on June 17, his second visit this month.\n"
        "North Korea discussed the treaty with Russia, which was signed in June last year.\n"
        "It was the second visit by Russia's envoy to North Korea this month.\n"
        "Russia said its tourists would travel to North Korea from July.\n"
        "On the same day North Korea issued a statement."
    )
    proposals = analyse(text, actors=index, published=PartialDate.parse("2025-06-18")).proposals
    assert str(proposals[-1].about) == "2025-06-17"


def test_he_said_after_a_sentence_led_by_a_speaker_quotes_that_speaker(index):
    text = (
        "Kim Jong Un said North Korea would never forget the help.\n"
        "The editorial said that the friendship with Russia will grow.\n"
        "Meanwhile, Kim Jong Un visited a resort on the coast of North Korea.\n"
        "He said that tourists from Russia would come in July."
    )
    *_, said = analyse(text, actors=index, published=PUBLISHED).proposals
    assert (said.attributed_to, said.speaker) == ("Kim Jong Un", "kju")


@pytest.mark.parametrize(
    "sentence, modality",
    [
        ("Moscow has not endorsed North Korea's nuclear status in any formal document.", Modality.FACT),
        ("North Korea, for its part, has said nothing in public about its troops in Russia.", Modality.FACT),
        ("Article 3 commits both sides to consult on threats to North Korea or Russia.", Modality.FACT),
        ("The text itself is short: 23 articles, most of them about North Korea and Russia.", Modality.FACT),
        ("The smarter course for Seoul is patience with North Korea and Russia.", Modality.OPINION),
        ("The partnership between North Korea and Russia has limits.", Modality.ASSESSMENT),
    ],
)
def test_what_is_on_the_record_stays_a_fact_in_an_authored_piece(index, sentence, modality):
    (proposal,) = analyse(sentence, actors=index, published=PUBLISHED, kind="analysis").proposals
    assert proposal.modality == modality


def test_the_previous_date_of_the_article_anchors_relative_dates(index):
    text = "Kim Jong Un met Putin on June 19.\nTwo days later, Russia sent a delegation to North Korea."
    first, second = analyse(text, actors=index, published=PUBLISHED).proposals
    assert (str(first.about), str(second.about)) == ("2024-06-19", "2024-06-21")


def test_a_date_in_a_subordinate_clause_is_not_the_claims_date(index):
    text = (
        "Russia sent troops to Kursk, where fighting had gone on since 2023.\n"
        "North Korea backs the war, which began in 2022, with shells.\n"
        "In June, Russia, which had invaded in 2022, signed a treaty with North Korea."
    )
    first, second, third = analyse(text, actors=index, published=PUBLISHED).proposals
    assert (first.about, second.about, str(third.about)) == (None, None, "2024-06")


# --- coreference, short sentences, evaluative sentences --------------------------------


def test_the_agreement_an_article_is_about_is_what_the_treaty_refers_to(world, editor):
    text = (
        "Russia and North Korea signed the Comprehensive Strategic Partnership in June 2024.\n"
        "The treaty commits both sides to help each other.\n"
        "Its fourth article is a mutual defence clause.\n"
        "Article 3 commits both sides to consult on threats.\n"
        "The pact worries Seoul a great deal, diplomats say.\n"
        "The sides noted that the Treaty has become a reliable legal foundation."
    )
    result = ingest(editor, content=text.encode(), title="A treaty between Moscow and Pyongyang")
    cited = {c.quote for c in world["treaty"].evidence.all()}
    assert cited == {c.quote for c in result.claims}
    assert any(q.startswith("Article 3 commits") for q in cited)
    assert any(q.startswith("The sides noted that the Treaty") for q in cited)  # as official texts write it
    other = ingest(
        editor,
        content=(text + "\nNorth Korea withdrew from the Treaty on the Non-Proliferation of Nuclear Weapons.").encode(),
        title="A treaty between Moscow and Pyongyang",
        published_on="2024-07-02",
    )
    (npt,) = [c for c in other.claims if "Non-Proliferation" in c.quote]
    assert not world["treaty"].evidence.filter(pk=npt.pk).exists()


def test_the_treaty_refers_to_nothing_when_the_article_is_about_no_one_agreement(index):
    records = PhraseIndex([("Comprehensive Strategic Partnership", "csp"), ("Friendship Treaty", "ft")])
    text = (
        "Russia signed the Comprehensive Strategic Partnership in 2024.\n"
        "It replaced the Friendship Treaty of 1961 with Russia.\nThe treaty commits Russia to help."
    )
    proposals = analyse(text, actors=index, records=records, published=PUBLISHED).proposals
    assert [p.links for p in proposals] == [["csp"], ["ft"], []]


def test_an_article_that_speaks_of_the_arrangement_is_about_the_one_arrangement_of_its_states(index):
    text = (
        "North Korea is expected to sell weapons to Russia.\n"
        "Russia would pay North Korea in oil and food.\n"
        "Beyond food aid, the arrangement suits North Korea well. "
        "It is highly transactional.\n"
        "It is clear that Russia needs the shells."
    )
    kinds = {
        "deal": ("arrangement", frozenset({"nk", "ru"})),
        "treaty": ("treaty", frozenset({"nk", "ru"})),
        "other": ("arrangement", frozenset({"nk", "cn"})),
    }
    proposals = analyse(text, actors=index, published=PUBLISHED, capitals=CAPITALS, agreement_kinds=kinds).proposals
    assert [p.links for p in proposals] == [[], [], ["deal"], ["deal"], []]
    # two arrangements of the same states: "the arrangement" could be either
    kinds["second"] = ("arrangement", frozenset({"nk", "ru"}))
    proposals = analyse(text, actors=index, published=PUBLISHED, capitals=CAPITALS, agreement_kinds=kinds).proposals
    assert [p.links for p in proposals] == [[], [], [], [], []]


def test_a_capital_as_the_object_of_a_sending_verb_is_its_state(index):
    index.add("Moscow", "moscow")
    index.add("Pyongyang", "pyongyang")
    text = (
        "North Korea shipped millions of shells to Moscow in 2023.\n"
        "Russia sent engineers to Pyongyang in 2024.\nRussia opened an embassy office in Pyongyang in 2024."
    )
    capitals = {"moscow": "ru", "pyongyang": "nk"}
    first, second, third = analyse(text, actors=index, published=PUBLISHED, capitals=capitals).proposals
    assert (first.subjects, second.subjects, third.subjects) == (["nk", "ru"], ["ru", "nk"], ["ru", "pyongyang"])


def test_a_capital_one_goes_to_or_leaves_is_the_place_one_is_grateful_to_the_state(index):
    index.add("Moscow", "moscow")
    index.add("Pyongyang", "pyongyang")
    text = (
        "Sergei Lavrov flew to Pyongyang in July 2024.\n"
        "He left Pyongyang in the evening of July 12, 2024.\n"
        "Russia was grateful to Pyongyang in 2024, and experience will matter more to Pyongyang than money."
    )
    capitals = {"moscow": "ru", "pyongyang": "nk"}
    first, second, third = analyse(text, actors=index, published=PUBLISHED, capitals=capitals).proposals
    assert (first.subjects, second.subjects, third.subjects) == (["pyongyang"], ["pyongyang"], ["ru", "nk"])


def test_the_north_and_each_side_name_the_articles_states(index):
    index.add("South Korea", "sk")
    text = (
        "Russia and North Korea signed a pact in 2024; North Korea and Russia ratified it. South Korea protested.\n"
        "Oil deliveries to the North exceeded the cap in 2024.\n"
        "Article 4 obliges each side to help in 2024, and the two peoples cheered."
    )
    capitals = {"moscow": "ru", "pyongyang": "nk", "seoul": "sk"}
    oil, article = analyse(text, actors=index, published=PUBLISHED, capitals=capitals).proposals[-2:]
    assert (oil.subjects, article.subjects) == (["nk"], ["ru", "nk"])


def test_short_sentences_with_an_actor_and_a_verb_are_proposed(index):
    index.add("Beijing", "cn")
    index.add("Moscow", "ru")
    text = "Russia asked China for help.\nBeijing denied it.\nMoscow agreed.\nRussia.\nRead more.\nPhoto: Reuters."
    quotes = [p.quote for p in analyse(text, actors=index, published=PUBLISHED).proposals]
    assert quotes == ["Russia asked China for help.", "Beijing denied it.", "Moscow agreed."]


@pytest.mark.parametrize(
    "sentence",
    [
        "But the partnership has limits.",
        "This is a significant shift in Russian policy.",
        "The treaty is a remarkable step for North Korea.",
        "Their ties remain fragile and uneasy.",
    ],
)
def test_the_authors_evaluations_are_assessments(sentence):
    cue = detect_modality(sentence)
    assert cue.modality == Modality.ASSESSMENT, sentence


def test_the_authors_evaluations_are_assessments_in_every_kind_of_piece_but_descriptions_are_not(index):
    text = "This is a significant shift in Russian policy toward North Korea since 2022."
    for kind in ("news", "analysis", "opinion"):
        (proposal,) = analyse(text, actors=index, published=PUBLISHED, kind=kind).proposals
        assert proposal.modality == Modality.ASSESSMENT
    for described in ("Arms became an important sector in 1960.", "Russia had limited engagement with it in 2011."):
        assert detect_modality(described).modality == Modality.FACT


# --- names ---------------------------------------------------------------------------


def candidates(text: str, index: PhraseIndex) -> list[str]:
    return find_candidates(text, index.find(text))


def test_new_names_behind_a_countrys_possessive_acronyms_regions_and_titles(index):
    index.add("South Korea", "sk")
    text = (
        "South Korea's National Intelligence Service said on Monday that Russia's Defence Ministry had asked "
        "for help. The NIS cited KCNA and the GRU. Troops reached the Kursk region in October. "
        "Russia's Defence Minister Andrei Belousov flew in. The Western press was told nothing."
    )
    found = candidates(text, index)
    assert found == [
        "South Korea's National Intelligence Service",
        "Russia's Defence Ministry",
        "NIS",
        "KCNA",
        "GRU",
        "Kursk",
        "Andrei Belousov",
    ]


def test_new_names_of_one_word_are_capitalised_mid_sentence_and_never_written_in_lower_case(index):
    text = (
        "Seoul should work with Washington, Tokyo and the G7 on it. The Korean side met in Kursk. "
        "Officials from Beijing and the Kremlin said the Article 4 clause and other articles held. "
        "The talks, a Seoul-based researcher said, were Good news; good news is rare. Moscow agreed."
    )
    found = candidates(text, index)
    assert found == ["Washington", "Tokyo", "G7", "Kursk", "Beijing", "Kremlin"]
    other = candidates("On Sept. 12 the talks began; the West, Economically, lost to Hanoi.", index)
    assert other == ["Hanoi"]


def test_new_names_are_never_common_words(index):
    text = (
        "The talks ended on Monday. Western officials met in March. In October The Times wrote it. "
        "THE END OF AN ERA\nIt was OK. World War II changed it."
    )
    found = candidates(text, index)
    assert not {"The", "Monday", "Western", "March", "October", "THE", "END", "ERA", "OK", "II"} & set(found)
    assert "World War II" in found
    byline = candidates("By Staff Reporter\nHanna Lindqvist, Senior Fellow, Asia Policy Forum", index)
    assert byline == ["Hanna Lindqvist", "Asia Policy Forum"]
    assert candidates("It lies on the Korean peninsula, and Russians would come.", index) == ["Korean peninsula"]


def test_a_title_holding_an_organisations_name_is_the_person(index):
    index.add("Security Council", "sc")
    index.add("Sergei Shoigu", "shoigu")
    text = "Security Council Secretary Sergei Shoigu flew to Pyongyang in 2024 to meet Kim Jong Un."
    (proposal,) = analyse(text, actors=index, published=PUBLISHED).proposals
    assert proposal.subjects == ["shoigu", "kju"]
    unknown = "Security Council Secretary Ivan Petrov flew to Pyongyang in 2024."
    assert candidates(unknown, index) == ["Ivan Petrov", "Pyongyang"]  # a place unknown to this index
    (proposal,) = analyse(unknown, actors=index, published=PUBLISHED).proposals
    assert proposal.subjects == []


def test_a_states_adjective_names_what_its_possessive_names(world, editor, make_actor):
    ministry = make_actor("Russian Defence Ministry", kind="organization", aliases=["Ministry of Defence of Russia"])
    result = ingest(editor, content=b"Russia's Defence Ministry denied the report in 2024.")
    assert [a.slug for a in result.claims[0].subjects.all()] == [ministry.slug]
    assert "Russia's Defence Ministry" not in result.candidates
    army = make_actor("Korean People's Army", kind="organization", aliases=["North Korean People's Army"])
    result = ingest(editor, content="North Korea’s People’s Army fired shells in 2024.".encode())
    assert [a.slug for a in result.claims[0].subjects.all()] == [army.slug]


CAPITALS = {"pyongyang": "nk", "moscow": "ru"}  # the states of the index, as ingest knows them


def test_the_country_and_the_regime_are_the_state_the_article_names_most(index):
    text = (
        "North Korea sells shells to Russia.\n"
        "North Korea builds its own rifles.\n"
        "North Korea makes most of its own shells.\n"
        "North Korea is short of fuel for its factories.\n"
        "Russia sells oil, which the regime desperately needs.\n"
        "The regime does not fear influence from the U.S.\n"
        "Russia said the country would never give up its own interests."
    )
    *_, regime, leading, russia = analyse(text, actors=index, published=PUBLISHED, capitals=CAPITALS).proposals
    assert regime.subjects == ["ru", "nk"]
    assert leading.subjects == ["nk", "us"]  # at the head of a sentence, before the state named after it
    assert russia.subjects == ["ru"]  # the country its own clause names
    # two states named as often: "the country" could be either
    (alone,) = analyse(
        "Russia and North Korea met; the country gained.", actors=index, published=PUBLISHED, capitals=CAPITALS
    ).proposals
    assert alone.subjects == ["ru", "nk"]
    tied = "North Korea met Russia.\nRussia met North Korea.\nThe country's needs are great, officials said."
    assert analyse(tied, actors=index, published=PUBLISHED, capitals=CAPITALS).proposals[-1].subjects == []


def test_since_then_is_the_date_the_article_last_gave_and_a_relative_clauses_date_is_not_the_sentences(index):
    text = (
        "In early September 2022, Russia bought shells from North Korea.\n"
        "Since then, relations between Russia and North Korea have grown closer.\n"
        "North Korea controls its arms industry, unlike other industries, which were opened in the 2000s."
    )
    first, since, clause = analyse(text, actors=index, published=PUBLISHED, kind="analysis").proposals
    assert (str(first.about), str(since.about), clause.about) == ("2022-09", "2022-09", None)


def test_the_leader_of_a_state_said_is_its_person_named_last(index):
    index.add("Vladimir Putin", "putin")
    adjectives = PhraseIndex([("Russian", "ru"), ("North Korean", "nk")])
    text = (
        "Kim Jong Un met Vladimir Putin at the cosmodrome in September 2023.\n"
        "The Russian leader called it a statement of Russian ambitions.\n"
        "The North Korean leader called it a sacred fight."
    )
    people, nationals = {"kju", "putin"}, {"kju": "nk", "putin": "ru"}
    _, russian, korean = analyse(
        text, actors=index, adjectives=adjectives, published=PUBLISHED, people=people, nationals=nationals
    ).proposals
    assert (russian.attributed_to, russian.speaker) == ("Vladimir Putin", "putin")
    assert (korean.attributed_to, korean.speaker) == ("Kim Jong Un", "kju")
    assert "putin" not in russian.subjects  # described, not named
    # without anyone of that state named before, it stays as written
    (alone,) = analyse(
        "The Russian leader called it a statement.", actors=index, adjectives=adjectives, published=PUBLISHED
    ).proposals
    assert (alone.attributed_to, alone.speaker) == ("The Russian leader", None)


def test_two_voices_give_a_statement_without_one_speaker(index):
    index.add("UN Comtrade", "comtrade")
    index.add("Stockholm International Peace Research Institute", "sipri")
    text = (
        "For example, UN Comtrade data and the Stockholm International Peace Research Institute's figures on "
        "arms trade show North Korean missiles being bought by Syria."
    )
    (proposal,) = analyse(text, actors=index, published=PUBLISHED).proposals
    assert proposal.modality == Modality.STATEMENT
    assert proposal.attributed_to.startswith("UN Comtrade data and the Stockholm")
    assert proposal.speaker is None
    # a long run of lower-case words before "show" is no voice
    long = "The number of old and rusting factories that the state still runs in the north data show decline."
    assert detect_modality(long).modality != Modality.STATEMENT


def test_who_reports_it_and_words_ending_in_ed_do_not_put_a_day_in_the_past():
    assert dated("Talks resume on December 28, officials said.", "2024-12-20") == ["2024-12-28"]
    assert dated("Officials need to meet on December 28.", "2024-12-20") == ["2024-12-28"]
    assert dated("Officials said Putin would visit Pyongyang on December 28.", "2024-12-20") == ["2024-12-28"]
    assert dated("He said tourists would travel to the zone from July 1.", "2025-06-17") == ["2025-07-01"]
    assert dated("Putin will visit Pyongyang on January 2.", "2024-12-31") == ["2025-01-02"]
    assert dated("Since the fall of the Soviet Union, the two signed few deals.") == []


def test_a_date_counted_on_moves_the_anchor_and_a_relative_clause_is_not_what_was_reported(index):
    text = (
        "Russia and North Korea met on June 3, 2024.\n"
        "A week later, Russia signed a deal with North Korea.\n"
        "The next day, North Korea thanked Russia.\n"
        "North Korea confirmed on December 3 the shipments to Russia that began in 2023."
    )
    *_, next_day, confirmed = analyse(text, actors=index, published=PartialDate.parse("2024-12-10")).proposals
    assert (str(next_day.about), str(confirmed.about)) == ("2024-06", "2024-12-03")


def test_the_name_index_is_built_once_and_again_when_a_name_changes(make_actor, editor, django_assert_num_queries):
    from kb.services.ingest_drafts import name_indexes

    russia = make_actor("Russia", kind="state")
    first = name_indexes()
    with django_assert_num_queries(1):  # the stamp of what it is built from
        assert name_indexes() is first
    alias = services.alias_add(user=editor, actor=russia, name="Rossiya")
    second = name_indexes()
    assert second is not first and [m.keys for m in second.actors.find("Rossiya said")] == [(russia.pk,)]
    alias.name = "Rossia"
    alias.save()  # an edit in the admin: the same number of rows, a later change
    assert [m.surface for m in name_indexes().actors.find("Rossia said")] == ["Rossia"]
    services.alias_delete(alias, user=editor)
    assert name_indexes().actors.find("Rossia said") == []
    make_actor("North Korea", kind="state")
    assert [m.surface for m in name_indexes().adjectives.find("North Korean troops")] == ["North Korean"]


def test_participles_and_that_clauses_after_a_noun_are_background_not_the_sentences_date(index):
    def about(sentence: str) -> str | None:
        (proposal,) = analyse(sentence, actors=index, published=PUBLISHED).proposals
        return str(proposal.about) if proposal.about else None

    assert about("The treaty, signed in June 2024, obliges Russia and North Korea to help each other.") is None
    assert about("North Korea sends workers to Russia, a practice banned by UN sanctions since 2019.") is None
    assert about("North Korean workers are back in Russia despite a UN ban that took effect in December 2019.") is None
    # the sentence's own verbs keep their dates
    assert about("Russia and North Korea signed in Pyongyang on June 19.") == "2024-06-19"
    assert about("Kim met Putin, and the two leaders signed in Pyongyang on June 19 with Russia.") == "2024-06-19"
    assert about("Russia's chief of staff, Valery Gerasimov, announced on Saturday that Russia won.") == "2024-06-29"
    assert about("Sergei Shoigu, the secretary of Russia's council, landed in Pyongyang on Tuesday.") == "2024-06-25"
    assert about("In June, the treaty, signed in Pyongyang on June 19, bound Russia.") == "2024-06"
    assert (
        about("The KN-23, a missile of North Korea, developed in 2019, was fired at Russia on January 2.")
        == "2024-01-02"
    )
    assert about("Officials told lawmakers last month that North Korea had sent shells since August 2023.") == "2023-08"


def test_a_states_adjective_is_no_short_name_of_a_place_it_leads(index):
    index.add("Russian Far East", "far-east")
    adjectives = PhraseIndex([("Russian", "ru"), ("North Korean", "nk")])
    text = (
        "North Korean workers returned to the Russian Far East in 2024.\nRussian officials describe them as students."
    )
    _, officials = analyse(
        text, actors=index, adjectives=adjectives, published=PUBLISHED, capitals={**CAPITALS, "far-east": "ru"}
    ).proposals
    assert (officials.attributed_to, officials.speaker) == ("Russian officials", None)


def test_a_family_name_several_people_share_is_the_one_named_in_full_last(index):
    index.add("Kim Il Sung", "kis")
    text = (
        "Kim Il Sung founded North Korea in 1948.\n"
        "Kim Jong Un met Vladimir Putin in Vladivostok in 2019.\n"
        "Kim had arrived by train in 2019.\n"
        "The elder Kim had travelled by train to Moscow in 1949."
    )
    *_, arrived, elder = analyse(text, actors=index, published=PUBLISHED).proposals
    assert "kju" in arrived.subjects and "kis" not in arrived.subjects
    assert not {"kju", "kis"} & set(elder.subjects)  # "the elder Kim" is not the last Kim named
    # named far apart, a name several share is nobody's
    apart = analyse(
        "Kim Jong Un met Putin in 2024.\nKim Il Sung ruled in 1948.\nRussia sent oil in 2024.\n"
        "Kim has ruled since 2011.",
        actors=index,
        published=PUBLISHED,
    ).proposals
    assert not {"kju", "kis"} & set(apart[-1].subjects)
