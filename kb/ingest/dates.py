"""Date expressions in a text ("June 19", "early September 2022", "the 1950s") read as partial dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from kb.choices import DatePrecision
from kb.dates import PartialDate

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
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAY_NAMES = "|".join(calendar.day_name)
_WEEKDAY = rf"(?P<weekday>{_WEEKDAY_NAMES})"
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_NUMBERS.update({"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": None, "few": None})
_COUNT = r"(?P<count>a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})"
_UNIT = r"(?P<unit>day|week|month|year|decade)s?"
# The future tense of a sentence: "In September, Putin will visit" speaks of the next September.
_FUTURE = re.compile(
    r"\b(?:will|won[’']t|shall|(?:is|are) (?:due|set|scheduled|expected|going|planned) to|plans? to|intends? to)\b",
    re.I,
)
# A future told in the past ("said tourists would travel from July"): a month without its year is the next one.
_WOULD = re.compile(r"\bwould\b", re.I)
# The past tense of a sentence: "Kim ratified the pact on 11 November" speaks of the last November 11.
# Reporting verbs ("…, officials said") say when it was told, not when it happened, and "need", "hundred" are no
# past tense.
_PAST = re.compile(
    r"\b(?!(?:said|stated|reported|added|noted|announced|claimed|confirmed|told)\b)"
    r"(?:[a-z]{2,}(?<![e])ed|agreed|was|were|had|did|met|sent|made|took|gave|came|went|left|held|won|began)\b"
)
_SEASON = r"(?P<season>spring|summer|autumn|fall(?! of (?!\d))|winter)"  # not "the fall of the Soviet Union"

# (pattern, precision), tried in order; an earlier pattern's match wins over an overlapping later one.
# RELATIVE stands for dates counted from the publication or from the article's previous date.
RELATIVE = "relative"
# A weekday before a full date is part of it ("Wednesday, June 19, 2024"); "last year" after a day gives its year.
_ON_WEEKDAY = rf"(?:(?:{_WEEKDAY_NAMES}),? )?"
_DATE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b{_ON_WEEKDAY}{_MONTH} {_DAY}(?:,? {_YEAR}\b| {_REL}\b|(?![\d:]))"), DatePrecision.DAY),
    (re.compile(rf"\b{_ON_WEEKDAY}{_DAY} (?:of )?{_MONTH}(?:,? {_YEAR}\b| {_REL}\b|(?!\w))"), DatePrecision.DAY),
    (re.compile(rf"\b(?P<qual>early|mid|late|mid-)?[ -]?{_MONTH},? (?:of )?{_YEAR}\b"), DatePrecision.MONTH),
    (re.compile(rf"\b{_MONTH} {_REL}\b"), DatePrecision.MONTH),
    # "in March", "in late May", "late in May", "last March", "early June": a month without its year.
    (
        re.compile(
            rf"\b(?:(?P<qual>early|mid|late)[ -])?(?P<prep>(?i:in|since|by|until|from|during|of|last|this|next|"
            rf"through|before|after))\s+(?:(?P<qual2>early|mid|late|the end of|the beginning of)[ -])?{_MONTH}(?![\w])"
        ),
        DatePrecision.MONTH,
    ),
    (re.compile(rf"\b(?P<qual>(?i:early|mid|late))[ -]{_MONTH}(?![\w])"), DatePrecision.MONTH),
    # A season, told only to its year: "in the autumn", "since spring", "in the summer of 2023".
    (
        re.compile(
            rf"\b(?:in|since|by|during|until|through|over|from|that) (?:the )?"
            rf"(?:(?P<qual>early|late) )?{_SEASON}(?:,? (?:of )?{_YEAR})?\b",
            re.I,
        ),
        RELATIVE,
    ),
    # Counted from the article's previous date: "three days later", "the following week", "a year earlier";
    # "two days after that", but not "two decades after Putin's first trip", which counts from the trip.
    (
        re.compile(
            rf"\b{_COUNT} {_UNIT} (?P<dir>later|afterwards|earlier|"
            r"(?:after|before)(?=\s*(?:[,.;:]|$)|\s+that\b))",
            re.I,
        ),
        RELATIVE,
    ),
    # "Days later", "a few weeks earlier": told only to the month of the previous date.
    (
        re.compile(
            r"\b(?P<vague>(?:a few|several|some) )?(?P<unit>day|week)s (?P<dir>later|earlier|afterwards)\b", re.I
        ),
        RELATIVE,
    ),
    (
        re.compile(rf"\bthe (?P<seq>following|next|previous|preceding) {_UNIT}\b", re.I),
        RELATIVE,
    ),
    (re.compile(rf"\bthe {_UNIT} (?P<seq>after|before)\b(?! (?:last|this|next))", re.I), RELATIVE),
    # The previous date's own day: "later that day", "on the same day", "later that evening" (a bare
    # "that afternoon" is as often scenery as a date); "since then" starts at the previous date.
    (
        re.compile(
            r"\b(?:(?:later|earlier) that (?P<same>day|morning|afternoon|evening|night)|"
            r"(?:that|the same) (?P<same2>day)|in the (?P<part>morning|afternoon|evening)|"
            r"(?P<since>since (?:then|that time)))\b",
            re.I,
        ),
        RELATIVE,
    ),
    # Counted from the publication: "yesterday", "on Tuesday", "last month", "two weeks ago".
    (re.compile(r"\b(?P<word>yesterday|tomorrow)\b", re.I), RELATIVE),
    (re.compile(rf"\b{_COUNT} {_UNIT} (?P<dir>ago)\b", re.I), RELATIVE),
    (
        re.compile(
            r"\b(?:(?P<side>earlier|later) )?(?P<dir>(?i:last|this|next|past)) (?P<unit>week|month)\b",
            re.I,
        ),
        RELATIVE,
    ),
    (re.compile(rf"\b(?:(?P<dir>(?i:on|last|this|next|since|by|until)) )?{_WEEKDAY}\b"), RELATIVE),
    (re.compile(r"\b(?:the )?(?P<qual>early |mid-|late )?(?P<decade>1[6-9]\d0|20\d0)['’]?s\b"), DatePrecision.DECADE),
    (re.compile(r"(?<![\w'’])['’]?(?P<decade2>[2-9]0)s\b"), DatePrecision.DECADE),
    (re.compile(rf"\b(?P<qual>post|pre|mid|early|late)-{_YEAR}\b"), DatePrecision.YEAR),
    (re.compile(rf"\b{_YEAR}(?:\s?[–\-/]\s?(?P<until>\d{{2,4}}))?\b(?![.,]\d)"), DatePrecision.YEAR),
    (re.compile(rf"\b{_REL}\b", re.I), DatePrecision.YEAR),
]


# A dateline: "SEOUL, Nov 20 (Kestrel) -", "Pyongyang, June 18 (KCNA)"; its day is the report's.
DATELINE = re.compile(r"^\s*[A-Z][^\n(),]{0,40},[^()\n]{1,30}\((?P<agency>[A-Z][\w.&' -]{1,40})\)")


# What every date expression above holds somewhere: a digit, a month, a weekday or a unit of time.
_ANY_DATE = re.compile(
    r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|yesterday|tomorrow|"
    r"days?\b|weeks?\b|months?\b|years?\b|decades?\b|later that|earlier that|spring|summer|autumn|fall\b|winter|"
    r"morning|afternoon|evening|since then|since that time)",
    re.I,
)


@dataclass(frozen=True)
class DateMention:
    """A date expression in a text, as a partial date; ``qualifier`` keeps "early", "post", "pre"…"""

    start: int
    end: int
    surface: str
    date: PartialDate
    qualifier: str = ""


_COARSENESS = [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR, DatePrecision.DECADE]


def speaks_of_future(text: str) -> bool:
    """Whether a sentence speaks of what will (or would) happen: its dates are not the article's timeline."""
    return bool(_FUTURE.search(text) or _WOULD.search(text))


def _coarser(a: str, b: str) -> str:
    return max(a, b, key=_COARSENESS.index)


def _at(day: dt.date, precision: str) -> PartialDate:
    """``day`` as a partial date of ``precision`` (the first day of its month, year or decade)."""
    if precision == DatePrecision.DAY:
        return PartialDate(day, precision)
    if precision == DatePrecision.MONTH:
        return PartialDate(day.replace(day=1), precision)
    if precision == DatePrecision.YEAR:
        return PartialDate(dt.date(day.year, 1, 1), precision)
    return PartialDate(dt.date(day.year // 10 * 10, 1, 1), precision)


def _shift(day: dt.date, unit: str, count: int) -> dt.date:
    """``day`` moved by ``count`` days, weeks, months or years (a month's end kept within the month)."""
    if unit == "day":
        return day + dt.timedelta(days=count)
    if unit == "week":
        return day + dt.timedelta(weeks=count)
    months = day.year * 12 + day.month - 1 + count * {"year": 12, "decade": 120}.get(unit, 1)
    year, month = divmod(months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# The precision a relative date can claim: a day is a day, a week is told only to its month.
_UNIT_PRECISION = {
    "day": DatePrecision.DAY,
    "week": DatePrecision.MONTH,
    "month": DatePrecision.MONTH,
    "year": DatePrecision.YEAR,
    "decade": DatePrecision.DECADE,
}


def _relative(groups: dict, published: PartialDate | None, anchor: PartialDate | None, future: bool):
    """A date counted from the publication ("yesterday", "last month") or the previous date ("a week later")."""
    if groups.get("same") or groups.get("same2") or groups.get("since"):
        return anchor  # "later that day", "since then": the date the article last gave
    if groups.get("part"):  # "in the evening": of the day the article last gave, if it gave one
        return anchor if anchor is not None and anchor.precision == DatePrecision.DAY else None
    if groups.get("season"):  # a season is told to its year: the one given, else the previous date's
        if groups.get("year"):
            return PartialDate(dt.date(int(groups["year"]), 1, 1), DatePrecision.YEAR)
        base = anchor or published
        return _at(base.date, _coarser(DatePrecision.YEAR, base.precision)) if base is not None else None
    vague = (groups.get("dir") or "").lower() in ("later", "earlier", "afterwards") and not groups.get("count")
    if vague and (groups.get("unit") or "").lower() in ("day", "week"):
        # "days later": the previous date's month at best
        return _at(anchor.date, _coarser(DatePrecision.MONTH, anchor.precision)) if anchor is not None else None
    unit = (groups.get("unit") or "").lower()
    direction = (groups.get("dir") or groups.get("seq") or "").lower()
    from_anchor = bool(groups.get("seq")) or direction in ("later", "after", "afterwards", "earlier", "before")
    if groups.get("weekday"):
        if published is None or published.precision != DatePrecision.DAY:
            return None
        target = _WEEKDAYS[groups["weekday"].lower()]
        day = published.date
        if direction == "next" or (future and direction != "last"):
            ahead = (target - day.weekday()) % 7 or 7
            return PartialDate(day + dt.timedelta(days=ahead), DatePrecision.DAY)
        back = (day.weekday() - target) % 7
        if direction == "last" and back == 0:
            back = 7
        return PartialDate(day - dt.timedelta(days=back), DatePrecision.DAY)
    if groups.get("word"):
        if published is None or published.precision != DatePrecision.DAY:
            return None
        step = -1 if groups["word"].lower() == "yesterday" else 1
        return PartialDate(published.date + dt.timedelta(days=step), DatePrecision.DAY)
    count = 1
    if groups.get("count"):
        word = groups["count"].lower()
        count = int(word) if word.isdigit() else _NUMBERS.get(word) or 0
        if not count:
            return None
    if not from_anchor:
        base = published  # counted from the day the article appeared
        step = {"last": -1, "past": -1, "this": 0, "next": 1, "ago": -count}.get(direction, 0)
    else:
        base = anchor  # counted from the article's previous date
        backwards = direction in ("earlier", "before", "previous", "preceding")
        step = -count if backwards else count
    if base is None:
        return None
    # "three days later" after "in June" is June at best; after "in 2019", 2019.
    precision = _coarser(_UNIT_PRECISION[unit], base.precision)
    return _at(_shift(base.date, unit, step), precision)


def _resolve_year(
    month: int,
    day: int | None,
    published: PartialDate | None,
    *,
    future: bool = False,
    prep: str = "",
    past: bool = False,
) -> int | None:
    """The year of "June 19" or "in March" in an article published on ``published``.

    A day takes the year that puts it nearest before publication (at most six months
    after it, none after it when the sentence is in the past tense). A month alone is the latest
    such month not after publication, unless the sentence speaks of the future ("will", "next
    March"), when it is the next one.
    """
    if published is None:
        return None
    year = published.date.year
    if published.precision not in (DatePrecision.DAY, DatePrecision.MONTH):
        return year
    if day is None:
        after = month > published.date.month
        if prep == "last":
            return year - 1 if month >= published.date.month else year
        if prep == "next" or future:
            return year if month >= published.date.month else year + 1
        return year - 1 if after else year
    candidate = dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))
    ahead = (candidate - published.date).days
    if ahead > 183 or (ahead > 0 and past and not future and published.precision == DatePrecision.DAY):
        year -= 1
    elif future and ahead < -183:
        year += 1  # "will visit on January 2", published on December 31
    return year


def _relative_year(rel: str, published: PartialDate | None, anchor: PartialDate | None = None) -> int | None:
    rel = rel.lower()
    if rel in ("that", "the same") and anchor is not None:
        return anchor.date.year  # "that year": the year of the date before it
    if published is None:
        return None
    return published.date.year + {"last": -1, "next": 1}.get(rel, 0)


def _to_partial(
    match: re.Match[str],
    precision: str,
    published: PartialDate | None,
    anchor: PartialDate | None = None,
    future: bool = False,
    past: bool = False,
) -> PartialDate | None:
    groups = match.groupdict()
    try:
        if precision == RELATIVE:
            return _relative(groups, published, anchor, future)
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
            year = _relative_year(groups["rel"], published, anchor)
        month = _MONTHS.get((groups.get("month") or "").lower().rstrip("."))
        day = int(groups["day"]) if groups.get("day") else None
        if precision == DatePrecision.YEAR:
            return PartialDate(dt.date(year, 1, 1), DatePrecision.YEAR) if year else None
        if year is None and month is not None:
            prep = (groups.get("prep") or "").lower()
            year = _resolve_year(month, day, published, future=future, prep=prep, past=past)
        if year is None or month is None:
            return None
        if precision == DatePrecision.MONTH:
            return PartialDate(dt.date(year, month, 1), DatePrecision.MONTH)
        return PartialDate(dt.date(year, month, day), DatePrecision.DAY)
    except (ValueError, TypeError, OverflowError):
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


def find_dates(
    text: str, published: PartialDate | None = None, *, anchor: PartialDate | None = None
) -> list[DateMention]:
    """Date expressions in ``text`` as partial dates, in text order.

    Missing years come from ``published``, as do "yesterday", "on Tuesday" and "last month";
    "three days later" and "the following week" count from ``anchor``, the article's
    previous date (or from the one before them in ``text``).
    """
    if not _ANY_DATE.search(text):
        return []  # most sentences name no date: one quick look instead of every pattern
    # A dateline's day ("SEOUL, Nov 20 (Kestrel) -") is the report's, not what the sentence says happened.
    dateline = match.end() if (match := DATELINE.match(text)) is not None else 0
    future = bool(_FUTURE.search(text))
    past = not future and bool(_PAST.search(text))
    found: list[DateMention] = []
    relative: list[re.Match[str]] = []
    for pattern, precision in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if start < dateline or any(m.start < end and start < m.end for m in found):
                continue
            if precision == RELATIVE:
                relative.append(match)
                continue
            # "would travel from July": a future told in the past names the next July
            later = future or bool(_WOULD.search(text))  # "would travel from July (1)": the next one
            date = _to_partial(match, precision, published, anchor, later, past)
            if date is None:
                continue
            groups = match.groupdict()
            qualifier = (groups.get("qual") or groups.get("qual2") or "").strip(" -").lower()
            if groups.get("until"):
                date, qualifier = _year_range(date, match.group("until"))
                if date is None:
                    continue
            found.append(DateMention(start, end, text[start:end], date, qualifier))
    # Relative dates last, each counted from the date before it in the text, else from ``anchor``.
    for match in sorted(relative, key=lambda m: m.start()):
        start, end = match.span()
        if any(m.start < end and start < m.end for m in found):
            continue
        before = [m.date for m in found if m.end <= start and m.qualifier != "span"]
        date = _to_partial(match, RELATIVE, published, before[-1] if before else anchor, future)
        if date is not None:
            found.append(DateMention(start, end, text[start:end], date, "relative"))
            found.sort(key=lambda m: m.start)
    return sorted(found, key=lambda m: m.start)
