"""SIPRI Trade Register CSV: its layout, read into rows (with their line numbers and text) and written back.

The "trade register" export of armstrade.sipri.org opens with a few title lines ("Transfers of
major weapons: …", "Note: …", "Information generated: <date>"), a blank line, then the header::

    Recipient,Supplier,Year of order,,Number ordered,,Weapon designation,Weapon description,
    Number delivered,,Year(s) of delivery,status,Comments,SIPRI estimate,TIV deal unit,…

The unnamed columns hold the estimate marks (``?``) of the year of order, the number ordered and
the number delivered; an estimate may also be written in brackets, ``(20)`` or ``(2023)``.
Years of delivery read ``2023; 2024`` or ``2023-2024``. The TIV columns are SIPRI's own values
and are not kept. kb writes the same layout and adds, after SIPRI's columns, the columns of a
transfer that SIPRI has no place for (``KB_COLUMNS``), so an export imports back unchanged.
Nothing here touches the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from kb.choices import TransferCategory, TransferStatus
from kb.dates import PartialDate

TITLE = "Transfers of major weapons: Deals with deliveries or orders made for {first} to {last}"
NOTE = (
    "Note: Number delivered and Year(s) of delivery cover every delivery recorded since the order; "
    "'?' marks an estimate; a number delivered written low-high is a range of estimates. "
    "The columns after SIPRI's hold the kb record's category, status, unit and who reported it."
)
GENERATED = "Information generated: {date}"
GENERATED_FORMAT = "%d %B %Y"

HEADER = (
    "Recipient",
    "Supplier",
    "Year of order",
    "",
    "Number ordered",
    "",
    "Weapon designation",
    "Weapon description",
    "Number delivered",
    "",
    "Year(s) of delivery",
    "status",
    "Comments",
    "SIPRI estimate",
    "TIV deal unit",
    "TIV delivery values",
    "Delivered TIV",
)
# SIPRI's columns a file must have, in this order; the TIV columns vary between exports.
REQUIRED = HEADER[:13]
KB_COLUMNS = ("kb category", "kb status", "kb quantity unit", "kb reported by", "kb reported on")
(
    RECIPIENT,
    SUPPLIER,
    ORDERED_ON,
    ORDERED_ON_MARK,
    ORDERED,
    ORDERED_MARK,
    DESIGNATION,
    DESCRIPTION,
    DELIVERED,
    DELIVERED_MARK,
    DELIVERED_IN,
    SIPRI_STATUS,
    COMMENTS,
) = range(13)

_GENERATED_RE = re.compile(r"^information generated:\s*(?P<date>.+)$", re.IGNORECASE)
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%B %d, %Y", "%d/%m/%Y")
_NUMBER_RE = re.compile(r"^[0-9]{1,9}$")
_YEAR_SPAN_RE = re.compile(r"^(?P<first>[0-9]{4})\s*-\s*(?P<last>[0-9]{4})$")
# Text a spreadsheet would run is written with a leading apostrophe (kb.exports): read it back without.
_ESCAPED_RE = re.compile(r"^'(?=[=+\-@\t\r])")

# SIPRI's weapon descriptions ("SRBM", "FGA aircraft", "155mm shell") to kb's categories, first match wins.
_CATEGORY_WORDS = (
    (TransferCategory.AIR_DEFENCE, r"sam system|air defen[cs]e|anti-aircraft|aa gun|spaag"),
    (TransferCategory.AMMUNITION, r"shells?|rounds?|ammunition|cartridges?|munitions?"),
    (TransferCategory.MISSILES, r"missiles?|[sabm]?rbm|ssm|sam|asm|atgm|aam|guided rockets?|cruise"),
    (TransferCategory.ARTILLERY, r"mrl|howitzers?|guns?|mortars?|artillery|rocket launchers?"),
    (TransferCategory.ARMOURED_VEHICLES, r"tanks?|apc|ifv|afv|armou?red|apv"),
    (TransferCategory.AIRCRAFT, r"aircraft|fighters?|fga|helicopters?|uavs?|drones?|ac|bombers?"),
    (TransferCategory.SENSORS, r"radars?|sensors?|sonar"),
    (TransferCategory.SHIPS, r"frigates?|corvettes?|submarines?|ships?|patrol (?:boat|craft)|landing craft"),
    (TransferCategory.ENGINES, r"engines?|turbofan|turbojet|turboshaft|diesel"),
    (TransferCategory.SATELLITES, r"satellites?"),
    (TransferCategory.SMALL_ARMS, r"rifles?|small arms|machine guns?"),
)
_CATEGORY_RES = [(category, re.compile(rf"\b(?:{words})\b", re.IGNORECASE)) for category, words in _CATEGORY_WORDS]


class LayoutError(ValueError):
    """A file that is not a Trade Register export (no header row, say): nothing of it can be read."""


@dataclass
class Row:
    """One deal as the file gives it: its line number, its text (``start``..``end`` of the text), its values."""

    line: int
    start: int
    end: int
    values: dict[str, object] = field(default_factory=dict)
    kb: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class Register:
    title: str
    generated: PartialDate | None
    rows: list[Row]
    kb_columns: tuple[str, ...]


def read(text: str) -> Register:
    """The rows of a Trade Register export ``text`` (already cleaned: the offsets count its characters).

    Raises LayoutError when the header row is missing. A row's problems are listed in its
    ``errors`` ("Number ordered: 'many' is not a number"); the caller reports them by line.
    """
    lines = text.split("\n")
    offsets, at = [], 0
    for line in lines:
        offsets.append(at)
        at += len(line) + 1
    header_at = next((i for i, line in enumerate(lines) if _is_header(line)), None)
    if header_at is None:
        raise LayoutError(
            "No SIPRI Trade Register header row was found: expected a line beginning "
            f"“{','.join(REQUIRED)}” (the trade register's CSV export of armstrade.sipri.org)."
        )
    title, generated = "", None
    for line in lines[:header_at]:
        words = ", ".join(cell.strip() for cell in next(csv.reader([line]), []) if cell.strip())
        if not words:
            continue
        if match := _GENERATED_RE.match(words):
            generated = _generated(match["date"])
        elif not title:
            title = words
    header = [cell.strip() for cell in next(csv.reader([lines[header_at]]))]
    kb_columns = tuple(name for name in KB_COLUMNS if name in [h.casefold() for h in header])
    places = {name: [h.casefold() for h in header].index(name) for name in kb_columns}
    rows = []
    for number, start, used, values in _records(lines, offsets, header_at + 1):
        if not any(value.strip() for value in values):
            continue
        end = start + len("\n".join(lines[number - 1 : number - 1 + used]))
        row = Row(line=number, start=start, end=end)
        _parse(row, values)
        row.kb = {name: _text(values, places[name]) for name in kb_columns}
        rows.append(row)
    return Register(title=title, generated=generated, rows=rows, kb_columns=kb_columns)


def _is_header(line: str) -> bool:
    cells = [cell.strip().casefold() for cell in next(csv.reader([line]), [])]
    return tuple(cells[: len(REQUIRED)]) == tuple(name.casefold() for name in REQUIRED)


def _records(lines: list[str], offsets: list[int], first: int) -> Iterator[tuple[int, int, int, list[str]]]:
    """(line number from 1, offset, lines taken, cells) of each CSV record after the header."""
    reader = csv.reader(f"{line}\n" for line in lines[first:])
    position, taken = first, 0
    for values in reader:
        used = reader.line_num - taken
        yield position + 1, offsets[position], used, values
        position, taken = position + used, reader.line_num


def _generated(value: str) -> PartialDate | None:
    value = value.strip().rstrip(".")
    for form in _DATE_FORMATS:
        try:
            return PartialDate(dt.datetime.strptime(value, form).date(), "day")
        except ValueError:
            continue
    return None


def _text(values: list[str], place: int) -> str:
    value = values[place].strip() if place < len(values) else ""
    return _ESCAPED_RE.sub("", value)


def _estimate(value: str, mark: str) -> tuple[str, bool]:
    """A value without its estimate signs, and whether it was one: ``(20)``, ``20?`` or a ``?`` beside it."""
    estimated = mark.strip() == "?"
    if value.startswith("(") and value.endswith(")"):
        value, estimated = value[1:-1].strip(), True
    if value.endswith("?") and value != "?" and not value.endswith("-?"):  # "50-?" is a range (at least 50)
        value, estimated = value[:-1].strip(), True
    return value, estimated


def _number(row: Row, column: str, value: str) -> int | None:
    if value in ("", "?"):
        return None
    if not _NUMBER_RE.match(value):
        row.errors.append(f"{column}: {value!r} is not a number.")
        return None
    return int(value)


def _date(row: Row, column: str, value: str) -> PartialDate | None:
    if value in ("", "?"):
        return None
    try:
        return PartialDate.parse(value)
    except ValueError as exc:
        row.errors.append(f"{column}: {exc}")
        return None


def _parse(row: Row, values: list[str]) -> None:
    if len(values) < len(REQUIRED):
        row.errors.append(f"has {len(values)} columns; a Trade Register row has at least {len(REQUIRED)}.")
        return
    cell = [_text(values, i) for i in range(len(REQUIRED))]
    out = row.values
    out["recipient"] = cell[RECIPIENT].rstrip("*").strip()
    out["supplier"] = cell[SUPPLIER].rstrip("*").strip()
    for name, column in (("recipient", "Recipient"), ("supplier", "Supplier")):
        if not out[name]:
            row.errors.append(f"{column}: empty.")
    ordered_on, out["ordered_on_estimated"] = _estimate(cell[ORDERED_ON], cell[ORDERED_ON_MARK])
    out["ordered_on"] = _date(row, "Year of order", ordered_on)
    ordered, out["ordered_quantity_estimated"] = _estimate(cell[ORDERED], cell[ORDERED_MARK])
    out["ordered_quantity"] = _number(row, "Number ordered", ordered)
    out["designation"] = cell[DESIGNATION]
    out["description"] = cell[DESCRIPTION] or cell[DESIGNATION]
    if not out["description"]:
        row.errors.append("Weapon designation and Weapon description: both empty.")
    delivered, out["delivered_quantity_estimated"] = _estimate(cell[DELIVERED], cell[DELIVERED_MARK])
    low, high = delivered, delivered
    if "-" in delivered:  # kb's ranges: "1000-3000", "50-?" (at least 50), "?-6" (up to 6)
        low, _dash, high = (part.strip() for part in delivered.partition("-"))
    out["quantity_low"] = _number(row, "Number delivered", low)
    out["quantity_high"] = _number(row, "Number delivered", high)
    out["start_on"], out["end_on"], out["delivered_period_estimated"] = _years(row, cell[DELIVERED_IN])
    out["comments"] = cell[COMMENTS]


def _years(row: Row, value: str) -> tuple[PartialDate | None, PartialDate | None, bool]:
    """The first and last year of delivery of ``2023; 2024``, ``2023-2024``, ``(2024)`` or ``2024?``."""
    value, estimated = _estimate(value.strip(), "")
    dates: list[PartialDate | None] = []
    for part in (p.strip() for p in value.split(";")):
        part, guessed = _estimate(part, "")
        estimated = estimated or guessed
        span = _YEAR_SPAN_RE.match(part)
        if span:
            dates += [_date(row, "Year(s) of delivery", span["first"]), _date(row, "Year(s) of delivery", span["last"])]
        elif part:
            dates.append(_date(row, "Year(s) of delivery", part) if part != "?" else None)
    if not dates:
        return None, None, estimated
    first, last = dates[0], dates[-1]
    return first, (last if len(dates) > 1 else None), estimated


def category_of(description: str) -> str:
    """kb's category for a SIPRI weapon description; "other" when none of its words says."""
    for category, words in _CATEGORY_RES:
        if words.search(description):
            return category
    return TransferCategory.OTHER


def status_of(values: dict[str, object]) -> str:
    """A deal with deliveries is reported; one with none yet is planned."""
    delivered = values.get("quantity_high") or values.get("quantity_low") or values.get("start_on")
    return TransferStatus.REPORTED if delivered else TransferStatus.PLANNED


# --- writing ------------------------------------------------------------------------------


def title_lines(first: int | None, last: int | None, generated: dt.date) -> list[list[str]]:
    """The lines before the header, as one-cell rows, then the blank line."""
    title = TITLE.format(first=first or "", last=last or "") if first else TITLE.split(" made for")[0]
    return [[title], [NOTE], [GENERATED.format(date=generated.strftime(GENERATED_FORMAT))], []]


def header() -> list[str]:
    return [*HEADER, *KB_COLUMNS]


def _marked(value: str, estimated: bool) -> tuple[str, str]:
    return value, "?" if estimated and value else ""


def cells(t: dict[str, object]) -> list[object]:
    """A transfer (its values by field name, dates as their ISO text) as a row of ``header()``."""

    def text(value: object) -> str:
        return "" if value is None else str(value)

    ordered_on, ordered_on_mark = _marked(text(t["ordered_on"]), t["ordered_on_estimated"])
    ordered, ordered_mark = _marked(text(t["ordered_quantity"]), t["ordered_quantity_estimated"])
    low, high = t["quantity_low"], t["quantity_high"]
    if low is None and high is None:
        delivered = ""
    elif low == high:
        delivered = text(low)
    else:
        delivered = f"{'?' if low is None else low}-{'?' if high is None else high}"
    delivered, delivered_mark = _marked(delivered, t["delivered_quantity_estimated"])
    start, end = text(t["start_on"]), text(t["end_on"])
    years = "; ".join(part for part in (start or ("?" if end else ""), end) if part)
    if years and t["delivered_period_estimated"]:
        years = f"({years})"
    return [
        t["recipient"],
        t["supplier"],
        ordered_on,
        ordered_on_mark,
        ordered,
        ordered_mark,
        t["designation"],
        t["description"],
        delivered,
        delivered_mark,
        years,
        "",
        t["comments"],
        "",
        "",
        "",
        "",
        t["category"],
        t["status"],
        t["quantity_unit"],
        t["reported_by"],
        text(t["reported_on"]),
    ]
