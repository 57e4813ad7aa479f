"""Short forms of text that titles and labels share: a cut at a word boundary, sentence case."""

from __future__ import annotations

# Words a shortened label does not end on.
_DANGLING = {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace():
        space = cut.rfind(" ")
        if space >= limit // 2:  # a single very long word is cut inside it
            cut = cut[:space]
    words = cut.split()
    if len(words) > 1 and words[-1].lower() in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(" ,;:–—-") + "…"


def sentence_case(text: str) -> str:
    """``text`` with its first letter a capital, the rest as written: "arms (unspecified)" → "Arms (unspecified)".

    Only the first letter changes, so designations and names keep their own case ("KN-23",
    "152mm shells" stays as it is).
    """
    for i, ch in enumerate(text):
        if ch.isspace() or ch in "(\"'“‘":
            continue
        return text[:i] + ch.upper() + text[i + 1 :] if ch.isalpha() else text
    return text
