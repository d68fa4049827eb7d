"""Records refused for a transient reason are carried into the next runs (`pimflow.carry_over`): which
keys a run's feedback keeps, which it lets go, and how the summary counts them."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path

from pimflow import carry_over, ledger, steps
from pimflow.kinds import RunContext
from pimflow.kinds.feed import FeedTargetKind
from pimflow.ledger import RecordResult, Status
from pimflow.loader import parse_profile
from pimflow.staging import RunStaging, as_storage_path
from pimflow.window import RunParams, Window

INCREMENTAL = Window("incremental", datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 2, tzinfo=timezone.utc))
MANUAL = Window("manual", identifiers=("X", "Z"))


def context(tmp_path: Path, run_id: str) -> RunContext:
    (tmp_path / "p.yaml").write_text(PROFILE)
    profile = parse_profile(tmp_path / "p.yaml")
    staging = RunStaging(as_storage_path(tmp_path / "staging"), profile.id, run_id)
    return RunContext(profile, tmp_path, staging, RunParams(), profile.id, run_id, log=logging.getLogger("test"))


def written(key: str) -> RecordResult:
    return RecordResult(n=0, status=Status.WRITTEN, key=key)


def refused(key: str, transient: bool) -> RecordResult:
    return RecordResult.refused(0, "Inventory/UploadImagesToInventoryItem", "HTTP 500: An error has occurred.",
                                key=key, transient=transient)


def stored(ctx: RunContext) -> dict:
    return json.loads(Path(carry_over.carry_over_path(ctx.staging).path).read_text())["records"]


def test_a_run_that_selected_the_carried_keys_keeps_only_its_own_transient_refusals(tmp_path):
    first = context(tmp_path, "run-1")
    carry_over.update(first, INCREMENTAL, [refused("B", True), refused("C", True), refused("D", True), written("E")])
    second = context(tmp_path, "run-2")

    kept = carry_over.update(second, INCREMENTAL, [
        refused("A", True),  # new: carried
        refused("B", False),  # refused for its data now: left to the feedback file
        written("C"),  # written at last
        refused("E", True)])  # D: not found by the run (deleted or out of the filter): let go

    assert sorted(kept) == ["A", "E"] and stored(second) == kept
    assert kept["A"] == {"code": "Inventory/UploadImagesToInventoryItem",
                         "message": "HTTP 500: An error has occurred.", "since": "run-2", "last": "run-2"}


def test_a_record_refused_transiently_again_keeps_when_it_was_first_carried(tmp_path):
    carry_over.update(context(tmp_path, "run-1"), INCREMENTAL, [refused("A", True)])
    kept = carry_over.update(context(tmp_path, "run-2"), INCREMENTAL, [refused("A", True)])
    assert (kept["A"]["since"], kept["A"]["last"]) == ("run-1", "run-2")


def test_a_manual_run_settles_only_the_records_it_read(tmp_path):
    carry_over.update(context(tmp_path, "run-1"), INCREMENTAL, [refused("X", True), refused("Y", True)])
    ctx = context(tmp_path, "run-2")

    assert carry_over.select(ctx, MANUAL) == ()  # it reads what it names, nothing more
    kept = carry_over.update(ctx, MANUAL, [written("X"), refused("Z", True)])

    assert sorted(kept) == ["Y", "Z"]


def test_the_file_is_replaced_whole_and_left_alone_when_nothing_changes(tmp_path):
    ctx = context(tmp_path, "run-1")
    carry_over.update(ctx, INCREMENTAL, [refused("A", True)])
    path = Path(carry_over.carry_over_path(ctx.staging).path)
    before = path.stat().st_mtime_ns
    carry_over.update(context(tmp_path, "run-1"), INCREMENTAL, [refused("A", True)])  # a retried feedback
    assert path.stat().st_mtime_ns == before
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_the_selection_is_what_earlier_runs_left_and_an_incremental_run_reads_it_back(tmp_path):
    carry_over.update(context(tmp_path, "run-1"), INCREMENTAL, [refused("B", True), refused("A", True)])
    ctx = context(tmp_path, "run-2")
    assert carry_over.carried_in(ctx) == ()
    assert carry_over.select(ctx, INCREMENTAL) == ("A", "B")
    assert carry_over.carried_in(ctx) == ("A", "B")


# -- through the steps: a feed → feed profile whose load refuses some records -------------------------

PROFILE = """
id: unit_carry_over
source: {kind: feed, path: in.csv, delimiter: ";", identifier_column: sku}
target: {kind: feed, path: out.csv}
chunk_size: 10
feedback: {max_error_rate: 1}
"""


def run(tmp_path: Path, run_id: str, refusals: dict[str, bool], monkeypatch):
    """One run of the profile whose load refuses `refusals` (sku -> transient) and writes the rest."""
    (tmp_path / "in.csv").write_text("sku;name\nA;a\nB;b\nC;c\n")
    ctx = context(tmp_path, run_id)

    def load(self, ctx, index, flat_path):
        from pimflow.kinds.base import read_flat

        rows = read_flat(flat_path)
        results = [refused(sku, refusals[sku]) if sku in refusals else written(sku)
                   for sku in rows["sku"]]
        results = [RecordResult(**{**{f: getattr(r, f) for f in r.__struct_fields__}, "n": int(n)})
                   for r, n in zip(results, rows.index)]
        return ledger.counts(ledger.record(ctx.staging, "load", index, results))

    monkeypatch.setattr(FeedTargetKind, "load", load)
    chunks = steps.extract(ctx, None, None, datetime(2026, 12, 1, tzinfo=timezone.utc))
    loads = [steps.load(ctx, steps.transform(ctx, chunk)) for chunk in chunks]
    return steps.feedback(ctx, chunks, loads)


def test_transient_refusals_are_carried_counted_apart_and_settled_by_the_next_run(tmp_path, monkeypatch):
    summary = run(tmp_path, "run-1", {"A": True, "B": False}, monkeypatch)

    assert (summary.refused, summary.refused_transient, summary.carried_in, summary.carried_over) == (2, 1, 0, 1)
    assert "  refused    2 (before sending 0, by the target 2; transient 1, data 1)" in summary.lines()
    ctx = context(tmp_path, "run-1")
    assert list(stored(ctx)) == ["A"]

    summary = run(tmp_path, "run-2", {}, monkeypatch)

    assert (summary.refused, summary.carried_in, summary.carried_over) == (0, 1, 0)
    assert any(line.startswith("  carry-over 1 refused transiently before") for line in summary.lines())
    assert stored(ctx) == {}
