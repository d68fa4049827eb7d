"""Decoding plans: the steps of one header, parsed once, then run over a batch of rows column by
column (a fast path per column, the careful decoder for the cells it leaves) before each row's
values are assembled in Akeneo's shape `{code: [{"locale", "scope", "data"}]}`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from .associations import association_column, decode_association
from .cells import BOOLEANS, split_values
from .columns import PRICE_TYPE, ColumnRef, attribute_code, parse_column
from .decoders import SKIP, CellProblem, DecodedRow, DecodeOptions, cell_decoder
from .errors import ColumnError
from .fastpaths import column_fast_path, fast_code
from .metadata import CatalogMeta, value_kind

PRODUCT_FIELDS = ("uuid", "family", "family_variant", "categories", "enabled", "parent")
BLANK = object()  # the data of a blank cell when blank cells clear values
APPEND = False  # a step's `put` when several columns add values of one attribute
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(slots=True)
class _Step:
    index: int  # position in the header
    decode: Any  # careful decoder: (cell, product, problems) -> data | SKIP
    fast: Any = None  # whole-column fast path, or None
    code: str | None = None  # attribute code when the step yields values; None for product fields
    locale: str | None = None
    scope: str | None = None
    put: Any = None  # None: assign; APPEND; or a function merging values several columns give
    clear: Any = None  # (product, values, problems) for blank cells when they clear


class DecodePlan:
    """The decoding steps of one header, aligned with its columns."""

    def __init__(self, meta: CatalogMeta, opts: DecodeOptions, identifier_column: str, ignore_unknown: bool,
                 columns: Sequence[str]):
        self.columns = tuple(columns)
        self.identifier_column = identifier_column
        self.by_uuid, self.clear = opts.by_uuid, opts.clear
        self.blank = BLANK if opts.clear else SKIP
        self.column_problems: list[CellProblem] = []
        steps: list[_Step] = []
        refs: dict[int, ColumnRef] = {}
        fields_seen: set[str] = set()
        for i, column in enumerate(self.columns):
            name = str(column).strip()
            field = _product_field(name, identifier_column, meta)
            if field is not None:
                if field in fields_seen:
                    steps.append(self._bad(i, column, f"the {field} is given twice"))
                else:
                    fields_seen.add(field)
                    steps.append(_field_step(i, field, column, identifier_column, opts, meta))
            elif (association := association_column(name, meta.association_types)) is not None:
                if association in fields_seen:
                    steps.append(self._bad(i, column, f"the {'-'.join(association)} association is given twice"))
                else:
                    fields_seen.add(association)
                    steps.append(_association_step(i, column, *association, meta, opts))
            elif ignore_unknown and meta.find_attribute(attribute_code(name)) is None:
                continue
            else:
                try:
                    refs[i] = parse_column(name, meta)
                except ColumnError as exc:
                    steps.append(self._bad(i, column, exc.reason))
        groups: dict[tuple, list[int]] = {}
        for i, ref in refs.items():
            groups.setdefault((ref.code, ref.locale, ref.scope), []).append(i)
        for i, ref in refs.items():
            others = tuple(self.columns[j] for j in groups[(ref.code, ref.locale, ref.scope)] if j != i)
            steps.append(_attribute_step(i, self.columns[i], ref, meta, opts, others))
        steps.sort(key=lambda step: step.index)  # problems come in column order
        columns_per_code: dict[str, int] = {}
        for step in steps:
            if step.code is not None:
                columns_per_code[step.code] = columns_per_code.get(step.code, 0) + 1
        for step in steps:
            if step.code is not None and step.put is None and columns_per_code[step.code] > 1:
                step.put = APPEND
        self.steps = steps
        self.valued = [s for s in steps if s.code is not None]

    def _bad(self, index: int, column: str, reason: str) -> _Step:
        self.column_problems.append(CellProblem(column, "", reason))

        def decode(cell, product, problems):
            problems.append(CellProblem(column, cell, reason))
            return SKIP
        return _Step(index, decode)

    def decode_batch(self, rows: Sequence[Sequence[Any]]) -> list[DecodedRow]:
        """Decode rows of cells aligned with the header (short rows are padded with empty cells)."""
        width = len(self.columns)
        columns = list(zip(*(row if len(row) == width else _fit(row, width) for row in rows)))
        return self.decode_columns(columns or [()] * width, len(rows))

    def decode_columns(self, cells_by_column: list[Sequence[Any]], n: int) -> list[DecodedRow]:
        """Decode a batch of `n` rows given column by column (each column holds one cell per row)."""
        if n == 0:
            return []
        products: list[dict] = [{} for _ in range(n)]
        problems: list[list] = [[] for _ in range(n)]
        blank = self.blank
        datas_by_step = []
        for step in self.steps:
            column = cells_by_column[step.index]
            if set(map(type, column)) != {str}:
                column = cells_by_column[step.index] = list(map(_as_text, column))
            datas = step.fast(column, blank) if step.fast is not None else None
            decode = step.decode
            if datas is None:
                datas = [blank if not cell or cell.isspace() else decode(cell, product, found)
                         for cell, product, found in zip(column, products, problems)]
            elif None in datas:  # the cells the fast path left to the careful decoder
                i = -1
                for _ in range(datas.count(None)):
                    i = datas.index(None, i + 1)
                    cell = column[i]
                    datas[i] = blank if not cell or cell.isspace() else decode(cell, products[i], problems[i])
            if step.code is not None:
                datas_by_step.append(datas)
            elif step.clear is not None and blank in datas:
                for i, data in enumerate(datas):
                    if data is blank:
                        step.clear(products[i], None, problems[i])
        self._assemble(products, problems, datas_by_step, cells_by_column)
        return [DecodedRow(product, found) for product, found in zip(products, problems)]

    def _assemble(self, products, problems, datas_by_step, cells_by_column) -> None:
        """Store each valued column's data into its rows' values, column after column (the loop
        invariants stay out of the per-cell work, and each row still gets its values in column order)."""
        skip, blank = SKIP, self.blank
        all_values: list[dict] = [{} for _ in products]
        for step, datas in zip(self.valued, datas_by_step):
            code, locale, scope, put = step.code, step.locale, step.scope, step.put
            if put is None:
                for values, data in zip(all_values, datas):
                    if data is not skip and data is not blank:
                        values[code] = [{"locale": locale, "scope": scope, "data": data}]
            elif put is APPEND:
                for values, data in zip(all_values, datas):
                    if data is not skip and data is not blank:
                        existing = values.get(code)
                        if existing is None:
                            values[code] = [{"locale": locale, "scope": scope, "data": data}]
                        else:
                            existing.append({"locale": locale, "scope": scope, "data": data})
            else:
                column = cells_by_column[step.index]
                for i, data in enumerate(datas):
                    if data is not skip and data is not blank:
                        put(all_values[i], data, column[i], problems[i])
            if step.clear is not None and blank is not skip:
                for i, data in enumerate(datas):
                    if data is blank:
                        step.clear(products[i], all_values[i], problems[i])
        identifier, by_uuid = self.identifier_column, self.by_uuid
        for product, values, found in zip(products, all_values, problems):
            product["values"] = values
            if not ("identifier" in product or "uuid" in product or identifier in values):
                reason = ("the product needs a uuid or an identifier" if by_uuid
                          else f"the identifier (column {identifier!r}) is empty")
                found.append(CellProblem(identifier, "", reason))


def _fit(row: Sequence[Any], width: int) -> list:
    row = list(row)
    return row[:width] if len(row) > width else row + [""] * (width - len(row))


def _as_text(cell: Any) -> str:
    if type(cell) is str:
        return cell
    if cell is None or cell != cell:  # None and NaN (pandas' missing cell) are empty
        return ""
    return str(cell)


def _product_field(name: str, identifier_column: str, meta: CatalogMeta) -> str | None:
    if name == identifier_column or (name == "sku" and "sku" not in meta.attributes):
        return "identifier"
    return name if name in PRODUCT_FIELDS else None


def _attribute_step(index: int, column: str, ref: ColumnRef, meta: CatalogMeta, opts: DecodeOptions,
                    others: tuple[str, ...]) -> _Step:
    attribute = meta.attributes[ref.code]
    kind = value_kind(attribute.type)
    shared = make_put(ref, column, others, prices=attribute.type == PRICE_TYPE)
    step = _Step(index, cell_decoder(column, ref, attribute, meta, opts),
                 column_fast_path(kind, attribute, meta, ref, opts),
                 ref.code, ref.locale, ref.scope, shared if others else None)
    if opts.clear:
        if kind == "price" and ref.currency is not None:
            cleared_currency = ref.currency
            step.clear = lambda product, values, problems: shared(
                values, [{"amount": None, "currency": cleared_currency}], "", problems)
        else:
            step.clear = lambda product, values, problems: shared(values, None, "", problems)
    return step


def make_put(ref: ColumnRef, column: str, others: tuple[str, ...], prices: bool = False):
    """`put(values, data, cell, problems)` storing one value; with `others` (columns giving the same
    value) it reports clashes, and prices given one currency per column merge into one collection."""
    code, locale, scope = ref.code, ref.locale, ref.scope
    reason = f"the same value is also given in column {', '.join(map(repr, others))}"

    def put(values, data, cell, problems):
        existing = values.get(code)
        if existing is None:
            values[code] = [{"locale": locale, "scope": scope, "data": data}]
            return
        for entry in existing:
            if entry["locale"] == locale and entry["scope"] == scope:
                old = entry["data"]
                if old is None:  # a blank cell that clears loses against a given value
                    entry["data"] = data
                elif data is None:
                    pass
                elif not (prices and _merge_prices(old, data)):
                    problems.append(CellProblem(column, cell, reason))
                return
        existing.append({"locale": locale, "scope": scope, "data": data})
    return put


def _merge_prices(old: list, new: list) -> bool:
    """Add `new` prices to `old` in place, kept in currency order (a cleared currency loses to a
    given one); False on a real clash."""
    for price in new:
        currency = price["currency"]
        for i, known in enumerate(old):
            if known["currency"] == currency:
                if price["amount"] is None:
                    break
                if known["amount"] is not None:
                    return False
                old[i] = price
                break
        else:
            old.append(price)
            if len(old) > 1 and old[-2]["currency"] > currency:
                old.sort(key=lambda p: p["currency"])
    return True


def _field_step(index: int, field: str, column: str, identifier_column: str, opts: DecodeOptions,
                meta: CatalogMeta) -> _Step:
    """A product-level column: its decoder fills the product and yields no value."""
    def refuse(problems, cell, reason):
        problems.append(CellProblem(column, cell, reason))
        return SKIP

    if field == "identifier":
        if opts.by_uuid:  # the products-uuid API carries the main identifier as a value
            return _Step(index, lambda cell, product, problems: cell.strip(), fast_code, identifier_column)

        def identifier(cell, product, problems):
            product["identifier"] = cell.strip()
            return SKIP
        return _Step(index, identifier)
    if field == "uuid":
        def uuid(cell, product, problems):
            text = cell.strip()
            if not _UUID.fullmatch(text):
                return refuse(problems, cell, "not a UUID, like 0b5d3bd8-6c41-4d6a-9f2b-2d7e0c5c1a7e")
            product["uuid"] = text
            return SKIP
        return _Step(index, uuid)
    if field == "enabled":
        def enabled(cell, product, problems):
            value = BOOLEANS.get(cell.strip().lower())
            if value is None:
                return refuse(problems, cell, "not a boolean: write true or false (or 1 or 0)")
            product["enabled"] = value
            return SKIP
        return _Step(index, enabled)
    if field == "categories":
        separator, known = opts.separator, _known_codes(meta.categories)

        def categories(cell, product, problems):
            codes = split_values(cell, separator)
            if known is not None:
                unknown = [code for code in codes if code not in known]
                if unknown:
                    return refuse(problems, cell, f"unknown categor{'ies' if len(unknown) > 1 else 'y'} "
                                                  f"{', '.join(map(repr, unknown))}")
            product["categories"] = codes
            return SKIP

        def no_categories(product, values, problems):
            product["categories"] = []
        return _Step(index, categories, clear=no_categories if opts.clear else None)

    families = _known_codes(meta.families) if field == "family" else None

    def code(cell, product, problems):  # family, parent
        text = cell.strip()
        if families is not None and text not in families:
            return refuse(problems, cell, f"unknown family {text!r}")
        product[field] = text
        return SKIP

    def no_family(product, values, problems):
        product["family"] = None
    # Clearing `parent` would turn a variant into a simple product: a blank cell never does that.
    return _Step(index, code, clear=no_family if opts.clear and field == "family" else None)


def _association_step(index: int, column: str, type_code: str, kind: str, meta: CatalogMeta,
                      opts: DecodeOptions) -> _Step:
    """An association column: fills `associations` (or `quantified_associations`) of the product."""
    quantified = bool((meta.association_types or {}).get(type_code))
    holder = "quantified_associations" if quantified else "associations"

    def put(product, entries):
        product.setdefault(holder, {}).setdefault(type_code, {})[kind] = entries

    def associate(cell, product, problems):
        entries, reason = decode_association(cell, opts.separator, quantified, kind, opts.by_uuid)
        if reason is not None:
            problems.append(CellProblem(column, cell, reason))
        else:
            put(product, entries)
        return SKIP

    def dissociate(product, values, problems):
        put(product, [])
    return _Step(index, associate, clear=dissociate if opts.clear else None)


def _known_codes(codes: frozenset[str] | None) -> frozenset[str] | None:
    return codes if codes else None  # an empty list (not fetched) checks nothing
