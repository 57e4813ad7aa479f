"""Quote anchoring: find the character offsets of a verbatim quote in a source text.

The anchor of a claim is ``text[start:end] == quote``. A pasted quote may differ from
the text only in Unicode normalisation or in straight versus curly quotation marks;
anchoring then returns the text's own characters as the quote.
"""

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

# One character for one character, so offsets in the folded text are offsets in the text.
_QUOTE_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00a0": " ",
    }
)


class AnchorError(ValueError):
    """The quote cannot be anchored; ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str = "quote", occurrences: int = 0) -> None:
        super().__init__(message)
        self.field = field
        self.occurrences = occurrences


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    quote: str


def _occurrences(haystack: str, needle: str) -> list[int]:
    found, at = [], haystack.find(needle)
    while at != -1:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def _excerpt(quote: str, limit: int = 60) -> str:
    return quote if len(quote) <= limit else quote[: limit - 1] + "…"


def find_anchor(text: str, quote: str, occurrence: int | None = None) -> Anchor:
    """Locate ``quote`` in ``text``.

    ``occurrence`` (1-based) chooses among several matches; it is required when the quote
    occurs more than once and refused when it names a match that does not exist.
    """
    if not quote or not quote.strip():
        raise AnchorError("The quote is empty; give the exact words of the source.")
    quote = unicodedata.normalize("NFC", quote)
    positions = _occurrences(text, quote)
    if not positions:
        positions = _occurrences(text.translate(_QUOTE_FOLD), quote.translate(_QUOTE_FOLD))
    if not positions:
        raise AnchorError(f"The quote “{_excerpt(quote)}” does not occur in the source text.")
    if occurrence is None:
        if len(positions) > 1:
            raise AnchorError(
                f"The quote “{_excerpt(quote)}” occurs {len(positions)} times in the source text; "
                f"choose an occurrence from 1 to {len(positions)}.",
                occurrences=len(positions),
            )
        occurrence = 1
    if not 1 <= occurrence <= len(positions):
        raise AnchorError(
            f"Occurrence {occurrence} was asked for, but the quote occurs {len(positions)} time(s).",
            field="occurrence",
            occurrences=len(positions),
        )
    start = positions[occurrence - 1]
    end = start + len(quote)
    return Anchor(start=start, end=end, quote=text[start:end])


def check_anchor(text: str, quote: str, start: int, end: int) -> None:
    """Raise AnchorError unless ``text[start:end] == quote`` with sane offsets."""
    if not quote:
        raise AnchorError("The quote is empty; give the exact words of the source.")
    if start < 0 or end > len(text) or start >= end:
        raise AnchorError(
            f"Offsets {start}..{end} are out of range for a source text of {len(text)} characters.",
            field="start",
        )
    if text[start:end] != quote:
        raise AnchorError(
            f"The source text at {start}..{end} reads “{_excerpt(text[start:end])}”, not “{_excerpt(quote)}”."
        )


def paragraph_around(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the paragraph (text between blank-line or newline breaks) holding start..end."""
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    return para_start, len(text) if para_end == -1 else para_end


class SpanMap:
    """Where spans of ``old_text`` are in ``new_text``: the edit is diffed once, however many spans ask.

    The text both versions share at their start and end is set aside first, so an edit costs what it
    changed rather than the square of the article's length.
    """

    def __init__(self, old_text: str, new_text: str):
        limit = min(len(old_text), len(new_text))
        head = 0
        while head < limit and old_text[head] == new_text[head]:
            head += 1
        tail = 0
        while tail < limit - head and old_text[-1 - tail] == new_text[-1 - tail]:
            tail += 1
        old_mid, new_mid = old_text[head : len(old_text) - tail], new_text[head : len(new_text) - tail]
        blocks = [(0, len(old_text), 0, len(new_text))] if not old_mid and not new_mid else []
        if not blocks:
            blocks.append((0, head, 0, head))
            matcher = SequenceMatcher(None, old_mid, new_mid, autojunk=False)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag == "equal":
                    blocks.append((head + i1, head + i2, head + j1, head + j2))
            blocks.append((len(old_text) - tail, len(old_text), len(new_text) - tail, len(new_text)))
        self._blocks = []
        for block in blocks:  # runs that touch are one run: a span may cross where the diff split them
            if self._blocks and self._blocks[-1][1] == block[0] and self._blocks[-1][3] == block[2]:
                i1, _i2, j1, _j2 = self._blocks.pop()
                block = (i1, block[1], j1, block[3])
            self._blocks.append(block)

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Where ``start``..``end`` of the old text is in the new one, if the edit left it untouched."""
        for i1, i2, j1, _j2 in self._blocks:
            if i1 <= start and end <= i2:
                return j1 + (start - i1), j1 + (end - i1)
        return None
