"""The `link` step of a `linnworks` target: variation groups and compositions.

Runs once every chunk is loaded. Each outcome is reported on the record it belongs to (the root
model's record for a group, the kit's record for a composition) and only when it changes that
record's outcome: a refusal, or a write on a record its load left unchanged.
"""
from __future__ import annotations

import csv
import json
from collections import Counter

import msgspec

from pimflow.kinds.linnworks_links import RunLinks, write_link_results
from pimflow.ledger import WRITTEN, RecordResult, Status


def write_links(ctx, config, client, links: RunLinks) -> dict:
    if not (links.groups or links.compositions or links.unreadable):
        return {}
    dry_run = ctx.params.dry_run
    outcomes: dict[str, RecordResult] = {
        sku: RecordResult.refused(0, "invalid_value", f"composition not written: {why}")
        for sku, why in links.unreadable.items()}
    calls: Counter = Counter()
    units: Counter = Counter()
    if links.groups or links.compositions:
        _structure(ctx, config, client, links, outcomes, calls, units, dry_run)
    merged: dict[tuple[int, int], RecordResult] = {}
    counts: Counter = Counter()
    for sku, outcome in outcomes.items():
        record = links.records.get(sku)
        if record is None:
            continue
        loaded = links.statuses.get(sku)
        if outcome.is_refused:
            merged[record] = msgspec.structs.replace(outcome, n=record[1])
        elif outcome.status in (*WRITTEN, Status.WOULD_WRITE) and loaded is Status.UNCHANGED:
            changed = Status.WOULD_WRITE if dry_run else Status.UPDATED
            merged[record] = msgspec.structs.replace(outcome, n=record[1], status=changed)
        counts[outcome.status.value] += 1
    write_link_results(ctx, merged)
    return {**counts, "groups": len(links.groups), "compositions": len(links.compositions),
            "kits": sum(1 for components in links.compositions.values() if components),
            "calls": dict(calls), "units": dict(units)}


def _structure(ctx, config, client, links: RunLinks, outcomes: dict, calls: Counter, units: Counter,
               dry_run: bool) -> None:
    from linnworks.structure import DesiredComposition, DesiredVariationGroup, StructureOptions, StructureWriter

    groups = [DesiredVariationGroup(root, links.group_names.get(root) or root, tuple(skus))
              for root, skus in links.groups.items()]
    compositions = [DesiredComposition(sku, components) for sku, components in links.compositions.items()]
    options = StructureOptions(
        create_missing_components=bool(config.compositions and config.compositions.create_missing_components),
        dry_run=dry_run,
        # only a full run sees every variation of a group: an incremental one adds, never removes
        remove_unlisted=ctx.window is not None and ctx.window.mode == "full")
    report = StructureWriter(client, options).write(groups, compositions, known_ids=links.ids)
    calls.update(report.calls)
    units.update(report.units)
    for result in report.results:
        previous = outcomes.get(result.sku)
        outcome = _outcome(result.status.value, getattr(result, "endpoint", None), getattr(result, "message", None),
                           dry_run)
        if previous is None or not previous.is_refused:
            outcomes[result.sku] = outcome
    if dry_run and getattr(report, "diff", None):
        _write_diff(ctx.staging.dry_run("structure-diff.csv"), report.diff)


def _outcome(status: str, endpoint, message, dry_run: bool) -> RecordResult:
    """A structure result (group or composition) as its record's ledger result; `n` is set later."""
    from pimflow.kinds.linnworks import is_transient_refusal

    if status == "refused":
        return RecordResult.refused(0, endpoint or "pimflow", message or "", transient=is_transient_refusal(message))
    if dry_run and status != "unchanged":
        return RecordResult.would_write(0)
    return RecordResult(n=0, status=Status(status))


def _write_diff(path, diff) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("sku", "what", "old", "new", "action", "endpoint"))
        for row in diff:
            values = [getattr(row, name, "") for name in ("sku", "field", "old", "new", "action", "endpoint")]
            writer.writerow([v if isinstance(v, str) else json.dumps(v, default=str) for v in values])
