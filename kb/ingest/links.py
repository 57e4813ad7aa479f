"""Records a sentence speaks of without naming them: an event by what happened, where, when and who took part,
an arms transfer by who supplied what to whom.

"He met Putin at the Vostochny Cosmodrome in September 2023" cites the summit held there then; "North
Korea has shipped about 5 million artillery shells to Russia" cites the artillery North Korea supplies
Russia. A record is cited only when the sentence says what kind of thing happened (a word of meeting,
signing, war; the weapons' category or the designation's own words), names enough of it (the place, a
participant, both parties), and gives no date outside its time. Where several records of a kind fit
equally, none is cited: the editor picks, as with an ambiguous name.

Like the rest of ``kb.ingest`` this is pure: the caller describes the records (:class:`EventCue`,
:class:`TransferCue`) from the knowledge base.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from kb.choices import TransferCategory
from kb.dates import PartialDate
from kb.ingest.drafts import categories_named, names_category

# The words that say an event of each kind happened (its kind, not its name).
_EVENT_WORDS = {
    "war": r"wars?|invasion|invaded|invade|fighting|front ?lines?|battlefields?|aggression|"
    r"special military operation|offensive|(?:moved|marched|rolled|poured) into",
    "military_action": r"offensive|incursion|strikes?|attacks?|deploy(?:ed|ment)|fighting|operation",
    "summit": r"summits?|met|meets?|meeting|talks",
    "meeting": r"met|meets?|meeting|talks",
    "visit": r"visit(?:s|ed|ing)?|trips?|travell?(?:ed|ing)|journey(?:ed)?|tour(?:ed)?",
    "signing": r"sign(?:s|ed|ing)|signature|inked",
    "death": r"died|death|dies",
    "succession": r"came to power|took power|succeeded|succession",
    "weapons_test": r"tests?|tested|test-fired|launch(?:ed|es)?|fired",
    "sanctions": r"sanctions?|sanctioned",
    "publication": r"published|publishes|reported|reports?|revealed|disclosed",
}
_EVENT_KIND = {kind: re.compile(rf"\b(?:{words})\b", re.I) for kind, words in _EVENT_WORDS.items()}
_ANY_KIND = re.compile("|".join(f"(?:{words})" for words in _EVENT_WORDS.values()), re.I)
# A war spoken of as the article's war: "the war ends", "the front line", "the fighting", "the conflict",
# Russia's "special military operation".
# Signing a later step is not the signing: "signed the ratification law", "from signature to entry into force".
_LATER_STEP = re.compile(r"\b(?:ratif\w*|law|decree|into force)\b", re.I)
_THE_WAR = re.compile(
    r"\b(?:the|this|its|Russia['’]s|Moscow['’]s) (?:war|invasion|fighting|front ?lines?|conflict|"
    r"[\"“]?special military operation)\b",
    re.I,
)

# Words of a designation that say nothing of what was sent.
_GENERIC_WORDS = (
    "a an and of the for from to with in on by its their other various unspecified expected possible "
    "sales sale assistance aid help support programme program programs programmes technology technologies "
    "know-how weapons weapon arms military equipment systems system supplies supply deliveries delivery "
    "transfers transfer items old new"
)
_GENERIC = frozenset(_GENERIC_WORDS.split())
_ITEM_NOUN = re.compile(r"\b(?:arms|weapons?)\b")
_ARMS_SAID = re.compile(r"\b(?<!nuclear )(?<!chemical )(?<!biological )(arms|weapons?)\b")
_SHELLS = re.compile(r"\bshells?\b", re.I)
_WORD = re.compile(r"[a-z][a-z\-]+")


def _stem(word: str) -> str:
    word = word.lower().strip("-")
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def designation_words(designation: str, category: str = "") -> frozenset[str]:
    """The words of a designation that say what was sent beyond its category: "satellite programme assistance"
    -> {"satellite"}; "short-range missiles" (missiles) -> {"short-range"}."""
    return frozenset(
        _stem(w)
        for w in _WORD.findall(designation.lower())
        if w not in _GENERIC and len(w) > 2 and not names_category(w, category)
    )


_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "of",
        "the",
        "for",
        "from",
        "to",
        "with",
        "in",
        "on",
        "at",
        "by",
        "its",
        "their",
        "his",
        "her",
        "as",
        "into",
        "over",
        "after",
        "before",
        "goes",
        "gets",
        "becomes",
    ]
)


def _root(word: str) -> str:
    """A word without its endings, so that "justified" meets "justifies" and "closures" meets "closure"."""
    word = word.lower().strip("-")
    for ending, instead in (("ies", "y"), ("ied", "y"), ("es", ""), ("ed", ""), ("s", "")):
        if word.endswith(ending) and len(word) - len(ending) >= 3 and not word.endswith("ss"):
            word = word[: -len(ending)] + instead
            break
    return word.rstrip("e") if len(word) > 4 else word


_TITLE_WORD = re.compile(r"[\w'’-]+")


def title_words(title: str) -> frozenset[str]:
    """The words of an event's title that say what happened rather than who: its lower-case words, words with
    a digit, and its first word unless a name leads it. "North Korea's Covid-19 border closure" -> covid-19,
    border, closure; "Semi-privatisation of North Korean industries" -> semi-privatisation, industry."""
    tokens = _TITLE_WORD.findall(title.replace(":", " : "))
    kept = [
        token
        for i, token in enumerate(tokens)
        if token[:1].islower()
        or (any(ch.isdigit() for ch in token) and any(ch.isalpha() for ch in token))  # "Covid-19", not "2019"
        or (i == 0 and len(tokens) > 1 and tokens[1][:1].islower())
    ]
    return frozenset(
        _root(w)
        for w in kept
        if w.lower() not in _STOP and w.lower() not in _GENERIC and len(w) > 2 and not _ANY_KIND.fullmatch(w)
    )


@dataclass(frozen=True)
class EventCue:
    """What identifies an event in a sentence: its kind, time, place and participants, and its title's words.

    ``agreement`` is the agreement a signing event signed (a signing on the agreement's signing day).
    """

    key: Hashable
    kind: str
    start: PartialDate | None = None
    end: PartialDate | None = None
    place: Hashable | None = None
    participants: frozenset = frozenset()
    agreement: Hashable | None = None
    title: str = ""
    words: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        # only an event of no kind is told by its title: the others by their kind's words
        object.__setattr__(self, "words", title_words(self.title) if self.kind == "other" else frozenset())


@dataclass(frozen=True)
class TransferCue:
    """What identifies an arms transfer in a sentence: its parties, category and designation, and its period."""

    key: Hashable
    supplier: Hashable
    recipient: Hashable
    category: str
    designation: str = ""
    start: PartialDate | None = None
    end: PartialDate | None = None
    planned: bool = False  # expected, not yet reported
    words: frozenset[str] = field(init=False)
    items: frozenset[str] = field(init=False)  # "arms (unspecified)": what a designation without words calls them

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", designation_words(self.designation, self.category))
        items = () if self.words else _ITEM_NOUN.findall(self.designation.lower())
        object.__setattr__(self, "items", frozenset(_stem(w) for w in items))


def _within(
    dates: Iterable[PartialDate],
    start: PartialDate | None,
    end: PartialDate | None,
    *,
    lasting: bool,
    since: Iterable[PartialDate] = (),
) -> bool | None:
    """Whether any of ``dates`` falls in the period from ``start`` to ``end``, at the coarser precision, or the
    period goes on after one of ``since`` ("since then", "since the early 1990s"); None when there is no date to
    compare. Without an end, a ``lasting`` record (a war, deliveries) goes on from its start, anything else (a
    visit) is over within its start's own period."""
    dates, since = list(dates), list(since)
    if not (dates or since) or start is None:
        return None
    last = end.end if end is not None else (None if lasting else start.end)
    return any(d.end >= start.start and (last is None or d.start <= last) for d in dates) or any(
        last is None or last >= d.start for d in since
    )


# Kinds told by the same words, that one sentence's "met" chooses between: the summit of Kim and Putin in 2019,
# not a meeting of North Korea's with others that year.
_FAMILY = {"summit": "meeting"}

# Kinds of event that last once begun: "the war" in 2024 is the war that began in 2022.
_LASTING = frozenset({"war", "military_action", "sanctions"})


class RecordCues:
    """The events and transfers a sentence may speak of without naming them (see the module's docstring)."""

    def __init__(
        self, events: Iterable[EventCue] = (), transfers: Iterable[TransferCue] = (), *, states: Iterable = ()
    ) -> None:
        """``states``: the actors that are states. A state as an event's place ("travelled to Russia") tells one
        event from another only with a date, as a participant does, unless the event lasts (a war)."""
        self.events = list(events)
        self.states = frozenset(states)
        self.transfers = list(transfers)
        self.signing_of = {e.agreement: e.key for e in self.events if e.agreement is not None}
        self.wars = frozenset(e.key for e in self.events if e.kind == "war")
        self.places: dict[str, set] = {}  # the places of the events of each kind
        for event in self.events:
            if event.place is not None:
                self.places.setdefault(event.kind, set()).add(event.place)

    def is_war(self, key: Hashable) -> bool:
        return key in self.wars

    def kinds(self) -> dict[Hashable, str]:
        """Each event's kind, by its key."""
        return {event.key: event.kind for event in self.events}

    def __len__(self) -> int:
        return len(self.events) + len(self.transfers)

    def cited(
        self,
        text: str,
        *,
        places: frozenset,
        actors: frozenset,
        pair: Iterable[Hashable] = (),
        dates: Iterable[PartialDate] = (),
        agreements: Iterable[Hashable] = (),
        parties: frozenset | None = None,
        to: frozenset = frozenset(),
        since: Iterable[PartialDate] = (),
        unnamed: str | None = None,
        future: bool = False,
    ) -> list[Hashable]:
        """The records ``text`` (one sentence) speaks of.

        ``places`` are the actors it names as written (a capital as the city), ``actors`` those it
        names as subjects (a capital as its state, "North Korean" as North Korea); ``parties`` those
        of them it names outside its attribution (not "officials in Seoul say"), who a transfer's
        supplier and recipient may be, with ``to`` those named as where something went ("to
        Moscow"); ``pair`` the two states the article is about, who stand in for a party the
        sentence does not name when it names no other state; ``dates`` the dates it gives, ``since`` those it
        gives as a start ("since then"); ``agreements`` the agreements it cites; ``unnamed`` the sentence without
        the names it gives, whose words say what happened ("the Sŭngri chemical plant" is a place, not its closing);
        ``future`` whether it speaks of what is to come (an expected transfer's time).
        """
        dates, since = list(dates), list(since)
        found = self._events(text, places | actors, dates, since, text if unnamed is None else unnamed)
        if _EVENT_KIND["signing"].search(text) and not _LATER_STEP.search(text):  # "signed the treaty": its signing
            found += [self.signing_of[a] for a in agreements if a in self.signing_of]
        found += self._transfers(text, actors if parties is None else parties, frozenset(pair), dates, to, future)
        return list(dict.fromkeys(found))

    def _events(
        self, text: str, named: frozenset, dates: list[PartialDate], since: list[PartialDate], unnamed: str
    ) -> list[Hashable]:
        kinds = {kind for kind, words in _EVENT_KIND.items() if words.search(text)}
        said = {_root(w) for w in _TITLE_WORD.findall(unnamed)}
        best: dict[str, tuple[int, list[Hashable]]] = {}
        for event in self.events:
            titled = event.words & said  # an event of no kind: what happened, in its title's own words
            if event.kind not in kinds and not titled:
                continue
            if not (event.participants & named or (event.place is not None and event.place in named)):
                continue
            when = _within(dates, event.start, event.end, lasting=event.kind in _LASTING, since=since)
            if when is False:
                continue
            if event.kind not in kinds:
                # half of its title's words, or one with its time
                half = 2 * len(titled) >= len(event.words)
                taking_part = len(event.participants & named)
                placed = event.place is not None and event.place in named
                if not titled or not (
                    (half and (placed or taking_part >= (1 if len(titled) >= 2 else 2))) or (when and taking_part)
                ):
                    continue
                score = 2 * len(titled) + bool(when) + min(taking_part, 2)
                top, keys = best.get(_FAMILY.get(event.kind, event.kind), (0, []))
                if score > top:
                    best[_FAMILY.get(event.kind, event.kind)] = (score, [event.key])
                elif score == top:
                    keys.append(event.key)
                continue
            placed = event.place is not None and event.place in named
            elsewhere = (named & self.places.get(event.kind, set())) - event.participants
            if event.place is not None and not placed and elsewhere:
                continue  # where another of its kind was: "met at the Vostochny Cosmodrome" is not Vladivostok
            taking_part = len(event.participants & named)
            # a place (a city, a facility), or a time with a state it took place in or someone who took part:
            # enough to tell one event from another
            lasting = event.kind in _LASTING  # "the war in Ukraine": a country is place enough for a war
            # a country is place enough with a date or with another who took part: "the Vietnam summit with Trump"
            others = bool((event.participants - {event.place}) & named)
            enough = when or lasting or others or event.place not in self.states
            if not ((placed and enough) or (when and taking_part)):
                continue
            score = 2 * placed + bool(when) + min(taking_part, 2)
            top, keys = best.get(_FAMILY.get(event.kind, event.kind), (0, []))
            if score > top:
                best[_FAMILY.get(event.kind, event.kind)] = (score, [event.key])
            elif score == top:
                keys.append(event.key)
        return [keys[0] for _score, keys in best.values() if len(keys) == 1]

    def _transfers(
        self, text: str, actors: frozenset, pair: frozenset, dates: list[PartialDate], to: frozenset, future: bool
    ) -> list[Hashable]:
        categories = categories_named(text)
        if TransferCategory.AMMUNITION in categories and TransferCategory.ARTILLERY not in categories:
            if _SHELLS.search(text):
                categories.add(TransferCategory.ARTILLERY)  # shells are recorded as ammunition or as the artillery's
            elif fits := self._transfers_of(text, categories, actors, pair, dates, to, future):
                return fits  # "weapons and ammunition": the ammunition's, else the artillery's
            else:
                categories.add(TransferCategory.ARTILLERY)
        return self._transfers_of(text, categories, actors, pair, dates, to, future)

    def _transfers_of(
        self,
        text: str,
        categories: set[str],
        actors: frozenset,
        pair: frozenset,
        dates: list[PartialDate],
        to: frozenset,
        future: bool,
    ) -> list[Hashable]:
        words = {_stem(w) for w in _WORD.findall(text.lower())}
        arms = {_stem(w) for w in _ARMS_SAID.findall(text.lower())}  # not "nuclear weapons"
        matches: list[tuple[str, int, bool, TransferCue]] = []
        for transfer in self.transfers:
            sides = {transfer.supplier, transfer.recipient}
            others = (actors & self.states) - sides  # "Iran has sent shells to Russia": not North Korea's
            if not sides <= actors and (others or not sides <= actors | pair):
                continue
            if to and transfer.recipient not in to:
                continue  # "sent … to Iran": Iran received them
            said = transfer.words & words
            # "arms" for "arms (unspecified)": between the two it names, or, expected, in a sentence on what is to come
            items = transfer.items & arms if sides <= actors or (transfer.planned and future) else frozenset()
            if not said and not items and transfer.category not in categories:
                continue
            if _within(dates, transfer.start, transfer.end, lasting=True) is False:
                continue
            named = (transfer.supplier in actors) + (transfer.recipient in actors)
            what = (
                min(said)
                if said
                else (min(items) if items and transfer.category not in categories else transfer.category)
            )
            matches.append((what, 2 * len(said) + named, bool(said), transfer))
        # A direction the sentence gives by a designation's own words is the one it speaks of: "help with
        # satellite launches … or missile technology" is Russia's help, not North Korea's missiles.
        directions = {(t.supplier, t.recipient) for _what, _score, said, t in matches if said}
        by_what: dict[str, list[tuple[int, TransferCue]]] = {}
        for what, score, said, transfer in matches:
            if said or not directions or (transfer.supplier, transfer.recipient) in directions:
                by_what.setdefault(what, []).append((score, transfer))
        cited = []
        for what, found in by_what.items():
            if what == "ammunition" and "artillery" in by_what:
                continue  # "ammunition, about 5 million shells": the shells say which
            top = max(score for score, _transfer in found)
            best = [transfer for score, transfer in found if score == top]
            sides = [(t.supplier, t.recipient) for t in best]
            if len(best) == 1:
                cited.append(best[0].key)
            elif len(set(sides)) == len(sides) and all({*side} <= actors for side in sides):
                cited += [t.key for t in best]  # "missiles bought by Syria and Iran": each named with its buyer
        return cited


def event_kinds_named(text: str) -> set[str]:
    """The kinds of event whose words ``text`` uses: the only events its sentences can cite."""
    return {kind for kind, words in _EVENT_KIND.items() if words.search(text)}


def refers_to_war(text: str) -> bool:
    """Whether a sentence speaks of "the war" (the fighting, the front line) without saying which."""
    return bool(_THE_WAR.search(text))
