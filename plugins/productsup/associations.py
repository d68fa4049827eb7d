"""Association columns of the flat format, as in Akeneo's own CSV exports.

`{TYPE}-products`, `{TYPE}-product_models` and `{TYPE}-groups` list associated codes joined by the
value separator (`UPSELL-products` = `sku1<###>sku2`). For a quantified association type (bundles,
kits) each entry carries its quantity after a pipe: `PACK-products` = `sku1|2<###>sku2|1`.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from .cells import join_values, split_values

ASSOCIATION_COLUMN = re.compile(r"^(?P<type>[A-Za-z0-9_]+)-(?P<kind>products|product_models|groups)$")
PLAIN_KINDS = ("products", "product_models", "groups")
QUANTIFIED_KINDS = ("products", "product_models")
QUANTITY_SEPARATOR = "|"


def association_column(name: str, association_types: Mapping[str, bool] | None) -> tuple[str, str] | None:
    """(type, kind) when the column names an association; None for any other column.

    With known association types, only their columns are association columns (an attribute
    code may contain a dash-free name like `X_SELL` but never a dash, so nothing is shadowed)."""
    match = ASSOCIATION_COLUMN.match(name)
    if match is None:
        return None
    if association_types is not None and match["type"] not in association_types:
        return None
    return match["type"], match["kind"]


def encode_associations(product: Mapping[str, Any], row: dict[str, str], separator: str) -> None:
    """Add the product's (quantified) associations to a flat row, one column per type and kind."""
    for kind_of, quantified in (("associations", False), ("quantified_associations", True)):
        for type_code, links in (product.get(kind_of) or {}).items():
            for kind in (QUANTIFIED_KINDS if quantified else PLAIN_KINDS):
                entries = links.get(kind) or []
                if not entries:
                    continue
                if quantified:
                    items = [f"{_entry_code(entry)}{QUANTITY_SEPARATOR}{entry.get('quantity')}" for entry in entries]
                else:
                    items = [str(entry) for entry in entries]
                row[f"{type_code}-{kind}"] = join_values(items, separator)


def _entry_code(entry: Mapping[str, Any]) -> str:
    return str(entry.get("identifier") or entry.get("uuid") or "")


def decode_association(cell: str, separator: str, quantified: bool, kind: str, by_uuid: bool
                       ) -> tuple[list | None, str | None]:
    """The list an association cell gives, or (None, reason) when an entry is malformed."""
    items = split_values(cell, separator)

    def where(item: str) -> str:  # the cell is quoted with the problem; name the entry when there are several
        return f"{item!r}: " if len(items) > 1 else ""

    if not quantified:
        bad = [item for item in items if QUANTITY_SEPARATOR in item]
        if bad:
            return None, f"{where(bad[0])}this association type has no quantities (write the codes only)"
        return items, None
    entries = []
    for item in items:
        code, pipe, quantity = item.rpartition(QUANTITY_SEPARATOR)
        if not pipe or not code.strip():
            return None, f"{where(item)}a quantified association needs code{QUANTITY_SEPARATOR}quantity"
        try:
            number = int(quantity.strip())
        except ValueError:
            number = 0
        if number < 1:
            return None, f"{where(item)}the quantity {quantity.strip()!r} is not a whole number of at least 1"
        key = "uuid" if by_uuid and kind == "products" else "identifier"
        entries.append({key: code.strip(), "quantity": number})
    return entries, None
