"""Claim proposals: the sentences of an article worth citing, with their modality, subjects, date and links.

:func:`analyse` puts the name, date and modality rules together. Like the rest of
``kb.ingest`` it is pure: the caller prepares the phrase indexes from the knowledge base.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Container, Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from kb.choices import DatePrecision, Modality
from kb.dates import PartialDate
from kb.ingest.candidates import TITLE_WORDS, find_candidates
from kb.ingest.dates import DATELINE, DateMention, find_dates, speaks_of_future
from kb.ingest.links import RecordCues, refers_to_war
from kb.ingest.modality import ModalityCue, back_reference, detect_modality, issuer
from kb.ingest.names import Mention, PhraseIndex
from kb.ingest.split import Sentence, split_sentences
from kb.ingest.suggest import paraphrase

_SIGNING = re.compile(r"\b(?:sign(?:s|ed|ing)?|inked|agreements?|treaty|pact|accord|partnership)\b", re.I)
# Verbs that report an event: a sentence built on one states a fact even in an authored piece.
_EVENT = re.compile(
    r"\b(?:signed|met|visited|travell?ed|launched|invaded|died|published|held|agreed|ratified|"
    r"inked|gifted|delivered|shipped|fired|tested|arrived|came to power|took office|was born|were born)\b",
    re.I,
)
# A known name inside a title: "Security Council Secretary Sergei Shoigu" is about Shoigu, not the Council.
_TITLE_AFTER = re.compile(rf" (?:{'|'.join(sorted(TITLE_WORDS))})\.? (?:[A-Z][\w'’\-]+ ){{0,2}}[A-Z]")
# What is on the record whatever the author makes of it: what has not been done ("Moscow has not endorsed
# …", "Beijing has said nothing"), and what a document says ("Article 3 commits …", "The text is short").
_RECORDED = re.compile(
    r"\b(?:has|have|had) (?:not|never|yet to) [a-z]+(?:ed|en|wn|ne)\b|\b(?:has|have|had) (?:said|done) nothing\b|"
    r"^(?:[A-Z][a-z]+ )?[Aa]rticles? \d+|^(?:The|Other|Its|Most|Several) (?:text|articles|clauses|provisions)\b"
)
AUTHORED_KINDS = frozenset({"analysis", "opinion"})
_TERMINAL = re.compile(r"[.!?][\"'”’)\]]*$")
MIN_WORDS = 6
_QUESTION = re.compile(r"\?[\"'”’)\]]*$")


@dataclass
class Proposal:
    """A sentence worth citing as a claim, with what was detected in it (offsets into the whole text)."""

    start: int
    end: int
    quote: str
    modality: str
    attributed_to: str = ""
    speaker: Hashable | None = None
    subjects: list[Hashable] = field(default_factory=list)
    about: PartialDate | None = None
    links: list[Hashable] = field(default_factory=list)
    cue: str = ""
    statement: str = ""  # a suggested paraphrase ("X: …") of an attributed sentence, else ""


@dataclass
class Analysis:
    """Everything found in one article."""

    proposals: list[Proposal]
    actors: list[Hashable]
    candidates: list[str]
    sentences: int


def analyse(
    text: str,
    *,
    actors: PhraseIndex,
    records: PhraseIndex | None = None,
    adjectives: PhraseIndex | None = None,
    published: PartialDate | None = None,
    kind: str = "news",
    capitals: dict[Hashable, Hashable] | None = None,
    signings: dict[Hashable, PartialDate] | None = None,
    title: str = "",
    agreements: Container[Hashable] | None = None,
    cues: RecordCues | None = None,
    people: Container[Hashable] = frozenset(),
    nationals: Mapping[Hashable, Hashable] | None = None,
    agreement_kinds: Mapping[Hashable, tuple[str, frozenset]] | None = None,
    publisher: str = "",
) -> Analysis:
    """Propose claims for ``text``: one per sentence worth citing, with modality, subjects, date and links.

    ``kind`` is the source's kind: in analysis and opinion pieces an undated sentence
    without any cue is the author's assessment rather than a reported fact; in an official
    one the issuing body (its dateline's agency, else ``publisher``) states what no one else is said to. ``capitals``
    maps a place to the state it can stand for ("Pyongyang justified Russia's actions"):
    a place named without a locative preposition or article before it is read as its state.
    ``signings`` maps agreements to their signing day: a sentence that speaks of signing on
    that day ("the June 19 agreement", "inked in Pyongyang on June 19") cites the agreement.
    When the article is about one agreement (``title`` names it, or the text names it more
    than any other of ``agreements``, the record keys that are agreements: all records by
    default), "the treaty", "the pact", "Article 3" and a following "Its …" cite it too.
    ``cues`` describe the events and transfers a sentence may cite without naming them
    (``kb.ingest.links``); once the article cites one war, "the war" cites it too. ``people``
    are the actor keys that are people: "He said …" after a sentence led by one quotes them; ``nationals`` maps
    a person to their state: "the Russian leader said" quotes the Russian last named. ``agreement_kinds`` gives
    the kind and parties of agreements between the states named: an article that names none of them but speaks
    of "the arrangement" is about the one arrangement between its two states.
    """
    mentions = [m for m in actors.find(text) if not _TITLE_AFTER.match(text, m.end)]
    capitals = capitals or {}
    states = frozenset(capitals.values())
    mentions = _short_names(text, mentions, states, adjectives)
    ranked = Counter(m.keys[0] for m in mentions if len(m.keys) == 1 and m.keys[0] in states).most_common(3)
    pair = _main_pair(mentions, ranked)
    # the state it names most, when no other is named as often: what "the country" and "the regime" are
    focus = ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else None
    record_mentions = records.find(text) if records is not None and len(records) else []
    adjective_mentions = _adjective_mentions(text, adjectives, mentions)
    topic = _topic_agreement(record_mentions, records.find(title) if title and records is not None else [], agreements)
    if topic is None and pair and agreement_kinds:
        topic = _described_agreement(text, pair, agreement_kinds)
    proposals: list[Proposal] = []
    topic_before = False  # the sentence before cited the article's agreement: "Its …" goes on about it
    sentences = split_sentences(text)
    paragraph_start, paragraph_topic = -1, False
    leading: list[Proposal] = []  # a paragraph's prose before the first sentence worth citing in it
    anchor = None  # the article's latest date so far: "three days later" counts from it
    readout = (_readout_voice(text) or publisher) if kind == "official" else ""
    voice: tuple[str, Hashable | None] | None = None  # the last named speaker: "He stressed …" goes on with them
    voice_at = current = -1  # where the voice last spoke; where the sentence read starts
    person: tuple[str, Hashable | None] | None = None  # a person the previous sentence is about: "He said …"
    speakers: dict[str, Hashable | None] = {}  # who has spoken so far, by name
    compatriots: dict[Hashable, tuple[str, Hashable]] = {}  # each state's person named last, by their full name
    full_names: dict[Hashable, str] = {}
    for sentence in sentences:
        previous, current = current, sentence.start
        paragraph = text.rfind("\n", 0, sentence.start) + 1
        if paragraph != paragraph_start:
            paragraph_start, paragraph_topic, leading = paragraph, False, []
        named = [m for m in _within(sentence, mentions) if len(m.keys) == 1]
        if pair and (both := _PAIR.search(sentence.text)) and not {k for m in named for k in m.keys} & set(pair):
            # "the two countries", "both sides": the two states the article is about
            at = sentence.start + both.start()
            named += [Mention(at, sentence.start + both.end(), both.group(0), (key,)) for key in pair]
        named += _state_references(sentence, named, focus=focus)
        dates = find_dates(sentence.text, published, anchor=anchor)
        # the next sentence's "the same day" is this one's own date: not a relative clause's background,
        # not a plan ("would travel from July")
        if not speaks_of_future(sentence.text) and (main := _main_mention(sentence.text, dates)) is not None:
            # "this month" after "on June 17" leaves the day it holds; "a week later" (its month) moves on
            holds = anchor is not None and main.date.contains(anchor) and main.date != anchor
            anchor = anchor if holds and not _COUNTED_ON.search(main.surface) else main.date
        cue = detect_modality(sentence.text)
        carried: Hashable | None = None
        described = [m for m in _within(sentence, adjective_mentions) if len(m.keys) == 1]
        if (who := _described_speaker(sentence, cue, described, compatriots)) is not None:
            cue = ModalityCue(cue.modality, cue.cue, who[0], cue.attributed_span)  # "The Russian leader called it"
            carried = who[1]
        for m in named:
            if m.keys[0] in (nationals or {}):
                full_names[m.keys[0]] = max(full_names.get(m.keys[0], ""), m.surface, key=lambda n: len(n.split()))
                compatriots[nationals[m.keys[0]]] = (full_names[m.keys[0]], m.keys[0])
        if cue.attributed_span and _names_someone(cue.attributed_to):
            voice = (cue.attributed_to, carried or _speaker(text, sentence, cue, named, capitals))
            voice_at = sentence.start
        elif (said := back_reference(sentence.text)) and (
            who := person if person is not None and _PERSONAL.match(said) else voice
        ):
            cue = ModalityCue(Modality.STATEMENT, said, who[0])
            carried = who[1]
            voice_at = sentence.start
        elif (
            voice is not None
            and voice_at == previous
            and "\n" not in text[previous : sentence.start]
            and _WHOLE_QUOTE.match(sentence.text)
        ):
            # a quotation standing alone goes on with whoever was quoted in the sentence just before, in its paragraph
            cue = ModalityCue(Modality.STATEMENT, "quotation", voice[0])
            carried = voice[1]
            voice_at = sentence.start
        if cue.attributed_span and _names_someone(cue.attributed_to):
            speakers[cue.attributed_to] = voice[1] if voice is not None else None
        person = None if cue.attributed_span else _person_subject(sentence, named, people, speakers)
        if issued := issuer(sentence.text):  # "X issued a statement": "It said …", "She said …" quote X
            voice = (issued, None)
        if readout and cue.modality != Modality.STATEMENT:
            cue = ModalityCue(Modality.STATEMENT, "official readout", readout)  # the agency's own account
        linked = _within(sentence, record_mentions)
        refers = topic is not None and _refers_to_topic(sentence.text, topic_before, linked, agreements)
        citable = worth_citing(sentence, actors=named, dates=dates, cue=cue, records=linked) or (
            refers and is_prose(sentence)
        )
        continues = is_prose(sentence) or is_full_sentence(sentence)
        if not citable and paragraph_topic and continues:
            citable = True  # it goes on about what its paragraph named: "It is reselling some of its old stock."
        leads = not citable and continues and not paragraph_topic
        proposal = (citable or leads) and _proposal(
            text,
            sentence,
            actors=named,
            adjectives=described,
            records=linked,
            dates=dates,
            cue=cue,
            kind=kind,
            capitals=capitals,
            signings=signings,
            refers_to=topic if refers else None,
            speaker=carried,
            cues=cues,
            pair=pair,
            agreements=agreements,
        )
        if citable:
            # the paragraph's opening sentences lead up to it: "Economic ties were also on the agenda."
            proposals += [*leading, proposal]
            leading = []
        elif leads:
            leading.append(proposal)
        paragraph_topic = paragraph_topic or bool(named or dates or linked)
        topic_before = citable and topic is not None and topic in proposals[-1].links
    if cues is not None:
        _cite_the_war(proposals, cues)
        _cite_this_event(proposals, cues)
    recognised = list(dict.fromkeys(m.keys[0] for m in [*mentions, *adjective_mentions] if len(m.keys) == 1))
    return Analysis(
        proposals=proposals,
        actors=recognised,
        candidates=find_candidates(text, [*mentions, *record_mentions, *adjective_mentions]),
        sentences=len(sentences),
    )


# The pair an article is about, named as a pair: "the two countries", "both sides", "neither side".
_PAIR = re.compile(
    r"\b(?:the two|both|neither|either|each) (?:countries|states|sides|governments|partners|nations|allies|parties|"
    r"capitals|parliaments|peoples|side|country|party|government)\b|"
    r"\bthe (?:sides|parties)\b(?!\s+(?:concerned|involved|to|in|of)\b)",
    re.I,
)
_SHORT_NAME = re.compile(r"(?<![\w’'-])[A-Z][a-z]{2,}(?![\w’'-]| [A-Z])")
_COMPASS = frozenset({"North", "South", "East", "West"})
_NAME_BEFORE = re.compile(r"[A-Z][\w’'-]* $")
# "the elder Kim": another of the family than the one last named
_KIN_BEFORE = re.compile(r"\b(?:elder|senior) $", re.I)
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?\s")


def _named_in_full(text: str, at: int, named: Iterable[tuple[int, Hashable]]) -> Hashable | None:
    """Whom a short name at ``at`` stands for, of the actors named in full before it (``named``: where each such
    naming ends, and its actor): the only one, else the one named last if that was in this sentence or the one
    before ("Kim" right after "Kim Jong Un"); a name several share, named far apart, is nobody's."""
    before = [(end, key) for end, key in named if end <= at]
    if len({key for _, key in before}) == 1:
        return before[0][1]
    if not before:
        return None
    end, key = max(before)
    return key if len(_SENTENCE_END.findall(text, end, at)) <= 1 else None


_ARTICLES = frozenset({"The", "A", "An"})


def _short_names(
    text: str, mentions: list[Mention], states: frozenset, adjectives: PhraseIndex | None = None
) -> list[Mention]:
    """Known actors named by one of their words once named in full: "Kim" after "Kim Jong Un", "Shoigu" after
    "Sergei Shoigu"; of several named so, the one named in full last. A state's word ("Korea"), a state's
    adjective ("Russian" of "Russian Far East"), a word inside another name ("Kim Il Sung") and "the elder Kim"
    are not."""
    full: dict[str, list[tuple[int, Hashable]]] = {}
    for m in mentions:
        words = m.surface.split()
        if len(m.keys) == 1 and len(words) >= 2 and m.keys[0] not in states:
            for word in {words[0], words[-1]} - _ARTICLES:  # "The" is no short name of "The New York Times"
                if adjectives is not None and len(adjectives) and adjectives.find(word):
                    continue  # "Russian" is Russia's, not short for "Russian Far East"
                full.setdefault(word.strip("’'s").rstrip("’'"), []).append((m.end, m.keys[0]))
    for m in mentions:  # "the North" after "North Korea"
        words = m.surface.split()
        if len(m.keys) == 1 and len(words) == 2 and m.keys[0] in states and words[0] in _COMPASS:
            full.setdefault(f"the {words[0]}", []).append((m.end, m.keys[0]))
    if not full:
        return mentions
    resolved = []
    for m in mentions:
        earlier = _named_in_full(text, m.start, [(end, k) for ends in full.values() for end, k in ends if k in m.keys])
        resolved.append(Mention(m.start, m.end, m.surface, (earlier,)) if len(m.keys) > 1 and earlier else m)
    for match in _SHORT_NAME.finditer(text):
        word = match.group(0)
        if word in _COMPASS and text[max(0, match.start() - 4) : match.start()].lower() == "the ":
            word = f"the {word}"
        elif word in _COMPASS:
            continue
        key = _named_in_full(text, match.start(), full.get(word, ()))
        before = text[max(0, match.start() - 30) : match.start()]
        if _NAME_BEFORE.search(before) or _KIN_BEFORE.search(before):
            continue  # "Kim" in "Respected Kim", part of a longer name; "the elder Kim"
        if key is not None and not any(m.start < match.end() and match.start() < m.end for m in mentions):
            resolved.append(Mention(match.start(), match.end(), match.group(0), (key,)))
    return sorted(resolved, key=lambda m: m.start)


# A state spoken of without its name: "the country", "the regime" is the article's own state. ("It" and "Its"
# are not read: as often as a state they are a treaty, a report or a silence.)
_THE_COUNTRY = re.compile(r"\b[Tt]he (?:country|regime)(?:['’]s)?\b")


def _state_references(sentence: Sentence, named: list[Mention], *, focus: Hashable | None) -> list[Mention]:
    """The article's own state where a sentence speaks of it without its name ("the regime prefers …")."""
    if focus is None or focus in {m.keys[0] for m in named} or not (country := _THE_COUNTRY.search(sentence.text)):
        return []
    clause = re.split(r"[,;:]|\bthat\b|\bwhich\b", sentence.text[: country.start()])[-1]
    at = sentence.start + country.start()
    if any(at - len(clause) <= m.start < at for m in named):
        return []  # "Ukraine said the country would never surrender": the state its clause names
    return [Mention(at, sentence.start + country.end(), country.group(0), (focus,))]


def _main_pair(mentions: list[Mention], ranked: list[tuple[Hashable, int]]) -> tuple[Hashable, Hashable] | None:
    """The two states an article names most (``ranked``: its three most named states and how often), when two
    stand out: whom "the two countries" means."""
    if len(ranked) < 2 or (len(ranked) == 3 and ranked[1][1] == ranked[2][1]):
        return None
    first = {m.keys[0]: m.start for m in reversed(mentions) if len(m.keys) == 1}
    return tuple(sorted((ranked[0][0], ranked[1][0]), key=lambda key: first[key]))


def worth_citing(
    sentence: Sentence, *, actors: list[Mention], dates: list[DateMention], cue: ModalityCue, records: list[Mention]
) -> bool:
    """A sentence is proposed when it reads as prose and names a known actor or record, a date or a hedge."""
    if _QUESTION.search(sentence.text):
        return False  # "What should Seoul do?" asks, it does not claim
    if not is_prose(sentence):
        return is_short_claim(sentence, actors)  # headings, captions, bylines are not; "Moscow agreed." is
    return bool(actors or records or dates or cue.modality != Modality.FACT)


# A verb after the subject of a short sentence: a past or present tense, or a common auxiliary.
_VERB = re.compile(
    r"^(?:[a-z]+ed|[a-z]+[^s\W]s|is|was|are|were|has|had|have|did|does|do|said|says|sent|sold|told|met|won|"
    r"lost|left|took|gave|made|kept|held|went|came|saw|knew|thought|fought|bought|brought|struck|shot|hit|"
    r"cannot|can|will|would|could|should|may|might|must|refused|rejected|denied|agreed|declined|responded)$"
)


def is_short_claim(sentence: Sentence, actors: list[Mention]) -> bool:
    """A short full sentence ("Beijing denied it.", "Moscow agreed."): a known actor, then a verb, then its end."""
    if not _TERMINAL.search(sentence.text) or not actors or len(sentence.text.split()) >= MIN_WORDS:
        return False
    subject = actors[0]
    after = sentence.text[subject.end - sentence.start :].split()
    return bool(after) and bool(_VERB.match(after[0].strip(".,;:!?\"'”’)")))


def is_full_sentence(sentence: Sentence) -> bool:
    """A short statement, not a question ("Ratification was quick.", "That sequence matters."): a verb after
    its first word, three words or more. Worth citing only inside a paragraph that is worth citing."""
    words = [w.strip(".,;:!?\"'”’") for w in sentence.text.split()]
    return (
        len(words) >= 3
        and bool(_TERMINAL.search(sentence.text))
        and not _QUESTION.search(sentence.text)
        and any(_VERB.match(w) for w in words[1:])
    )


def is_prose(sentence: Sentence) -> bool:
    """A full sentence of some length, not a heading, caption, byline or list introduction."""
    return len(sentence.text.split()) >= MIN_WORDS and bool(_TERMINAL.search(sentence.text))


def _adjective_mentions(text: str, adjectives: PhraseIndex | None, mentions: list[Mention]) -> list[Mention]:
    """The states' adjectives in ``text`` that are not part of a known name."""
    # "Russian", "North Korean": not new names, and a claim about "North Korean artillery" is about North Korea,
    # unless the adjective is part of a longer known name ("Russian Far East").
    return [
        m
        for m in (adjectives.find(text) if adjectives is not None and len(adjectives) else [])
        if not any(n.start < m.end and m.start < n.end for n in mentions)
    ]


_PERSONAL = re.compile(r"^(?:He|She)\b|,[\"”’]?\s*(?:he|she)\b")
# A sentence that is all quotation: '"What matters now is what comes back the other way."'
_WHOLE_QUOTE = re.compile(r"^[\"“][^\"“”]{10,}[\"”]$")
# A sentence led by its subject: "Shoigu visited …", "Meanwhile, Shoigu visited …".
_LEADING = re.compile(r"^(?:[A-Z][a-z]+, )?")


def _person_subject(
    sentence: Sentence, named: list[Mention], people: Container[Hashable], speakers: dict[str, Hashable | None]
) -> tuple[str, Hashable | None] | None:
    """The person a sentence opens with as its subject ("Meanwhile, Shoigu visited …"): a known person, or
    someone quoted earlier in the article by that name. Else None."""
    lead = _LEADING.match(sentence.text)
    at = lead.end() if lead else 0
    first = next((m for m in named if m.start == sentence.start + at), None)
    if first is not None and first.keys[0] in people:
        return first.surface, first.keys[0]
    rest = sentence.text[at:]
    return next(((name, key) for name, key in speakers.items() if rest.startswith(f"{name} ")), None)


# A person described by their state and office: "The Russian leader", "the North Korean president".
_DESCRIBED = re.compile(
    r"^[Tt]he [A-Z][\w-]+(?: [A-Z][\w-]+)? (?:leader|president|head of state|premier|prime minister|ruler)$"
)


def _described_speaker(
    sentence: Sentence, cue: ModalityCue, described: list[Mention], compatriots: dict[Hashable, tuple[str, Hashable]]
) -> tuple[str, Hashable] | None:
    """Who "The Russian leader said" quotes: the person of that state the article named last (by full name)."""
    if not cue.attributed_span or not _DESCRIBED.match(cue.attributed_to):
        return None
    lo, hi = sentence.start + cue.attributed_span[0], sentence.start + cue.attributed_span[1]
    states = {m.keys[0] for m in described if lo <= m.start and m.end <= hi}
    return compatriots.get(states.pop()) if len(states) == 1 else None


# A sentence that opens on the event the one before it cited: "This meeting occurred shortly after …".
_THIS_EVENT = re.compile(r"^(?:This|That|The) (?P<noun>meeting|summit|talks|visit|trip|signing|ceremony)\b")
_EVENT_NOUN_KINDS = {
    "meeting": {"meeting", "summit"},
    "summit": {"summit", "meeting"},
    "talks": {"meeting", "summit"},
    "visit": {"visit"},
    "trip": {"visit"},
    "signing": {"signing"},
    "ceremony": {"signing"},
}


def _cite_this_event(proposals: list[Proposal], cues: RecordCues) -> None:
    """ "This meeting …" cites the one meeting (or summit) the sentence before it cited."""
    kinds = cues.kinds()
    for before, proposal in itertools.pairwise(proposals):
        if (match := _THIS_EVENT.match(proposal.quote)) is None:
            continue
        wanted = _EVENT_NOUN_KINDS[match["noun"]]
        events = [key for key in before.links if kinds.get(key) in wanted]
        if len(events) == 1 and events[0] not in proposal.links:
            proposal.links.append(events[0])


def _cite_the_war(proposals: list[Proposal], cues: RecordCues) -> None:
    """Once an article cites one war (by name, place or time), "the war", "the fighting" and "the front line"
    in its other sentences cite it too."""
    wars = {key for p in proposals for key in p.links if cues.is_war(key)}
    if len(wars) != 1:
        return
    (war,) = wars
    for proposal in proposals:
        if war not in proposal.links and refers_to_war(proposal.quote):
            proposal.links.append(war)


def _within(sentence: Sentence, mentions: list[Mention]) -> list[Mention]:
    return [m for m in mentions if sentence.start <= m.start and m.end <= sentence.end]


def _proposal(
    text: str,
    sentence: Sentence,
    *,
    actors: list[Mention],
    adjectives: list[Mention],
    records: list[Mention],
    dates: list[DateMention],
    cue: ModalityCue,
    kind: str,
    capitals: dict[Hashable, Hashable],
    signings: dict[Hashable, PartialDate] | None,
    refers_to: Hashable | None = None,
    speaker: Hashable | None = None,
    cues: RecordCues | None = None,
    pair: tuple[Hashable, Hashable] | None = None,
    agreements: Container[Hashable] | None = None,
) -> Proposal:
    """The claim proposed for a sentence worth citing, from the unambiguous names, records, dates and cue in it."""
    if (
        cue.modality == Modality.FACT
        and not [d for d in dates if d.qualifier != "span"]  # life dates ("Kim Il-sung (1912–94)") date no claim
        and kind in AUTHORED_KINDS
        and not _EVENT.search(sentence.text)
        and not _RECORDED.search(sentence.text)
    ):
        cue = ModalityCue(Modality.ASSESSMENT, "undated, in an authored piece")
    named = sorted([*actors, *adjectives], key=lambda m: m.start)
    subjects = list(dict.fromkeys(_metonym(text, m, capitals) for m in named))
    links = _links(sentence, records, dates, signings, refers_to)
    if cues is not None and len(cues):
        # who may have supplied or received: not who speaks ("officials in Seoul say"), and where things went
        lo, hi = (
            (sentence.start + cue.attributed_span[0], sentence.start + cue.attributed_span[1])
            if cue.attributed_span
            else (0, 0)
        )
        outside = [m for m in named if not (lo <= m.start and m.end <= hi)]
        links += cues.cited(
            sentence.text,
            places=frozenset(m.keys[0] for m in actors),
            actors=frozenset(subjects),
            parties=frozenset(_metonym(text, m, capitals) for m in outside),
            to=frozenset(
                _metonym(text, m, capitals) for m in outside if _TO.search(text, max(0, m.start - 12), m.start)
            ),
            pair=pair or (),
            # "since then", "since August 2023": a start, not the time of what it cites
            dates=[d.date for d in dates if not _SINCE.search(sentence.text, max(0, d.start - 6), d.end)],
            since=[d.date for d in dates if _SINCE.search(sentence.text, max(0, d.start - 6), d.end)],
            unnamed=_without(sentence, [*actors, *adjectives]),
            future=cue.modality == Modality.FORECAST,
            agreements=[key for key in links if agreements is None or key in agreements],
        )
    return Proposal(
        start=sentence.start,
        end=sentence.end,
        quote=sentence.text,
        modality=cue.modality,
        attributed_to=cue.attributed_to,
        speaker=speaker if speaker is not None else _speaker(text, sentence, cue, actors, capitals),
        subjects=subjects,
        about=_main_date(sentence.text, dates),
        links=list(dict.fromkeys(links)),
        cue=cue.cue,
        statement=paraphrase(sentence.text, cue.attributed_to) if cue.modality == Modality.STATEMENT else "",
    )


# A date counted on from the previous one: "a week later", "days later", "the following month".
_COUNTED_ON = re.compile(r"\b(?:later|after|afterwards|earlier|before|following|next|previous|preceding)\b", re.I)
_TO = re.compile(r"\bto(?: the)?\s+$")  # "shipped shells to Moscow": where they went
# Words that refer back to the agreement an article is about: its names for itself, its text and articles,
# and the steps of its life (ratification, entry into force, signature).
_AGREEMENT_ANAPHOR = re.compile(
    r"\b(?:[Tt]he|[Tt]his|[Tt]hat|[Ii]ts|[Tt]heir) (?:new |mutual |(?:[a-z]+[- ])?defen[cs]e )?"
    r"(?:treaty|pact|agreement|accord|deal|clause|provision|alliance|partnership|arrangement|text)\b|"
    # "the Treaty" as official texts write it, not "the Treaty on the Non-Proliferation …", "the Treaty of 1961"
    r"\b[Tt]he (?:new )?(?:Treaty|Pact|Agreement|Accord|Partnership)\b(?!\s+(?:of|on|for|between|to)\b|\s+[A-Z])|"
    r"\b[Aa]rticle \d+\b|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|final) "
    r"(?:article|clause|provision)\b|\b(?:[Rr]atif(?:y|ied|ies|ying|ication)|entry into force|entered into force|"
    r"came into force|took effect|instruments of ratification)\b",
)
# Right after a sentence on the agreement: "Its wording …", "It is highly transactional" (not "It is clear that").
_ITS = re.compile(
    r"^(?:Its|Under it|In it|"
    r"It (?:is|was|remains|has been)\b(?! (?:not )?(?:clear|likely|unclear|possible|time|true)\b))\b"
)


def _topic_agreement(
    mentions: list[Mention], in_title: list[Mention], agreements: Container[Hashable] | None
) -> Hashable | None:
    """The one agreement an article is about: the one its title names, else the one its text names most."""

    def named(found: list[Mention]) -> Counter:
        return Counter(m.keys[0] for m in found if len(m.keys) == 1 and (agreements is None or m.keys[0] in agreements))

    titled = named(in_title)
    if len(titled) == 1:
        return next(iter(titled))
    ranked = named(mentions).most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None  # no agreement, or two named as often: "the treaty" could be either
    return ranked[0][0]


_AGREEMENT_NOUN = re.compile(r"\b[Tt]he (?P<kind>arrangement|treaty|agreement|memorandum|contract|partnership)\b")


def _described_agreement(
    text: str, pair: tuple[Hashable, Hashable], kinds: Mapping[Hashable, tuple[str, frozenset]]
) -> Hashable | None:
    """The one agreement of the article's two states of a kind the text speaks of ("the arrangement"), else None."""
    said = {m["kind"] for m in _AGREEMENT_NOUN.finditer(text)}
    fits = [key for key, (kind, parties) in kinds.items() if kind in said and set(pair) <= parties]
    return fits[0] if len(fits) == 1 else None


def _refers_to_topic(
    text: str, after_topic: bool, linked: list[Mention], agreements: Container[Hashable] | None
) -> bool:
    """Whether a sentence speaks of the article's agreement without naming it: "the treaty", "Article 3", "Its …"."""
    if any(len(m.keys) == 1 and (agreements is None or m.keys[0] in agreements) for m in linked):
        return False  # it names an agreement: that one is cited
    return bool(_AGREEMENT_ANAPHOR.search(text)) or (after_topic and bool(_ITS.match(text)))


# Words after which "that" opens what is said, thought or meant, not a relative clause.
_THAT_TAKER_WORDS = (
    "said says say told tells warned warns argued argues noted notes reported reports announced announces "
    "confirmed confirms stated states claimed claims believe believes believed think thinks thought know "
    "knows knew show shows showed shown suggest suggests suggested mean means meant is was are were be been "
    "so such added insisted agreed found expect expects expected hope hopes hoped fear fears feared clear "
    "likely evidence fact sign signal ensure ensures ensured indicate indicates indicated acknowledged "
    "admitted denied concluded decided recognised recognized realised realized learned predicted estimated "
    "seems seemed appears appeared given than now assured assures promised promises"
)
_THAT_TAKERS = frozenset(_THAT_TAKER_WORDS.split())
_PARTICIPLE = r"[a-z]{3,}ed|[a-z]{2,}en|lost|held|built|made|sent|set|led|left|won|begun|brought|bought|sold"
_PREPOSITION = r"in|on|by|with|during|since|at|from|under|into|for|between|through|after|before"
# Verbs that tell what was said, after an apposition: ", Valery Gerasimov, announced on Saturday" is no participle.
_SAYS = "(?:" + "|".join(w for w in sorted(_THAT_TAKERS) if w.endswith("ed")) + ")"
# A relative clause ("…, where fighting had gone on since 2023", "the war, which began in 2022,") gives
# background: its date is not the time the sentence's claim speaks about. So does a participle after a noun:
# "The treaty, signed in June 2024,", "-- inked in Pyongyang on June 19 --", and after a noun phrase not at the
# head of a clause ("a practice banned by UN sanctions since 2019").
_RELATIVE_CLAUSE = re.compile(
    r"(?:,\s*|\s\(|\s)(?:which|where|whose|who|whom)\b[^,;:()]*"
    rf"|(?:,|\s[-–—]{{1,2}})\s*(?!{_SAYS}\b)(?:{_PARTICIPLE})\s+(?:{_PREPOSITION})\b[^,;:()–—]*"
    rf"|(?<=\S\s)(?<!\band )(?<!\bbut )(?<!\bor )(?<![;:] )"
    r"(?:a|an|the|this|that|these|those|its|their|his|her)\s+(?:[a-z-]+\s+){0,3}?[a-z-]+"
    rf"\s+(?:{_PARTICIPLE})\s+(?:{_PREPOSITION})\b[^,;:()–—]*",
)
_THAT = re.compile(r"(?<=[a-z]) that\s+(?!is\b|was\b|are\b|were\b)[^,;:()]*")
# A sentence led by a name and its apposition: "Sergei Shoigu, the secretary of Russia's Security Council, landed
# in Pyongyang on Tuesday" is Shoigu landing, not a participle after a noun.
_APPOSITION_HEAD = re.compile(
    r"^(?!(?:In|On|By|Since|After|Before|During|At|From|Until|For|Last|This|Next|Then|When|As)\b)"
    r"(?:[A-Z][\w'’.-]+ ?){1,4},\s+(?:the|a|an|[A-Z][\w-]+['’]s)\s[^,;:()]{1,80}$"
)


def _relative_clauses(text: str) -> list[tuple[int, int]]:
    """The spans of a sentence's relative clauses: "…, which began in 2022", "a UN ban that took effect in 2019"
    ("that" after a noun, not after a word that takes what is said: "said that", "so that"), "the treaty, signed
    in June 2024,"."""
    spans = [
        m.span()
        for m in _RELATIVE_CLAUSE.finditer(text)
        # the head's verb, unless another clause follows it: "The KN-23, a missile, developed in 2019, was fired"
        if not (
            m.group(0).startswith(",")
            and _APPOSITION_HEAD.match(text, 0, m.start())
            and not text.startswith(",", m.end())
        )
    ]
    for m in _THAT.finditer(text):
        before = text[: m.start()].rsplit(None, 1)
        # "told lawmakers last month that …" is what was told
        if before and before[-1].lower() not in _THAT_TAKERS and not _REPORTED.search(text, 0, m.start() + 5):
            spans.append(m.span())
    return spans


# "confirmed the shipments that began": "that" and a verb are a relative clause, not what was reported.
_VERB_AFTER_THAT = re.compile(
    r"\s+(?:[a-z]+ed|began|begun|was|were|is|are|has|have|had|will|would|could|can|may|might|remains?)\b"
)
# A report's own words and what it reports: "The agency told lawmakers last month that …".
_REPORTED = re.compile(
    r"\b(?:said|says|told|tells|stated|reported|announced|estimated|estimates|claimed|confirmed|added)\b"
    r"[^.;:\"“”]{0,80}?\bthat\b"
)


def _main_date(text: str, dates: list[DateMention]) -> PartialDate | None:
    """The time a sentence speaks about (see :func:`_main_mention`)."""
    mention = _main_mention(text, dates)
    return mention.date if mention is not None else None


def _main_mention(text: str, dates: list[DateMention]) -> DateMention | None:
    """The date a sentence speaks about: its first outside a relative clause (and not a long span), or the
    finer date right after it that it holds ("last month, on November 6")."""
    clauses = _relative_clauses(text)
    main = [d for d in dates if d.qualifier != "span" and not any(lo <= d.start and d.end <= hi for lo, hi in clauses)]
    if not main:
        return None
    reported = _REPORTED.search(text)
    if reported and not _VERB_AFTER_THAT.match(text, reported.end()):
        # "told lawmakers last month that … since August 2023": what was told (not "confirmed the shipments that")
        told = [d for d in main if d.start >= reported.end() and d.qualifier != "relative"]
        main = told or main
    first = main[0]
    following = next((d for d in main[1:] if d.start >= first.end), None)
    if (
        following is not None
        and following.start - first.end <= _CLOSE
        and first.date.contains(following.date)
        and following.date.precision != first.date.precision
    ):
        return following
    return first


def _without(sentence: Sentence, mentions: list[Mention]) -> str:
    """The sentence with the names it gives blanked out."""
    chars = list(sentence.text)
    for m in mentions:
        chars[m.start - sentence.start : m.end - sentence.start] = " " * (m.end - m.start)
    return "".join(chars)


_SINCE = re.compile(r"\b[Ss]ince\b")
_CLOSE = 6  # ", on " between a date and the finer one that says which day


def _speaker(
    text: str, sentence: Sentence, cue: ModalityCue, actors: list[Mention], capitals: dict[Hashable, Hashable]
) -> Hashable | None:
    """The known actor a statement is attributed to: the last one named where the cue says who speaks."""
    if not cue.attributed_span:
        return None
    lo, hi = sentence.start + cue.attributed_span[0], sentence.start + cue.attributed_span[1]
    within = [m for m in actors if lo <= m.start and m.end <= hi]
    spans = {(m.start, m.end) for m in within}
    if len({m.keys[0] for m in within}) > 1 and (
        " and " in text[within[0].end : within[-1].start] or len(spans) < len(within)
    ):
        return None  # "UN Comtrade data and SIPRI's figures show", "both governments": two voices, no one speaker
    # "Russia's defence ministry said": Russia owns the voice, it does not speak.
    speakers = [m for m in within if not _POSSESSIVE.match(text, m.end)]
    return _metonym(text, speakers[-1], capitals) if speakers else None


_POSSESSIVE = re.compile(r"['’]s?\s")
_NOT_A_NAME = frozenset({"the", "a", "an", "he", "she", "it", "they", "this", "that"})


def _readout_voice(text: str) -> str:
    """The agency of an official readout's dateline ("Pyongyang, June 18 (KCNA)"), else ""."""
    match = DATELINE.match(text)
    return match.group("agency").strip() if match is not None else ""


def _names_someone(who: str) -> bool:
    """An attribution that names its speaker ("Sergei Lavrov", "Kim"), not a description ("the agency")."""
    words = who.split()
    return bool(words) and words[0][:1].isupper() and words[0].lower() not in _NOT_A_NAME


def _links(
    sentence: Sentence,
    records: list[Mention],
    dates: list[DateMention],
    signings: dict[Hashable, PartialDate] | None,
    refers_to: Hashable | None = None,
) -> list[Hashable]:
    """The records a sentence cites: those it names, the agreement it refers to ("the treaty"), and agreements
    signed on a day it gives with a word of signing."""
    # A name shared by several records (one designation, many deliveries) cites none of them:
    # the editor picks the right one, as with an ambiguous actor name.
    links = [m.keys[0] for m in records if len(m.keys) == 1]
    if refers_to is not None:
        links.append(refers_to)
    if signings and dates and _SIGNING.search(sentence.text):
        days = {d.date for d in dates if d.date.precision == DatePrecision.DAY}
        links += [key for key, signed in signings.items() if signed in days]
    return list(dict.fromkeys(links))


_LOCATIVE = re.compile(
    r"\b(?:in|at|near|outside|inside|around|across|from|into|via|through|visited|visit|visiting|of|the|"
    r"left|leave|leaves|leaving|reached|reach|reaches|toured)\s+$",
    re.I,
)
# "to" a capital is a destination after a journey ("flew to Pyongyang", "two trips to Pyongyang");
# otherwise it is the state ("grateful to Pyongyang", "matter more to Pyongyang").
_JOURNEY_TO = re.compile(
    r"\b(?:came|come|comes|coming|went|go|goes|going|flew|fly|flies|flying|travel\w*|trips?|visits?|journey\w*|"
    r"return\w*|moved?|headed|heading|drove|sailed|arrived|way|back|road|flights?|route)\b[^.;!?]{0,60}\bto\s+$",
    re.I,
)


# Sent, sold or shipped "to Moscow": the capital is the receiving state, not a destination on a map.
_SENT_TO = re.compile(
    r"\b(?:sent|send|sends|sending|shipped|ship|ships|shipping|sold|sell|sells|selling|supplied|supply|supplies|"
    r"supplying|delivered|deliver|delivers|delivering|exported|export|exports|exporting|transferred|transfer|"
    r"transfers|provided|provide|provides|providing|gave|give|gives|given|handed|offered|offers|pledged|"
    r"promised|leased|lent|loaned|dispatched|deployed)\b[^.;!?]{0,80}\bto\s+$",
    re.I,
)


def _metonym(text: str, mention: Mention, capitals: dict[Hashable, Hashable]) -> Hashable:
    """The state a capital stands for ("Pyongyang justified…", "Moscow's backing", "shipped to Moscow").

    A capital after a place word ("in Pyongyang", "the Moscow metro") stays the place.
    """
    key = mention.keys[0]
    if key not in capitals:
        return key
    before = text[max(0, mention.start - 120) : mention.start]
    placed = _LOCATIVE.search(before[-20:]) or _JOURNEY_TO.search(before)
    if placed and not _SENT_TO.search(before):
        return key
    return capitals[key]
