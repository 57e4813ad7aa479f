"""Sentence segmentation with character offsets, robust to abbreviations ("U.S.", "Sept.", "Dec. 4", "Mr.").

A line break always ends a sentence (paragraphs, headings and captions are separate
lines in a cleaned text). Inside a line, a sentence ends at ``.``, ``!`` or ``?`` (with
any closing quotation marks or brackets) followed by white space and a capital, a digit
or an opening quotation mark, unless the word before the full stop is an abbreviation
or an initial.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Abbreviations after which a full stop never ends a sentence (lower case, without the dot).
TITLES = _words(
    "mr mrs ms dr prof gen lt col maj capt cmdr adm sgt cpl pvt gov sen rep rev hon pres amb sec dep "
    "st mt ft jr sr messrs mme mlle"
)
MONTHS = _words("jan feb mar apr jun jul aug sep sept oct nov dec")
OTHER = _words("no nos vol vols fig figs approx est dept univ assn bros inc corp co ltd cf al ca art arts p pp")
NEVER_FINAL = TITLES | MONTHS | OTHER
# After these a full stop ends a sentence only when a typical sentence opener follows.
MAYBE_FINAL = _words("etc vs e.g i.e a.m p.m")
# Words that typically open a sentence: after "U.S." or "etc." they signal a real boundary.
SENTENCE_OPENERS = _words(
    "a an the this that these those it its he she they we i you his her their our there here but and "
    "or so yet however meanwhile still also in on at as by for from with after before since while "
    "when if although though despite during earlier later then now today yesterday moscow pyongyang "
    "washington seoul beijing kyiv"
)

_CLOSERS = "\"'”’)]»"
_OPENERS = "\"'“‘([«"
# A candidate end: terminal punctuation, closing marks, then spaces (never a newline: lines split first).
_END = re.compile(r"[.!?…]+[" + re.escape(_CLOSERS) + r"]*(?=[ \t]+)")
_INITIALISM = re.compile(r"^(?:[A-Za-z]\.){2,}$")


@dataclass(frozen=True)
class Sentence:
    """A sentence and its character offsets in the text it was split from (``text[start:end]``)."""

    start: int
    end: int
    text: str


def _next_word(line: str, at: int) -> str:
    match = re.match(r"[ \t]+([" + re.escape(_OPENERS) + r"]*)(\S*)", line[at:])
    if not match:
        return ""
    return match.group(1) + match.group(2)


def _is_boundary(line: str, punct_start: int, punct_end: int) -> bool:
    """Whether the terminal punctuation at ``punct_start..punct_end`` of ``line`` ends a sentence."""
    following = _next_word(line, punct_end)
    if not following:
        return False
    first = following[0]
    if first.islower():
        return False  # "approx. two", "etc. and", a quotation continuing
    if not (first.isupper() or first.isdigit() or first in _OPENERS):
        return False
    punct = line[punct_start:punct_end]
    if not punct.startswith(".") or punct.startswith(".."):
        return True  # "!", "?", an ellipsis
    before = line[: punct_start + 1]
    # The token that ends with this dot, e.g. "U.S." or "Sept." or "J."
    token = re.search(r"([^\s\-\u2010-\u2015/]+)$", before)
    token_text = token.group(1).lstrip(_OPENERS) if token else ""
    word = token_text[:-1].lower()
    bare_word = following.lstrip(_OPENERS).rstrip(".,;:!?" + _CLOSERS).lower()
    if word in NEVER_FINAL:
        # "Dec. 4" and "Gen. Smith" continue; a month abbreviation before an opener ends a sentence.
        return word in MONTHS and bare_word in SENTENCE_OPENERS
    if re.fullmatch(r"[A-Z]", token_text[:-1] or ""):
        return False  # an initial: "Donald J. Trump"
    if word in MAYBE_FINAL or _INITIALISM.match(token_text):
        return bare_word in SENTENCE_OPENERS
    return True


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in order, each with offsets such that ``text[s.start:s.end] == s.text``."""
    sentences: list[Sentence] = []
    offset = 0
    for line in text.split("\n"):
        cut = 0
        for match in _END.finditer(line):
            punct_end = match.end()
            punct_start = match.start()
            if _is_boundary(line, punct_start, punct_end):
                _add(sentences, line, offset, cut, punct_end)
                cut = punct_end
        _add(sentences, line, offset, cut, len(line))
        offset += len(line) + 1
    return sentences


def _add(sentences: list[Sentence], line: str, offset: int, start: int, end: int) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    begin = offset + start + lead
    sentences.append(Sentence(start=begin, end=begin + len(stripped), text=stripped))
