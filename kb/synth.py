"""A deterministic synthetic knowledge base of realistic shape, for benchmarks and load tests.

``generate(scale=1, seed=…)`` fills the current database with, at scale 1, about 10,000
actors (with aliases), 2,000 sources with full texts, 200,000 claims anchored in them,
20,000 relationships, 5,000 events, 1,000 agreements and 20,000 arms transfers. The same
seed gives the same rows (the same ids, texts, offsets and links).

The shape follows real news: mentions are Zipf-skewed (Russia and North Korea are subjects
of most claims, a long tail of people and bodies of a handful each); names come in
romanisation, hyphen, space and diacritic variants ("Kim Jong-un" and "Kim Jong Un",
"Sŭngri" and "Sungri"); every partial-date precision occurs; most claims are accepted.

This is deliberately the one writer that bypasses ``kb.services``: synthetic load data is
inserted with ``bulk_create`` in batches, so a full-scale base loads in minutes. It still
keeps every invariant ``verify_kb`` checks (quotes are the source text's own characters at
their offsets, ``Alias.normalized`` comes from ``normalize_name``, ``Source.sha256`` from
``text_sha256``, reviewed claims carry a review time) but writes no history rows: the
records were never edited by anyone.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils.text import slugify

from kb.choices import (
    AgreementKind,
    AgreementStatus,
    ClaimLinkKind,
    ClaimStatus,
    EventKind,
    Modality,
    ProvisionKind,
    RelationshipPredicate,
    SourceKind,
    SourceReliability,
    TransferStatus,
)
from kb.dates import period_start
from kb.ingest.normalize import normalize_name, strip_accents
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
from kb.models.sources import text_sha256

# Every synthetic source's URL starts with this: it is how a synthetic database is recognised.
SYNTH_URL = "https://synthetic.invalid/"
DEFAULT_SEED = 20240619
BATCH = 2000

# Rows per unit of scale.
SHAPE = {
    "actors": 10_000,
    "sources": 2_000,
    "claims": 200_000,
    "relationships": 20_000,
    "events": 5_000,
    "agreements": 1_000,
    "transfers": 20_000,
    "claim_links": 10_000,
}


class NotSyntheticError(Exception):
    """The database holds records that synth_kb did not make."""


# --- vocabulary -------------------------------------------------------------------

# The head of the mention distribution: (name, kind, country, aliases, text variants).
HEAD_ACTORS = [
    ("Russia", "state", "RU", ["Russian Federation", "Rossiya"], ["Moscow"]),
    ("North Korea", "state", "KP", ["DPRK", "Democratic People's Republic of Korea"], ["Pyongyang", "the DPRK"]),
    ("Kim Jong-un", "person", "KP", ["Kim Jong Eun"], ["Kim Jong Un", "Kim"]),
    ("Vladimir Putin", "person", "RU", ["Vladimir Vladimirovich Putin"], ["Putin"]),
    ("Ukraine", "state", "UA", [], ["Kyiv"]),
    ("United States", "state", "US", ["USA", "U.S.", "United States of America"], ["Washington"]),
    ("China", "state", "CN", ["People's Republic of China", "PRC"], ["Beijing"]),
    ("South Korea", "state", "KR", ["Republic of Korea", "ROK"], ["Seoul"]),
    ("Sergei Shoigu", "person", "RU", ["Sergey Shoygu"], ["Shoigu"]),
    ("Korean People's Army", "organization", "KP", ["KPA"], ["the KPA"]),
    ("Choe Son-hui", "person", "KP", ["Choe Son Hui", "Choi Sun-hee"], ["Choe Son Hui"]),
    ("Sergei Lavrov", "person", "RU", ["Sergey Lavrov"], ["Lavrov"]),
    ("Japan", "state", "JP", [], ["Tokyo"]),
    ("Iran", "state", "IR", ["Islamic Republic of Iran"], ["Tehran"]),
    ("United Nations Security Council", "organization", "", ["UN Security Council", "UNSC"], ["the UNSC"]),
    ("Vostochny Cosmodrome", "facility", "RU", ["Vostochny"], ["Vostochny"]),
    ("Rason", "place", "KP", ["Rajin-Sonbong", "Rasŏn"], ["Rason"]),
    ("Vladivostok", "place", "RU", [], ["Vladivostok"]),
    ("Belarus", "state", "BY", [], ["Minsk"]),
    ("Sŭngri Chemical Complex", "facility", "KP", ["Factory No. 17"], ["Sungri Chemical Complex"]),
]
OTHER_STATES = [
    ("Syria", "SY"),
    ("Laos", "LA"),
    ("Vietnam", "VN"),
    ("Mongolia", "MN"),
    ("Kazakhstan", "KZ"),
    ("India", "IN"),
    ("Germany", "DE"),
    ("France", "FR"),
    ("United Kingdom", "GB"),
    ("Poland", "PL"),
    ("Finland", "FI"),
    ("Estonia", "EE"),
    ("Latvia", "LV"),
    ("Lithuania", "LT"),
    ("Turkey", "TR"),
    ("Egypt", "EG"),
    ("Cuba", "CU"),
    ("Venezuela", "VE"),
    ("Nicaragua", "NI"),
    ("Eritrea", "ER"),
    ("Myanmar", "MM"),
    ("Algeria", "DZ"),
    ("Uganda", "UG"),
    ("Angola", "AO"),
    ("Ethiopia", "ET"),
    ("Pakistan", "PK"),
    ("Indonesia", "ID"),
    ("Australia", "AU"),
    ("Canada", "CA"),
    ("Georgia", "GE"),
]
KOREAN_SURNAMES = {
    "Kim": ["Gim"],
    "Ri": ["Lee", "Yi", "Rhee"],
    "Pak": ["Park", "Bak"],
    "Choe": ["Choi"],
    "Jong": ["Jung", "Chong"],
    "Kang": ["Gang"],
    "Jo": ["Cho"],
    "Yun": ["Yoon"],
    "Jang": ["Chang"],
    "Han": [],
    "O": ["Oh"],
    "So": ["Suh"],
    "Hwang": [],
    "Ryu": ["Yu"],
    "Hong": [],
    "Kwon": ["Gwon"],
    "Son": ["Sohn"],
    "Mun": ["Moon"],
    "Yang": [],
    "Paek": ["Baek"],
}
# Plain syllable -> McCune–Reischauer spelling (breves and apostrophes).
KOREAN_SYLLABLES = {
    "jong": "jŏng",
    "un": "ŭn",
    "il": "il",
    "song": "sŏng",
    "chol": "ch'ŏl",
    "yong": "yong",
    "myong": "myŏng",
    "su": "su",
    "hyon": "hyŏn",
    "kwang": "kwang",
    "nam": "nam",
    "chun": "ch'un",
    "hui": "hŭi",
    "ok": "ok",
    "sun": "sun",
    "thae": "t'ae",
    "tok": "tŏk",
    "ho": "ho",
    "gum": "gŭm",
    "ryong": "ryong",
    "sok": "sŏk",
    "hak": "hak",
    "min": "min",
    "chang": "ch'ang",
    "pyol": "pyŏl",
}
RUSSIAN_FIRST = {
    "Sergei": ["Sergey"],
    "Alexei": ["Aleksey", "Alexey"],
    "Dmitry": ["Dmitri", "Dmitriy"],
    "Yuri": ["Yury", "Iurii"],
    "Andrei": ["Andrey"],
    "Nikolai": ["Nikolay"],
    "Mikhail": [],
    "Vladimir": [],
    "Igor": [],
    "Oleg": [],
    "Pavel": [],
    "Viktor": ["Victor"],
    "Alexander": ["Aleksandr"],
    "Maxim": ["Maksim"],
    "Yevgeny": ["Evgeny", "Evgeniy"],
    "Anatoly": ["Anatoliy"],
    "Valery": ["Valeriy"],
    "Gennady": ["Gennadiy"],
    "Timur": [],
    "Ruslan": [],
}
RUSSIAN_ROOTS = [
    "Ivan",
    "Petr",
    "Sidor",
    "Kuznets",
    "Smirn",
    "Pop",
    "Sokol",
    "Lebed",
    "Kozl",
    "Novik",
    "Moroz",
    "Volk",
    "Zaits",
    "Pavl",
    "Semen",
    "Golub",
    "Vinograd",
    "Bogdan",
    "Vorob",
    "Fedor",
    "Mikhail",
    "Belyak",
    "Tarasen",
    "Belous",
    "Medved",
    "Krylov",
    "Orl",
    "Zhuk",
    "Gusev",
    "Titov",
    "Kiselev",
    "Makar",
    "Zakharov",
    "Zuev",
    "Kolesnik",
    "Denis",
    "Gromov",
    "Kovalev",
    "Ilyin",
    "Gerasim",
]
RUSSIAN_SUFFIX = ["ov", "ev", "in", "sky", "enko", "ovich"]
WESTERN_FIRST = ["John", "Mary", "David", "Sarah", "Michael", "Anna", "James", "Laura", "Robert", "Emma", "Thomas"]
WESTERN_LAST = ["Smith", "Miller", "Brown", "Clarke", "Evans", "Walker", "Hughes", "Foster", "Reed", "Harper", "Lang"]
PLACE_ROOTS = [
    ("Ch'ŏngjin", "Chongjin"),
    ("Hamhŭng", "Hamhung"),
    ("Sinŭiju", "Sinuiju"),
    ("Namp'o", "Nampo"),
    ("Kaesŏng", "Kaesong"),
    ("Wŏnsan", "Wonsan"),
    ("Kanggye", "Kanggye"),
    ("Hyesan", "Hyesan"),
    ("Sŏnbong", "Sonbong"),
    ("Tumangang", "Tumangang"),
    ("Khasan", "Khasan"),
    ("Nakhodka", "Nakhodka"),
    ("Ussuriysk", "Ussuriisk"),
    ("Khabarovsk", "Khabarovsk"),
    ("Blagoveshchensk", "Blagoveshensk"),
    ("Tikhoretsk", "Tikhoretsk"),
    ("Kotluban", "Kotluban"),
    ("Mozdok", "Mozdok"),
    ("Novo-Ivanovka", "Novoivanovka"),
    ("Zarubino", "Zarubino"),
]
PLACE_PREFIXES = ["", "North ", "South ", "East ", "West ", "Upper ", "Lower ", "New ", "Old ", "Port "]
ORG_PLACES = ["Korea", "Pyongyang", "Moscow", "Rason", "Vladivostok", "Chongjin", "Amur", "Primorye", "Eastern"]
ORG_SECTORS = [
    "Machine",
    "Munitions",
    "Mining",
    "Shipping",
    "Rail",
    "Electronics",
    "Chemical",
    "Trading",
    "Energy",
    "Aerospace",
    "Steel",
    "Logistics",
    "Optics",
    "Tractor",
]
ORG_TYPES = ["Corporation", "Trading Company", "Bureau", "Institute", "General Bureau", "Works", "Group", "Bank"]
FACILITY_TYPES = ["Munitions Factory", "Port", "Airfield", "Rail Terminal", "Missile Base", "Shipyard", "Arsenal"]
PUBLISHERS = [
    "Reuters",
    "Associated Press",
    "Yonhap",
    "KCNA",
    "TASS",
    "NK News",
    "38 North",
    "The Diplomat",
    "Nikkei Asia",
    "Financial Times",
    "The New York Times",
    "The Washington Post",
    "Kommersant",
    "RIA Novosti",
    "Daily NK",
    "Korea JoongAng Daily",
    "Bloomberg",
    "Radio Free Asia",
    "BBC News",
    "CSIS",
    "RUSI",
    "Carnegie Endowment",
    "Meduza",
    "Le Monde",
]
PUBLISHER_KIND = {
    "KCNA": "official",
    "TASS": "official",
    "38 North": "analysis",
    "CSIS": "analysis",
    "RUSI": "analysis",
}
WEAPONS = [
    ("KN-23", "missiles", "missiles"),
    ("KN-24", "missiles", "missiles"),
    ("Hwasong-11", "missiles", "missiles"),
    ("Iskander-M", "missiles", "missiles"),
    ("Kh-101", "missiles", "missiles"),
    ("Su-27", "aircraft", "aircraft"),
    ("MiG-29", "aircraft", "aircraft"),
    ("Pantsir-S1", "air_defence", "systems"),
    ("S-400", "air_defence", "systems"),
    ("T-72B3", "armoured_vehicles", "tanks"),
    ("BTR-82A", "armoured_vehicles", "vehicles"),
    ("Koksan M1989", "artillery", "guns"),
    ("BM-27 Uragan", "artillery", "launchers"),
    ("Bulsae-4", "missiles", "launchers"),
    ("152 mm", "ammunition", "shells"),
    ("122 mm", "ammunition", "rockets"),
    ("AK-12", "small_arms", "rifles"),
    ("Kornet", "missiles", "missiles"),
    ("Kilo-class submarine", "ships", "boats"),
    ("Kalibr", "naval_weapons", "missiles"),
    ("Resurs-P", "satellites", "satellites"),
    ("Aist-2D", "satellites", "satellites"),
    ("Kasta-2E", "sensors", "radars"),
    ("AL-31F", "engines", "engines"),
    ("missile guidance", "technology", "packages"),
]
TOPICS = [
    "military-technical cooperation",
    "space cooperation",
    "energy supplies",
    "labour exports",
    "tourism",
    "rail links",
    "satellite technology",
    "ammunition production",
    "missile technology",
    "air defence",
    "food aid",
    "oil deliveries",
    "banking",
    "sanctions evasion",
    "nuclear cooperation",
    "fisheries",
]
DOCUMENTS = ["treaty", "memorandum", "protocol", "agreement", "joint statement", "contract"]
SPEAKER_ROLES = ["a spokesperson for", "a senior official of", "the ambassador of", "a deputy minister of"]


# --- sampling helpers ---------------------------------------------------------------


class Zipf:
    """Ranks 0..n-1 drawn with probability proportional to 1/(rank+1)**s."""

    def __init__(self, n: int, s: float) -> None:
        total, self.cum = 0.0, []
        for rank in range(n):
            total += 1.0 / (rank + 1) ** s
            self.cum.append(total)
        self.total = total

    def draw(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cum, rng.random() * self.total)


def weighted(rng: random.Random, options: Sequence, weights: Sequence[float]):
    return rng.choices(options, weights)[0]


def partial_date(rng: random.Random, lo: int, hi: int, weights=(45, 30, 20, 5)) -> tuple[dt.date, str]:
    """A random partial date between the years lo and hi, at a random precision."""
    precision = weighted(rng, ("day", "month", "year", "decade"), weights)
    day = dt.date(rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28))
    return period_start(day, precision), precision


def date_words(date: dt.date, precision: str) -> str:
    """How an article would name the partial date."""
    if precision == "day":
        return f"{date.day} {date.strftime('%B')} {date.year}"
    if precision == "month":
        return f"{date.strftime('%B')} {date.year}"
    if precision == "year":
        return str(date.year)
    return f"the {date.year}s"


# --- the plan of the synthetic base ----------------------------------------------------


@dataclass
class SynthActor:
    pk: int
    kind: str
    name: str
    country: str
    aliases: list[str]
    mentions: list[str]  # ways an article names it


@dataclass
class Plan:
    """Everything to insert, built in memory first so the same seed always gives the same rows."""

    scale: float
    seed: int
    actors: list[SynthActor] = field(default_factory=list)
    rows: dict[str, list] = field(default_factory=dict)


def _count(scale: float, name: str, minimum: int = 1) -> int:
    return max(minimum, round(SHAPE[name] * scale))


def _korean_person(rng: random.Random) -> tuple[str, list[str], list[str]]:
    surname = rng.choice(list(KOREAN_SURNAMES))
    syllables = rng.sample(list(KOREAN_SYLLABLES), 2)
    plain_given = f"{syllables[0].capitalize()}-{syllables[1]}"
    plain = f"{surname} {plain_given}"
    spaced = f"{surname} {syllables[0].capitalize()} {syllables[1].capitalize()}"
    mr = f"{surname} {KOREAN_SYLLABLES[syllables[0]].capitalize()}-{KOREAN_SYLLABLES[syllables[1]]}"
    aliases = [f"{variant} {plain_given}" for variant in KOREAN_SURNAMES[surname][:1]]
    # The McCune–Reischauer spelling is the name half the time; the text then uses plain forms.
    name = mr if rng.random() < 0.5 and mr != plain else plain
    return name, aliases, [plain, spaced, surname + " " + syllables[0].capitalize() + syllables[1]]


def _russian_person(rng: random.Random) -> tuple[str, list[str], list[str]]:
    first = rng.choice(list(RUSSIAN_FIRST))
    last = rng.choice(RUSSIAN_ROOTS) + rng.choice(RUSSIAN_SUFFIX)
    aliases = [f"{variant} {last}" for variant in RUSSIAN_FIRST[first][:1]]
    return f"{first} {last}", aliases, [f"{first} {last}", last]


def _western_person(rng: random.Random) -> tuple[str, list[str], list[str]]:
    first, last = rng.choice(WESTERN_FIRST), rng.choice(WESTERN_LAST)
    middle = rng.choice("ABCDEFGHJKLMNPRSTW")
    return f"{first} {middle}. {last}", [f"{first} {last}"], [f"{first} {last}", last]


def _organization(rng: random.Random) -> tuple[str, list[str], list[str]]:
    name = f"{rng.choice(ORG_PLACES)} {rng.choice(ORG_SECTORS)} {rng.choice(ORG_TYPES)}"
    if rng.random() < 0.3:
        name = f"{name} No. {rng.randint(2, 999)}"
    acronym = "".join(word[0] for word in name.split() if word[0].isalpha() and word[0].isupper())
    return name, [acronym] if len(acronym) >= 3 else [], [name, f"the {name}"]


def _facility(rng: random.Random) -> tuple[str, list[str], list[str]]:
    marked, plain = rng.choice(PLACE_ROOTS)
    kind = rng.choice(FACILITY_TYPES)
    number = rng.randint(1, 400)
    name = f"{marked} {kind} No. {number}"
    return name, [f"Factory {number}" if "Factory" in kind else f"Site {number} at {plain}"], [f"{plain} {kind}"]


def _place(rng: random.Random) -> tuple[str, list[str], list[str]]:
    marked, plain = rng.choice(PLACE_ROOTS)
    prefix = rng.choice(PLACE_PREFIXES)
    suffix = rng.choice(["", "", "-dong", "-ri", " District", "-gun", "sky Raion"])
    name = f"{prefix}{marked}{suffix}"
    alias = f"{prefix}{plain}{suffix}".replace("-", "")
    return name, [alias] if normalize_name(alias) != normalize_name(name) else [], [f"{prefix}{plain}{suffix}"]


def plan_actors(rng: random.Random, count: int) -> list[SynthActor]:
    """The head actors, the other states, then a long tail of people, bodies, facilities and places."""
    actors: list[SynthActor] = []
    seen: set[str] = set()

    def add(kind: str, name: str, country: str, aliases: list[str], mentions: list[str]) -> None:
        key = normalize_name(name)
        if key in seen:
            return
        seen.add(key)
        unique, names = [], {key}
        for alias in aliases:
            normalized = normalize_name(alias)
            if normalized and normalized not in names:
                names.add(normalized)
                unique.append(alias)
        actors.append(SynthActor(len(actors) + 1, kind, name, country, unique, mentions or [name]))

    for name, kind, country, aliases, mentions in HEAD_ACTORS:
        if len(actors) < count:
            add(kind, name, country, aliases, [name, *mentions])
    for name, country in OTHER_STATES:
        if len(actors) < count:
            add("state", name, country, [], [name])
    makers: list[tuple[Callable, str, str]] = [
        (_korean_person, "person", "KP"),
        (_russian_person, "person", "RU"),
        (_western_person, "person", ""),
        (_organization, "organization", ""),
        (_facility, "facility", ""),
        (_place, "place", ""),
    ]
    weights = [35, 25, 8, 17, 8, 7]
    attempts = 0
    while len(actors) < count:
        attempts += 1
        maker, kind, country = weighted(rng, makers, weights)
        name, aliases, mentions = maker(rng)
        if attempts > count * 20:  # vocabulary exhausted: number the names
            name = f"{name} {attempts}"
        if kind in ("organization", "facility", "place"):
            country = weighted(rng, ("KP", "RU", ""), (50, 40, 10))
        add(kind, name, country, aliases, mentions)
    # The tail is shuffled so that mention rank does not follow generation order.
    head, tail = actors[: len(HEAD_ACTORS)], actors[len(HEAD_ACTORS) :]
    rng.shuffle(tail)
    ordered = head + tail
    for pk, actor in enumerate(ordered, start=1):
        actor.pk = pk
    return ordered


def _unique_slug(text: str, used: set[str]) -> str:
    base = slugify(strip_accents(text))[:180] or "record"
    slug, n = base, 1
    while slug in used:
        n += 1
        slug = f"{base}-{n}"
    used.add(slug)
    return slug


class SentenceMaker:
    """Claim sentences of every modality, naming actors the way articles do."""

    def __init__(self, rng: random.Random, actors: list[SynthActor]) -> None:
        self.rng = rng
        self.actors = actors
        self.zipf = Zipf(len(actors), 1.15)
        self.people = [a for a in actors if a.kind == "person"] or actors
        self.places = [a for a in actors if a.kind in ("place", "facility")] or actors
        self.place_zipf = Zipf(len(self.places), 1.0)

    def actor(self) -> SynthActor:
        return self.actors[self.zipf.draw(self.rng)]

    def place(self) -> SynthActor:
        return self.places[self.place_zipf.draw(self.rng)]

    def mention(self, actor: SynthActor) -> str:
        # Mostly the most common form, sometimes a variant or an alias.
        options = actor.mentions + actor.aliases
        return options[0] if self.rng.random() < 0.6 else self.rng.choice(options)

    def claim(self, when: tuple[dt.date, str] | None, publisher: str) -> dict:
        """One sentence that is a claim: quote, modality, subjects, speaker, attribution."""
        rng = self.rng
        a = self.actor()
        b = self.actor()
        while b.pk == a.pk:
            b = self.actor()
        subjects = [a.pk, b.pk]
        weapon, _, unit = rng.choice(WEAPONS)
        topic = rng.choice(TOPICS)
        time = f" in {date_words(*when)}" if when else ""
        qty = rng.choice([12, 24, 40, 100, 300, 1_000, 5_000, 20_000])
        modality = weighted(rng, Modality.values, (45, 20, 12, 8, 15))
        speaker = None
        attributed = ""
        A, B = self.mention(a), self.mention(b)
        if modality == Modality.FACT:
            place = self.place()
            subjects.append(place.pk)
            text = rng.choice(
                [
                    f"{A} delivered {qty:,} {weapon} {unit} to {B}{time}.",
                    f"{A} and {B} signed a {rng.choice(DOCUMENTS)} on {topic} in {self.mention(place)}{time}.",
                    f"{A} met officials from {B} in {self.mention(place)}{time} to discuss {topic}.",
                    f"Satellite images showed {qty} rail cars of {weapon} {unit} at {self.mention(place)}{time}.",
                    f"Ships linked to {A} carried {weapon} {unit} from {self.mention(place)} to {B}{time}.",
                ]
            )
        elif modality == Modality.ASSESSMENT:
            text = rng.choice(
                [
                    f"Analysts at {publisher} assess that {A} has likely supplied {weapon} {unit} to {B}{time}.",
                    f"{A}'s support for {B} in {topic} is probably growing, officials believe.",
                    f"It is likely that {A} received {topic} assistance from {B}{time}.",
                ]
            )
        elif modality == Modality.FORECAST:
            text = rng.choice(
                [
                    f"{A} is expected to send more {weapon} {unit} to {B}{time}.",
                    f"{A} will likely deepen {topic} with {B} over the coming year.",
                    f"Experts predict that {B} will seek {weapon} {unit} from {A}.",
                ]
            )
        elif modality == Modality.OPINION:
            text = rng.choice(
                [
                    f"It would be a grave mistake for {A} to ignore {B}'s ambitions in {topic}.",
                    f"The partnership between {A} and {B} is a marriage of convenience, not an alliance.",
                ]
            )
        else:
            person = self.people[self.zipf.draw(rng) % len(self.people)]
            speaker = person.pk
            said = self.mention(person)
            attributed = f"{said} said"
            text = rng.choice(
                [
                    f"{said} said that {A} would never abandon {B} and would expand {topic}.",
                    f"“{A} stands with {B},” {said} told reporters{time}.",
                    f"{said} denied that {A} had sent {weapon} {unit} to {B}.",
                ]
            )
        return {
            "quote": text,
            "modality": modality,
            "subjects": list(dict.fromkeys(subjects)),
            "speaker": speaker,
            "attributed_to": attributed,
            "statement": f"{a.name} and {b.name}: {topic}.",
        }

    def filler(self) -> str:
        rng = self.rng
        return rng.choice(
            [
                "Officials declined to comment.",
                "The report did not give further details.",
                f"{self.mention(self.actor())} has not responded to requests for comment.",
                f"The claim could not be independently verified by {rng.choice(PUBLISHERS)}.",
                f"Talks on {rng.choice(TOPICS)} are set to continue.",
            ]
        )


def plan(scale: float = 1.0, seed: int = DEFAULT_SEED) -> Plan:
    """Build every row of the synthetic base in memory, deterministically from ``seed``."""
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}.")
    rng = random.Random(seed)
    result = Plan(scale=scale, seed=seed)
    actors = plan_actors(rng, _count(scale, "actors", 40))
    result.actors = actors
    reviewed_at = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)
    rows: dict[str, list] = {
        name: []
        for name in (
            "actor",
            "alias",
            "source",
            "source_authors",
            "claim",
            "claim_subjects",
            "claim_link",
            "relationship",
            "relationship_evidence",
            "event",
            "event_participants",
            "event_evidence",
            "agreement",
            "agreement_party",
            "provision",
            "agreement_evidence",
            "transfer",
            "transfer_evidence",
        )
    }
    result.rows = rows

    slugs: set[str] = set()
    for a in actors:
        start = end = (None, "")
        if a.kind == "person":
            start = partial_date(rng, 1940, 1995, (40, 10, 45, 5))
        elif a.kind == "state" and rng.random() < 0.5:
            start = partial_date(rng, 1900, 1991, (60, 10, 30, 0))
        if a.kind == "person" and rng.random() < 0.05:
            end = partial_date(rng, 2000, 2024, (60, 30, 10, 0))
            if end[0] < start[0]:
                end = (None, "")
        rows["actor"].append(
            Actor(
                pk=a.pk,
                kind=a.kind,
                name=a.name,
                slug=_unique_slug(a.name, slugs),
                summary=f"Synthetic {a.kind} for load tests: {a.name}.",
                country_code=a.country,
                start_on=start[0],
                start_on_precision=start[1],
                end_on=end[0],
                end_on_precision=end[1],
            )
        )
        for alias in [a.name, *a.aliases]:
            rows["alias"].append(Alias(actor_id=a.pk, name=alias, normalized=normalize_name(alias)))

    # Sources and their claims: each claim is a sentence of its source's text.
    sentences = SentenceMaker(rng, actors)
    n_sources, n_claims = _count(scale, "sources"), _count(scale, "claims")
    weights = [rng.lognormvariate(0, 0.5) for _ in range(n_sources)]
    total = sum(weights)
    per_source = [max(1, int(n_claims * w / total)) for w in weights]
    per_source[-1] += n_claims - sum(per_source)
    while per_source[-1] < 1:  # rounding took too much from the last source
        i = max(range(n_sources), key=per_source.__getitem__)
        per_source[i] -= 1
        per_source[-1] += 1
    claim_pk = 0
    status_values = (ClaimStatus.ACCEPTED, ClaimStatus.PROPOSED, ClaimStatus.REJECTED, ClaimStatus.DISPUTED)
    people = [a.pk for a in actors if a.kind == "person"]
    mentions_of: dict[int, list[int]] = {}
    for s in range(n_sources):
        source_pk = s + 1
        publisher = weighted(rng, PUBLISHERS, [1 / (i + 1) for i in range(len(PUBLISHERS))])
        published = partial_date(rng, 2015, 2025, (92, 6, 2, 0))
        when_year = published[0].year
        n_here = per_source[s]
        # Two header sentences, then the claims among filler sentences, in a random order.
        slots = [True] * n_here + [False] * (n_here // 3 + 1)
        rng.shuffle(slots)
        paragraphs: list[list[str]] = [[]]
        text_parts: list[str] = []
        offset = 0
        title = ""
        source_claims = []
        for i, is_claim in enumerate([False, False, *slots]):
            if is_claim:
                when = partial_date(rng, when_year - 3, when_year) if rng.random() < 0.6 else None
                claim = sentences.claim(when, publisher)
                claim["about"] = when
                sentence = claim["quote"]
            elif i == 0:
                title = sentences.claim(None, publisher)["quote"].rstrip(".")[:290]
                sentence = f"{title} ({publisher}, {date_words(*published)})."
            elif i == 1:
                sentence = f"This is article {source_pk} of the synthetic corpus, seed {seed}."
            else:
                sentence = sentences.filler()
            if paragraphs[-1] and (len(paragraphs[-1]) >= 5 or rng.random() < 0.2):
                paragraphs.append([])
                text_parts.append("\n\n")
                offset += 2
            elif paragraphs[-1]:
                text_parts.append(" ")
                offset += 1
            paragraphs[-1].append(sentence)
            if is_claim:
                claim["start"], claim["end"] = offset, offset + len(sentence)
                source_claims.append(claim)
            text_parts.append(sentence)
            offset += len(sentence)
        text = "".join(text_parts)
        kind = PUBLISHER_KIND.get(publisher) or weighted(rng, SourceKind.values, (70, 15, 10, 5))
        rows["source"].append(
            Source(
                pk=source_pk,
                title=title,
                publisher=publisher,
                byline=f"By {rng.choice(WESTERN_FIRST)} {rng.choice(WESTERN_LAST)}",
                published_on=published[0],
                published_on_precision=published[1],
                url=f"{SYNTH_URL}{slugify(publisher)}/{source_pk}",
                kind=kind,
                reliability=weighted(rng, SourceReliability.values, (5, 30, 30, 15, 5, 15)),
                language="en",
                text=text,
                sha256=text_sha256(text),
            )
        )
        if people and rng.random() < 0.1:
            rows["source_authors"].append((source_pk, rng.choice(people)))
        for claim in source_claims:
            claim_pk += 1
            status = weighted(rng, status_values, (80, 12, 4, 4))
            about = claim["about"] or (None, "")
            rows["claim"].append(
                Claim(
                    pk=claim_pk,
                    source_id=source_pk,
                    quote=claim["quote"],
                    start=claim["start"],
                    end=claim["end"],
                    statement=claim["statement"],
                    modality=claim["modality"],
                    attributed_to=claim["attributed_to"],
                    speaker_id=claim["speaker"],
                    about_on=about[0],
                    about_on_precision=about[1],
                    credibility=weighted(rng, (1, 2, 3, 4, 5, 6), (10, 30, 25, 10, 5, 20)),
                    status=status,
                    reviewed_at=None if status == ClaimStatus.PROPOSED else reviewed_at,
                    review_note="",
                )
            )
            for actor_pk in claim["subjects"]:
                rows["claim_subjects"].append((claim_pk, actor_pk))
                mentions_of.setdefault(actor_pk, []).append(claim_pk)
    all_claims = claim_pk

    def evidence_for(*actor_pks: int) -> list[int]:
        chosen: list[int] = []
        for actor_pk in actor_pks:
            pool = mentions_of.get(actor_pk)
            if pool:
                chosen.append(rng.choice(pool))
        if not chosen or rng.random() < 0.3:
            chosen.append(rng.randint(1, all_claims))
        return list(dict.fromkeys(chosen))

    # Claim links between claims about the same actor.
    links: set[tuple[int, str, int]] = set()
    for _ in range(_count(scale, "claim_links")):
        pool = mentions_of[rows["claim_subjects"][rng.randrange(len(rows["claim_subjects"]))][1]]
        a, b = rng.choice(pool), rng.choice(pool)
        if a != b:
            links.add((a, weighted(rng, ClaimLinkKind.values, (50, 20, 20, 10)), b))
    rows["claim_link"] = [ClaimLink(from_claim_id=a, kind=k, to_claim_id=b) for a, k, b in sorted(links)]

    draw = sentences.actor
    # Relationships.
    seen_rel: set[tuple[int, str, int]] = set()
    predicates = RelationshipPredicate.values
    for _ in range(_count(scale, "relationships") * 2):
        if len(rows["relationship"]) >= _count(scale, "relationships"):
            break
        subject, obj = draw().pk, draw().pk
        predicate = rng.choice(predicates)
        if subject == obj or (subject, predicate, obj) in seen_rel:
            continue
        seen_rel.add((subject, predicate, obj))
        valid = partial_date(rng, 1990, 2024) if rng.random() < 0.7 else (None, "")
        until = (None, "")
        if valid[0] and rng.random() < 0.2:
            until = partial_date(rng, valid[0].year + 1, 2025, (30, 30, 40, 0))
        pk = len(rows["relationship"]) + 1
        rows["relationship"].append(
            Relationship(
                pk=pk,
                subject_id=subject,
                predicate=predicate,
                object_id=obj,
                valid_from=valid[0],
                valid_from_precision=valid[1],
                valid_until=until[0],
                valid_until_precision=until[1],
                note=f"{actors[subject - 1].name} {predicate.replace('_', ' ')} {actors[obj - 1].name}.",
            )
        )
        rows["relationship_evidence"].extend((pk, c) for c in evidence_for(subject, obj))

    # Events.
    places = [a.pk for a in actors if a.kind in ("place", "facility")] or [actors[0].pk]
    for pk in range(1, _count(scale, "events") + 1):
        kind = weighted(rng, EventKind.values, (10, 15, 20, 8, 12, 8, 2, 8, 3, 2, 6, 6))
        participants = list(dict.fromkeys(draw().pk for _ in range(rng.randint(2, 4))))
        start = partial_date(rng, 2000, 2025, (60, 25, 15, 0))
        end = (None, "")
        if kind in ("war", "military_action", "visit") and rng.random() < 0.5:
            end = (start[0] + dt.timedelta(days=rng.randint(1, 400)), "day")
            end = (period_start(end[0], start[1]), start[1])
        place = rng.choice(places) if rng.random() < 0.8 else None
        names = " and ".join(actors[p - 1].name for p in participants[:2])
        title = f"{EventKind(kind).label}: {names}, {date_words(*start)}"
        rows["event"].append(
            Event(
                pk=pk,
                title=title[:300],
                slug=_unique_slug(title, slugs),
                kind=kind,
                start_on=start[0],
                start_on_precision=start[1],
                end_on=end[0],
                end_on_precision=end[1],
                place_id=place,
                summary=f"{title}. Synthetic event.",
            )
        )
        rows["event_participants"].extend((pk, p) for p in participants)
        rows["event_evidence"].extend((pk, c) for c in evidence_for(*participants[:2]))

    # Agreements with parties, signatories and provisions.
    states = [a.pk for a in actors if a.kind in ("state", "organization")]
    for pk in range(1, _count(scale, "agreements") + 1):
        parties = list(dict.fromkeys([draw().pk, draw().pk, *([rng.choice(states)] if rng.random() < 0.3 else [])]))
        if len(parties) < 2:
            parties.append(next(p for p in states if p not in parties))
        kind = rng.choice(AgreementKind.values)
        status = weighted(rng, AgreementStatus.values, (5, 10, 30, 15, 35, 10))
        signed = partial_date(rng, 1995, 2025, (70, 20, 10, 0)) if status != "proposed" else (None, "")
        in_force = (None, "")
        if status in ("in_force", "lapsed") and signed[0]:
            in_force = (period_start(signed[0] + dt.timedelta(days=rng.randint(30, 400)), "day"), "day")
        names = " and ".join(actors[p - 1].name for p in parties[:2])
        title = f"{AgreementKind(kind).label} on {rng.choice(TOPICS)} between {names}"
        if signed[0]:
            title += f" ({signed[0].year})"
        rows["agreement"].append(
            Agreement(
                pk=pk,
                title=title[:300],
                slug=_unique_slug(title, slugs),
                kind=kind,
                status=status,
                signed_on=signed[0],
                signed_on_precision=signed[1],
                signed_place_id=rng.choice(places) if rng.random() < 0.6 else None,
                in_force_on=in_force[0],
                in_force_on_precision=in_force[1],
                summary=f"{title}. Synthetic agreement.",
            )
        )
        for party in parties:
            signatory = rng.choice(people) if people and rng.random() < 0.7 else None
            rows["agreement_party"].append(AgreementParty(agreement_id=pk, actor_id=party, signatory_id=signatory))
        for order in range(1, rng.randint(1, 5) + 1):
            provision_kind = rng.choice(ProvisionKind.values)
            rows["provision"].append(
                Provision(
                    agreement_id=pk,
                    label=f"Article {order}",
                    kind=provision_kind,
                    summary=f"{ProvisionKind(provision_kind).label} between the parties.",
                    order=order,
                )
            )
        rows["agreement_evidence"].extend((pk, c) for c in evidence_for(*parties[:2]))

    # Arms transfers.
    for pk in range(1, _count(scale, "transfers") + 1):
        supplier, recipient = draw().pk, draw().pk
        while recipient == supplier:
            recipient = draw().pk
        designation, category, unit = rng.choice(WEAPONS)
        low = rng.choice([None, 1, 10, 50, 100, 1_000, 100_000])
        high = None if low is None else low * rng.choice([1, 2, 5])
        start = partial_date(rng, 2000, 2025, (20, 30, 50, 0))
        end = (None, "")
        if rng.random() < 0.3:
            end = partial_date(rng, start[0].year, 2025, (0, 30, 70, 0))
            if end[0] < start[0]:
                end = (None, "")
        reported = partial_date(rng, max(start[0].year, 2015), 2025, (80, 20, 0, 0))
        rows["transfer"].append(
            ArmsTransfer(
                pk=pk,
                supplier_id=supplier,
                recipient_id=recipient,
                category=category,
                designation=designation,
                description=f"{designation} {unit} from {actors[supplier - 1].name} to {actors[recipient - 1].name}.",
                quantity_low=low,
                quantity_high=high,
                quantity_unit=unit if low is not None else "",
                start_on=start[0],
                start_on_precision=start[1],
                end_on=end[0],
                end_on_precision=end[1],
                status=weighted(rng, TransferStatus.values, (10, 25, 35, 20, 10)),
                reported_by=weighted(rng, PUBLISHERS, [1 / (i + 1) for i in range(len(PUBLISHERS))]),
                reported_on=reported[0],
                reported_on_precision=reported[1],
            )
        )
        rows["transfer_evidence"].extend((pk, c) for c in evidence_for(supplier, recipient))
    return result


# --- writing ------------------------------------------------------------------------


def kb_models() -> list:
    """Every table of the kb app: models, history models and automatic m2m tables."""
    models = []
    for model in apps.get_app_config("kb").get_models(include_auto_created=True):
        models.append(model)
    return models


def holds_data() -> bool:
    return Actor.objects.exists() or Source.objects.exists() or Claim.objects.exists()


def is_synthetic() -> bool:
    """True when the database holds kb data and every source in it was made by synth_kb."""
    return Source.objects.exists() and not Source.objects.exclude(url__startswith=SYNTH_URL).exists()


def wipe() -> None:
    """Empty every kb table (records, history and links), resetting id sequences."""
    tables = [model._meta.db_table for model in kb_models()]
    if connection.vendor == "postgresql":
        # Deferred foreign-key checks still pending in this transaction would block TRUNCATE.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=False)
    connection.ops.execute_sql_flush(statements)


def _bulk(model, objects: Iterable, batch: int = BATCH) -> int:
    count = 0
    iterator = iter(objects)
    while chunk := list(itertools.islice(iterator, batch)):
        model.objects.bulk_create(chunk, batch_size=batch)
        count += len(chunk)
    return count


def _through(model, field_name: str, left: str, right: str, pairs: Iterable[tuple[int, int]]) -> int:
    through = getattr(model, field_name).through
    return _bulk(through, (through(**{f"{left}_id": a, f"{right}_id": b}) for a, b in pairs))


def write(result: Plan, *, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Insert the planned rows; returns counts by table. The database must be empty of kb data."""
    say = progress or (lambda message: None)
    rows = result.rows
    counts: dict[str, int] = {}
    with transaction.atomic():
        steps = [
            ("actors", lambda: _bulk(Actor, rows["actor"])),
            ("aliases", lambda: _bulk(Alias, rows["alias"])),
            ("sources", lambda: _bulk(Source, rows["source"], 200)),
            ("source authors", lambda: _through(Source, "authors", "source", "actor", rows["source_authors"])),
            ("claims", lambda: _bulk(Claim, rows["claim"])),
            ("claim subjects", lambda: _through(Claim, "subjects", "claim", "actor", rows["claim_subjects"])),
            ("claim links", lambda: _bulk(ClaimLink, rows["claim_link"])),
            ("relationships", lambda: _bulk(Relationship, rows["relationship"])),
            (
                "relationship evidence",
                lambda: _through(Relationship, "evidence", "relationship", "claim", rows["relationship_evidence"]),
            ),
            ("events", lambda: _bulk(Event, rows["event"])),
            (
                "event participants",
                lambda: _through(Event, "participants", "event", "actor", rows["event_participants"]),
            ),
            ("event evidence", lambda: _through(Event, "evidence", "event", "claim", rows["event_evidence"])),
            ("agreements", lambda: _bulk(Agreement, rows["agreement"])),
            ("agreement parties", lambda: _bulk(AgreementParty, rows["agreement_party"])),
            ("provisions", lambda: _bulk(Provision, rows["provision"])),
            (
                "agreement evidence",
                lambda: _through(Agreement, "evidence", "agreement", "claim", rows["agreement_evidence"]),
            ),
            ("arms transfers", lambda: _bulk(ArmsTransfer, rows["transfer"])),
            (
                "transfer evidence",
                lambda: _through(ArmsTransfer, "evidence", "armstransfer", "claim", rows["transfer_evidence"]),
            ),
        ]
        for label, step in steps:
            counts[label] = step()
            say(f"{label}: {counts[label]:,}")
        # Explicit ids leave PostgreSQL's sequences behind; move them past the rows.
        statements = connection.ops.sequence_reset_sql(no_style(), kb_models())
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
    # Fresh statistics, so the planner sees the real shape of the data; on PostgreSQL also
    # the visibility map (VACUUM), without which index-only scans read every row.
    with connection.cursor() as cursor:
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return counts


def generate(
    *, scale: float = 1.0, seed: int = DEFAULT_SEED, force: bool = False, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Fill the current database with the synthetic knowledge base of ``scale`` and ``seed``.

    A database already holding synthetic data is emptied first. One holding anything else
    is refused with NotSyntheticError unless ``force`` (then it is emptied too).
    """
    if holds_data() and not is_synthetic() and not force:
        raise NotSyntheticError(
            "The database already holds records that synth_kb did not make. Point DATABASE_URL at a "
            "separate database, or pass --force to delete every kb record in this one."
        )
    say = progress or (lambda message: None)
    result = plan(scale=scale, seed=seed)
    say(f"planned scale {scale} with seed {seed}")
    wipe()
    return write(result, progress=say)


def article(*, seed: int, words: int = 1000) -> str:
    """A fresh news article of about ``words`` words in the synthetic style, naming well-known actors."""
    rng = random.Random(seed)
    maker = SentenceMaker(rng, plan_actors(rng, 200))
    publisher = rng.choice(PUBLISHERS)
    paragraphs, paragraph, count = [], [], 0
    while count < words:
        when = partial_date(rng, 2022, 2024) if rng.random() < 0.5 else None
        sentence = maker.claim(when, publisher)["quote"] if rng.random() < 0.7 else maker.filler()
        paragraph.append(sentence)
        count += len(sentence.split())
        if len(paragraph) >= 4:
            paragraphs.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    return "\n\n".join(paragraphs)
