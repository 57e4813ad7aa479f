"""Detection over an article's text: known names, candidate new names, date expressions and modality.

Everything here is pure: it works on strings and on a :class:`PhraseIndex` prepared from
the knowledge base's aliases (and agreement titles, transfer designations), and returns
offsets into the text it was given. :func:`analyse` puts the rules together and proposes
the sentences worth citing as claims.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from kb.choices import DatePrecision, Modality
from kb.dates import PartialDate
from kb.ingest.normalize import strip_accents
from kb.ingest.split import Sentence, split_sentences

# --- matching names on normalised text ---------------------------------------------

_APOSTROPHES = "'\u2019\u02bc`\u00b4\u2018"
_DOTS = "."


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """The matching form of ``text`` and, for each of its characters, the offset it came from.

    Case-folded, accents removed, dots and apostrophes dropped, possessive "'s" removed,
    everything that is not a letter or digit turned into a space. Names are looked up
    in this form, so "North Korea’s" finds "North Korea" and "U.S." finds "US".
    """
    out: list[str] = []
    offsets: list[int] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch in _APOSTROPHES:
            # A possessive "'s" at the end of a word is not part of the name.
            if i + 1 < n and text[i + 1] in "sS" and (i + 2 == n or not text[i + 2].isalnum()) and i > 0:
                out.append(" ")
                offsets.append(i)
                i += 2
                continue
            i += 1
            continue
        if ch in _DOTS and 0 < i < n - 1 and text[i - 1].isalnum() and text[i + 1].isalnum():
            i += 1  # "U.S" inside an initialism: dots join
            continue
        folded = _fold(ch)
        if len(folded) == 1:
            out.append(folded)
            offsets.append(i)
        else:
            out.extend(folded)
            offsets.extend([i] * len(folded))
        i += 1
    return "".join(out), offsets


@functools.lru_cache(maxsize=8192)
def _fold(ch: str) -> str:
    """One character's matching form: "Ŭ" → "u", "ß" → "ss", anything but a letter or digit → a space."""
    return strip_accents(ch).casefold() if ch.isalnum() else " "


_PLAIN_NAME = re.compile(r"[A-Za-z0-9 \-]+")


def match_key(name: str) -> tuple[str, ...]:
    """The words a name is matched by: "Kim Jong-un" and "Kim Jong Un" both give ("kim", "jong", "un")."""
    if _PLAIN_NAME.fullmatch(name):  # the common case, and the same result, much faster
        return tuple(name.lower().replace("-", " ").split())
    return tuple(normalize_with_offsets(name.replace(".", ""))[0].split())


@dataclass(frozen=True)
class Mention:
    """A phrase found in a text: offsets into that text, the words as written and what they name."""

    start: int
    end: int
    surface: str
    keys: tuple[Hashable, ...]


@dataclass
class _Entry:
    words: tuple[str, ...]
    keys: list[Hashable]
    acronym: bool
    capitalised: bool


class PhraseIndex:
    """Known phrases (aliases, titles, designations) by their normalised words, matched longest first.

    ``add(phrase, key)`` registers a phrase for a key (e.g. an actor id); a phrase shared by
    several keys is ambiguous and its matches carry every key. With ``match_case`` a
    capitalised phrase matches only capitalised words, and a short acronym only capitals.
    """

    def __init__(self, entries: Iterable[tuple[str, Hashable]] = (), *, match_case: bool = True) -> None:
        # Names keep their capitals ("China", not "china"); record titles need not ("the death of Kim Jong Il").
        self.match_case = match_case
        self._by_first: dict[str, dict[tuple[str, ...], _Entry]] = {}
        self._sorted: dict[str, list[_Entry]] = {}
        for phrase, key in entries:
            self.add(phrase, key)

    def add(self, phrase: str, key: Hashable) -> None:
        words = match_key(phrase)
        if not words:
            return
        letters = re.sub(r"[^A-Za-z]", "", phrase)
        entry = self._by_first.setdefault(words[0], {}).get(words)
        if entry is None:
            entry = _Entry(
                words=words,
                keys=[],
                acronym=bool(letters) and letters.isupper() and len(letters) <= 5 and len(words) == 1,
                capitalised=self.match_case and phrase[:1].isupper(),
            )
            self._by_first[words[0]][words] = entry
            self._sorted.pop(words[0], None)
        elif phrase[:1].islower():
            entry.capitalised = False
        if key not in entry.keys:
            entry.keys.append(key)

    def __len__(self) -> int:
        return sum(len(group) for group in self._by_first.values())

    def _candidates(self, first: str) -> list[_Entry]:
        found = self._sorted.get(first)
        if found is None:
            found = sorted(self._by_first.get(first, {}).values(), key=lambda e: -len(e.words))
            self._sorted[first] = found
        return found

    def find(self, text: str) -> list[Mention]:
        """Every non-overlapping known phrase in ``text``, longest match first, on word boundaries."""
        normalised, offsets = normalize_with_offsets(text)
        tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", normalised)]
        words = [t[2] for t in tokens]
        mentions: list[Mention] = []
        i = 0
        while i < len(tokens):
            matched, size = None, 1
            for entry in self._candidates(words[i]):
                size = len(entry.words)
                if tuple(words[i : i + size]) != entry.words:
                    continue
                start = offsets[tokens[i][0]]
                end = offsets[tokens[i + size - 1][1] - 1] + 1
                surface = text[start:end]
                if entry.acronym and not re.sub(r"[^A-Za-z]", "", surface).isupper():
                    continue  # "us" is not "US", "un" is not the UN
                if entry.capitalised and not surface[:1].isupper():
                    continue  # "china" the porcelain, "turkey" the bird
                matched = Mention(start=start, end=end, surface=surface, keys=tuple(entry.keys))
                break
            if matched:
                mentions.append(matched)
            i += size if matched else 1
        return mentions


_TITLE_HEAD = re.compile(
    r"^(?:the\s+)?(?:(?:treaty|agreement|memorandum(?: of understanding)?|pact|accord|protocol|contract|"
    r"declaration|convention)\s+(?:on|of|for|between|concerning)\s+(?:the\s+)?)",
    re.I,
)
_TITLE_TAIL = re.compile(r"\s+(?:between|among|with|of the|signed)\s+.*$", re.I)


def title_phrases(title: str) -> list[str]:
    """The phrases an article uses for a titled record: the title and its distinctive core.

    "Treaty on Comprehensive Strategic Partnership between Russia and the DPRK" is also
    written "Comprehensive Strategic Partnership"; a core of fewer than two words is too
    vague to link on.
    """
    phrases = [title.strip()]
    core = _TITLE_TAIL.sub("", _TITLE_HEAD.sub("", title.strip())).strip(" ,;:")
    if core and core != phrases[0] and len(core.split()) >= 2:
        phrases.append(core)
    return phrases


_IRREGULAR_DEMONYMS = {
    ("china",): ("Chinese",),
    ("japan",): ("Japanese",),
    ("vietnam",): ("Vietnamese",),
    ("soviet", "union"): ("Soviet",),
    ("ussr",): ("Soviet",),
    ("united", "states"): ("American", "US"),
    ("united", "kingdom"): ("British",),
    ("france",): ("French",),
    ("germany",): ("German",),
    ("netherlands",): ("Dutch",),
    ("israel",): ("Israeli",),
    ("pakistan",): ("Pakistani",),
}


def demonyms(name: str) -> list[str]:
    """Adjectives of a state's name: "Russia" → "Russian", "North Korea" → "North Korean", "Ukraine" → "Ukrainian".

    Regular English endings plus a short table of irregular ones; a derived form that is
    not a word is harmless, since it is only ever looked up in an article's text.
    """
    name = name.strip()
    forms = list(_IRREGULAR_DEMONYMS.get(match_key(name), ()))
    if not name or not name[-1].isalpha() or len(name) < 4:
        return forms
    if name.endswith("a"):
        forms.append(name + "n")
    elif name.endswith("e"):
        forms.append(name[:-1] + "ian")
    elif name[-1] not in "aeiouy":
        forms.append(name + "ian")
    return forms


# --- candidate new names -----------------------------------------------------------

_NAME_WORD = re.compile(r"[A-Z\u00c0-\u00de][\w\u00c0-\u024f'’\-]*|[a-z]+")
_CONNECTORS = frozenset({"of", "the", "for", "de", "al", "on", "von", "van", "bin"})
_FUNCTION_WORDS = (
    "the a an this that these those it its he she they we i you his her their our there here but and "
    "or so yet however meanwhile still also in on at as by for from with after before since while "
    "when if although though despite during earlier later then now today yesterday what why how who "
    "which where not no one some many most every each such beyond even"
)
_NOT_NAMES = frozenset(
    _FUNCTION_WORDS.split()
    + [m.lower() for m in calendar.month_name if m]
    + [d.lower() for d in calendar.day_name]
    + ["president", "leader", "minister", "premier", "chairman", "general", "secretary", "supreme"]
)


def find_candidates(text: str, known: list[Mention]) -> list[str]:
    """Capitalised multi-word names in ``text`` that are not known: candidates for the editor.

    A run of capitalised words (joined by "of", "the", "and"…) of two or more words
    counts; sentence openers and titles at its edges are dropped, and a run that touches
    a known name is not a candidate (it is a title or a description of a known actor).
    """
    taken = [(m.start, m.end) for m in known]
    found: list[str] = []
    for sentence in split_sentences(text):
        found.extend(_sentence_candidates(text, sentence, taken))
    seen, unique = set(), []
    for name in found:
        key = match_key(name)
        if key not in seen:
            seen.add(key)
            unique.append(name)
    return unique


def _sentence_candidates(text: str, sentence: Sentence, taken: list[tuple[int, int]]) -> list[str]:
    words = [(sentence.start + m.start(), sentence.start + m.end()) for m in _NAME_WORD.finditer(sentence.text)]
    runs: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []
    previous_end = None
    for index, (start, end) in enumerate(words):
        word = text[start:end]
        gap = text[previous_end:start] if previous_end is not None else ""
        joined = previous_end is not None and gap == " "
        capital = word[:1].isupper()
        following = text[slice(*words[index + 1])] if index + 1 < len(words) else ""
        # "and" joins inside an institution's name ("School of Social Sciences and Humanities"),
        # not two names ("Syria and Iran", "the People's Republic of China and the Soviet Union").
        conjunction = word == "and" and following[:1].isupper() and any(text[slice(*w)] == "of" for w in run)
        if run and joined and (capital or word in _CONNECTORS or conjunction):
            run.append((start, end))
        else:
            if run:
                runs.append(run)
            run = [(start, end)] if capital else []
        previous_end = end
    if run:
        runs.append(run)
    names = []
    for run in runs:
        while run and (text[slice(*run[-1])] in _CONNECTORS or text[slice(*run[-1])].lower() in _NOT_NAMES):
            run = run[:-1]
        while run and (text[slice(*run[0])].lower() in _NOT_NAMES or text[slice(*run[0])] in _CONNECTORS):
            run = run[1:]
        capitals = [w for w in run if text[w[0]].isupper()]
        if len(capitals) < 2:
            continue
        start, end = run[0][0], run[-1][1]
        if any(s < end and start < e for s, e in taken):
            continue
        name = re.sub(r"['’]s$", "", text[start:end])
        names.append(name)
    return names


# --- dates -------------------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[6-9]\d\d|20\d\d)"
_REL = r"(?P<rel>this|last|next|the same|that) year"

# (pattern, precision), tried in order; an earlier pattern's match wins over an overlapping later one.
_DATE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b{_MONTH} {_DAY}(?:,? {_YEAR}\b|(?![\d:]))"), DatePrecision.DAY),
    (re.compile(rf"\b{_DAY} (?:of )?{_MONTH}(?:,? {_YEAR}\b|(?!\w))"), DatePrecision.DAY),
    (re.compile(rf"\b(?P<qual>early|mid|late|mid-)?[ -]?{_MONTH},? (?:of )?{_YEAR}\b"), DatePrecision.MONTH),
    (re.compile(rf"\b{_MONTH} {_REL}\b"), DatePrecision.MONTH),
    (
        re.compile(
            rf"\b(?:(?P<qual>early|mid|late)[ -])?(?:in|since|by|until|from|during|of|last|this|next) {_MONTH}(?![\w])"
        ),
        DatePrecision.MONTH,
    ),
    (re.compile(r"\b(?:the )?(?P<qual>early |mid-|late )?(?P<decade>1[6-9]\d0|20\d0)['’]?s\b"), DatePrecision.DECADE),
    (re.compile(r"(?<![\w'’])['’]?(?P<decade2>[2-9]0)s\b"), DatePrecision.DECADE),
    (re.compile(rf"\b(?P<qual>post|pre|mid|early|late)-{_YEAR}\b"), DatePrecision.YEAR),
    (re.compile(rf"\b{_YEAR}(?:\s?[–\-/]\s?(?P<until>\d{{2,4}}))?\b(?![.,]\d)"), DatePrecision.YEAR),
    (re.compile(rf"\b{_REL}\b", re.I), DatePrecision.YEAR),
]


@dataclass(frozen=True)
class DateMention:
    """A date expression in a text, as a partial date; ``qualifier`` keeps "early", "post", "pre"…"""

    start: int
    end: int
    surface: str
    date: PartialDate
    qualifier: str = ""


def _resolve_year(month: int, day: int | None, published: PartialDate | None) -> int | None:
    """The year of "June 19" in an article published on ``published``: the one that puts it nearest before."""
    if published is None:
        return None
    year = published.date.year
    if published.precision in (DatePrecision.DAY, DatePrecision.MONTH):
        candidate = dt.date(year, month, min(day or 1, calendar.monthrange(year, month)[1]))
        if (candidate - published.date).days > 183:
            year -= 1
    return year


def _relative_year(rel: str, published: PartialDate | None) -> int | None:
    if published is None:
        return None
    rel = rel.lower()
    return published.date.year + {"last": -1, "next": 1}.get(rel, 0)


def _to_partial(match: re.Match[str], precision: str, published: PartialDate | None) -> PartialDate | None:
    groups = match.groupdict()
    try:
        if groups.get("decade"):
            return PartialDate(dt.date(int(groups["decade"]), 1, 1), DatePrecision.DECADE)
        if groups.get("decade2"):
            # "the 80s": the most recent such decade not after the publication.
            base = published.date.year if published else dt.date.today().year
            decade = base // 100 * 100 + int(groups["decade2"])
            if decade > base:
                decade -= 100
            return PartialDate(dt.date(decade, 1, 1), DatePrecision.DECADE)
        year = int(groups["year"]) if groups.get("year") else None
        if year is None and groups.get("rel"):
            year = _relative_year(groups["rel"], published)
        month = _MONTHS.get((groups.get("month") or "").lower().rstrip("."))
        day = int(groups["day"]) if groups.get("day") else None
        if precision == DatePrecision.YEAR:
            return PartialDate(dt.date(year, 1, 1), DatePrecision.YEAR) if year else None
        if year is None:
            year = _resolve_year(month, day, published)
        if year is None or month is None:
            return None
        if precision == DatePrecision.MONTH:
            return PartialDate(dt.date(year, month, 1), DatePrecision.MONTH)
        return PartialDate(dt.date(year, month, day), DatePrecision.DAY)
    except (ValueError, TypeError):
        return None  # "February 30" and the like are not dates


def _year_range(start: PartialDate, until: str) -> tuple[PartialDate | None, str]:
    """A range of years as one partial date: "1950–53" is the 1950s; a long span ("1912–94") is kept as "span"."""
    first = start.date.year
    last = int(until) if len(until) == 4 else first // 100 * 100 + int(until[-2:])
    if len(until) != 4 and last < first:
        last += 100
    if last <= first:
        return None, ""  # "2024-03" is not a range of years, nor is "2019–2011"
    if first // 10 == last // 10:
        return PartialDate(dt.date(first // 10 * 10, 1, 1), DatePrecision.DECADE), "range"
    return start, "range" if last - first <= 3 else "span"


def find_dates(text: str, published: PartialDate | None = None) -> list[DateMention]:
    """Date expressions in ``text`` as partial dates, in text order; missing years come from ``published``."""
    found: list[DateMention] = []
    for pattern, precision in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(m.start < end and start < m.end for m in found):
                continue
            date = _to_partial(match, precision, published)
            if date is None:
                continue
            qualifier = (match.groupdict().get("qual") or "").strip(" -").lower()
            if match.groupdict().get("until"):
                date, qualifier = _year_range(date, match.group("until"))
                if date is None:
                    continue
            found.append(DateMention(start, end, text[start:end], date, qualifier))
    return sorted(found, key=lambda m: m.start)


# --- modality ----------------------------------------------------------------------

_SPEECH_VERBS = (
    r"said|says|say|told|tells|stated|states|announced|announces|declared|declares|claimed|claims|"
    r"warned|warns|insisted|insists|confirmed|confirms|denied|denies|added|noted|reported|"
    r"pledged|pledges|vowed|vows|praised|praises|called|calls|described|describes|accused|accuses|"
    r"acknowledged|admitted|argued|argues|stressed|stresses|emphasised|emphasized|promised|promises|"
    r"justified|justifies|blamed|blames|condemned|condemns|criticised|criticized|hailed|hails|"
    r"threatened|threatens|rejected|rejects"
)
# Evidence that speaks: "trade registers indicate", "White House reports indicated", "data show".
_EVIDENCE_NOUNS = (
    r"reports?|data|figures|statistics|registers|records|documents|images|imagery|footage|intelligence|"
    r"assessments?|estimates|surveys?|polls?|investigations?|analys[ie]s|studies|study"
)
_EVIDENCE_VERBS = r"indicates?|indicated|shows?|showed|shown|suggests?|suggested|reveals?|revealed|confirms?|confirmed"
_STATEMENT_PATTERNS = [
    re.compile(r"\baccording to (?P<who>[^,.;:()]{2,80})", re.I),
    re.compile(
        rf"(?:^|[,;:]\s*|\bthat\s)(?P<who>[^,;:()]{{2,80}}?)(?:,\s*[^,]{{2,25}},)?\s+(?:has |have |had )?"
        rf"(?:{_SPEECH_VERBS})\b"
    ),
    re.compile(
        rf"(?:^|[,;:]\s*|\bthat\s)(?P<who>[^,;:()]{{0,80}}?\b(?:{_EVIDENCE_NOUNS})\b[^,;:()]{{0,60}}?)"
        rf"\s+(?:{_EVIDENCE_VERBS})\b",
        re.I,
    ),
    re.compile(rf",\s*(?:{_SPEECH_VERBS})\s+(?P<who>[^,.;:()]{{2,60}})[.!?]?[\"”’]?$"),
]
# Firm markers of the future: they decide a forecast wherever they are in the sentence.
_FORECAST_FIRM = re.compile(
    r"\b(?:will|won[’']t|shall|(?:is|are|was|were)(?: \w+)? (?:expected|set|poised|due|going|likely|unlikely) to|"
    r"(?:likely|unlikely) to|would likely|will likely|expects? to|plans? to|intends? to|in the (?:coming|next) \w+|"
    r"forecasts?|predicts?|projected to)\b",
    re.I,
)
# Softer markers: possibility ("may", "could") reads as a forecast, hedging as an assessment;
# when a sentence has both, the first one sets its tone.
_FORECAST_SOFT = re.compile(r"\b(?:may|could|aims? to|in the future)\b", re.I)
_ASSESSMENT = re.compile(
    r"\b(?:appears? to|appeared to|seems? to|seemed to|suggests?|suggested|indicates?|indicated|probably|apparently|"
    r"possibly|perhaps|presumably|reportedly|allegedly|estimates?|estimated|is believed|are believed|might|would|"
    r"(?:has|have|had|is|are|was|were) (?:\w+ )?likely|likely (?:\w+ing)|it is likely|almost certainly)\b",
    re.I,
)
_OPINION = re.compile(
    r"\b(?:should|ought to|must|in my view|in our view|i think|i believe|we believe|in my opinion|"
    r"it is (?:clear|obvious|time) that)\b",
    re.I,
)
_PRONOUN_SPEAKERS = frozenset({"it", "this", "that", "which", "he", "she", "they", "who", "there"})


@dataclass(frozen=True)
class ModalityCue:
    """The modality of a sentence, the words that decided it and, for statements, who says so."""

    modality: str
    cue: str = ""
    attributed_to: str = ""
    attributed_span: tuple[int, int] | None = None


def detect_modality(sentence: str) -> ModalityCue:
    """Classify a sentence: a statement by someone, a forecast, an assessment, an opinion or a fact."""
    for pattern in _STATEMENT_PATTERNS:
        for match in pattern.finditer(sentence):
            who = match.group("who").strip(" \"“”'‘’")
            who = re.sub(r"^(?:and|but|so|yet|then|also|as|while|when)\s+", "", who, flags=re.I)
            dated = [m for m in find_dates(who) if m.end == len(who)]
            if dated:  # "trade registers post-2022": the date is not part of who says so
                who = who[: dated[-1].start].rstrip(" ,")
            words = who.split()
            if not words or len(words) > 8 or words[0].lower() in _PRONOUN_SPEAKERS:
                continue
            if not any(w[:1].isupper() for w in words) and not re.search(
                rf"\b(?:officials?|experts?|analysts?|ministry|government|media|sources?|spokes\w+|{_EVIDENCE_NOUNS})\b",
                who,
                re.I,
            ):
                continue
            offset = match.start("who") + match.group("who").find(who)
            return ModalityCue(Modality.STATEMENT, match.group(0).strip(), who, (offset, offset + len(who)))
    if (match := _FORECAST_FIRM.search(sentence)) is not None:
        return ModalityCue(Modality.FORECAST, match.group(0))
    hedges = [
        (match.start(), modality, match.group(0))
        for pattern, modality in ((_ASSESSMENT, Modality.ASSESSMENT), (_FORECAST_SOFT, Modality.FORECAST))
        if (match := pattern.search(sentence)) is not None
    ]
    if hedges:
        _, modality, cue = min(hedges)
        return ModalityCue(modality, cue)
    if (match := _OPINION.search(sentence)) is not None:
        return ModalityCue(Modality.OPINION, match.group(0))
    return ModalityCue(Modality.FACT)


# --- proposals ---------------------------------------------------------------------

_SIGNING = re.compile(r"\b(?:sign(?:s|ed|ing)?|inked|agreements?|treaty|pact|accord|partnership)\b", re.I)
# Verbs that report an event: a sentence built on one states a fact even in an authored piece.
_EVENT = re.compile(
    r"\b(?:signed|met|visited|travell?ed|launched|invaded|died|published|held|agreed|ratified|"
    r"inked|gifted|delivered|shipped|fired|tested|arrived|came to power|took office|was born|were born)\b",
    re.I,
)
AUTHORED_KINDS = frozenset({"analysis", "opinion"})
_TERMINAL = re.compile(r"[.!?][\"'”’)\]]*$")
MIN_WORDS = 6


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


@dataclass
class Analysis:
    """Everything found in one article."""

    proposals: list[Proposal]
    actors: list[Hashable]
    candidates: list[str]
    sentences: int


def worth_citing(
    sentence: Sentence, *, actors: list[Mention], dates: list[DateMention], cue: ModalityCue, records: list[Mention]
) -> bool:
    """A sentence is proposed when it reads as prose and names a known actor or record, a date or a hedge."""
    if not is_prose(sentence):
        return False  # headings, captions, bylines, list introductions
    return bool(actors or records or dates or cue.modality != Modality.FACT)


_LOCATIVE = re.compile(
    r"\b(?:in|at|near|outside|inside|around|across|to|from|into|via|through|visited|visit|visiting|of|the)\s+$", re.I
)


def _metonym(text: str, mention: Mention, capitals: dict[Hashable, Hashable]) -> Hashable:
    """The state a capital stands for ("Pyongyang justified…", "Moscow's backing"), else the mention's own key."""
    key = mention.keys[0]
    if key not in capitals or _LOCATIVE.search(text[max(0, mention.start - 20) : mention.start]):
        return key
    return capitals[key]


def is_prose(sentence: Sentence) -> bool:
    """A full sentence of some length, not a heading, caption, byline or list introduction."""
    return len(sentence.text.split()) >= MIN_WORDS and bool(_TERMINAL.search(sentence.text))


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
) -> Analysis:
    """Propose claims for ``text``: one per sentence worth citing, with modality, subjects, date and links.

    ``kind`` is the source's kind: in analysis and opinion pieces an undated sentence
    without any cue is the author's assessment rather than a reported fact. ``capitals``
    maps a place to the state it can stand for ("Pyongyang justified Russia's actions"):
    a place named without a locative preposition or article before it is read as its state.
    ``signings`` maps agreements to their signing day: a sentence that speaks of signing on
    that day ("the June 19 agreement", "inked in Pyongyang on June 19") cites the agreement.
    """
    mentions = actors.find(text)
    record_mentions = records.find(text) if records is not None and len(records) else []
    # "Russian", "North Korean": not new names, and a claim about "North Korean artillery" is about North Korea,
    # unless the adjective is part of a longer known name ("Russian Far East").
    adjective_mentions = [
        m
        for m in (adjectives.find(text) if adjectives is not None and len(adjectives) else [])
        if not any(n.start < m.end and m.start < n.end for n in mentions)
    ]
    proposals: list[Proposal] = []
    sentences = split_sentences(text)
    paragraph_start, paragraph_topic = -1, False
    for sentence in sentences:
        paragraph = text.rfind("\n", 0, sentence.start) + 1
        if paragraph != paragraph_start:
            paragraph_start, paragraph_topic = paragraph, False
        inside = [m for m in mentions if sentence.start <= m.start and m.end <= sentence.end]
        unambiguous = [m for m in inside if len(m.keys) == 1]
        described = [m for m in adjective_mentions if sentence.start <= m.start and m.end <= sentence.end]
        dates = find_dates(sentence.text, published)
        cue = detect_modality(sentence.text)
        linked = [m for m in record_mentions if sentence.start <= m.start and m.end <= sentence.end]
        citable = worth_citing(sentence, actors=unambiguous, dates=dates, cue=cue, records=linked)
        if not citable and paragraph_topic and is_prose(sentence):
            citable = True  # it goes on about what its paragraph named: "It is reselling some of its old stock."
        paragraph_topic = paragraph_topic or bool(unambiguous or dates or linked)
        if not citable:
            continue
        if cue.modality == Modality.FACT and not dates and kind in AUTHORED_KINDS and not _EVENT.search(sentence.text):
            cue = ModalityCue(Modality.ASSESSMENT, "undated, in an authored piece")
        speaker = None
        if cue.attributed_span:
            lo, hi = sentence.start + cue.attributed_span[0], sentence.start + cue.attributed_span[1]
            speakers = [m for m in unambiguous if lo <= m.start and m.end <= hi]
            speaker = _metonym(text, speakers[-1], capitals or {}) if speakers else None
        named = sorted([*unambiguous, *(m for m in described if len(m.keys) == 1)], key=lambda m: m.start)
        subjects = list(dict.fromkeys(_metonym(text, m, capitals or {}) for m in named))
        # A name shared by several records (one designation, many deliveries) cites none of them:
        # the editor picks the right one, as with an ambiguous actor name.
        links = [m.keys[0] for m in linked if len(m.keys) == 1]
        if signings and dates and _SIGNING.search(sentence.text):
            days = {d.date for d in dates if d.date.precision == DatePrecision.DAY}
            links += [key for key, signed in signings.items() if signed in days]
        proposals.append(
            Proposal(
                start=sentence.start,
                end=sentence.end,
                quote=sentence.text,
                modality=cue.modality,
                attributed_to=cue.attributed_to,
                speaker=speaker,
                subjects=subjects,
                about=next((d.date for d in dates if d.qualifier != "span"), None),
                links=list(dict.fromkeys(links)),
                cue=cue.cue,
            )
        )
    recognised = list(dict.fromkeys(m.keys[0] for m in [*mentions, *adjective_mentions] if len(m.keys) == 1))
    return Analysis(
        proposals=proposals,
        actors=recognised,
        candidates=find_candidates(text, [*mentions, *record_mentions, *adjective_mentions]),
        sentences=len(sentences),
    )
