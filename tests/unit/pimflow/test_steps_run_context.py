"""The steps as plain functions of a RunContext (no Airflow run): a feed → feed profile through
extract, transform, load and feedback, with the summary and the feedback file read from the ledger."""
from __future__ import annotations

import csv
import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pimflow import ledger, steps
from pimflow.kinds import RunContext
from pimflow.kinds.feed import FeedSourceKind
from pimflow.ledger import RecordResult, Status
from pimflow.loader import parse_profile
from pimflow.staging import RunStaging, as_storage_path
from pimflow.window import RunParams

PROFILE = """
id: unit_feed_to_feed
source: {kind: feed, path: in.csv, delimiter: ";", identifier_column: sku}
target: {kind: feed, path: out.csv}
mapping:
  columns:
    - {name: sku, required: true}
    - {name: price, from: "price@EUR", type: decimal, required: true}
chunk_size: 2
feedback: {max_error_rate: 1}
"""
FEED = "sku;price@EUR\nA;1.00\nB;not a price\nC;3.00\nC;4.00\nD;5.00\n"


def context(tmp_path: Path, run_id: str = "run-1", dry_run: bool = False) -> RunContext:
    (tmp_path / "p.yaml").write_text(PROFILE)
    (tmp_path / "in.csv").write_text(FEED)
    profile = parse_profile(tmp_path / "p.yaml")
    staging = RunStaging(as_storage_path(tmp_path / "staging"), profile.id, run_id)
    return RunContext(profile, tmp_path, staging, RunParams(dry_run=dry_run), profile.id, run_id,
                      log=logging.getLogger("test"))


def run(ctx: RunContext):
    chunks = steps.extract(ctx, None, None, datetime(2026, 12, 1, tzinfo=timezone.utc))
    loads = [steps.load(ctx, steps.transform(ctx, chunk)) for chunk in chunks]
    return chunks, loads


def feedback_rows(ctx: RunContext) -> list[dict]:
    with ctx.staging.feedback.open("r", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))  # the source's dialect


@pytest.fixture
def read_chunk_calls(monkeypatch) -> list[int]:
    calls: list[int] = []
    original = FeedSourceKind.read_chunk

    def counting(self, ctx, chunk):
        calls.append(chunk["index"])
        return original(self, ctx, chunk)

    monkeypatch.setattr(FeedSourceKind, "read_chunk", counting)
    return calls


def test_summary_and_feedback_come_from_the_ledger_and_each_chunk_is_decoded_once(tmp_path, read_chunk_calls):
    ctx = context(tmp_path)
    chunks, loads = run(ctx)
    summary = steps.feedback(ctx, chunks, loads)

    assert read_chunk_calls == [0, 1, 2]  # transform only: the feedback step reads the kept originals
    assert summary.read == 5 and summary.statuses == {"written": 3, "refused": 2}
    assert summary.refused_before_sending == 2 and summary.refused_transient == 0
    assert [(row["sku"], row["price@EUR"], row["code"]) for row in feedback_rows(ctx)] == [
        ("B", "not a price", "invalid_value"), ("C", "4.00", "duplicate_identifier")]
    assert (tmp_path / "out.csv").read_text().splitlines() == ["sku,price", "A,1.00", "C,3.00", "D,5.00"]
    outcomes = [(r.key, r.status, r.step) for r in ledger.read_final(ctx.staging)]
    assert outcomes == [("A", Status.WRITTEN, "load"), ("B", Status.REFUSED, "transform"),
                        ("C", Status.WRITTEN, "load"), ("C", Status.REFUSED, "transform"),
                        ("D", Status.WRITTEN, "load")]  # every record named by its identifier column


def test_a_record_no_step_reported_on_is_flagged_not_dropped(tmp_path):
    ctx = context(tmp_path)
    chunks, loads = run(ctx)
    ledger.ledger_file(ctx.staging, "load", 2).unlink()  # chunk 3 holds D alone: its load result is lost
    summary = steps.feedback(ctx, chunks, loads)
    assert summary.statuses == {"written": 2, "refused": 3} and summary.accounted == summary.read == 5
    lost = [row for row in feedback_rows(ctx) if row["code"] == ledger.NO_RESULT]
    assert [row["sku"] for row in lost] == ["D"]


def test_transient_refusals_are_counted_apart_from_data_refusals(tmp_path):
    ctx = context(tmp_path)
    chunks, loads = run(ctx)
    ledger.record(ctx.staging, "load", 0, [RecordResult(n=0, status=Status.WRITTEN),
                                           RecordResult.refused(1, "503", "Service Unavailable", transient=True)])
    summary = steps.feedback(ctx, chunks, loads)
    assert summary.refused == 2 and summary.refused_transient == 0  # B was refused by transform first
    ledger.record(ctx.staging, "load", 2, [RecordResult.refused(0, "503", "Service Unavailable", transient=True)])
    summary = steps.feedback(ctx, chunks, loads)
    assert summary.refused == 3 and summary.refused_transient == 1
    assert any("transient 1, data 2" in line for line in summary.lines())


def test_a_dry_run_reports_would_write_and_publishes_only_to_staging(tmp_path):
    ctx = context(tmp_path, dry_run=True)
    chunks, loads = run(ctx)
    summary = steps.feedback(ctx, chunks, loads)
    assert summary.statuses == {"would_write": 3, "refused": 2} and summary.written == 0
    assert not (tmp_path / "out.csv").exists()
    assert any(line.strip().startswith("would write 3") for line in summary.lines())
