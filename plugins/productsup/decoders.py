"""Careful per-cell decoders, built once per header column and called for cells that are not blank
(and that no whole-column fast path took).

A decoder is `decode(cell, product, problems) -> data`: the value's Akeneo data, or SKIP when the
cell is refused (with a CellProblem added to `problems`); it never raises.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import unquote

from .cells import BOOLEANS, amount_problem, parse_date, split_values
from .columns import ColumnRef
from .metadata import AttributeMeta, CatalogMeta, value_kind


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One refused cell: the column, the cell as given and why, in words a person can act on."""

    column: str
    value: str
    reason: str


@dataclass(slots=True)
class DecodedRow:
    """A decoded flat row: the Akeneo product (valid cells only) and every problem found."""

    product: dict
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    separator: str
    clear: bool  # empty cells clear the value (null data) instead of leaving it unchanged
    media_prefix: str | None  # "<base>/api/rest/v1/media-files/" when download URLs are accepted
    by_uuid: bool  # the main identifier goes in `values` (products-uuid API) rather than `identifier`


SKIP = object()


def _currency(price: dict) -> str:
    return price["currency"]


def cell_decoder(column: str, ref: ColumnRef, attribute: AttributeMeta, meta: CatalogMeta, opts: DecodeOptions):
    """The careful decoder of one attribute column, for cells that are not blank."""
    return _BUILDERS[value_kind(attribute.type)](column, ref, attribute, meta, opts)


def _text(column, ref, attribute, meta, opts):
    def decode(cell, product, problems):
        return cell
    return decode


def _number(column, ref, attribute, meta, opts):
    decimals, negative = attribute.decimals_allowed, attribute.negative_allowed

    def decode(cell, product, problems):
        text = cell.strip()
        reason = amount_problem(text, decimals, negative)
        if reason is not None:
            problems.append(CellProblem(column, cell, reason))
            return SKIP
        # Decimal numbers stay text (never through a float); whole numbers become JSON integers.
        return text if decimals else int(text.partition(".")[0])
    return decode


def _boolean(column, ref, attribute, meta, opts):
    booleans = BOOLEANS

    def decode(cell, product, problems):
        value = booleans.get(cell)
        if value is None:
            value = booleans.get(cell.strip().lower())
            if value is None:
                if not cell.isspace():
                    problems.append(CellProblem(column, cell, "not a boolean: write true or false (or 1 or 0)"))
                return SKIP
        return value
    return decode


def _date(column, ref, attribute, meta, opts):
    def decode(cell, product, problems):
        text = cell.strip()
        if not text:
            return SKIP
        value, reason = parse_date(text)
        if reason is not None:
            problems.append(CellProblem(column, cell, reason))
            return SKIP
        return value
    return decode


def _code(column, ref, attribute, meta, opts):
    options = attribute.options
    folded = _folded(options)

    def decode(cell, product, problems):
        text = cell.strip()
        if not text:
            return SKIP
        if options is not None and text not in options:
            known = folded.get(text.lower())
            if known is None:
                problems.append(CellProblem(column, cell, f"unknown option {text!r} of attribute {ref.code!r}"))
                return SKIP
            return known
        return text
    return decode


def _codes(column, ref, attribute, meta, opts):
    options, separator = attribute.options, opts.separator
    folded = _folded(options)

    def decode(cell, product, problems):
        items = split_values(cell, separator)
        if not items:
            return SKIP
        if options is not None:
            unknown = []
            for i, item in enumerate(items):
                if item not in options:
                    known = folded.get(item.lower())
                    if known is None:
                        unknown.append(item)
                    else:
                        items[i] = known
            if unknown:
                problems.append(CellProblem(column, cell, f"unknown option{'s' if len(unknown) > 1 else ''} "
                                                          f"{', '.join(map(repr, unknown))} of attribute {ref.code!r}"))
                return SKIP
        return items
    return decode


def _folded(options):
    """Akeneo matches option codes case-insensitively: map lower-case spellings to the real code."""
    if not options:
        return {}
    folded: dict[str, str | None] = {}
    for code in options:
        key = code.lower()
        folded[key] = None if key in folded else code  # ambiguous spellings match nothing
    return {k: v for k, v in folded.items() if v is not None}


def _media(column, ref, attribute, meta, opts):
    prefix, suffix = opts.media_prefix, "/download"

    def decode(cell, product, problems):
        text = cell.strip()
        if not text:
            return SKIP
        if prefix and text.startswith(prefix) and text.endswith(suffix):
            return unquote(text[len(prefix):-len(suffix)])
        return text
    return decode


def _price(column, ref, attribute, meta, opts):
    """A `price` column holds the collection: '740.00 EUR<###>800.00 USD'."""
    decimals, currencies, separator = attribute.decimals_allowed, meta.currencies, opts.separator
    if ref.currency is not None:
        return _price_in(column, ref.currency, decimals)

    def decode(cell, product, problems):
        parts = split_values(cell, separator)
        if not parts:
            return SKIP
        prices, reasons = [], []
        for part in parts:
            pieces = part.split()
            if len(pieces) != 2:
                reasons.append(f"bad price {part!r}: write '<amount> <currency>', like '740.00 EUR'")
                continue
            amount, currency = pieces
            if currency not in currencies:
                currency = currency.upper()
            if currencies and currency not in currencies:
                reasons.append(f"unknown currency {pieces[1]!r}")
            reason = amount_problem(amount, decimals, True)
            if reason is not None:
                reasons.append(f"{amount!r}: {reason}")
            prices.append({"amount": amount, "currency": currency})
        if not reasons and len(prices) > 1:
            prices.sort(key=_currency)
            seen = [p["currency"] for p in prices]
            if len(set(seen)) != len(seen):
                reasons.append("a currency is given twice")
        if reasons:
            problems.append(CellProblem(column, cell, "; ".join(reasons)))
            return SKIP
        return prices
    return decode


def _price_in(column: str, currency: str, decimals: bool):
    """A `price@EUR` column holds one price: '740.00 EUR' or '740.00'."""
    def decode(cell, product, problems):
        pieces = cell.split()
        if len(pieces) == 2:
            amount, given = pieces
            if given != currency and given.upper() != currency:
                problems.append(CellProblem(column, cell, f"currency {given!r} does not match the column's "
                                                          f"currency {currency!r}"))
                return SKIP
        elif len(pieces) == 1:
            amount = pieces[0]
        elif not pieces:
            return SKIP
        else:
            problems.append(CellProblem(column, cell, f"bad price {cell.strip()!r}: write '<amount> <currency>', "
                                                      f"like '740.00 {currency}'"))
            return SKIP
        reason = amount_problem(amount, decimals, True)
        if reason is not None:
            problems.append(CellProblem(column, cell, f"{amount!r}: {reason}"))
            return SKIP
        return [{"amount": amount, "currency": currency}]
    return decode


def _metric(column, ref, attribute, meta, opts):
    decimals, negative = attribute.decimals_allowed, attribute.negative_allowed
    units = meta.family_units(attribute.metric_family or "")
    resolve = units.resolve
    fixed = resolve(ref.unit) if ref.unit is not None else None
    example = f"3000.00 {ref.unit or units.to_common(attribute.default_metric_unit or 'MILLIMETER')}"

    def decode(cell, product, problems):
        pieces = cell.split()
        if len(pieces) == 2:
            amount, token = pieces
            unit = resolve(token)
            if unit is None:
                problems.append(CellProblem(column, cell, f"unit {token!r} is not in measurement family "
                                                          f"{units.family!r} (use one of {units.describe()})"))
                return SKIP
            if fixed is not None and unit != fixed:
                problems.append(CellProblem(column, cell,
                                            f"unit {token!r} does not match the column's unit {ref.unit!r}"))
                return SKIP
        elif len(pieces) == 1 and fixed is not None:
            amount, unit = pieces[0], fixed
        elif not pieces:
            return SKIP
        else:
            problems.append(CellProblem(column, cell, f"write '<amount> <unit>', like {example!r}"))
            return SKIP
        reason = amount_problem(amount, decimals, negative)
        if reason is not None:
            problems.append(CellProblem(column, cell, reason))
            return SKIP
        return {"amount": amount, "unit": unit}
    return decode


def _json(column, ref, attribute, meta, opts):
    def decode(cell, product, problems):
        try:
            return json.loads(cell)
        except ValueError:
            problems.append(CellProblem(column, cell, f"{attribute.type} values are written as JSON; this is not JSON"))
            return SKIP
    return decode


_BUILDERS = {
    "text": _text, "number": _number, "boolean": _boolean, "date": _date, "code": _code, "codes": _codes,
    "media": _media, "price": _price, "metric": _metric, "json": _json,
}
