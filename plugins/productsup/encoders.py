"""Per-attribute encoders: `encode(entries, row)` writes an attribute's values into a flat row.

Prices and metrics take the column form of the options (see `columns`): pimflow's `price@EUR` (one
column per currency) and bare `weight`, or Productsup's `price@currency` (every price of the value
in one cell, in currency order) and `weight@unit`; the cells are the same `740.00 EUR` and
`3000.00 MMT` in both.

Column names are cached per (locale, scope[, currency]) inside each encoder, so a name is built
once per codec, not once per product.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from .cells import amount_text, date_text, join_values
from .columns import CURRENCY_WORD, UNIT_WORD, ColumnRef, format_column
from .errors import ColumnError, EncodeError
from .metadata import AttributeMeta, CatalogMeta, value_kind


@dataclass(frozen=True, slots=True)
class EncodeOptions:
    separator: str
    media_prefix: str | None  # "<base>/api/rest/v1/media-files/": write download URLs, not codes
    prices_per_currency: bool  # `price@EUR` columns, else one `price` column with the collection
    productsup_columns: bool = False  # Productsup's `price@currency` and `weight@unit` columns


def _column_names(code: str, word: str | None = None):
    """Names by (locale, scope[, currency]); with `word`, every name ends with `@word`."""
    cache: dict[tuple, str] = {}

    def name(key: tuple) -> str:
        locale, scope = key[0], key[1]
        suffix = key[2] if len(key) > 2 else None
        try:
            column = format_column(ColumnRef(code, locale, scope, currency=suffix, word=word))
        except ColumnError as exc:
            raise EncodeError(f"attribute {code!r}: {exc.reason}") from None
        cache[key] = column
        return column
    return cache, name


def attribute_encoder(code: str, attribute: AttributeMeta | None, meta: CatalogMeta, opts: EncodeOptions):
    """The encoder of one attribute; attributes missing from the metadata are written by data shape."""
    if attribute is None:
        return _generic(code, opts)
    kind = value_kind(attribute.type)
    if kind == "price":
        return _prices(code, opts)
    if kind == "metric":
        return _metrics(code, meta.family_units(attribute.metric_family or ""), opts)
    if kind in ("text", "code") or (kind == "media" and opts.media_prefix is None):
        return _verbatim(code)
    return _simple(code, _CELL[kind](opts))


def _verbatim(code: str):
    """Text and codes: the cell is the data itself."""
    cache, name = _column_names(code)

    def encode(entries, row):
        for entry in entries:
            key = (entry.get("locale"), entry.get("scope"))
            column = cache.get(key) or name(key)
            data = entry.get("data")
            row[column] = data if type(data) is str else ("" if data is None else str(data))
    return encode


def _simple(code: str, cell):
    cache, name = _column_names(code)

    def encode(entries, row):
        for entry in entries:
            key = (entry.get("locale"), entry.get("scope"))
            column = cache.get(key) or name(key)
            data = entry.get("data")
            row[column] = "" if data is None else cell(data)
    return encode


def _number_cell(opts):
    return amount_text


def _boolean_cell(opts):
    return lambda data: ("true" if data else "false") if isinstance(data, bool) else str(data)


def _date_cell(opts):
    return lambda data: date_text(data) if type(data) is str else str(data)


def _codes_cell(opts):
    separator = opts.separator
    return lambda data: join_values(data, separator) if isinstance(data, (list, tuple)) else str(data)


def _media_cell(opts):
    prefix = opts.media_prefix
    return lambda data: f"{prefix}{quote(str(data), safe='/')}/download"


def _json_cell(opts):
    return lambda data: json.dumps(data, ensure_ascii=False, separators=(",", ":"))


_CELL = {
    "number": _number_cell, "boolean": _boolean_cell,
    "date": _date_cell, "codes": _codes_cell, "media": _media_cell, "json": _json_cell,
}


def _prices(code: str, opts: EncodeOptions):
    cache, name = _column_names(code, CURRENCY_WORD if opts.productsup_columns else None)
    separator, per_currency = opts.separator, opts.prices_per_currency and not opts.productsup_columns

    def encode(entries, row):
        for entry in entries:
            locale, scope, data = entry.get("locale"), entry.get("scope"), entry.get("data")
            if not data:
                key = (locale, scope)
                row[cache.get(key) or name(key)] = ""
            elif per_currency:
                for price in data:
                    amount = price.get("amount")
                    if amount is None:
                        continue
                    currency = price.get("currency")
                    key = (locale, scope, currency)
                    row[cache.get(key) or name(key)] = f"{amount_text(amount)} {currency}"
            else:
                key = (locale, scope)
                ordered = sorted((p for p in data if p.get("amount") is not None), key=_currency)
                row[cache.get(key) or name(key)] = join_values(
                    (f"{amount_text(p['amount'])} {p['currency']}" for p in ordered), separator)
    return encode


def _currency(price) -> str:
    return price.get("currency") or ""


def _metrics(code: str, units, opts: EncodeOptions):
    cache, name = _column_names(code, UNIT_WORD if opts.productsup_columns else None)
    to_common = units.to_common

    def encode(entries, row):
        for entry in entries:
            key = (entry.get("locale"), entry.get("scope"))
            column = cache.get(key) or name(key)
            data = entry.get("data")
            if not data or data.get("amount") is None:
                row[column] = ""
            else:
                row[column] = f"{amount_text(data['amount'])} {to_common(data.get('unit') or '')}"
    return encode


def _generic(code: str, opts: EncodeOptions):
    """Attributes the metadata does not know: strings, booleans, numbers and code lists by shape."""
    prices, plain = _prices(code, opts), _simple(code, _guess_cell(opts))

    def encode(entries, row):
        for entry in entries:
            data = entry.get("data")
            if isinstance(data, list) and data and all(isinstance(p, dict) and "currency" in p for p in data):
                prices([entry], row)
            else:
                plain([entry], row)
    return encode


def _guess_cell(opts: EncodeOptions):
    codes, as_json = _codes_cell(opts), _json_cell(opts)

    def cell(data):
        if isinstance(data, str):
            return data
        if isinstance(data, bool):
            return "true" if data else "false"
        if isinstance(data, (int, float)):
            return amount_text(data)
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return codes(data)
        if isinstance(data, dict) and set(data) == {"amount", "unit"}:
            return f"{amount_text(data['amount'])} {data['unit']}"
        return as_json(data)
    return cell


def skip(entries, row) -> None:
    """For the main identifier, which is written as a product-level column."""
