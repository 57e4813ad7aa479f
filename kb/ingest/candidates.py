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


def _sentence_candidates(text: str, sentence: Sentence, taken: list[_Span]) -> list[str]:
    """The candidates of one sentence: its runs of two capitalised words or more that touch no known name."""
    words = [(sentence.start + m.start(), sentence.start + m.end()) for m in _NAME_WORD.finditer(sentence.text)]
    names = []
    for run in _runs(text, words):
        run = _trim(text, run)
        capitals = [w for w in run if text[w[0]].isupper()]
        if len(capitals) < 2:
            continue
        start, end = run[0][0], run[-1][1]
        if any(s < end and start < e for s, e in taken):
            continue
        name = re.sub(r"['’]s$", "", text[start:end])
        names.append(name)
    return names


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
