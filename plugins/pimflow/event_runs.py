"""Profiles that run on Akeneo's events (`source.events: true`): the asset their DAG is scheduled on,
and which of the receiver's asset events a run started by them handles.

The receiver (`pimflow.events`) records each delivery as an asset event on
`akeneo://<conn_id>/products`; a profile that opts in is scheduled on that asset *and* its cron
(`pimflow.factory.timetable`). One run of a profile works at a time (`max_active_runs=1`, the turn):
while one is busy, Airflow's scheduler defers the DAG and keeps a queue row (AssetDagRunQueue) for
it; when the run ends, it creates one asset-triggered run. That run's `triggering_asset_events` are
the asset events up to the moment the queue row was made, i.e. up to the *first* event that arrived
while the previous run was busy (Airflow 3.3's `_create_dag_runs_asset_triggered`): the later ones
would only reach a run when yet another event comes. So an events run handles every receiver asset
event recorded since the newest one a successful events run handled (the DAG's *events mark*,
`events_mark.json` beside its runs), read through the extract task's inlet (`inlet_events`), plus
its triggering ones: a burst arriving while a run is busy is one run. A run that fails moves no
mark: the next one handles its events again. Light on purpose: DAG files import it.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

from pimflow.events.contract import SOURCE, asset_uri, merge_extras, products_asset

MARK_FILE = "events_mark.json"


def is_event_driven(profile) -> bool:
    """Whether the profile opted in to Akeneo's events (an akeneo source with `events: true`)."""
    return profile.source.kind == "akeneo" and bool(getattr(profile.source, "events", False))


def events_asset(profile):
    """The Asset the profile's events come on (its source connection's), or None."""
    return products_asset(profile.source.connection) if is_event_driven(profile) else None


def read_mark(staging) -> Optional[dict]:
    """The newest receiver asset event a successful events run of the DAG handled: {"id", "timestamp"}."""
    from pimflow.staging import read_json

    path = staging.dag_root / MARK_FILE
    try:
        mark = read_json(path) if path.exists() else None
    except (OSError, ValueError):
        return None
    return mark if isinstance(mark, dict) and mark.get("timestamp") else None


def write_mark(staging, through: Iterable) -> None:
    """After a successful events run: the mark moves to `through` ((id, timestamp)), never back."""
    from pimflow.staging import write_json_atomic

    event_id, timestamp = through
    current = read_mark(staging)
    if current is not None and (current.get("id") or 0) >= event_id:
        return
    write_json_atomic(staging.dag_root / MARK_FILE, {"id": event_id, "timestamp": timestamp})


def _is_ours(extra: Any) -> bool:
    return isinstance(extra, dict) and extra.get("source") == SOURCE


def _field(event, name: str):
    return event.get(name) if isinstance(event, dict) else getattr(event, name, None)


def triggering_extras(triggering_asset_events: Any, conn_id: str) -> list[tuple[str, dict]]:
    """(timestamp, extra) of the receiver's asset events for `conn_id` among a run's triggering ones
    (the task context's mapping Asset → its events; anything with the same shape will do)."""
    if not triggering_asset_events:
        return []
    wanted, found = asset_uri(conn_id), []
    for asset in list(triggering_asset_events):
        if getattr(asset, "uri", None) != wanted and getattr(asset, "name", None) != wanted:
            continue
        for event in triggering_asset_events[asset] or ():
            extra = _field(event, "extra")
            if _is_ours(extra):
                found.append((_iso(_field(event, "timestamp")), extra))
    return found


def run_extra(triggering: list[tuple[str, dict]], since: Optional[Callable[[str], Optional[Iterable]]],
              mark: Optional[dict]) -> Optional[dict]:
    """What an events run handles, as one merged `extra` (`merge_extras`, oldest first) with
    `through`: (id, timestamp) of the newest asset event read, for the mark. When the triggering
    events were all read by an earlier run, an extra naming nothing; None when the run was not
    started by the receiver's events (it then syncs as a scheduled run without an interval does).

    `since(timestamp)` lists the asset's events from `timestamp` on (the inlet's `after`), each
    with `id`, `timestamp` and `extra`, or None when they cannot be read; it is asked from the mark,
    or on a DAG's first events run from its oldest triggering event. Events at or below the mark's
    id were handled already."""
    start = mark["timestamp"] if mark else min((ts for ts, _ in triggering), default=None)
    through = None
    listed = since(start) if since is not None and start is not None else None
    if listed is not None:
        chosen = []
        for event in listed:
            extra, event_id = _field(event, "extra"), _field(event, "id")
            if _is_ours(extra) and event_id is not None and (not mark or event_id > (mark.get("id") or 0)):
                chosen.append((_iso(_field(event, "timestamp")), event_id, extra))
        if chosen:
            newest = max(chosen, key=lambda item: item[1])
            through = [newest[1], newest[0]]
    else:  # no inlet to read: the triggering events, those after the mark
        chosen = [(ts, 0, extra) for ts, extra in triggering if not mark or ts > mark["timestamp"]]
    if not chosen:
        # started by the receiver's events that an earlier run read already: nothing left to sync
        return {**merge_extras(()), "asset_events": 0} if triggering else None
    chosen.sort(key=lambda item: (item[0], item[1]))
    merged = merge_extras(extra for _, _, extra in chosen)
    merged["asset_events"] = len(chosen)
    if through is not None:
        merged["through"] = through
    return merged


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")
