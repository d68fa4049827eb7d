"""The contract between the Akeneo event receiver and what consumes its asset events (profiles
scheduled on them): which asset a connection's events go to, and what each asset event's `extra`
holds. Light on purpose (no FastAPI, no database): DAG files import it.

Asset: one per Akeneo connection, `akeneo://<conn_id>/products`, its name the same string, group
`asset` (Airflow's default), so `Asset("akeneo://akeneo_default/products")` in a DAG is that asset
(`products_asset(conn_id)` builds it). It carries products and product models alike.

One asset event per delivery that names at least one product or product model not seen before
(deliveries come again; events already received are left out). Its `extra`:

```
{
  "source": "akeneo-event-platform",
  "connection": "akeneo_default",
  "events": ["018e32f9-dfe4-760e-a273-5da1c089dfdb", ...],  # ids of the events it carries, in delivery order
  "types": {"com.akeneo.pim.v1.product.updated": 2, ...},   # how many of each type
  "products": ["6a9f8486-2c36-4680-b87f-6f5f8f01b6cf", ...], # UUIDs of products created or updated
  "product_models": ["model_00001", ...],                    # codes of product models created or updated
  "deleted": {"products": [uuids], "product_models": [codes]},
  "first_time": "2026-01-31T10:00:00Z", "last_time": "2026-01-31T10:00:05Z",  # the events' own `time`
  "ignored": 0                                               # events of other types in the delivery
}
```

Akeneo's events name products by UUID only (never by identifier) and product models by code. An
entity is listed once: under `deleted` when the latest of its events in the delivery (by `time`,
then delivery order) deleted it, else under `products` / `product_models`. Events arrive out of
order and may never arrive: a consumer reads the entities' current state from Akeneo (a deleted
one is simply not found) and keeps a reconciling full sync on its schedule. `merge_extras` folds
the extras of several asset events (a run triggered by a few) into one of the same shape.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Optional

SOURCE = "akeneo-event-platform"
#: Where the API server serves a connection's receiver (`pimflow.events.receiver`).
RECEIVER_PATH = "/pimflow/events/akeneo/{conn_id}"
PRODUCT_PREFIX = "com.akeneo.pim.v1.product."
MODEL_PREFIX = "com.akeneo.pim.v1.product-model."
#: The event types the receiver turns into asset events (the others are acknowledged and ignored).
PRODUCT_TYPES = tuple(PRODUCT_PREFIX + action for action in ("created", "updated", "deleted"))
MODEL_TYPES = tuple(MODEL_PREFIX + action for action in ("created", "updated", "deleted"))


def asset_uri(conn_id: str) -> str:
    """The asset of an Akeneo connection's product changes: `akeneo://<conn_id>/products`."""
    return f"akeneo://{conn_id}/products"


def products_asset(conn_id: str):
    """The Airflow `Asset` the receiver records a connection's events on (schedule a DAG on it)."""
    from airflow.sdk import Asset

    return Asset(name=asset_uri(conn_id), uri=asset_uri(conn_id))


@dataclass(frozen=True)
class Change:
    """What one event says: which entity (`kind` "product" by UUID or "product_model" by code) was
    created, updated or deleted, and when (the event's `time`)."""

    event_id: str
    event_type: str
    kind: Optional[str]  # None: a type the receiver ignores
    key: Optional[str]
    action: Optional[str]
    time: datetime

    @classmethod
    def of(cls, event_id: str, event_type: str, data: dict, time: datetime) -> "Change":
        """Read a CloudEvent's `data` (`{"product": {"uuid"}}` or `{"product_model": {"code"}}`).
        Raises ValueError naming the field when a product event lacks its key."""
        if event_type in PRODUCT_TYPES:
            kind, field, key = "product", "data.product.uuid", (data.get("product") or {}).get("uuid")
        elif event_type in MODEL_TYPES:
            kind, field, key = "product_model", "data.product_model.code", (data.get("product_model") or {}).get("code")
        else:
            return cls(event_id, event_type, None, None, None, time)
        if not isinstance(key, str) or not key:
            raise ValueError(f"event {event_id}: {field} is missing")
        return cls(event_id, event_type, kind, key, event_type.rsplit(".", 1)[1], time)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def delivery_extra(conn_id: str, changes: Iterable[Change]) -> Optional[dict]:
    """The asset event `extra` for the new events of one delivery; None when none of them is about a
    product or a product model (nothing to record)."""
    changes = list(changes)
    relevant = [change for change in changes if change.kind is not None]
    if not relevant:
        return None
    latest: dict[tuple[str, str], tuple[datetime, int, str]] = {}  # in order of first mention
    for position, change in enumerate(relevant):
        entity = (change.kind, change.key)
        if entity not in latest or (change.time, position) >= latest[entity][:2]:
            latest[entity] = (change.time, position, change.action)
    extra = {"source": SOURCE, "connection": conn_id, "events": [c.event_id for c in relevant], "types": {},
             "products": [], "product_models": [], "deleted": {"products": [], "product_models": []},
             "first_time": iso(min(c.time for c in relevant)), "last_time": iso(max(c.time for c in relevant)),
             "ignored": len(changes) - len(relevant)}
    for change in relevant:
        extra["types"][change.event_type] = extra["types"].get(change.event_type, 0) + 1
    for (kind, key), (_, _, action) in latest.items():
        bucket = extra["deleted"] if action == "deleted" else extra
        bucket["products" if kind == "product" else "product_models"].append(key)
    return extra


def merge_extras(extras: Iterable[dict]) -> dict:
    """Several asset events' extras as one, in the order given (oldest first): each entity once, where
    its latest mention puts it (an entity deleted and then re-created is live again)."""
    merged = {"source": SOURCE, "connection": None, "events": [], "types": {}, "ignored": 0,
              "first_time": None, "last_time": None}
    seen: set = set()  # the event ids in merged["events"]: a burst of thousands stays linear
    # per kind, each entity's latest word (deleted or not), in order of that word: dicts keep the
    # order of insertion, so popping and re-inserting moves an entity to the end
    latest: dict[str, dict[str, bool]] = {"products": {}, "product_models": {}}
    for extra in extras:
        merged["connection"] = merged["connection"] or extra.get("connection")
        new = [e for e in extra.get("events", []) if e not in seen]
        merged["events"] += new
        seen.update(new)
        for event_type, count in extra.get("types", {}).items():
            merged["types"][event_type] = merged["types"].get(event_type, 0) + count
        merged["ignored"] += extra.get("ignored", 0)
        for bound, pick in (("first_time", min), ("last_time", max)):
            if extra.get(bound):
                merged[bound] = pick(filter(None, (merged[bound], extra[bound])))
        for kind, words in latest.items():
            for key, deleted in [*((k, False) for k in extra.get(kind, [])),
                                 *((k, True) for k in extra.get("deleted", {}).get(kind, []))]:
                words.pop(key, None)
                words[key] = deleted
    for kind, words in latest.items():
        merged[kind] = [key for key, deleted in words.items() if not deleted]
    merged["deleted"] = {kind: [key for key, deleted in words.items() if deleted] for kind, words in latest.items()}
    return merged
