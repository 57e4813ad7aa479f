"""Name normalisation and text cleaning shared by lookup, uniqueness, search and ingest."""

import re
import unicodedata

# Hyphens, dashes, underscores and slashes separate words like spaces do.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_/]+")
# Dots and apostrophes join: "U.S." is "us", "People's" is "peoples".
_JOINERS = re.compile(r"[.'\u2018\u2019\u02bc`\u00b4]")
_OTHER = re.compile(r"[^\w ]+")


def strip_accents(value: str) -> str:
    """Remove combining marks: "Sŭngri" -> "Sungri"."""
    if value.isascii():
        return value  # nothing to decompose
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_name(value: str) -> str:
    """The lookup form of a name: case-folded, accents removed, hyphens and spaces unified.

    "Kim Jong-un", "Kim Jong Un" and "kim  jong un" all become "kim jong un";
    "Sŭngri" becomes "sungri".
    """
    value = strip_accents(value).casefold()
    value = _JOINERS.sub("", value)
    value = _SEPARATORS.sub(" ", value)
    value = _OTHER.sub(" ", value)
    return " ".join(value.split())


def name_sort_key(value: str) -> str:
    """The form a name sorts by: its lookup form, so that accents and case do not move it.

    "Sŭngri" sorts as "sungri", among the S… and before "Syria", on every database and
    whatever its collation.
    """
    return normalize_name(value)


_LINE_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(value: str) -> str:
    """Canonical stored form of an article's text.

    NFC normalisation (so a quote typed with combining marks finds its precomposed
    form), Unix newlines, no zero-width characters, runs of spaces collapsed, lines
    trimmed and at most one blank line between paragraphs. Curly quotes and dashes
    are kept: they are the article's own characters.
    """
    value = unicodedata.normalize("NFC", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\ufeff", "").replace("\u200b", "").replace("\u200c", "").replace("\u200d", "")
    lines = [_LINE_SPACE.sub(" ", line).strip() for line in value.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
