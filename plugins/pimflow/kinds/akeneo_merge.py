"""Partial updates that Akeneo would take as whole ones.

Akeneo replaces a value whole: a price collection sent with EUR only leaves the product with EUR
only (https://api.akeneo.com/documentation/update.html: non-object data replaces). A flat line
gives prices one currency at a time (`price@EUR`, `price@USD`, an empty cell meaning "no change")
or as a cell naming some currencies, so before a line goes out each price collection it gives is
completed with the currencies Akeneo holds and the line did not mention. A currency the line
clears (an empty `price@USD` with `empty_cells: clear`, sent with a null amount) stays cleared, and
a value the line clears whole stays null. Price collections are the only values a line can give in
part: every other value comes whole from one cell, and objects (associations) Akeneo merges itself.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

PRICE_TYPE = "pim_catalog_price_collection"


def price_codes(meta) -> frozenset[str]:
    """The catalog's price collection attributes: the values a line may give in part."""
    return frozenset(code for code, attribute in meta.attributes.items() if attribute.type == PRICE_TYPE)


def partial_codes(values: Mapping, prices: frozenset[str]) -> list[str]:
    """The attributes of `values` a line may give in part (`prices`: `price_codes` of the catalog)."""
    return [code for code in values if code in prices]


def complete(record: dict, current: Mapping | None, codes: Iterable[str]) -> bool:
    """Complete, in place, the price collections `codes` of `record` with the prices `current` (the
    entity as Akeneo answers it) holds in currencies the record does not mention. True when a
    collection gained a price."""
    if not current:
        return False  # a new entity: nothing to keep
    held = current.get("values") or {}
    values = record.get("values") or {}
    grown = False
    for code in codes:
        entries = values.get(code)
        if not entries:
            continue
        kept_by_slot = {(e.get("locale"), e.get("scope")): e.get("data") for e in held.get(code) or ()}
        completed = []
        for entry in entries:
            prices = entry.get("data")
            old = kept_by_slot.get((entry.get("locale"), entry.get("scope"))) or []
            if prices is None or not isinstance(old, list):  # the line clears the whole value
                completed.append(entry)
                continue
            mentioned = {price.get("currency") for price in prices}
            kept = [price for price in old if isinstance(price, Mapping) and price.get("currency") not in mentioned
                    and price.get("amount") is not None]
            if kept:
                grown = True
                prices = sorted([*prices, *kept], key=lambda price: price.get("currency") or "")
            completed.append({**entry, "data": prices})
        values[code] = completed
    return grown
