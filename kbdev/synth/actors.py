"""The synthetic actors: a head of well-known ones, other states, then a long tail of made-up names.

Names come in the variants real articles use: romanisation, hyphen, space and diacritic
variants ("Kim Jong-un" and "Kim Jong Un", "Sŭngri" and "Sungri"), acronyms and short forms.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.text import slugify

from kb.ingest.normalize import normalize_name, strip_accents
from kbdev.synth.sampling import weighted
from kbdev.synth.vocabulary import (
    FACILITY_TYPES,
    HEAD_ACTORS,
    KOREAN_SURNAMES,
    KOREAN_SYLLABLES,
    ORG_PLACES,
    ORG_SECTORS,
    ORG_TYPES,
    OTHER_STATES,
    PLACE_PREFIXES,
    PLACE_ROOTS,
    RUSSIAN_FIRST,
    RUSSIAN_ROOTS,
    RUSSIAN_SUFFIX,
    WESTERN_FIRST,
    WESTERN_LAST,
)


@dataclass
class SynthActor:
    """One actor to be: its id, kind, name, country, aliases and the ways articles name it."""

    pk: int
    kind: str
    name: str
    country: str
    aliases: list[str]
    mentions: list[str]  # ways an article names it


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


def unique_slug(text: str, used: set[str]) -> str:
    """A slug of ``text`` not in ``used`` (numbered when it would be), added to ``used``."""
    base = slugify(strip_accents(text))[:180] or "record"
    slug, n = base, 1
    while slug in used:
        n += 1
        slug = f"{base}-{n}"
    used.add(slug)
    return slug
