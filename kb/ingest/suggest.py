"""Suggestions an editor checks rather than types: a paraphrase of an attributed sentence, and a credibility grade."""

from __future__ import annotations

import re

from kb.choices import Credibility, Modality, SourceReliability

_SAYING = (
    r"(?:has |have |had )?(?:said|says|stated|states|announced|announces|declared|declares|claimed|claims|"
    r"told (?:\w+ )?(?:\w+ )?\w+|reported|reports|confirmed|confirms|insisted|insists|warned|warns|added|noted|"
    r"argued|argues)"
)
_CLOSE = "\"'”’"


def paraphrase(sentence: str, who: str) -> str:
    """The sentence as "<who>: <what they say>", when it is built as "X said that …" or "according to X, …".

    Only the frames whose speaker is ``who`` (the attribution ingest found) are rewritten;
    any other sentence gives "" (no suggestion): the editor writes that paraphrase.
    """
    who = who.strip()
    if not who:
        return ""
    name = re.escape(who)
    body = sentence.strip()
    frames = [
        # "X said (on Monday) that …", "X told reporters …"
        rf"^{name},?\s+{_SAYING}(?:\s+on\s+\w+)?,?\s+(?:that\s+)?(?P<what>.+)$",
        # "According to X, …"
        rf"^According to {name},\s*(?P<what>.+)$",
        # "…, according to X." / "…, X said." / "…, said X."
        rf"^(?P<what>.+?),\s+according to {name}[.!?{_CLOSE}]*$",
        rf"^(?P<what>.+?),?[{_CLOSE}]?,?\s+{name}\s+{_SAYING}[.!?]?$",
        rf"^(?P<what>.+?),?[{_CLOSE}]?,?\s+{_SAYING}\s+{name}[.!?]?$",
    ]
    for frame in frames:
        match = re.match(frame, body, flags=re.I | re.S)
        if match is None:
            continue
        what = match.group("what").strip().strip(_CLOSE + "“‘").strip().rstrip(",;")
        if len(what.split()) < 2:
            continue
        what = what[:1].upper() + what[1:]
        if what[-1] not in ".!?":
            what += "."
        speaker = who[:1].upper() + who[1:]
        return f"{speaker}: {what}"
    return ""


# What a source of this reliability makes of a plain report: Admiralty grades, 1 (confirmed) being out of
# reach of one article alone.
_BY_RELIABILITY = {
    SourceReliability.A: Credibility.PROBABLY_TRUE,
    SourceReliability.B: Credibility.PROBABLY_TRUE,
    SourceReliability.C: Credibility.POSSIBLY_TRUE,
    SourceReliability.D: Credibility.DOUBTFUL,
    SourceReliability.E: Credibility.IMPROBABLE,
    SourceReliability.F: Credibility.CANNOT_BE_JUDGED,
}


def credibility(reliability: str, modality: str) -> int:
    """The credibility to suggest for a claim of ``modality`` from a source of ``reliability``.

    A fact takes the grade the source's reliability gives; a statement or an assessment is
    at best possibly true (someone's word, a judgement); a forecast or an opinion cannot be
    judged true or false yet.
    """
    grade = _BY_RELIABILITY.get(reliability, Credibility.CANNOT_BE_JUDGED)
    if modality in (Modality.FORECAST, Modality.OPINION):
        return Credibility.CANNOT_BE_JUDGED
    if modality in (Modality.STATEMENT, Modality.ASSESSMENT):
        return max(grade, Credibility.POSSIBLY_TRUE)
    return grade
