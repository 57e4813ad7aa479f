"""Candidate new names: capitalised runs of words in a text that name nothing the knowledge base knows."""

from __future__ import annotations

import calendar
import re

from kb.ingest.names import Mention, match_key
from kb.ingest.split import Sentence, split_sentences

# A word as offsets into the text.
_Span = tuple[int, int]

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
    + ["western", "eastern", "northern", "southern", "central", "global", "international", "national", "foreign"]
)
# Words that introduce a person: "Defence Minister Andrei Belousov", "Security Council Secretary Sergei Shoigu".
TITLE_WORDS = frozenset(
    [
        "President",
        "Minister",
        "Secretary",
        "Leader",
        "Ambassador",
        "Spokesman",
        "Spokeswoman",
        "Spokesperson",
        "Chairman",
        "Chairwoman",
        "Commander",
        "General",
        "Chief",
        "Director",
        "Envoy",
        "Premier",
        "Governor",
        "Mayor",
        "Marshal",
        "Admiral",
        "Colonel",
        "Lieutenant",
        "Senator",
        "Chancellor",
        "King",
        "Queen",
        "Prince",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Sergeant",
        "Major",
        "Captain",
        "Officer",
        "Adviser",
        "Advisor",
        "Representative",
        "Counsellor",
        "Deputy",
        "Head",
        "Prosecutor",
        "Judge",
        "Speaker",
        # bylines: "Staff Reporter", "Senior Fellow"
        "Reporter",
        "Correspondent",
        "Fellow",
        "Editor",
        "Columnist",
        "Professor",
        "Researcher",
        "Analyst",
    ]
)
# The last word of an institution's name: "Russia's Defence Ministry" is a name, "Russia's Far" is not.
_INSTITUTIONS = frozenset(
    [
        "Ministry",
        "Service",
        "Council",
        "Agency",
        "Office",
        "Parliament",
        "Assembly",
        "Army",
        "Navy",
        "Force",
        "Forces",
        "Guard",
        "Committee",
        "Court",
        "Bank",
        "Commission",
        "Duma",
        "Party",
        "Directorate",
        "Bureau",
        "Command",
        "Department",
        "Administration",
        "Corporation",
        "Company",
        "Institute",
        "Academy",
        "University",
        "Embassy",
        "Mission",
        "Cabinet",
        "Government",
        "Senate",
        "Congress",
        "Legislature",
    ]
)
# Capitals that are words or numbers rather than names: "OK", "TV", Roman numerals.
_NOT_ACRONYMS = frozenset(
    ["OK", "TV", "AM", "PM", "AD", "BC", "UTC", "GMT", "GDP", "FAQ", "HQ", "USD", "EUR", "PS", "NB"]
)
_ACRONYM = re.compile(r"[A-Z]{2,6}|[A-Z]\d{1,2}")  # "NIS", "KCNA"; "G7", "G20"
_SINGLE = re.compile(r"[A-Z][a-z]{2,}")
# One-word capitals that are no place or body: month abbreviations ("Sept."), compass points ("the West"),
# adverbs opening a clause ("Economically,").
_NOT_SINGLE_NAMES = frozenset(
    {
        *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
        *("mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun", "north", "south", "east", "west"),
    }
)
_ADVERB = re.compile(r"(?:ally|ily|ely|ously|ively|edly|ingly|ably|ibly)$")
# A state's adjective before its noun ("the Korean side", "a European army"): no place name.
_ADJECTIVE_ENDING = re.compile(r"(?:an|ans|ese|ish|ic|i)$")
_ROMAN = re.compile(r"[IVXLC]+")
_REGION = re.compile(
    r"\b(?P<name>[A-Z][\w\-'’]*(?: [A-Z][\w\-'’]*)?) (?P<kind>region|province|oblast|district|peninsula|county|"
    r"prefecture|territory|krai|governorate)\b"
)
_POSSESSIVE = ("'s", "’s")


def find_candidates(text: str, known: list[Mention]) -> list[str]:
    """Names in ``text`` that are not known: candidates for the editor.

    A run of capitalised words (joined by "of", "the", "and"…) of two or more words
    counts; sentence openers and titles at its edges are dropped. A person introduced by a
    title is the words after it ("Defence Minister Andrei Belousov"); a known name's
    possessive opens an institution's name ("South Korea's National Intelligence Service");
    otherwise a run that touches a known name is not a candidate (it is a title or a
    description of a known actor). An acronym in capitals ("NIS", "KCNA") and a named
    region ("the Kursk region") count too.
    """
    taken = [(m.start, m.end) for m in known]
    found: list[tuple[int, str]] = []
    for sentence in split_sentences(text):
        found.extend(_sentence_candidates(text, sentence, taken))
    seen, unique = set(), []
    for _start, name in sorted(found, key=lambda item: item[0]):
        key = match_key(name)
        if key not in seen:
            seen.add(key)
            unique.append(name)
    return unique


def _touches(start: int, end: int, taken: list[_Span]) -> bool:
    return any(s < end and start < e for s, e in taken)


def _sentence_candidates(text: str, sentence: Sentence, taken: list[_Span]) -> list[tuple[int, str]]:
    """The candidates of one sentence, each with its offset: names, people after titles, acronyms, regions."""
    words = [
        (sentence.start + m.start(), sentence.start + m.end())
        for m in re.finditer(rf"{_NAME_WORD.pattern}|[A-Z]\d{{1,2}}\b", sentence.text)
    ]
    shouting = sentence.text.isupper()  # a headline in capitals: its words are no acronyms
    names = []
    for run in _runs(text, words):
        run = _trim(text, run)
        if shouting or (len(run) > 1 and all(text[slice(*w)].isupper() for w in run)):
            continue
        name = _run_candidate(text, run, taken) or _single_candidate(text, run, words, taken)
        if name:
            names.append(name)
    if not shouting:
        for start, end in words:
            word = text[start:end]
            if (
                _ACRONYM.fullmatch(word)
                and word not in _NOT_ACRONYMS
                and not _ROMAN.fullmatch(word)
                and not _touches(start, end, taken)
            ):
                names.append((start, word))
    for match in _REGION.finditer(sentence.text):
        start = sentence.start + match.start("name")
        end = sentence.start + match.end("name")
        if match.group("name").split()[0].lower() in _NOT_NAMES or _touches(start, end, taken):
            continue
        name = match.group("name")
        if _ADJECTIVE_ENDING.search(name):
            names.append((start, f"{name} {match.group('kind')}"))  # "the Korean peninsula"
        elif not any(found == (start, name) for found in names):
            names.append((start, name))  # "the Kursk region": the place is Kursk
    return names


def _run_candidate(text: str, run: list[_Span], taken: list[_Span]) -> tuple[int, str] | None:
    """The candidate a run of capitalised words gives, if any, with its offset."""
    if not run:
        return None
    titles = [i for i, w in enumerate(run) if text[slice(*w)].rstrip(".") in TITLE_WORDS]
    if titles and len(run) - titles[-1] - 1 >= 2:
        person = run[titles[-1] + 1 :]  # "Defence Minister Andrei Belousov": the person, not the title
        start, end = person[0][0], person[-1][1]
        if _touches(start, end, taken) or not all(text[w[0]].isupper() for w in person):
            return None
        return start, _plain(text[start:end])
    if titles and titles[-1] == len(run) - 1:
        return None  # "Russia's Defence Minister": a title without its holder
    start, end = run[0][0], run[-1][1]
    capitals = [w for w in run if text[w[0]].isupper()]
    if len(capitals) < 2:
        return None
    inside = [(s, e) for s, e in taken if s < end and start < e]
    if not inside:
        return start, _plain(text[start:end])
    # "South Korea's National Intelligence Service": a known name's possessive, then an institution.
    owner_end = max(e for _s, e in inside)
    rest = [w for w in run if w[0] >= owner_end]
    if (
        min(s for s, _e in inside) == start
        and text[owner_end : owner_end + 2] in _POSSESSIVE
        and rest
        and not any(s < e2 and w[0] < e for w in rest for s, e in inside for e2 in [w[1]])
        and text[slice(*rest[-1])] in _INSTITUTIONS
    ):
        return start, _plain(text[start:end])
    return None


def _single_candidate(text: str, run: list[_Span], words: list[_Span], taken: list[_Span]) -> tuple[int, str] | None:
    """A one-word name ("Kursk", "Seoul", "Kremlin"): capitalised inside a sentence, not its first word, and
    never written in lower case in the article ("Article 4" beside "articles" is a common word)."""
    if len(run) != 1 or run[0] == words[0]:
        return None
    start, end = run[0]
    word = text[start:end]
    if (
        not _SINGLE.fullmatch(word)
        or word.lower() in _NOT_NAMES
        or word.lower() in _NOT_SINGLE_NAMES
        or _ADVERB.search(word)
        or word in TITLE_WORDS
        or word in _INSTITUTIONS
        or _touches(start, end, taken)
        or text[end : end + 1] == "-"  # "Seoul-based"
        or re.search(rf"\b{word.lower()}", text)
    ):
        return None
    following = re.match(r" ([a-z]+)", text[end:])
    if following and following.group(1) not in _NOT_NAMES and _ADJECTIVE_ENDING.search(word):
        return None
    return start, word


def _plain(name: str) -> str:
    return re.sub(r"['’]s$", "", name)


def _runs(text: str, words: list[_Span]) -> list[list[_Span]]:
    """Runs of words one space apart that open with a capital and go on with capitals or connectors."""
    runs: list[list[_Span]] = []
    run: list[_Span] = []
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
    return runs


def _trim(text: str, run: list[_Span]) -> list[_Span]:
    """A run without the connectors, sentence openers and titles at its edges ("The", "President", "of")."""
    while run and (text[slice(*run[-1])] in _CONNECTORS or text[slice(*run[-1])].lower() in _NOT_NAMES):
        run = run[:-1]
    while run and (text[slice(*run[0])].lower() in _NOT_NAMES or text[slice(*run[0])] in _CONNECTORS):
        run = run[1:]
    return run
