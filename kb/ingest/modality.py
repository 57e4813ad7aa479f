"""The modality of a sentence: a statement by someone, a forecast, an assessment, an opinion or a fact."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.choices import Modality
from kb.ingest.dates import find_dates

_SPEECH_VERBS = (
    r"said|says|say|told|tells|stated|states|announced|announces|declared|declares|claimed|claims|"
    r"warned|warns|insisted|insists|confirmed|confirms|denied|denies|added|noted|reported|"
    r"pledged|pledges|vowed|vows|praised|praises|called|calls|described|describes|accused|accuses|"
    r"acknowledged|admitted|argued|argues|stressed|stresses|emphasised|emphasized|promised|promises|"
    r"justified|justifies|blamed|blames|condemned|condemns|criticised|criticized|hailed|hails|"
    r"threatened|threatens|rejected|rejects|joked|jokes|informed|informs|wrote|writes|posted|describe|insist|"
    r"dismissed|dismisses|expect|expects|reiterated|reiterates|reaffirmed|reaffirms|"
    r"believe|believes|believed|suspect|suspects|suspected|"
    # what follows is what they hold: "estimated in March that", "found that", "made it plain that", "recalled
    # that", "welcomed that" (not "recalled its ambassador", "welcomed Kim at the airport")
    r"(?:estimated|estimates|estimate)(?=(?:\s+[\w,]+){0,3}\s+that\b)|"
    r"(?:found|finds|made (?:it )?(?:plain|clear)|recalled|recalls|welcomed|welcomes)(?=\s+that\b)"
)
# Evidence that speaks: "trade registers indicate", "White House reports indicated", "data show".
_EVIDENCE_NOUNS = (
    r"reports?|data|figures|statistics|registers|records|documents|images|imagery|footage|intelligence|"
    r"assessments?|estimates|surveys?|polls?|investigations?|analys[ie]s|studies|study"
)
_EVIDENCE_VERBS = r"indicates?|indicated|shows?|showed|shown|suggests?|suggested|reveals?|revealed|confirms?|confirmed"
_STATEMENT_PATTERNS = [
    re.compile(r"\baccording to (?P<who>[^,.;:()]{2,80})", re.I),
    # "X said", "X (NIS) has estimated that", "X, a member of parliament, said", after a dateline
    # ("SEOUL, April 28 (Eastline) - X said"); "Russia's chief of staff, Valery Gerasimov, said" is the named man's.
    re.compile(
        rf"(?:^|[,;:]\s*|\bthat\s|\)\s+[-–—]\s+)(?P<who>[^,;:()]{{2,80}}?)(?:\s+\([A-Z][A-Za-z]{{1,7}}\))?"
        rf"(?:,\s*(?P<apposition>[^,]{{2,60}}),)?\s+(?:has |have |had )?(?:{_SPEECH_VERBS})\b(?!\s+nothing\b)"
    ),
    re.compile(
        rf"(?:^|[,;:]\s*|\bthat\s)(?P<who>[^,;:()]{{0,120}}?\b(?:{_EVIDENCE_NOUNS})\b[^,;:()]{{0,60}}?)"
        rf"\s+(?:{_EVIDENCE_VERBS})\b",
        re.I,
    ),
    # '"…," said one researcher.' and '"…," said one researcher, who asked not to be named.'
    re.compile(rf",[\"”’]?\s*(?:{_SPEECH_VERBS})\s+(?P<who>[^,.;:()]{{2,60}})(?:[.!?]?[\"”’]?$|,\s+who\b)"),
    # '"…," said Park Ji-hoon, a researcher at …': after a quotation, with a verb of saying only
    re.compile(
        r"[,.!?][\"”’]\s*(?:said|says|added|noted|wrote|argued|warned)\s+(?P<who>[^,.;:()]{2,60}),\s+"
        r"(?:an?|the|one|another|its|his|her|their)\b"
    ),
    # "by South Korean estimates", "by the agency's count"
    re.compile(r"\bby (?P<who>(?:the )?[^,.;:()]{2,40}?\b(?:estimates?|count|tally|figures|reckoning))\b"),
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
_FORECAST_SOFT = re.compile(r"\b(?:may|could|in the future|would(?! have\b))\b", re.I)
_ASSESSMENT = re.compile(
    r"\b(?:appears? to|appeared to|seems? to|seemed to|suggests?|suggested|indicates?|indicated|probably|apparently|"
    r"possibly|perhaps|presumably|reportedly|allegedly|estimates?|estimated|is believed|are believed|might|would have|"
    r"(?:has|have|had|is|are|was|were) (?:\w+ )?likely|likely (?:\w+ing)|it is likely|almost certainly)\b",
    re.I,
)
_PAST_POSSIBILITY = re.compile(r"\b(?:may|might|could) have (?:been|had|[a-z]+(?:ed|en|wn|ne|nt|id|ld|ught))\b", re.I)
# A clause inside another: "whether it will", "what each side will risk", a relative "that"/"which" after a
# noun ("exports that may come about", not "warned that it may" nor "…, which may help"), and a comparison
# ("as it would with the West").
_EMBEDDING = re.compile(
    r"\b(?:whether|what|who)\b|(?<!\bsaid )(?<!\bis )(?<!\bwas )(?<!\bwarned )(?<!\bbelieve )(?<!\bfear )"
    r"(?<!\bexpect )(?<!\bhope )(?<!\bclear )(?<!\blikely )(?<=\w )(?:that|which)\s+(?:\w+\s+){0,4}$|"
    r"\bas (?:it|they|he|she|we|one) $",
    re.I,
)
_OPINION = re.compile(
    r"\b(?:should|ought to|must|in my view|in our view|i think|i believe|we believe|in my opinion|"
    r"it is (?:clear|obvious|time) that|(?:would be|is) (?:a )?(?:mistake|error|wise|unwise|better|prudent)|"
    r"the (?:smarter|better|wiser|right|best|only sensible) (?:course|answer|approach|policy|response|choice))\b",
    re.I,
)
# The author's evaluations, without a hedge: "the partnership has limits", "This is a significant shift",
# "the benefits are obvious". Only said of something (after "is", "remains"…): "an important sector"
# or "limited engagement" describe, they do not judge.
_EVALUATIVE_ADJECTIVES = (
    r"significant|important|crucial|remarkable|notable|unprecedented|striking|dramatic|profound|fragile|uneasy|"
    r"precarious|troubling|worrying|alarming|dangerous|risky|symbolic|pragmatic|opportunistic|transactional|vital|"
    r"essential|fundamental|ironic|surprising|unsurprising|lucky|fortunate|unfortunate|limited|modest|marginal|"
    r"superficial|hollow|shaky|tenuous|lopsided|asymmetric(?:al)?|obvious|clear|evident|rational|irrational|"
    r"inevitable|natural|logical|paradoxical|major|key"
)
_EVALUATIVE_NOUNS = (
    r"turning point|milestone|game[ -]changer|boon|blow|setback|lifeline|windfall|wake-up call|shift|departure|"
    r"step|change|bromance|marriage of convenience|calculation|gamble|win|victory|defeat|failure|success"
)
_COPULA = r"(?:is|are|was|were|remains?|remained|seems?|seemed|looks?|looked|becomes?|became|proves?|proved)"
_DEGREE = (
    r"not|just|only|also|very|highly|deeply|more|most|less|so|too|rather|quite|increasingly|particularly|"
    r"especially|strategically|economically|politically|militarily|both|but|and|even|still|now|no"
)
_EVALUATIVE = re.compile(
    # "the benefits are obvious", "ties remain fragile and uneasy", "is not just profitable but also vital"
    rf"\b{_COPULA}(?:\s+(?:{_DEGREE}|[a-z]+ly|profitable|useful))*\s+(?:{_EVALUATIVE_ADJECTIVES})"
    r"(?=\s*(?:[,.;:!?]|$)|\s+(?:and|but|for|to|in|as|because|than|enough|given|step)\b)"
    # "This is a significant shift", "is no bromance", "a rational calculation"
    rf"|\b{_COPULA}\s+(?:a|an|no|not a)\s+(?:(?:{_EVALUATIVE_ADJECTIVES}|[a-z]+ly|rational|real|genuine)\s+)*"
    rf"(?:{_EVALUATIVE_NOUNS})\b"
    r"|\b(?:has|have|had) (?:its |their |clear |real |obvious )?limits\b"
    r"|\b(?:arguably|in (?:many|some|several) ways|at best|merely|no more than|(?:has|have|had) always been)\b",
)
# The author's explanations: why something is so, what it means, what it lets someone do.
_EXPLANATION = re.compile(
    r"\b(?:because|meant|means that|goes back to|go back to|underscores?|underscored|allows?|allowed|lets|"
    r"enables?|enabled|explains?|explained|which is why|as a result)\b",
    re.I,
)
_VOICES = re.compile(
    rf"\b(?:officials?|experts?|analysts?|commentators?|observers?|diplomats?|critics?|lawmakers?|governments?|"
    rf"ministry|government|office|media|sources?|spokes\w+|{_EVIDENCE_NOUNS})\b",
    re.I,
)
# A proper name in apposition ("Valery Gerasimov"): capitalised words, perhaps hyphenated.
_PROPER_NAME = re.compile(r"^[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){1,3}$")
# Who does not speak: "Moscow has not", "the Kremlin never", "a treaty that" (a relative clause, not a voice),
# "Kim unveiled what state media called a submarine" (a naming, not a statement), "Kim is believed to" (a
# passive: the author's hedge).
_SILENT = re.compile(r"\b(?:not|never|nothing|that|which|who|is|are|was|were|be|been|being)$|\bwhat\b", re.I)
# A sentence that goes on with the last named speaker's words: "He stressed …", "She also rejected …",
# "…, he said, …", "The minister stressed …".
_BACK_REFERENCE = re.compile(
    r"^(?:He|She|It|The (?i:minister|spokes(?:man|woman|person)|president|premier|envoy|ambassador|"
    r"agency|general|commander|statement|editorial|commentary|communiqu[eé]))\s+"
    r"(?:also\s+|later\s+|then\s+|further\s+)?(?:has |had )?"
    rf"(?:{_SPEECH_VERBS})\b"
    # "…, he said, …" and a quotation it closes: '"We have said so many times," he said.'
    r"|,[\"”’]?\s*(?:he|she)\s+(?:said|says|added|argued|warned|insisted)\s*(?:,|[.!?]$)"
)
# Not who speaks: a pronoun, or the first person of the words quoted ('"We have said …," he said').
_PRONOUN_SPEAKERS = frozenset({"it", "this", "that", "which", "he", "she", "they", "who", "there", "we", "i", "you"})


@dataclass(frozen=True)
class ModalityCue:
    """The modality of a sentence, the words that decided it and, for statements, who says so."""

    modality: str
    cue: str = ""
    attributed_to: str = ""
    attributed_span: tuple[int, int] | None = None
    evaluative: bool = False  # the author's own evaluation ("a significant shift"), not a hedge


def detect_modality(sentence: str) -> ModalityCue:
    """Classify a sentence: a statement by someone, a forecast, an assessment, an opinion or a fact."""
    if (statement := _statement(sentence)) is not None:
        return statement
    if (match := _PAST_POSSIBILITY.search(sentence)) is not None:
        return ModalityCue(Modality.ASSESSMENT, match.group(0))  # "may have shared": a guess about the past
    if (match := _main_clause_match(_FORECAST_FIRM, sentence)) is not None:
        return ModalityCue(Modality.FORECAST, match.group(0))
    if (match := _OPINION.search(sentence)) is not None:
        return ModalityCue(Modality.OPINION, match.group(0))
    if (match := _main_clause_match(_EXPLANATION, sentence)) is not None:
        return ModalityCue(Modality.ASSESSMENT, match.group(0), evaluative=True)  # "because", "meant", "allows"
    hedges = [
        (match.start(), modality, match.group(0))
        for pattern, modality in ((_ASSESSMENT, Modality.ASSESSMENT), (_FORECAST_SOFT, Modality.FORECAST))
        if (match := _main_clause_match(pattern, sentence)) is not None
    ]
    if hedges:
        _, modality, cue = min(hedges)
        return ModalityCue(modality, cue)
    if (match := _EVALUATIVE.search(sentence)) is not None:
        return ModalityCue(Modality.ASSESSMENT, match.group(0), evaluative=True)
    return ModalityCue(Modality.FACT)


def _main_clause_match(pattern: re.Pattern, sentence: str) -> re.Match | None:
    """The first match of ``pattern`` that is not inside a clause the sentence only mentions: "whether Kim will
    travel", "what each side will risk", "officials who will attend" say nothing of the future themselves."""
    for match in pattern.finditer(sentence):
        clause = re.split(r"[,;:]", sentence[: match.start()])[-1]
        if not _EMBEDDING.search(clause):
            return match
    return None


def _statement(sentence: str) -> ModalityCue | None:
    """The first attribution in ``sentence`` ("X said", "according to X", "reports indicate") whose X can speak."""
    for pattern in _STATEMENT_PATTERNS:
        for match in pattern.finditer(sentence):
            group = "who"
            if (apposition := match.groupdict().get("apposition")) and _PROPER_NAME.match(apposition.strip()):
                group = "apposition"
            who = _who(match.group(group))
            if not _can_speak(who) or _SILENT.search(who):
                continue
            offset = match.start(group) + match.group(group).find(who)
            return ModalityCue(Modality.STATEMENT, match.group(0).strip(), who, (offset, offset + len(who)))
    return None


def _who(phrase: str) -> str:
    """Who says so, as matched around the verb, without quotation marks, a leading conjunction or a date."""
    who = phrase.strip(" \"“”'‘’")
    who = re.sub(
        r"^(?:and|but|so|yet|then|also|as|while|when|until now|so far|meanwhile|however)\s+", "", who, flags=re.I
    )
    dated = [m for m in find_dates(who) if m.end == len(who)]
    if dated:  # "trade registers post-2022": the date is not part of who says so
        who = who[: dated[-1].start].rstrip(" ,")
    return who


def _can_speak(who: str) -> bool:
    """A short phrase, not a pronoun, that names someone (a capital) or a voice ("officials", "reports"). Longer
    than eight words it must be mostly names: "United Nations Comtrade data and the Stockholm International Peace
    Research Institute's figures"."""
    words = who.split()
    if not words or words[0].lower() in _PRONOUN_SPEAKERS:
        return False
    if len(words) > 8 and (len(words) > 16 or sum(w[:1].islower() for w in words) > len(words) // 2):
        return False
    return any(w[:1].isupper() for w in words) or bool(_VOICES.search(who))


# Who issues the document the next sentences quote: "Choe Son Hui, foreign minister, issued a press statement",
# "the Monitoring Team published its second report",
# "KCNA carried a statement from the party's Central Military Commission" (the commission's, not the carrier's).
_DOCUMENT = (
    r"(?:issued|released|published|carried|put out)\s+(?:a|an|its|their)\s+(?:[a-z]+\s+)?(?:press\s+)?"
    r"(?:statement|editorial|commentary|communiqu[eé]|report)"
)
_ISSUED_FROM = re.compile(
    rf"{_DOCUMENT}\s+(?:from|by)\s+(?:[^,.;:()\"“A-Z]{{0,40}}?)?"
    r"(?P<who>[A-Z][\w'’-]+(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w'’-]+)*)"
)
_ISSUED_BY = re.compile(
    rf"(?P<who>[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){{0,4}})(?:,[^,]{{2,120}},)?(?:\s+on\s+\w+)?\s+{_DOCUMENT}"
)


def issuer(sentence: str) -> str:
    """Who issued the statement or editorial a sentence announces, else "": the voice of what follows."""
    match = _ISSUED_FROM.search(sentence) or _ISSUED_BY.search(sentence)
    return match.group("who").strip() if match is not None else ""


def back_reference(sentence: str) -> str:
    """The words by which ``sentence`` gives the previous speaker's words ("He stressed"), else ""."""
    match = _BACK_REFERENCE.search(sentence)
    return match.group(0) if match is not None else ""
