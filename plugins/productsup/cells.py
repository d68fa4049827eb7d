r"""Cell-level text rules shared by the encoders and decoders.

Escaping (multi-value cells only): a cell holding several values joins them with the value
separator; inside one value a backslash is written `\\` and the separator's first character is
written after a backslash (`\<` for the default `<###>`, `\|` for `|`), so no value can ever
form a separator with its neighbour. When reading, a backslash followed by anything else is kept
as it is (hand-written paths survive). Single-value cells are never escaped or split.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

ESCAPE = "\\"
AMOUNT = re.compile(r"(-?)(\d+)(?:\.(\d+))?", re.ASCII)
DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
MIDNIGHT_UTC = "T00:00:00+00:00"
BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


def split_values(cell: str, separator: str) -> list[str]:
    """The values of a multi-value cell, stripped, empty ones dropped."""
    if ESCAPE not in cell:
        return [item for item in map(str.strip, cell.split(separator)) if item]
    items: list[str] = []
    current: list[str] = []
    i, n, width, first = 0, len(cell), len(separator), separator[0]
    while i < n:
        ch = cell[i]
        if ch == ESCAPE:
            following = cell[i + 1:i + 2]
            if following == first or following == ESCAPE:
                current.append(following)
                i += 2
                continue
            current.append(ch)  # a backslash before anything else is kept as written
            i += 1
        elif ch == first and cell.startswith(separator, i):
            items.append("".join(current))
            current = []
            i += width
        else:
            current.append(ch)
            i += 1
    items.append("".join(current))
    return [item for item in map(str.strip, items) if item]


def join_values(items, separator: str) -> str:
    """Join values into one cell, escaping backslashes and the separator's first character."""
    first = separator[0]
    out = []
    for item in items:
        if not isinstance(item, str):
            item = str(item)
        if ESCAPE in item or first in item:
            item = item.replace(ESCAPE, ESCAPE + ESCAPE).replace(first, ESCAPE + first)
        out.append(item)
    return separator.join(out)


def amount_text(value) -> str:
    """A number as plain decimal text, never through a float's exponent form."""
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


NOT_A_NUMBER = "not a number: write digits with '.' for decimals, like 12.50"
NO_NEGATIVE = "negative values are not allowed"
NO_DECIMALS = "decimals are not allowed"
MAX_AMOUNT_LENGTH = 40  # also keeps int() far below CPython's 4300-digit conversion limit
TOO_LONG = f"too many digits (at most {MAX_AMOUNT_LENGTH} characters)"


def amount_problem(text: str, decimals_allowed: bool, negative_allowed: bool) -> str | None:
    """Why an amount is refused, or None. A zero fraction ("12.00") passes where decimals are not allowed."""
    if len(text) > MAX_AMOUNT_LENGTH:
        return TOO_LONG
    match = AMOUNT.fullmatch(text)
    if match is None:
        return NOT_A_NUMBER
    sign, _, fraction = match.groups()
    if sign and not negative_allowed:
        return NO_NEGATIVE
    if not decimals_allowed and fraction and fraction.strip("0"):
        return NO_DECIMALS
    return None


def parse_date(text: str):
    """(value, reason): an Akeneo date from `YYYY-MM-DD` or a full ISO 8601 date-time."""
    if DATE_ONLY.fullmatch(text):
        try:
            date.fromisoformat(text)
        except ValueError:
            return None, "not a calendar date"
        return text + MIDNIGHT_UTC, None
    if len(text) > 10 and DATE_ONLY.fullmatch(text[:10]):
        try:
            datetime.fromisoformat(text)
        except ValueError:
            return None, "not an ISO 8601 date-time"
        return text, None
    return None, "not a date: write YYYY-MM-DD, like 2026-01-31"


def date_text(value: str) -> str:
    """Akeneo's midnight-UTC dates are written as the bare day."""
    if len(value) == 25 and value.endswith(MIDNIGHT_UTC):
        return value[:10]
    return value
