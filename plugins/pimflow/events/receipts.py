"""What the receiver remembers: one receipt per event id and connection, in a small table of its own
in Airflow's metadata database (`pimflow_akeneo_event_receipt`), written in the same transaction as
the asset event. So a delivery that comes again (the platform delivers at least once) records
nothing new, two API servers taking the same delivery at once record it once (the primary key
refuses the second: it is retried and finds the receipts), and a delivery that failed to record
leaves no receipt behind, so the platform's retry records it.

Receipts are kept `RETENTION` seconds (7 days, far beyond any freshness window: an event old enough
to be forgotten is refused as stale) and pruned at most once an hour per process.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, delete, insert, select

from pimflow.events.contract import Change, asset_uri, delivery_extra

RETENTION = 7 * 86400.0
PRUNE_EVERY = 3600.0

metadata = MetaData()
receipts = Table(
    "pimflow_akeneo_event_receipt", metadata,
    Column("conn_id", String(250), primary_key=True),
    Column("event_id", String(200), primary_key=True),
    Column("received_at", Float, nullable=False),
    Column("asset_event_id", Integer, nullable=True),
    Index("idx_pimflow_akeneo_event_receipt_received_at", "received_at"),
)

_created: set[int] = set()
_lock = threading.Lock()
_last_prune: dict[str, float] = {}


def ensure_table(engine) -> None:
    """Create the receipts table when the database lacks it (once per engine and process)."""
    with _lock:
        if id(engine) in _created:
            return
        metadata.create_all(engine, checkfirst=True)
        _created.add(id(engine))


@dataclass
class Recorded:
    """What a delivery left: the event ids newly received, how many were already known, and the
    asset event it produced (None when nothing in it was about a product or a product model)."""

    new: list[str] = field(default_factory=list)
    duplicates: int = 0
    asset_event_id: Optional[int] = None
    extra: Optional[dict] = None


def record_delivery(session, conn_id: str, changes: list[Change], now: float) -> Recorded:
    """Take the delivery's events not received before; record their asset event and receipts.
    Runs inside the caller's transaction (an IntegrityError means another process took some of the
    same events first: roll back and call again)."""
    ids = list(dict.fromkeys(change.event_id for change in changes))
    known = set(session.scalars(select(receipts.c.event_id).where(receipts.c.conn_id == conn_id,
                                                                   receipts.c.event_id.in_(ids))))
    fresh, taken = [], set(known)
    for change in changes:
        if change.event_id not in taken:
            taken.add(change.event_id)
            fresh.append(change)
    result = Recorded(duplicates=len(changes) - len(fresh))
    if not fresh:
        return result
    result.new = [change.event_id for change in fresh]
    result.extra = delivery_extra(conn_id, fresh)
    if result.extra is not None:
        result.asset_event_id = _asset_event(session, conn_id, result.extra)
    session.execute(insert(receipts), [{"conn_id": conn_id, "event_id": event_id, "received_at": now,
                                        "asset_event_id": result.asset_event_id} for event_id in result.new])
    _prune(session, conn_id, now)
    return result


def _asset_event(session, conn_id: str, extra: dict) -> int:
    """Record the asset event through Airflow's asset manager, as `POST /api/v2/assets/events` does
    (it also queues the runs of the DAGs scheduled on the asset). The asset is created when no DAG
    declared it yet, so no event is lost before a profile opts in."""
    from airflow.assets.manager import asset_manager
    from airflow.models.asset import AssetModel
    from airflow.serialization.definitions.assets import SerializedAsset

    uri = asset_uri(conn_id)
    asset = session.scalar(select(AssetModel).where(AssetModel.name == uri, AssetModel.uri == uri).limit(1))
    if asset is None:
        [asset] = asset_manager.create_assets(
            [SerializedAsset(name=uri, uri=uri, group="asset", extra={}, watchers=[])], session=session)
        session.flush()
    event = asset_manager.register_asset_change(asset=asset, extra=extra, source_is_api=True,
                                                api_user_teams=set(), session=session)
    if event is None:  # the asset manager could not find what it was given: never answer "recorded"
        raise RuntimeError(f"Airflow recorded no asset event for {uri}")
    return event.id


def _prune(session, conn_id: str, now: float) -> None:
    if now - _last_prune.get(conn_id, float("-inf")) < PRUNE_EVERY:
        return
    session.execute(delete(receipts).where(receipts.c.conn_id == conn_id, receipts.c.received_at < now - RETENTION))
    _last_prune[conn_id] = now
