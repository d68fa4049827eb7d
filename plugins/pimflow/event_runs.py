"""Profiles that run on Akeneo's events (`source.events: true`): the asset their DAG is scheduled on,
and what the events that started a run name.

The receiver (`pimflow.events`) records each delivery as an asset event on
`akeneo://<conn_id>/products`; a profile that opts in is scheduled on that asset *and* its cron
(`pimflow.factory.timetable`). Airflow queues the asset events that arrive while a run of the DAG is
busy (its AssetDagRunQueue row per DAG and asset) and, once `max_active_runs` lets a new run start,
creates one run carrying every event queued since the previous run's: a burst becomes a few runs, not
one per delivery. Light on purpose: DAG files import it.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from pimflow.events.contract import SOURCE, asset_uri, merge_extras


def is_event_driven(profile) -> bool:
    """Whether the profile opted in to Akeneo's events (an akeneo source with `events: true`)."""
    return profile.source.kind == "akeneo" and bool(getattr(profile.source, "events", False))


def events_asset(profile):
    """The Asset the profile's events come on (its source connection's), or None."""
    if not is_event_driven(profile):
        return None
    from pimflow.events.contract import products_asset

    return products_asset(profile.source.connection)


def triggering_extra(triggering_asset_events: Any, conn_id: str) -> Optional[dict]:
    """The `extra`s of the receiver's asset events that started a run, merged (oldest first), or None
    when none of them came from the receiver for `conn_id` (no event names anything to read).

    `triggering_asset_events` is the task context's mapping (Asset → its events); anything with
    `.items()` of (asset, events), each event having `extra` and `timestamp`, will do."""
    if not triggering_asset_events:
        return None
    wanted = asset_uri(conn_id)
    found: list[tuple[Any, int, dict]] = []
    for asset, events in _items(triggering_asset_events):
        if getattr(asset, "uri", None) != wanted and getattr(asset, "name", None) != wanted:
            continue
        for position, event in enumerate(events or ()):
            extra = getattr(event, "extra", None)
            if extra is None and isinstance(event, dict):
                extra = event.get("extra")
            if isinstance(extra, dict) and extra.get("source") == SOURCE:
                timestamp = getattr(event, "timestamp", None) or (event.get("timestamp") if isinstance(event, dict) else None)
                found.append((str(timestamp or ""), position, extra))
    if not found:
        return None
    return merge_extras(extra for _, _, extra in sorted(found, key=lambda item: item[:2]))


def _items(mapping: Any) -> Iterable[tuple[Any, Any]]:
    """(asset, events) pairs: the accessor is a Mapping keyed by Asset (an alias key may come too)."""
    for key in list(mapping):
        yield key, mapping[key]
