"""Partial dates: a date plus a precision (day, month, year, decade), used for every date in kb.

A partial date is stored as two columns, ``<name>`` (the first day of the period) and
``<name>_precision``. "January 2024" is stored as 2024-01-01 with precision "month" and
covers 2024-01-01..2024-01-31; it is never the same thing as the day 2024-01-01.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from kb.choices import DatePrecision

# ASCII digits only: \d would also take other scripts' digits.
_PARTIAL_RE = re.compile(
    r"^(?:(?P<decade>[0-9]{3}0)s|(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?)$"
)
# The partial dates parse() accepts, as a pattern for the OpenAPI schema (JSON Schema and Python
# read it alike): a decade, a year from 0001, a month, or a day that exists (29 February in leap years).
_YEAR = r"(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_PARTIAL = rf"[0-9]{{3}}0s|{_YEAR}(?:-(?:0[1-9]|1[0-2])|-{_DAY})?|{_LEAP_YEAR}-02-29"
PARTIAL_DATE_PATTERN = rf"^(?:{_PARTIAL})$"
PARTIAL_DATE_OR_EMPTY_PATTERN = rf"^(?:{_PARTIAL})?$"
# Read for every partial date made (every row of a CSV): the enum's values, computed once.
_PRECISIONS = tuple(DatePrecision.values)
_ORDER = {DatePrecision.DAY: 0, DatePrecision.MONTH: 1, DatePrecision.YEAR: 2, DatePrecision.DECADE: 3}


HOW_TO_WRITE = "Write a year (2023), a month (2023-09), a day (2023-09-13) or a decade (2020s)."
HOW_TO_WRITE_HUMAN = (
    "Write a year (2023), a month (June 2023 or 2023-06), a day (19 June 2023, June 19, 2023 or 2023-06-19) "
    "or a decade (the 1990s)."
)
# Month names and their usual abbreviations ("Sept" too), lower case, to their numbers.
_MONTHS = {
    **{calendar.month_name[n].lower(): n for n in range(1, 13)},
    **{calendar.month_abbr[n].lower(): n for n in range(1, 13)},
    "sept": 9,
}
_MONTH = r"(?P<month>[a-z]+)\.?"
_HUMAN_FORMS = (
    re.compile(rf"^{_MONTH}\s+(?P<year>[0-9]{{4}})$"),  # June 2024
    re.compile(rf"^(?P<day>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\s+(?P<year>[0-9]{{4}})$"),  # 19 June 2024
    re.compile(rf"^{_MONTH}\s+(?P<day>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>[0-9]{{4}})$"),  # June 19, 2024
)


def quoted(value: object, limit: int = 20) -> str:
    """``value`` in quotation marks as a person reads it (not a Python repr), cut after ``limit`` characters."""
    text = str(value)
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def too_long_for_a_date(value: object) -> str:
    """What is said of text too long to be any partial date (the longest, a day, has 10 characters)."""
    return f"{quoted(value)} is too long to be a date. {HOW_TO_WRITE}"


def period_start(date: dt.date, precision: str) -> dt.date:
    """The first day of the period of the given precision that contains ``date``."""
    if precision == DatePrecision.DAY:
        return date
    if precision == DatePrecision.MONTH:
        return date.replace(day=1)
    if precision == DatePrecision.YEAR:
        return dt.date(date.year, 1, 1)
    if precision == DatePrecision.DECADE:
        return dt.date(max(date.year // 10 * 10, 1), 1, 1)
    raise ValueError(f"Unknown date precision {precision!r}; expected one of {', '.join(DatePrecision.values)}.")


@dataclass(frozen=True)
class PartialDate:
    """A period of time named at some precision: a day, a month, a year or a decade."""

    date: dt.date
    precision: str

    def __post_init__(self) -> None:
        if self.precision not in _PRECISIONS:
            raise ValueError(f"Unknown date precision {self.precision!r}; expected one of {', '.join(_PRECISIONS)}.")
        if period_start(self.date, self.precision) != self.date:
            raise ValueError(
                f"{self.date.isoformat()} is not the first day of its {self.precision}; "
                f"a {self.precision}-precision date is stored as {period_start(self.date, self.precision).isoformat()}."
            )

    @classmethod
    def parse(cls, value: str) -> PartialDate:
        """Parse "2024-06-19" (day), "2024-06" (month), "2024" (year) or "2020s" (decade)."""
        match = _PARTIAL_RE.match(value.strip()) if isinstance(value, str) else None
        if not match:
            raise ValueError(f"{quoted(value)} is not a date. {HOW_TO_WRITE}")
        if match["decade"]:
            return cls(dt.date(int(match["decade"]) or 1, 1, 1), DatePrecision.DECADE)
        year = int(match["year"])
        if year < 1:
            raise ValueError(f"{quoted(value)} is not a date: years start at 0001. {HOW_TO_WRITE}")
        if match["month"] is None:
            return cls(dt.date(year, 1, 1), DatePrecision.YEAR)
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValueError(f"{quoted(value)} is not a date: months run 1–12. {HOW_TO_WRITE}")
        if match["day"] is None:
            return cls(dt.date(year, month, 1), DatePrecision.MONTH)
        day = int(match["day"])
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(
                f"{quoted(value)} is not a date: {calendar.month_name[month]} {year} has {last} days. {HOW_TO_WRITE}"
            )
        return cls(dt.date(year, month, day), DatePrecision.DAY)

    @classmethod
    def parse_human(cls, value: str) -> PartialDate:
        """Parse a date as people write it, or any form ``parse`` takes.

        "2024", "June 2024", "Jun 2024", "19 June 2024", "June 19, 2024", "the 1990s", "1990s",
        "2024-06", "2024-06-19". Case and spacing do not matter. What ``display()`` writes is read back.
        """
        if not isinstance(value, str):
            raise ValueError(f"{quoted(value)} is not a date. {HOW_TO_WRITE_HUMAN}")
        text = " ".join(value.split()).lower()
        if len(text) > 40:
            raise ValueError(f"{quoted(value)} is too long to be a date. {HOW_TO_WRITE_HUMAN}")
        text = re.sub(r"^the ", "", text.replace("’", "'"))
        decade = re.fullmatch(r"([0-9]{3}0)'?s", text)  # "1990s", "the 1990s", "1990's"
        if decade:
            text = f"{decade[1]}s"
        if _PARTIAL_RE.match(text):
            try:
                return cls.parse(text)
            except ValueError as exc:
                raise ValueError(str(exc).replace(HOW_TO_WRITE, HOW_TO_WRITE_HUMAN)) from exc
        for form in _HUMAN_FORMS:
            match = form.match(text)
            if match is None:
                continue
            month = _MONTHS.get(match["month"])
            if month is None:
                not_a_month = quoted(match["month"])
                raise ValueError(f"{quoted(value)} is not a date: {not_a_month} is not a month. {HOW_TO_WRITE_HUMAN}")
            iso = f"{match['year']}-{month:02d}"
            day = match.groupdict().get("day")
            try:
                return cls.parse(f"{iso}-{int(day):02d}" if day else iso)
            except ValueError as exc:
                # The message of parse() quotes the ISO form; say it of what was typed.
                message = str(exc).split(" is not a date", 1)[-1].replace(HOW_TO_WRITE, HOW_TO_WRITE_HUMAN)
                raise ValueError(f"{quoted(value)} is not a date{message}") from exc
        raise ValueError(f"{quoted(value)} is not a date. {HOW_TO_WRITE_HUMAN}")

    @classmethod
    def from_fields(cls, date: dt.date | None, precision: str) -> PartialDate | None:
        if date is None:
            return None
        return cls(date, precision)

    @property
    def start(self) -> dt.date:
        return self.date

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        d = self.date
        if self.precision == DatePrecision.DAY:
            return d
        if self.precision == DatePrecision.MONTH:
            return d.replace(day=calendar.monthrange(d.year, d.month)[1])
        if self.precision == DatePrecision.YEAR:
            return dt.date(d.year, 12, 31)
        return dt.date(min(d.year + 9, 9999), 12, 31)

    def overlaps(self, other: PartialDate) -> bool:
        return self.start <= other.end and other.start <= self.end

    def contains(self, other: PartialDate) -> bool:
        return self.start <= other.start and other.end <= self.end

    def sort_key(self) -> tuple[dt.date, int]:
        """Order by start; at the same start the finer precision comes first."""
        return (self.date, _ORDER[self.precision])

    def __lt__(self, other: PartialDate) -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: PartialDate) -> bool:
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: PartialDate) -> bool:
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: PartialDate) -> bool:
        return self.sort_key() >= other.sort_key()

    def __str__(self) -> str:
        """The ISO 8601 reduced-precision form: 2024-06-19, 2024-06, 2024, 2020s."""
        d = self.date
        if self.precision == DatePrecision.DAY:
            return d.isoformat()
        if self.precision == DatePrecision.MONTH:
            return f"{d.year:04d}-{d.month:02d}"
        if self.precision == DatePrecision.YEAR:
            return f"{d.year:04d}"
        return f"{d.year:04d}s"

    def display(self) -> str:
        """Human form: 19 June 2024, June 2024, 2024, the 2020s."""
        d = self.date
        if self.precision == DatePrecision.DAY:
            return f"{d.day} {calendar.month_name[d.month]} {d.year}"
        if self.precision == DatePrecision.MONTH:
            return f"{calendar.month_name[d.month]} {d.year}"
        if self.precision == DatePrecision.YEAR:
            return str(d.year)
        return f"the {d.year}s"

    def display_in_year(self) -> str:
        """As a list under its heading (``heading``) says it: 19 June, June; "" for the year or decade itself."""
        d = self.date
        if self.precision == DatePrecision.DAY:
            return f"{d.day} {calendar.month_name[d.month]}"
        if self.precision == DatePrecision.MONTH:
            return calendar.month_name[d.month]
        return ""

    def heading(self) -> str:
        """The heading of a list by year it is listed under: its year ("2024"), or its decade ("the 2010s")."""
        return self.display() if self.precision == DatePrecision.DECADE else str(self.date.year)


def span_in_list(start: PartialDate | None, end: PartialDate | None) -> str:
    """A span as a list under ``start``'s heading says it: "19 June", "12–17 September", "June – 3 July", "1950–1953".

    Within its heading's year the year is left out (nothing at all for an event of that whole year);
    a span reaching another year, or known only by years or decades, is written whole.
    """
    if start is None:
        return ""
    if end is None or end == start:
        return start.display_in_year()
    fine = (DatePrecision.DAY, DatePrecision.MONTH)
    if start.precision in fine and end.precision in fine and start.date.year == end.date.year:
        same_month = start.date.month == end.date.month
        if start.precision == end.precision == DatePrecision.DAY and same_month:
            return f"{start.date.day}–{end.date.day} {calendar.month_name[end.date.month]}"
        return f"{start.display_in_year()} – {end.display_in_year()}"
    if start.precision == end.precision == DatePrecision.YEAR:
        return f"{start.date.year}–{end.date.year}"
    return f"{start.display()} – {end.display()}"


def partial_date_fields(verbose_name: str, help_text: str = "") -> tuple[models.DateField, models.CharField]:
    """The two columns of one partial date; unpack them into ``<name>`` and ``<name>_precision``."""
    return (
        models.DateField(verbose_name, null=True, blank=True, help_text=help_text or "First day of the period named."),
        models.CharField(
            f"{verbose_name} precision", max_length=6, choices=DatePrecision.choices, blank=True, default=""
        ),
    )


def partial_date_constraints(prefix: str, *names: str) -> list[models.CheckConstraint]:
    """A date and its precision are set together or not at all."""
    return [
        models.CheckConstraint(
            condition=(Q(**{f"{name}__isnull": True}) & Q(**{f"{name}_precision": ""}))
            | (Q(**{f"{name}__isnull": False}) & Q(**{f"{name}_precision__in": DatePrecision.values})),
            name=f"{prefix}_{name}_precision_set_with_date",
            violation_error_message=f"{name} and {name}_precision must be given together.",
        )
        for name in names
    ]


def validate_partial_date(instance: models.Model, name: str) -> dict[str, list[str]]:
    """Errors (by field name) for the partial date ``name`` of ``instance``; empty when valid."""
    date = getattr(instance, name)
    precision = getattr(instance, f"{name}_precision")
    if date is None and not precision:
        return {}
    if date is None:
        return {name: [f"A precision ({precision!r}) was given without a date."]}
    if not precision:
        return {f"{name}_precision": [f"A date ({date.isoformat()}) needs a precision: day, month, year or decade."]}
    try:
        PartialDate(date, precision)
    except ValueError as exc:
        return {name: [str(exc)]}
    return {}


def overlap_q(name: str, start: dt.date | None = None, end: dt.date | None = None) -> Q:
    """Rows whose partial date ``name`` overlaps the closed range ``start``..``end``.

    A stored period overlaps the range when it begins on or before ``end`` and ends on or
    after ``start``. It ends on or after ``start`` exactly when its first day is on or after
    the first day of the period of its own precision that contains ``start``, so the
    overlap needs no stored end date.
    """
    q = Q(**{f"{name}__isnull": False})
    if end is not None:
        q &= Q(**{f"{name}__lte": end})
    if start is not None:
        by_precision = Q()
        for precision in DatePrecision.values:
            by_precision |= Q(**{f"{name}_precision": precision, f"{name}__gte": period_start(start, precision)})
        q &= by_precision
    return q


class PartialDateAccessor:
    """``instance.<attr>`` returns the PartialDate (or None) of the columns ``<name>``/``<name>_precision``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return PartialDate.from_fields(getattr(instance, self.name), getattr(instance, f"{self.name}_precision"))


class PartialDateText(models.Func):
    """The partial date stored as ``name`` and ``name_precision`` in its ISO form, computed by the database.

    What ``str()`` of its PartialDate gives (2024-06-19, 2024-06, 2024, 2020s), NULL when there is
    no date: exports of thousands of rows read it without building a PartialDate for each.
    """

    output_field = models.TextField()
    # Per precision: how many characters of the ISO date SQLite keeps (it stores dates as ISO
    # text), the to_char() format PostgreSQL writes them with, and what follows.
    FORMS = {
        DatePrecision.DAY: (10, "YYYY-MM-DD", ""),
        DatePrecision.MONTH: (7, "YYYY-MM", ""),
        DatePrecision.YEAR: (4, "YYYY", ""),
        DatePrecision.DECADE: (4, "YYYY", "s"),
    }

    def __init__(self, name: str) -> None:
        super().__init__(models.F(name), models.F(f"{name}_precision"))

    def as_sql(self, compiler, connection, **extra_context):
        return self._case(compiler, lambda date, length, _pattern: f"substr({date}, 1, {length})")

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._case(compiler, lambda date, _length, pattern: f"to_char({date}, '{pattern}')")

    def _case(self, compiler, written: Callable[[str, int, str], str]):
        date, precision = (compiler.compile(expression) for expression in self.get_source_expressions())
        whens, params = [], [*precision[1]]
        for value, (length, pattern, suffix) in self.FORMS.items():
            text = written(date[0], length, pattern)
            whens.append(f"WHEN '{value}' THEN {text} || '{suffix}'" if suffix else f"WHEN '{value}' THEN {text}")
            params += date[1]
        return f"CASE {precision[0]} {' '.join(whens)} END", params


def coerce_partial_date(value: str | PartialDate | None, field: str) -> PartialDate | None:
    """A PartialDate from a string or PartialDate; ValidationError naming ``field`` otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, PartialDate):
        return value
    try:
        return PartialDate.parse(value)
    except ValueError as exc:
        raise ValidationError({field: [str(exc)]}) from exc
