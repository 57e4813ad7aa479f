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

# (pattern, precision), tried in order; an earlier pattern's match wins over an overlapping later one.
_DATE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b{_MONTH} {_DAY}(?:,? {_YEAR}\b|(?![\d:]))"), DatePrecision.DAY),
    (re.compile(rf"\b{_DAY} (?:of )?{_MONTH}(?:,? {_YEAR}\b|(?!\w))"), DatePrecision.DAY),
    (re.compile(rf"\b(?P<qual>early|mid|late|mid-)?[ -]?{_MONTH},? (?:of )?{_YEAR}\b"), DatePrecision.MONTH),
    (re.compile(rf"\b{_MONTH} {_REL}\b"), DatePrecision.MONTH),
    (
        re.compile(
            rf"\b(?:(?P<qual>early|mid|late)[ -])?(?:in|since|by|until|from|during|of|last|this|next) {_MONTH}(?![\w])"
        ),
        DatePrecision.MONTH,
    ),
    (re.compile(r"\b(?:the )?(?P<qual>early |mid-|late )?(?P<decade>1[6-9]\d0|20\d0)['’]?s\b"), DatePrecision.DECADE),
    (re.compile(r"(?<![\w'’])['’]?(?P<decade2>[2-9]0)s\b"), DatePrecision.DECADE),
    (re.compile(rf"\b(?P<qual>post|pre|mid|early|late)-{_YEAR}\b"), DatePrecision.YEAR),
    (re.compile(rf"\b{_YEAR}(?:\s?[–\-/]\s?(?P<until>\d{{2,4}}))?\b(?![.,]\d)"), DatePrecision.YEAR),
    (re.compile(rf"\b{_REL}\b", re.I), DatePrecision.YEAR),
]


@dataclass(frozen=True)
class DateMention:
    """A date expression in a text, as a partial date; ``qualifier`` keeps "early", "post", "pre"…"""

    start: int
    end: int
    surface: str
    date: PartialDate
    qualifier: str = ""


def _resolve_year(month: int, day: int | None, published: PartialDate | None) -> int | None:
    """The year of "June 19" in an article published on ``published``: the one that puts it nearest before."""
    if published is None:
        return None
    year = published.date.year
    if published.precision in (DatePrecision.DAY, DatePrecision.MONTH):
        candidate = dt.date(year, month, min(day or 1, calendar.monthrange(year, month)[1]))
        if (candidate - published.date).days > 183:
            year -= 1
    return year


def _relative_year(rel: str, published: PartialDate | None) -> int | None:
    if published is None:
        return None
    rel = rel.lower()
    return published.date.year + {"last": -1, "next": 1}.get(rel, 0)


def _to_partial(match: re.Match[str], precision: str, published: PartialDate | None) -> PartialDate | None:
    groups = match.groupdict()
    try:
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
            year = _relative_year(groups["rel"], published)
        month = _MONTHS.get((groups.get("month") or "").lower().rstrip("."))
        day = int(groups["day"]) if groups.get("day") else None
        if precision == DatePrecision.YEAR:
            return PartialDate(dt.date(year, 1, 1), DatePrecision.YEAR) if year else None
        if year is None:
            year = _resolve_year(month, day, published)
        if year is None or month is None:
            return None
        if precision == DatePrecision.MONTH:
            return PartialDate(dt.date(year, month, 1), DatePrecision.MONTH)
        return PartialDate(dt.date(year, month, day), DatePrecision.DAY)
    except (ValueError, TypeError):
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


def find_dates(text: str, published: PartialDate | None = None) -> list[DateMention]:
    """Date expressions in ``text`` as partial dates, in text order; missing years come from ``published``."""
    found: list[DateMention] = []
    for pattern, precision in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(m.start < end and start < m.end for m in found):
                continue
            date = _to_partial(match, precision, published)
            if date is None:
                continue
            qualifier = (match.groupdict().get("qual") or "").strip(" -").lower()
            if match.groupdict().get("until"):
                date, qualifier = _year_range(date, match.group("until"))
                if date is None:
                    continue
            found.append(DateMention(start, end, text[start:end], date, qualifier))
    return sorted(found, key=lambda m: m.start)
