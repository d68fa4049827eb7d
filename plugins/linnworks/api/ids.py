"""Deterministic ids for the rows Linnworks wants the client to name (`StockItemId`, `pkRowId`).

Linnworks makes the client choose these GUIDs (omitting them fails, or collides on the zero GUID).
Deriving them with UUID5 from what identifies the row means that a retry after a lost response,
or a re-run of the same load, addresses the same row instead of creating a second one.

Items derive from their SKU. Rows of an item (prices, titles, descriptions) derive from the item's
StockItemId plus the row's key: that id is on every row the client handles, is itself derived from
the SKU for items pimflow created, and is stable for items made elsewhere. (Extended properties are
named by Linnworks: their create call takes no pkRowId; see `content`.)

Caveat: a SKU deleted in Linnworks and created again gets the same StockItemId; if Linnworks keeps
soft-deleted rows, that create is refused as a duplicate key and needs a person to look.
"""
from __future__ import annotations

import uuid

# Fixed forever: changing it would give every existing row a new id.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:pimflow:linnworks")
_SEP = "\x1f"  # unit separator: not found in SKUs or channel names, so parts never run together


def _derive(kind: str, *parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, _SEP.join((kind, *parts))))


def stock_item_id(sku: str) -> str:
    return _derive("item", sku)


def price_row_id(stock_item_id: str, source: str = "", sub_source: str = "", tag: str = "") -> str:
    return _derive("price", stock_item_id.lower(), source, sub_source, tag)


def title_row_id(stock_item_id: str, source: str = "", sub_source: str = "") -> str:
    return _derive("title", stock_item_id.lower(), source, sub_source)


def description_row_id(stock_item_id: str, source: str = "", sub_source: str = "") -> str:
    return _derive("description", stock_item_id.lower(), source, sub_source)


def category_id(name: str) -> str:
    """A category named `name` that pimflow creates: the same name always gets the same id."""
    return _derive("category", name)
