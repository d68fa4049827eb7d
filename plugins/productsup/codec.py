"""The flat-format codec: Akeneo products ⇄ flat rows addressed `code~locale~scope[@currency|@unit]`
(pimflow's `price@EUR`, or Productsup's literal `price@currency` and `weight@unit`: see `columns`).

A row is a whole product: the identifier column (the identifier attribute's code, `sku` by
default), optional `uuid`, `family`, `family_variant`, `categories`, `enabled`, `parent`, then one
column per value and the association columns (`UPSELL-products`, `PACK-products` as `sku|qty`, see
`associations`). A product model is a row with a `family_variant`: its code is in the identifier column.
Cells: prices `740.00 EUR`, metrics `3000.00 MMT` (UN/CEFACT or Akeneo unit codes), several values
joined by the value separator (escaping: see `cells`), booleans `true`/`false`, dates `2026-01-31`.

Encoding writes one string cell per value. Decoding checks every cell against the catalog
metadata and reports all problems of a row at once; the product it returns holds only the valid
cells, so a row with problems should be refused as a whole. Headers are parsed once per chunk
(decoding plans are cached per header), column names once per codec.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from itertools import chain, repeat
from typing import Any, Iterable, Literal, Mapping, Sequence

from .associations import encode_associations
from .cells import join_values
from .decoders import CellProblem, DecodedRow, DecodeOptions
from .encoders import EncodeOptions, attribute_encoder, skip
from .metadata import CatalogMeta
from .plan import PRODUCT_FIELDS, DecodePlan

__all__ = ["FlatCodec", "CellProblem", "DecodedRow", "PRODUCT_FIELDS"]

MEDIA_PATH = "/api/rest/v1/media-files/"
_PLAN_CACHE_SIZE = 64
BATCH_ROWS = 10_000  # rows decoded together: bounds the memory of the column-wise pass


class FlatCodec:
    """Encode and decode products in the flat format, for one catalog.

    - `value_separator` joins several values in one cell (see `cells` for the escaping rule);
    - `empty_cell`: "no_change" (default) leaves values of empty cells untouched, "clear" sends
      null data (and an empty family / category list) the way Akeneo clears a value;
    - `media_base_url`: images and files are written as download URLs under this Akeneo base URL
      (such URLs are read back as media codes); without it, as media file codes;
    - `product_id`: "identifier" puts the main identifier in the product's `identifier` field,
      "uuid" puts it in `values` (the products-uuid API shape);
    - `prices`: "per_currency" writes `price@EUR` columns, "collection" one `price` column;
    - `column_form`: "pimflow" (default) names price and metric columns as `prices` says and bare
      (`weight`); "productsup" the way Productsup's Akeneo export does, with the literal words
      `price@currency` (the value's prices in one cell, `740.00 EUR<###>800.00 USD`) and
      `weight@unit` (`3000.00 MMT`). Decoding reads both forms whatever this says;
    - `unknown_columns`: "report" (default) or "ignore" columns naming no known attribute.
    """

    def __init__(
        self,
        meta: CatalogMeta,
        value_separator: str = "<###>",
        empty_cell: Literal["no_change", "clear"] = "no_change",
        media_base_url: str | None = None,
        product_id: Literal["identifier", "uuid"] = "identifier",
        prices: Literal["per_currency", "collection"] = "per_currency",
        unknown_columns: Literal["report", "ignore"] = "report",
        column_form: Literal["pimflow", "productsup"] = "pimflow",
    ):
        if not value_separator or "\\" in value_separator or value_separator != value_separator.strip():
            raise ValueError("value_separator must be non-blank text without a backslash or outer spaces")
        for name, given, allowed in (("empty_cell", empty_cell, ("no_change", "clear")),
                                     ("product_id", product_id, ("identifier", "uuid")),
                                     ("prices", prices, ("per_currency", "collection")),
                                     ("unknown_columns", unknown_columns, ("report", "ignore")),
                                     ("column_form", column_form, ("pimflow", "productsup"))):
            if given not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {given!r}")
        self.meta = meta
        self.separator = value_separator
        self.identifier_column = meta.identifier
        media_prefix = media_base_url.rstrip("/") + MEDIA_PATH if media_base_url else None
        self._by_uuid = product_id == "uuid"
        self._ignore_unknown = unknown_columns == "ignore"
        self._encode_opts = EncodeOptions(value_separator, media_prefix, prices == "per_currency",
                                          column_form == "productsup")
        self._decode_opts = DecodeOptions(value_separator, empty_cell == "clear", media_prefix, self._by_uuid)
        self._encoders: dict[str, Any] = {self.identifier_column: skip}
        self._plans: dict[tuple[str, ...], DecodePlan] = {}

    # ----- encoding

    def encode(self, product: Mapping[str, Any]) -> dict[str, str]:
        """One product (Akeneo standard format) as a flat row of strings."""
        row: dict[str, str] = {}
        values = product.get("values") or {}
        identifier = product.get("identifier")
        if identifier is None:
            identifier = product.get("code") if "family_variant" in product else None
        if identifier is None:
            identifier = _main_identifier(values.get(self.identifier_column))
        if identifier is not None:
            row[self.identifier_column] = identifier if type(identifier) is str else str(identifier)
        if product.get("uuid") is not None:
            row["uuid"] = str(product["uuid"])
        if "family" in product:
            row["family"] = product["family"] or ""
        if product.get("family_variant"):
            row["family_variant"] = product["family_variant"]
        if "categories" in product:
            row["categories"] = join_values(product["categories"] or (), self.separator)
        if "enabled" in product:
            enabled = product["enabled"]
            row["enabled"] = "" if enabled is None else ("true" if enabled else "false")
        if "parent" in product:
            row["parent"] = product["parent"] or ""
        encoders = self._encoders
        for code, entries in values.items():
            encode = encoders.get(code) or self._encoder(code)
            encode(entries, row)
        if product.get("associations") or product.get("quantified_associations"):
            encode_associations(product, row, self.separator)
        return row

    def encode_many(self, products: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
        encode = self.encode
        return [encode(product) for product in products]

    def encode_frame(self, products: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None):
        """Products as a DataFrame of strings (empty cells are ""); columns default to `columns_of`."""
        import pandas as pd

        rows = self.encode_many(products)
        frame = pd.DataFrame.from_records(rows, columns=list(columns) if columns else self.columns_of(rows))
        return frame.fillna("").astype(object)

    def columns_of(self, rows: Iterable[Mapping[str, str]]) -> list[str]:
        """The columns of encoded rows: product fields first, then attribute columns sorted by name."""
        seen: dict[str, None] = {}
        for row in rows:
            seen.update(dict.fromkeys(row))
        fixed = [c for c in (self.identifier_column, *PRODUCT_FIELDS) if c in seen]
        return fixed + sorted(c for c in seen if c not in fixed)

    def _encoder(self, code: str):
        encoder = attribute_encoder(code, self.meta.attributes.get(code), self.meta, self._encode_opts)
        self._encoders[code] = encoder
        return encoder

    # ----- decoding

    def decode(self, row: Mapping[str, Any]) -> DecodedRow:
        """One flat row (column → cell) as a product and the problems of its cells."""
        return self._plan(tuple(row)).decode_batch([list(row.values())])[0]

    def decode_many(self, rows, columns: Sequence[str] | None = None) -> list[DecodedRow]:
        """Decode a DataFrame, sequences of cells under `columns`, or mappings (column → cell)."""
        with gc_paused():
            if hasattr(rows, "columns") and hasattr(rows, "iloc"):
                plan = self._plan(tuple(str(c) for c in rows.columns))
                # each column as one object array (an extension array's tolist boxes cell by cell)
                cells = [rows.iloc[:, i].to_numpy(dtype=object) for i in range(rows.shape[1])]
                out: list[DecodedRow] = []
                for start in range(0, len(rows), BATCH_ROWS):
                    part = [column[start:start + BATCH_ROWS].tolist() for column in cells]
                    out += plan.decode_columns(part, min(BATCH_ROWS, len(rows) - start))
                return out
            if columns is not None:
                plan, rows = self._plan(tuple(columns)), rows if isinstance(rows, list) else list(rows)
                out = []
                for start in range(0, len(rows), BATCH_ROWS):
                    out += plan.decode_batch(rows[start:start + BATCH_ROWS])
                return out
            return self._decode_mappings(rows)

    def _decode_mappings(self, rows: Iterable[Mapping[str, Any]]) -> list[DecodedRow]:
        """Mappings are decoded under the union of their columns (a missing column is an empty cell)."""
        rows = rows if isinstance(rows, list) else list(rows)
        header = list(dict.fromkeys(chain.from_iterable(rows)))
        plan, blanks = self._plan(tuple(header)), repeat("")
        out: list[DecodedRow] = []
        for start in range(0, len(rows), BATCH_ROWS):
            batch = [list(map(row.get, header, blanks)) for row in rows[start:start + BATCH_ROWS]]
            out += plan.decode_batch(batch)
        return out

    def column_problems(self, columns: Sequence[str]) -> list[CellProblem]:
        """Problems of a header as a whole (unknown attributes, bad locales...), with empty values."""
        return list(self._plan(tuple(columns)).column_problems)

    def _plan(self, columns: tuple[str, ...]) -> DecodePlan:
        plan = self._plans.get(columns)
        if plan is None:
            if len(self._plans) >= _PLAN_CACHE_SIZE:
                self._plans.clear()
            plan = self._plans[columns] = DecodePlan(self.meta, self._decode_opts, self.identifier_column,
                                                     self._ignore_unknown, columns)
        return plan


@contextmanager
def gc_paused():
    """Batch work builds hundreds of thousands of small dicts and lists, none in a cycle.

    CPython's cycle collector would rescan the growing result again and again (3x slower), so it
    waits. On the way out, the new objects are moved to the oldest generation without a scan
    (`freeze` + `unfreeze`), which the collector would otherwise do at once (a quarter of the
    time); this is skipped when the process keeps frozen objects of its own (pre-fork servers)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _main_identifier(entries) -> Any:
    for entry in entries or ():
        if entry.get("locale") is None and entry.get("scope") is None:
            return entry.get("data")
    return None
