"""Records refused for a transient reason are tried again by the next runs, whatever their window.

A refusal that says nothing about the data (a 5xx or a lost answer the client could not settle
within its retries, a quota still exhausted) leaves the record as the target had it; an incremental
window that moved on would not select it again until a full sync. So the feedback step keeps the
keys of those records in the profile's `carry_over.json`, next to its incremental state, and the
next run's extract adds them to its selection. What each source can do with them:

- `akeneo` (products): an incremental run also reads the carried identifiers, whatever their
  `updated`, and with `product_models` the carried model codes with all their variants (as a model
  changed in the window would bring them); a full run selects them anyway.
- `feed`, `linnworks_stock`, `akeneo` reading category trees: read whole by every run, so a carried
  record is in the next run whenever the source still has it.
- a manual run (identifiers from the trigger form) reads only what it names; the carried keys wait.

A key leaves the file once a run that selected it reports it written, unchanged or skipped, refuses
it for a data reason, or no longer finds it in the source (deleted, or out of the profile's filter);
it stays while it keeps being refused transiently. A dry run leaves the file as it is.

    {base}/{dag_id}/carry_over.json            key -> {code, message, since, last}: the refusal, the first and last run
    {base}/{dag_id}/runs/{run}/carried_in.json  the keys this run selected beyond its window
"""
from __future__ import annotations

from collections.abc import Iterable

from pimflow.ledger import RecordResult
from pimflow.staging import read_json, write_json, write_json_atomic

CARRY_OVER_FILE = "carry_over.json"
CARRIED_IN_FILE = "carried_in.json"


def carry_over_path(staging):
    staging.dag_root.mkdir(parents=True, exist_ok=True)
    return staging.dag_root / CARRY_OVER_FILE


def carried(staging) -> dict[str, dict]:
    """The records earlier runs left refused transiently: key -> what refused it last."""
    path = carry_over_path(staging)
    if not path.exists():
        return {}
    data = read_json(path)
    return dict(data.get("records") or {}) if isinstance(data, dict) else {}


def select(ctx, window) -> tuple[str, ...]:
    """At extract: the carried keys this run selects beyond its window (none for a manual run),
    kept in the run's staging for the source and for feedback."""
    keys = () if window.names_records else tuple(sorted(carried(ctx.staging)))
    ctx.staging.root.mkdir(parents=True, exist_ok=True)
    write_json(ctx.staging.root / CARRIED_IN_FILE, list(keys))
    if keys:
        ctx.log.info("extract: %d record(s) refused transiently by earlier runs are selected again", len(keys))
    return keys


def carried_in(ctx) -> tuple[str, ...]:
    """The keys `select` chose for this run (empty before extract, or for a manual run)."""
    path = ctx.staging.root / CARRIED_IN_FILE
    return tuple(read_json(path)) if path.exists() else ()


def update(ctx, window, outcomes: Iterable[RecordResult]) -> dict[str, dict]:
    """At feedback (not on a dry run): the records this run refused transiently are carried; those it
    settled otherwise leave. A run that selected the carried keys (any but a manual one) settles
    every one of them, found or not; a manual run settles only what it read. Returns the new file's
    records."""
    previous = carried(ctx.staging)
    outcomes = [result for result in outcomes if result.key]
    if window.names_records:  # a manual or events run: only what it read is decided
        decided = {result.key for result in outcomes}
        records = {key: entry for key, entry in previous.items() if key not in decided}
    else:
        records = {}
    for result in outcomes:
        if result.is_refused and result.transient:
            earlier = previous.get(result.key) or {}
            records[result.key] = {"code": result.code, "message": result.message[:500],
                                   "since": earlier.get("since") or ctx.run_id, "last": ctx.run_id}
    if records != previous:
        write_json_atomic(carry_over_path(ctx.staging), {"records": dict(sorted(records.items()))})
    return records

