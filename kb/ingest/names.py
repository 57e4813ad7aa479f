"""Known names in a text: the phrase index of aliases, titles and designations, and the phrases derived from them.

Names are matched on a normalised form of the text that keeps, for every character, the
offset it came from, so a match is reported as offsets into the text as written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from kb.ingest.normalize import strip_accents

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
