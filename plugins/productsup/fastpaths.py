"""Whole-column fast paths for decoding: check or convert a column of cells with C-level string
and regex operations, marking with None the cells that need the careful per-cell decoder
(blank, unusual or wrong cells). A fast path never accepts a cell its careful decoder refuses.
"""
from __future__ import annotations

import re
from datetime import date
from itertools import chain

from .cells import BOOLEANS, ESCAPE, MIDNIGHT_UTC
from .metadata import AttributeMeta, CatalogMeta

# One regex pass over the column joined by newlines; a cell holding a newline itself fails the
# count check, so it can never pass as two cells. Amounts are bounded (longer ones take the careful
# path, which refuses those over MAX_AMOUNT_LENGTH).
_DECIMAL = r"\d{1,20}(?:\.\d{1,19})?"
_UNSIGNED = re.compile(rf"(?:{_DECIMAL})?(?:\n(?:{_DECIMAL})?)*", re.ASCII)
_WHOLE = re.compile(r"\d{0,20}(?:\n\d{0,20})*", re.ASCII)
_DAYS = re.compile(r"(?:\d{4}-\d\d-\d\d)?(?:\n(?:\d{4}-\d\d-\d\d)?)*", re.ASCII)


def _joined(column: tuple, pattern: re.Pattern) -> bool:
    text = "\n".join(column)
    return text.count("\n") == len(column) - 1 and pattern.fullmatch(text) is not None


def _with_blanks(column: tuple, blank) -> list:
    return list(column) if "" not in column else [cell or blank for cell in column]


def fast_text(column: tuple, blank):
    datas = _with_blanks(column, blank)
    if any(map(str.isspace, column)):  # whitespace-only cells are blank: let the careful path see them
        datas = [None if type(d) is str and d.isspace() else d for d in datas]
    return datas


def fast_decimal(column: tuple, blank):
    return _with_blanks(column, blank) if _joined(column, _UNSIGNED) else None


def fast_whole(column: tuple, blank):
    if not _joined(column, _WHOLE):
        return None
    return list(map(int, column)) if "" not in column else [int(cell) if cell else blank for cell in column]


def fast_boolean(column: tuple, blank):
    return list(map(BOOLEANS.get, column))


def fast_options(options: frozenset[str]):
    exact = {code: code for code in options}.get
    return lambda column, blank: list(map(exact, column))


def fast_code(column: tuple, blank):
    datas = list(map(str.strip, column))
    return datas if "" not in datas else [d or None for d in datas]


def fast_date(column: tuple, blank):
    if not _joined(column, _DAYS):
        return None
    days = [cell for cell in column if cell]
    try:
        list(map(date.fromisoformat, days))
    except ValueError:  # at most once per column: a bad day sends the column to the careful path
        return None
    return [cell + MIDNIGHT_UTC if cell else blank for cell in column]


def fast_metric(units, decimals: bool):
    """'3000.00 MMT' cells: one multiline regex pass splits amounts from unit codes."""
    amount = _DECIMAL if decimals else r"\d{1,20}"
    pattern = re.compile(rf"^(?:({amount}) (\S+))?$", re.ASCII | re.MULTILINE)
    unit_of = units.tokens.get

    def fast(column: tuple, blank):
        text = "\n".join(column)
        pairs = pattern.findall(text)
        if len(pairs) != len(column) or text.count("\n") != len(column) - 1:
            return None
        found = list(map(unit_of, [token for _, token in pairs]))
        return [{"amount": a, "unit": u} if u is not None else None for (a, _), u in zip(pairs, found)]
    return fast


def fast_price_in(currency: str, decimals: bool):
    """'740.00 EUR' (or '740.00') cells of a `price@EUR` column."""
    amount = _DECIMAL if decimals else r"\d{1,20}(?:\.0{1,19})?"
    pattern = re.compile(rf"^(?:({amount})(?: {re.escape(currency)})?)?$", re.ASCII | re.MULTILINE)

    def fast(column: tuple, blank):
        text = "\n".join(column)
        amounts = pattern.findall(text)
        if len(amounts) != len(column) or text.count("\n") != len(column) - 1:
            return None
        return [[{"amount": a, "currency": currency}] if a else None for a in amounts]
    return fast


def fast_option_lists(options: frozenset[str], separator: str):
    """Multi-select cells whose every item is a known option as written (no escapes)."""
    def fast(column: tuple, blank):
        if ESCAPE in "".join(column):
            return None
        lists = [cell.split(separator) if cell else None for cell in column]
        items = chain.from_iterable(filter(None, lists))
        return lists if all(map(options.__contains__, items)) else None
    return fast


def column_fast_path(kind: str, attribute: AttributeMeta, meta: CatalogMeta, ref, opts):
    """The fast path for a column of this kind, or None when every cell takes the careful path."""
    if kind == "text":
        return fast_text
    if kind == "number":
        return fast_decimal if attribute.decimals_allowed else fast_whole
    if kind == "boolean":
        return fast_boolean
    if kind == "date":
        return fast_date
    if kind == "code":
        return fast_options(attribute.options) if attribute.options is not None else fast_code
    if kind == "codes" and attribute.options is not None:
        return fast_option_lists(attribute.options, opts.separator)
    if kind == "media" and opts.media_prefix is None:
        return fast_code
    if kind == "metric" and ref.unit is None:
        return fast_metric(meta.family_units(attribute.metric_family or ""), attribute.decimals_allowed)
    if kind == "price" and ref.currency is not None:
        return fast_price_in(ref.currency, attribute.decimals_allowed)
    return None
