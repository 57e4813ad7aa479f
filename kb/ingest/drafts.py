"""Draft records from sentences: arms transfers, events, agreement milestones, relationships and new names.

Pure text processing, like the rest of ``kb.ingest``: the caller gives a sentence with the
known actors named in it (offsets into the sentence, keys) and what it knows of them (kind,
country, name), the agreements the sentence cites and their parties, and gets back draft
specifications whose actors and agreements are those keys. The service turns the keys into
slugs, drops what adds nothing to the knowledge base and stores the rest.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kb.choices import (
    ActorKind,
    DraftKind,
    EventKind,
    MilestoneStep,
    Modality,
    RelationshipPredicate,
    TransferCategory,
    TransferStatus,
)
from kb.dates import PartialDate
from kb.ingest.dates import find_dates


@dataclass(frozen=True)
class ActorFacts:
    """What drafting needs to know of a known actor."""

    name: str
    kind: str
    country: str = ""


@dataclass(frozen=True)
class Named:
    """A known actor named in a sentence: offsets into the sentence and its key."""

    start: int
    end: int
    key: Hashable
    adjective: bool = False  # named by its adjective ("North Korean")


@dataclass
class DraftSpec:
    """A draft to propose: its kind and data, actors and agreements as the caller's keys."""

    kind: str
    data: dict[str, Any]
    match: Hashable | None = None  # a record the sentence cites that the draft is about (an event it names)
    names: list[str] = field(default_factory=list)  # for a new name: the claims whose quote holds it


# --- numbers, weapons, designations --------------------------------------------------------

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
    "dozens": 24,
    "hundreds": 200,
    "thousands": 2000,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_AMOUNT = rf"{_NUM}(?:\s+(?:hundred|thousand|million|billion))?"
_LOWER_BOUND = r"more than|over|at least|upwards of|in excess of"
_UPPER_BOUND = r"up to|as many as|fewer than|less than|under|no more than"
_ABOUT = r"about|around|approximately|roughly|nearly|almost|some|an estimated|estimated|close to|a reported"
# Nouns a quantity of weapons is counted in.
_UNITS = (
    r"shells|rounds|missiles|rockets|munitions|howitzers|guns|launchers|drones|tanks|vehicles|rifles|"
    r"containers|systems|aircraft|jets|helicopters|mortars|grenades|bombs|cartridges|pieces|units|tonnes|tons"
)
_QUANTITY = re.compile(
    rf"(?:\b(?P<bound>{_LOWER_BOUND}|{_UPPER_BOUND}|{_ABOUT}|between)\s+)?"
    rf"(?<![\w-])(?P<first>{_AMOUNT})(?:\s*(?:to|-|–|and|or)\s*(?P<second>{_AMOUNT}))?"
    rf"(?P<between>(?:\s+(?!(?:to|from|of|and|in|for|by)\b)[\w-]+){{0,3}}?)\s+(?P<unit>{_UNITS})\b",
    re.I,
)
# Categories by the words that name them, the first found in this order wins: "artillery shells" are ammunition.
_CATEGORIES: list[tuple[str, re.Pattern[str]]] = [
    (TransferCategory.TECHNOLOGY, re.compile(r"\b(?:technolog(?:y|ies)|know-how|expertise)\b", re.I)),
    (
        TransferCategory.AMMUNITION,
        re.compile(r"\b(?:shells?|rounds|ammunition|munitions|cartridges|rockets|bullets|grenades)\b", re.I),
    ),
    (TransferCategory.AIR_DEFENCE, re.compile(r"\b(?:air[- ]defen[cs]e|surface-to-air|anti-aircraft)\b", re.I)),
    (TransferCategory.MISSILES, re.compile(r"\b(?:missiles?|SRBMs?|ICBMs?|ballistic)\b", re.I)),
    (
        TransferCategory.ARTILLERY,
        re.compile(
            r"\b(?:artillery|howitzers?|rocket launchers?|multiple[- ]rocket|MLRS|guns|cannons?|mortars?)\b", re.I
        ),
    ),
    (TransferCategory.ARMOURED_VEHICLES, re.compile(r"\b(?:tanks|armou?red vehicles|APCs|IFVs)\b", re.I)),
    (TransferCategory.AIRCRAFT, re.compile(r"\b(?:drones?|UAVs?|aircraft|fighter jets|helicopters?)\b", re.I)),
    (TransferCategory.SMALL_ARMS, re.compile(r"\b(?:rifles|small arms|machine guns)\b", re.I)),
    (TransferCategory.SHIPS, re.compile(r"\b(?:warships|submarines|frigates)\b", re.I)),
    (TransferCategory.SATELLITES, re.compile(r"\bsatellites?\b", re.I)),
    (TransferCategory.OTHER, re.compile(r"\b(?:arms|weapons|weaponry|military equipment)\b", re.I)),
]
_WEAPON_ADJECTIVES = (
    r"ballistic|cruise|artillery|short-range|long-range|anti-tank|tactical|guided|multiple-rocket|rocket|"
    r"self-propelled|heavy|light|military|combat|attack"
)
_WEAPON_NOUN = re.compile(
    rf"\b(?P<phrase>(?:(?:{_WEAPON_ADJECTIVES})\s+){{0,2}}(?:shells?|rounds|ammunition|munitions|missiles?|rockets|"
    r"howitzers?|artillery|launchers?|drones?|tanks|rifles|air[- ]defen[cs]e systems?|systems|weapons|arms))\b",
    re.I,
)
# Weapon designations: KN-23, Hwasong-11, S-400, Su-27, M1989, and calibres ("152mm shells").
_DESIGNATION = re.compile(
    r"\b(?P<name>(?:KN|Hwasong|Koksan|Bulsae|Shahed|Iskander|Kh|Su|MiG|T|S|BM|RPG)-\d{1,4}[A-Z]{0,2}"
    r"|[A-Z]\d{4}|\d{2,3}[- ]?mm(?:\s+(?:artillery\s+)?(?:shells|rounds|rockets))?)\b"
)

# --- verbs ---------------------------------------------------------------------------------

_SUPPLY = re.compile(
    r"\b(?:suppl(?:y|ies|ied|ying)|sen[dt]|sends|sending|ship(?:s|ped|ping)?|deliver(?:s|ed|ing)?|"
    r"provid(?:e|es|ed|ing)|transferr?(?:s|ed|ing)?|export(?:s|ed|ing)?|sell(?:s|ing)?|sold|"
    r"g[ai]ve|gives|given|giving|hand(?:s|ed)? over|furnish(?:es|ed)?|deliveries|shipments?|transfers?)\b",
    re.I,
)
_RECEIVE = re.compile(
    r"\b(?:receiv(?:e|es|ed|ing)|acquir(?:e|es|ed|ing)|obtain(?:s|ed|ing)?|import(?:s|ed|ing)?|bought|"
    r"buy(?:s|ing)?|purchas(?:e|es|ed|ing)|procur(?:e|es|ed|ing)|(?:has |have )?(?:used|fired|launched))\b",
    re.I,
)
_DENIED = re.compile(r"\b(?:den(?:y|ies|ied)|rejected (?:the )?(?:claims?|reports?|allegations?))\b", re.I)
_CONFIRMED = re.compile(r"\bconfirm(?:s|ed)?\b", re.I)
_ALLEGED = re.compile(r"\b(?:allegedly|reportedly|alleged|suspected|accused|believed to|claims? that)\b", re.I)

_VISIT = re.compile(
    r"\b(?:visit(?:ed|s|ing)?|travell?(?:ed|s) to|arrived in|landed in|flew (?:in)?to|"
    r"(?:made|paid) a (?:\w+ )?visit to)\b",
    re.I,
)
_MEET = re.compile(r"\b(?:met|meets|meeting with|held talks|hold talks|talks with|summit)\b", re.I)
# A host receiving a guest: a meeting even when the guest is not yet known ("Kim Jong Un received Sergei Shoigu").
_RECEIVE_GUEST = re.compile(
    r"\b(?:received|receives|hosted|hosts|welcomed|welcomes)\s+(?:(?P<guest>(?:[A-Z][\w'’-]+\s+){0,3}[A-Z][\w'’-]+)|"
    r"(?P<official>(?:the|a) (?:[A-Z][\w'’-]+ ){0,2}(?:(?:foreign|defence|defense|prime) )?(?:minister|envoy|"
    r"ambassador|delegation|president|secretary|official|officials|delegates)\b))"
)
_NOT_A_GUEST = re.compile(r"^(?:New Year|Christmas|Easter|Victory Day|National Day|Independence Day)\b")
_SIGN = re.compile(r"\bsign(?:ed|s|ing)?\b", re.I)
_RATIFY = re.compile(r"\bratif(?:y|ies|ied|ying|ication)\b", re.I)
_IN_FORCE = re.compile(
    r"\b(?:enter(?:ed|s)? into force|c[ao]me into force|comes into force|took effect|takes effect)\b", re.I
)
# What enters into force besides a document named as one: "it", "they", "the partnership".
_IN_FORCE_SUBJECT = re.compile(r"\b(?:it|they|partnership)\b", re.I)
_DEPLOY = re.compile(r"\bdeploy(?:ed|s|ing|ment)?\b", re.I)
_DOCUMENT = re.compile(
    r"\b(?P<noun>(?:[\w-]+\s+){0,3}?(?:agreement|treaty|pact|deal|memorandum|accord|contract|protocol|declaration))\b",
    re.I,
)
_NEGATED = re.compile(r"\b(?:not|never|no longer|did not|didn[’']t|has not|hasn[’']t|refused to|failed to)\b", re.I)

# Relationships: what may stand between two names ("Kim, the leader of North Korea").
_BETWEEN: list[tuple[re.Pattern[str], str, bool]] = [
    # (pattern, predicate, reversed: the second name is the subject)
    (
        re.compile(
            r"^\s*,?\s*(?:is |was |has been |became |remains )?(?:the |a |an )?(?:supreme |top )?leader of (?:the )?$",
            re.I,
        ),
        RelationshipPredicate.LEADER_OF,
        False,
    ),
    (re.compile(r"^(?:['’]s?)?\s+(?:supreme |top )?leader,?\s+$", re.I), RelationshipPredicate.LEADER_OF, True),
    (
        re.compile(
            r"^\s*,?\s*(?:is |was |has been |became |remains )?(?:the |a |an )?(?:\w+ )?(?:ally|allies) of (?:the )?$",
            re.I,
        ),
        RelationshipPredicate.ALLY_OF,
        False,
    ),
    (
        re.compile(r"^(?:['’]s?)?\s+(?:closest |close |key |main )?ally,?\s+$", re.I),
        RelationshipPredicate.ALLY_OF,
        True,
    ),
    (
        re.compile(
            r"^\s*,?\s*(?:is |was |has been |became |remains )?(?:the |a |an )?(?:\w+ ){0,2}partners? of (?:the )?$",
            re.I,
        ),
        RelationshipPredicate.PARTNER_OF,
        False,
    ),
    (
        re.compile(
            r"^\s*,?\s*(?:is |was |has been |became |remains )?(?:the |a |an )?(?:\w+ )?members? of (?:the )?$", re.I
        ),
        RelationshipPredicate.MEMBER_OF,
        False,
    ),
    (
        re.compile(r"^\s+(?:joined|has joined|became a member of) (?:the )?$", re.I),
        RelationshipPredicate.MEMBER_OF,
        False,
    ),
]
_PAIR_AFTER = re.compile(r"^\s+(?:are|were|became|remain|have become)\s+(?:\w+\s+)?(?P<what>allies|partners)\b", re.I)

_ORG_WORDS = re.compile(
    r"\b(?:Ministry|Service|Agency|Council|Committee|Commission|Party|Army|Navy|Corps|Bureau|Office|Directorate|"
    r"Department|Company|Corporation|Group|Bank|Institute|University|Assembly|Duma|Parliament|Congress|Senate|"
    r"Command|Forces|Force|Guard|Union|Organi[sz]ation|Association|Agency|Centre|Center|Fund|Foundation|"
    r"News|Times|Post|Network|Court|Cabinet|Government|Administration|Alliance|Coalition|Front)\b"
)
_PLACE_WORDS = re.compile(
    r"\b(?:Region|region|Province|Oblast|Krai|Island|Islands|Peninsula|City|County|District|Sea|River|Strait|Bay|"
    r"Mountains|Valley|Prefecture|Republic)\b"
)
_FACILITY_WORDS = re.compile(
    r"\b(?:Plant|Factory|Base|Airfield|Airport|Port|Complex|Cosmodrome|Station|Range|Shipyard|Refinery|Works|"
    r"Site|Reactor|Centre for|Facility|Arsenal)\b"
)
_TITLES = re.compile(
    r"\b(?:President|Minister|Ministers|leader|Leader|General|Secretary|Chairman|Premier|Ambassador|Director|"
    r"spokes(?:man|woman|person)|Mr|Ms|Mrs|Dr|Marshal|Admiral|Colonel|Commander|Chief)\.?\s+$"
)


# --- reading numbers ------------------------------------------------------------------------


def _amount(text: str) -> int | None:
    words = text.lower().split()
    if not words:
        return None
    first, scale = words[0], _SCALES.get(words[1], 1) if len(words) > 1 else 1
    if first in _NUMBER_WORDS:
        value = float(_NUMBER_WORDS[first])
    else:
        try:
            value = float(first.replace(",", ""))
        except ValueError:
            return None
    total = value * scale
    if not math.isfinite(total) or total != int(total) or total > 2**31 - 1:
        return None
    return int(total)


@dataclass(frozen=True)
class Quantity:
    low: int | None
    high: int | None
    estimated: bool
    unit: str
    start: int
    end: int


def find_quantity(sentence: str) -> Quantity | None:
    """The number of weapons a sentence gives: "about 500 shells", "20 to 30 missiles", "more than 1 million rounds".

    A lone year ("in 2023 shells…") is not a quantity.
    """
    for match in _QUANTITY.finditer(sentence):
        first = _amount(match["first"])
        second = _amount(match["second"]) if match["second"] else None
        if first is None or (match["second"] and second is None):
            continue
        plain_year = re.fullmatch(r"1[6-9]\d\d|20\d\d", match["first"]) and not match["second"]
        if plain_year and not match["bound"]:
            continue
        if match["first"].lower() in ("a", "an") and not match["between"].strip():
            continue  # "a missile" is one weapon named, not a count worth a record
        bound = (match["bound"] or "").lower()
        unit = match["unit"].lower()
        if second is not None:
            low, high = sorted((first, second))
            return Quantity(low, high, True, unit, match.start(), match.end())
        if re.fullmatch(_LOWER_BOUND, bound):
            return Quantity(first, None, True, unit, match.start(), match.end())
        if re.fullmatch(_UPPER_BOUND, bound):
            return Quantity(None, first, True, unit, match.start(), match.end())
        estimated = bool(bound) or match["first"].lower() in ("dozens", "hundreds", "thousands")
        return Quantity(first, first, estimated, unit, match.start(), match.end())
    return None


def find_category(sentence: str) -> str | None:
    for category, pattern in _CATEGORIES:
        if pattern.search(sentence):
            return category
    return None


def categories_named(text: str) -> set[str]:
    """Every category whose words ``text`` uses ("artillery shells": ammunition and artillery), not "other"."""
    return {
        category for category, pattern in _CATEGORIES if category != TransferCategory.OTHER and pattern.search(text)
    }


def names_category(word: str, category: str) -> bool:
    """Whether ``word`` alone is one of the words of ``category`` ("missiles" of missiles)."""
    return any(c == category and pattern.fullmatch(word) for c, pattern in _CATEGORIES)


def find_designations(sentence: str, named: Sequence[Named] = ()) -> list[str]:
    """Weapon designations in a sentence (KN-23, Hwasong-11, 152mm shells), not inside a known name."""
    found = []
    for match in _DESIGNATION.finditer(sentence):
        if any(n.start < match.end() and match.start() < n.end for n in named):
            continue
        name = re.sub(r"(\d)[- ]mm", r"\1mm", match["name"])
        found.append(name)
    return list(dict.fromkeys(found))


# --- the sentence's actors -------------------------------------------------------------------


def _state_of(key: Hashable, facts: Mapping[Hashable, ActorFacts], states: Mapping[str, Hashable]) -> Hashable | None:
    """The state an actor stands for as a party to a transfer or agreement: itself, a person's or a place's state."""
    fact = facts.get(key)
    if fact is None:
        return None
    if fact.kind == ActorKind.STATE:
        return key
    if fact.kind in (ActorKind.PERSON, ActorKind.PLACE, ActorKind.ORGANIZATION) and fact.country:
        return states.get(fact.country)
    return None


def _before(sentence: str, named: Named, pattern: str) -> bool:
    return re.search(pattern + r"\s*$", sentence[max(0, named.start - 20) : named.start], re.I) is not None


# --- transfers -------------------------------------------------------------------------------


def transfer_drafts(
    sentence: str,
    named: Sequence[Named],
    facts: Mapping[Hashable, ActorFacts],
    states: Mapping[str, Hashable],
    *,
    modality: str,
    about: PartialDate | None,
    published: PartialDate | None,
    reported_by: str,
) -> list[DraftSpec]:
    """Arms transfers a sentence reports: who supplied what (category, designation, how many) to whom."""
    supply, receive = _SUPPLY.search(sentence), _RECEIVE.search(sentence)
    category = find_category(sentence)
    designations = find_designations(sentence, named)
    if not (supply or receive) or (category is None and not designations):
        return []
    verb = supply or receive
    parties = [(n, _state_of(n.key, facts, states)) for n in named]
    parties = [(n, state) for n, state in parties if state is not None]
    supplier = next((s for n, s in parties if _before(sentence, n, r"\bfrom(?: the)?")), None)
    to = r"(?<!according )\b(?:to|for)(?: the)?"
    recipient = next((s for n, s in parties if _before(sentence, n, to)), None)
    before_verb = [s for n, s in parties if n.end <= verb.start() and not n.adjective]
    if supply and supplier is None and before_verb:
        supplier = before_verb[-1]
    if not supply and recipient is None and before_verb:
        recipient = before_verb[-1]
    if supplier is None:
        # "North Korean missiles": the state of the weapon's maker.
        weapon = _WEAPON_NOUN.search(sentence, verb.end()) or _WEAPON_NOUN.search(sentence)
        made_by = [s for n, s in parties if n.adjective and weapon and 0 <= weapon.start() - n.end <= 20]
        supplier = made_by[0] if made_by else None
    if supplier is None or recipient is None or supplier == recipient:
        return []
    status = TransferStatus.REPORTED
    if _DENIED.search(sentence):
        status = TransferStatus.DENIED
    elif modality == Modality.FORECAST:
        status = TransferStatus.PLANNED
    elif _ALLEGED.search(sentence) or modality == Modality.ASSESSMENT:
        status = TransferStatus.ALLEGED
    elif _CONFIRMED.search(sentence):
        status = TransferStatus.CONFIRMED
    specs = []
    for item in _items(sentence, named, category, designations):
        for designation in item.designations or [""]:
            category = item.category
            if category is None:
                category = TransferCategory.AMMUNITION if "mm" in designation else TransferCategory.MISSILES
            noun = item.noun or TransferCategory(category).label.lower()
            what = noun if not designation or designation.lower() in noun else f"{designation} {noun}"
            data: dict[str, Any] = {
                "supplier": supplier,
                "recipient": recipient,
                "category": category,
                "designation": designation,
                "status": status,
                "description": what[:1].upper() + what[1:],
                "reported_by": reported_by[:300],
                "reported_on": str(published) if published else None,
                "start_on": str(about) if about and (published is None or about.start <= published.end) else None,
            }
            if item.quantity is not None and len(item.designations) <= 1:
                data.update(
                    quantity_low=item.quantity.low,
                    quantity_high=item.quantity.high,
                    quantity_unit=item.quantity.unit,
                    delivered_quantity_estimated=item.quantity.estimated,
                )
            specs.append(DraftSpec(DraftKind.TRANSFER, data))
    return specs


@dataclass(frozen=True)
class _Item:
    """One kind of weapon a sentence lists: its noun phrase, category, designations and quantity."""

    noun: str
    category: str | None
    designations: list[str]
    quantity: Quantity | None


_GENERIC_WEAPONS = frozenset({"weapons", "arms", "systems"})


def _items(sentence: str, named: Sequence[Named], category: str | None, designations: list[str]) -> list[_Item]:
    """The weapons a sentence lists, each with the designations and the count written just before its noun:
    "about 5 million artillery shells, along with some 200 KN-23 short-range ballistic missiles" is two."""
    items, start = [], 0
    for weapon in _WEAPON_NOUN.finditer(sentence):
        part = sentence[start : weapon.end()]
        quantity = find_quantity(part)
        items.append(
            _Item(
                noun=weapon["phrase"].lower(),
                category=find_category(weapon["phrase"]) or find_category(part),
                designations=find_designations(
                    part, [Named(n.start - start, n.end - start, n.key) for n in named if n.start >= start]
                ),
                quantity=quantity if quantity is not None and quantity.end == len(part) else None,
            )
        )
        start = weapon.end()
    if items and (after := find_designations(sentence[start:], [])):
        # "missiles, including KN-23 and KN-24": designations after the last noun are its own
        last = items[-1]
        items[-1] = _Item(last.noun, last.category, [*last.designations, *after], last.quantity)
    specific = [i for i in items if i.noun.split()[-1] not in _GENERIC_WEAPONS or i.designations]
    if specific:
        return specific
    # no weapon noun ("fired KN-23s"), or only "weapons": the sentence is one item
    noun = items[0].noun if items else ""
    return [_Item(noun, category, designations, find_quantity(sentence))]


# --- events ------------------------------------------------------------------------------------


def _names(keys: Iterable[Hashable], facts: Mapping[Hashable, ActorFacts]) -> list[str]:
    return [facts[key].name for key in keys if key in facts]


def event_drafts(
    sentence: str,
    named: Sequence[Named],
    facts: Mapping[Hashable, ActorFacts],
    *,
    about: PartialDate | None,
    agreements: Collection[Hashable],
    events: Collection[Hashable],
) -> list[DraftSpec]:
    """An event a sentence reports: a visit, a meeting or summit, a signing, a deployment."""
    if _NEGATED.search(sentence):
        return []
    actors = [n for n in named if not n.adjective and n.key in facts]
    who = list(dict.fromkeys(n.key for n in actors if facts[n.key].kind in (ActorKind.PERSON, ActorKind.STATE)))
    start = str(about) if about else None
    match = next(iter(events), None) if len(events) == 1 else None

    def place_after(pattern: str, after: int) -> Hashable | None:
        for n in actors:
            if n.start >= after and _before(sentence, n, pattern) and facts[n.key].kind != ActorKind.PERSON:
                return n.key
        return None

    visit = _VISIT.search(sentence)
    if visit:
        visitors = [n.key for n in actors if n.end <= visit.start() and facts[n.key].kind == ActorKind.PERSON]
        visitors = visitors or [
            n.key for n in actors if n.end <= visit.start() and facts[n.key].kind == ActorKind.STATE
        ]
        host = next((n.key for n in actors if n.start >= visit.end() and facts[n.key].kind != ActorKind.PERSON), None)
        if visitors and host is not None and host not in visitors:
            title = f"{facts[visitors[-1]].name} visit to {facts[host].name}"
            data = {"title": title, "kind": EventKind.VISIT, "participants": [visitors[-1]], "place": host}
            return [DraftSpec(DraftKind.EVENT, {**data, "start_on": start}, match=match)]
    meet = _MEET.search(sentence)
    people = [key for key in who if facts[key].kind == ActorKind.PERSON]
    summit = "summit" in sentence.lower()
    # Leaders meet; states "hold talks" only when no person is named, and a summit is of people.
    met = people if len(people) >= 2 else ([] if people or summit else who)
    if meet and len(met) >= 2:
        who = met
        names = _names(who[:3], facts)
        title = f"{'–'.join(names)} summit" if summit else f"Meeting of {', '.join(names[:-1])} and {names[-1]}"
        place = place_after(r"\b(?:in|at)(?: the)?", meet.end())
        data = {
            "title": title,
            "kind": EventKind.SUMMIT if summit else EventKind.MEETING,
            "participants": who[:3],
            "place": place,
            "start_on": start,
        }
        return [DraftSpec(DraftKind.EVENT, data, match=match)]
    if (received := _RECEIVE_GUEST.search(sentence)) and (meeting := _reception(received, actors, facts)):
        place = place_after(r"\b(?:in|at)(?: the)?", received.end())
        return [DraftSpec(DraftKind.EVENT, {**meeting, "place": place, "start_on": start}, match=match)]
    sign = _SIGN.search(sentence)
    document = _DOCUMENT.search(sentence, sign.end()) if sign else None
    if sign and document and not agreements and who:
        noun = re.sub(r"^(?:a|an|the|new|their)\s+", "", document["noun"].strip(), flags=re.I)
        signers = who[:3]
        title = f"Signing of the {noun} by {' and '.join(_names(signers, facts))}"
        place = place_after(r"\b(?:in|at)(?: the)?", sign.end())
        data = {"title": title[:300], "kind": EventKind.SIGNING, "participants": signers, "place": place}
        return [DraftSpec(DraftKind.EVENT, {**data, "start_on": start}, match=match)]
    deploy = _DEPLOY.search(sentence)
    if deploy:
        deployer = [n.key for n in actors if n.end <= deploy.start() and facts[n.key].kind == ActorKind.STATE]
        where = place_after(r"\b(?:to|in|into)(?: the)?", deploy.end())
        if deployer and where is not None and where != deployer[-1]:
            title = f"{facts[deployer[-1]].name} deployment to {facts[where].name}"
            data = {"title": title, "kind": EventKind.MILITARY_ACTION, "participants": [deployer[-1]], "place": where}
            return [DraftSpec(DraftKind.EVENT, {**data, "start_on": start}, match=match)]
    return []


def _reception(received: re.Match[str], actors: Sequence[Named], facts: Mapping[Hashable, ActorFacts]) -> dict | None:
    """A host (a known person) receiving a guest right after the verb: a known person, or a person's name not
    yet known ("Kim Jong Un received Sergei Shoigu"); not "received a letter", "welcomes New Year"."""
    hosts = [n.key for n in actors if n.end <= received.start() and facts[n.key].kind == ActorKind.PERSON]
    if not hosts:
        return None
    host = hosts[-1]
    if received["official"]:  # "received the Russian minister"
        return {
            "title": f"{facts[host].name} receives {received['official']}"[:300],
            "kind": EventKind.MEETING,
            "participants": [host],
        }
    guest = next((n.key for n in actors if n.start == received.start("guest")), None)
    if guest is not None and facts[guest].kind == ActorKind.PERSON and guest != host:
        participants, name = [host, guest], facts[guest].name
    elif (
        guest is None and not _NOT_A_GUEST.match(received["guest"]) and name_kind(received["guest"]) == ActorKind.PERSON
    ):
        participants, name = [host], received["guest"]
    else:
        return None
    return {
        "title": f"{facts[host].name} receives {name}"[:300],
        "kind": EventKind.MEETING,
        "participants": participants,
    }


# --- agreement milestones ------------------------------------------------------------------------


def milestone_drafts(
    sentence: str,
    named: Sequence[Named],
    facts: Mapping[Hashable, ActorFacts],
    states: Mapping[str, Hashable],
    *,
    about: PartialDate | None,
    published: PartialDate | None,
    agreements: Collection[Hashable],
    parties: Mapping[Hashable, Collection[Hashable]],
) -> list[DraftSpec]:
    """Steps of a cited agreement a sentence reports: signed, ratified or entered into force by a party."""
    if not agreements or _NEGATED.search(sentence) or about is None:
        return []  # a step needs its own date: the publication's is not when a treaty was signed
    if verb := _IN_FORCE.search(sentence):
        step = MilestoneStep.IN_FORCE
    elif verb := _RATIFY.search(sentence):
        step = MilestoneStep.RATIFIED
    elif (verb := _SIGN.search(sentence)) and not re.search(
        r"\bsigned (?:in|on|last|this)\b.*\b(?:was|were|is)\b", sentence
    ):
        step = MilestoneStep.SIGNED
    else:
        return []
    clause = re.split(r"[;,]", sentence[: verb.start()])[-1]
    if step == MilestoneStep.IN_FORCE and not _IN_FORCE_SUBJECT.search(clause) and not _DOCUMENT.search(clause):
        return []  # "a UN ban that took effect": a document must be what enters into force
    when = _step_date(sentence, verb, about, published)
    if when is None:
        return []
    on = str(when)
    named_states = list(dict.fromkeys(s for n in named if (s := _state_of(n.key, facts, states)) is not None))
    specs = []
    for agreement in agreements:
        members = list(parties.get(agreement, ()))
        # A party already listed; else a named state, which the accept adds as a party.
        who = [s for s in named_states if s in members] or named_states
        if step == MilestoneStep.IN_FORCE and members:
            who = members  # "the treaty entered into force": for every party, wherever it was exchanged
        for party in who:
            data = {"agreement": agreement, "party": party, "step": step, "on": on}
            specs.append(DraftSpec(DraftKind.MILESTONE, data))
    return specs


def _step_date(
    sentence: str, verb: re.Match[str], about: PartialDate | None, published: PartialDate | None
) -> PartialDate | None:
    """When a step was taken: the date right after its verb ("entered into force in December"), else the
    sentence's date unless that belongs to another clause ("troops arrived in October, weeks before the
    treaty took effect")."""
    dates = find_dates(sentence, published)
    after = [d for d in dates if d.start >= verb.end() and not re.search(r"[;,]", sentence[verb.end() : d.start])]
    if after:
        return after[0].date
    before = [d for d in dates if d.end <= verb.start()]
    if before and "," in sentence[before[-1].end : verb.start()]:
        return None
    return about


# --- relationships --------------------------------------------------------------------------------


def relationship_drafts(sentence: str, named: Sequence[Named], facts: Mapping[Hashable, ActorFacts]) -> list[DraftSpec]:
    """Relationships two neighbouring names state: "Kim Jong Un, the leader of North Korea", "X and Y are allies"."""
    specs = []
    ordered = sorted(named, key=lambda n: n.start)
    for first, second in itertools.pairwise(ordered):
        if first.key == second.key or first.key not in facts or second.key not in facts:
            continue
        between = sentence[first.end : second.start]
        for pattern, predicate, reverse in _BETWEEN:
            if pattern.search(between):
                subject, object_ = (second, first) if reverse else (first, second)
                if predicate == RelationshipPredicate.LEADER_OF and (
                    facts[subject.key].kind != ActorKind.PERSON or subject.adjective
                ):
                    break
                if subject.adjective and predicate != RelationshipPredicate.LEADER_OF:
                    break
                data = {"subject": subject.key, "predicate": predicate, "object": object_.key}
                specs.append(DraftSpec(DraftKind.RELATIONSHIP, data))
                break
        else:
            after = _PAIR_AFTER.match(sentence[second.end :])
            if re.fullmatch(r"\s+and\s+", between) and after and not first.adjective and not second.adjective:
                predicate = (
                    RelationshipPredicate.ALLY_OF
                    if after["what"].lower() == "allies"
                    else (RelationshipPredicate.PARTNER_OF)
                )
                data = {"subject": first.key, "predicate": predicate, "object": second.key}
                specs.append(DraftSpec(DraftKind.RELATIONSHIP, data))
    return specs


# --- new names --------------------------------------------------------------------------------------


def name_kind(name: str, context: str = "") -> str:
    """A new name's likely kind: an organisation, place, facility or person, from its words and the words before it."""
    if _FACILITY_WORDS.search(name):
        return ActorKind.FACILITY
    if _PLACE_WORDS.search(name):
        return ActorKind.PLACE
    if _ORG_WORDS.search(name) or re.fullmatch(r"[A-Z]{2,6}", name):
        return ActorKind.ORGANIZATION
    if _TITLES.search(context) or re.fullmatch(r"[A-Z][a-z’'-]+(?: [A-Z][a-z’'-]+){1,3}", name):
        return ActorKind.PERSON
    return ActorKind.ORGANIZATION


def name_drafts(
    text: str,
    candidates: Sequence[str],
    mentions: Sequence[Named],
    facts: Mapping[Hashable, ActorFacts],
) -> list[DraftSpec]:
    """An actor draft for each new name: its likely kind, its country (from "South Korea's …"), how often it is named.

    ``mentions`` are the known actors named in the whole ``text`` (offsets into it): the state
    named just before a name ("Russia's Defence Minister Andrei Belousov") gives its country.
    """
    specs = []
    ordered = sorted(mentions, key=lambda n: n.start)
    for name in dict.fromkeys(candidates):
        if not name.strip():
            continue
        occurrences = [m.start() for m in re.finditer(re.escape(name), text)]
        if not occurrences:
            continue
        first = occurrences[0]
        context = text[max(0, first - 40) : first]
        country = ""
        for at in occurrences:
            before = [m for m in ordered if m.end <= at and at - m.end <= 40 and m.key in facts]
            if before:
                nearest = before[-1]
                gap = text[nearest.end : at]
                fact = facts[nearest.key]
                plain = not re.search(r"[.;:!?\n]", gap) and not re.search(r"\b(?:and|to|from|in|with)\b", gap)
                if fact.kind == ActorKind.STATE and fact.country and plain and len(gap.split()) <= 4:
                    country = fact.country
                    break
        data = {"name": name, "kind": name_kind(name, context), "country": country, "mentions": len(occurrences)}
        specs.append(DraftSpec(DraftKind.ACTOR, data, names=[name]))
    return specs


# --- a sentence -------------------------------------------------------------------------------------


def sentence_drafts(
    sentence: str,
    *,
    named: Sequence[Named],
    facts: Mapping[Hashable, ActorFacts],
    states: Mapping[str, Hashable],
    modality: str = Modality.FACT,
    about: PartialDate | None = None,
    published: PartialDate | None = None,
    reported_by: str = "",
    agreements: Collection[Hashable] = (),
    events: Collection[Hashable] = (),
    parties: Mapping[Hashable, Collection[Hashable]] | None = None,
) -> list[DraftSpec]:
    """Every draft a sentence gives: transfers, an event, agreement milestones and relationships.

    ``named`` are the known actors in the sentence (offsets into it); ``states`` maps a country
    code to its state's key; ``agreements`` and ``events`` are the records it cites; ``parties``
    lists each agreement's parties.
    """
    if modality == Modality.OPINION:
        return []  # a view, not a record
    named = sorted(named, key=lambda n: n.start)
    specs = transfer_drafts(
        sentence,
        named,
        facts,
        states,
        modality=modality,
        about=about,
        published=published,
        reported_by=reported_by,
    )
    milestones = milestone_drafts(
        sentence,
        named,
        facts,
        states,
        about=about,
        published=published,
        agreements=agreements,
        parties=parties or {},
    )
    specs += milestones
    if not specs and modality != Modality.FORECAST:
        specs += event_drafts(sentence, named, facts, about=about, agreements=agreements, events=events)
    specs += relationship_drafts(sentence, named, facts)
    return specs
