"""The run's outcome as a person reads it in the `feedback` task's log and the run's note: each refused
record as `KEY — code — message` at WARNING (the first 20, then a count and the feedback file),
identifiers from the form that do not exist, skipped records with their reason, a dry run's would-be
writes and where they are, and an error threshold message that is true for the target."""
from __future__ import annotations

import csv
import json
import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pimflow import ledger, steps
from pimflow.errors import ErrorThresholdExceeded
from pimflow.kinds import RunContext
from pimflow.ledger import RecordResult, Status
from pimflow.loader import parse_profile
from pimflow.staging import RunStaging, as_storage_path
from pimflow.summary import RunSummary, threshold_message
from pimflow.window import RunParams

PROFILE = """
id: unit_summary_log
source: {{kind: feed, path: in.csv, delimiter: ";", identifier_column: sku}}
target: {{kind: feed, path: out.csv}}
mapping:
  columns:
    - {{name: sku, required: true}}
    - {{name: price, from: "price@EUR", type: decimal, required: true}}
chunk_size: 10
feedback: {{max_error_rate: {rate}}}
"""
LOGGER = "test.summary"


def context(tmp_path: Path, feed: str, params: RunParams = RunParams(), rate: float = 1) -> RunContext:
    (tmp_path / "p.yaml").write_text(PROFILE.format(rate=rate))
    (tmp_path / "in.csv").write_text(feed)
    profile = parse_profile(tmp_path / "p.yaml")
    staging = RunStaging(as_storage_path(tmp_path / "staging"), profile.id, "run-1")
    return RunContext(profile, tmp_path, staging, params, profile.id, "run-1", log=logging.getLogger(LOGGER))


def run(ctx: RunContext, skip: dict[int, tuple[str, str]] | None = None) -> RunSummary:
    chunks = steps.extract(ctx, None, None, datetime(2026, 12, 1, tzinfo=timezone.utc), "manual")
    loads = [steps.load(ctx, steps.transform(ctx, chunk)) for chunk in chunks]
    if skip:  # what a target that skips records (sub-models into Linnworks) reports
        ledger.record(ctx.staging, "load", 0, [
            RecordResult(n=n, status=Status.SKIPPED, code=skip[n][0], message=skip[n][1]) if n in skip
            else RecordResult(n=n, status=Status.WRITTEN) for n in range(chunks[0]["records"])])
    return steps.feedback(ctx, chunks, loads)


def feed(good: int, bad: int = 0) -> str:
    lines = [f"G{n:02d};{n}.00" for n in range(good)] + [f"B{n:02d};not a price" for n in range(bad)]
    return "sku;price@EUR\n" + "\n".join(lines) + "\n"


def feedback_rows(ctx: RunContext) -> list[dict]:
    with ctx.staging.feedback.open("r", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def logged(caplog, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == level]


def test_each_refusal_is_logged_as_key_code_message_the_first_twenty_then_a_count(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    ctx = context(tmp_path, feed(good=3, bad=25))
    summary = run(ctx)
    warnings = logged(caplog, logging.WARNING)
    refusals = [line for line in warnings if " — invalid_value — " in line]
    assert len(refusals) == 20
    assert refusals[0] == "B00 — invalid_value — price: 'not a price' is not a valid decimal"
    assert f"… and 5 more refused: see the feedback file {summary.feedback}" in warnings
    assert len(feedback_rows(ctx)) == 25  # every one of them there
    assert not any(line.startswith("refused: {") for line in logged(caplog, logging.INFO))  # no dicts
    assert summary.line() == "read 28 · written 3 · refused 25 (25 data)"


def test_identifiers_from_the_form_that_do_not_exist_are_reported_as_not_found(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    ctx = context(tmp_path, feed(good=3), RunParams(identifiers=("G01", "NOPE-1", "NOPE-2")))
    summary = run(ctx)
    assert (summary.read, summary.written, summary.not_found) == (1, 1, ["NOPE-1", "NOPE-2"])
    assert "  not found  2: NOPE-1, NOPE-2 (identifiers from the trigger form that the source does not have)" \
        in summary.lines()
    assert summary.line() == "read 1 · written 1 · not found 2"
    assert [(row["sku"], row["code"]) for row in feedback_rows(ctx)] == [("NOPE-1", "not_found"),
                                                                        ("NOPE-2", "not_found")]
    assert any(line.startswith("not found: NOPE-1, NOPE-2 — ") for line in logged(caplog, logging.WARNING))
    assert summary.accounted == summary.read  # not records read: outside the ledger's accounting


def test_a_run_that_found_none_of_its_identifiers_still_writes_their_not_found_lines(tmp_path):
    ctx = context(tmp_path, feed(good=2), RunParams(identifiers=("NOPE",)))
    summary = run(ctx)
    assert summary.read == 0 and summary.not_found == ["NOPE"]
    assert feedback_rows(ctx) == [{"sku": "NOPE", "code": "not_found",
                                   "message": "not found in the source (an identifier from the trigger form)"}]


def test_skipped_records_come_with_their_reason(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    ctx = context(tmp_path, feed(good=4))
    why = "a sub-model is not an item: its values reach its variants"
    summary = run(ctx, skip={0: ("product_model", why), 2: ("product_model", why), 3: ("", "")})
    assert summary.skipped_reasons == {"product_model": [2, why], "no reason given": [1, ""]}
    assert f"  skipped    3 (2 product_model: {why}; 1 no reason given)" in summary.lines()
    assert f"skipped: G00 — product_model — {why}" in logged(caplog, logging.INFO)
    assert summary.line() == "read 4 · written 1 · skipped 3"


def test_a_dry_run_says_would_write_and_where_the_would_be_output_is(tmp_path):
    ctx = context(tmp_path, feed(good=3, bad=2), RunParams(dry_run=True))
    summary = run(ctx)
    lines = summary.lines()
    assert "  would write 3 (dry run: nothing sent)" in lines
    assert not any(line.strip().startswith("written") for line in lines)
    dry_run = ctx.staging.root / "dry_run"
    assert f"  dry run    nothing was sent to the target; what a real run would write is in {dry_run} (out.csv)" \
        in lines
    assert summary.line() == "read 5 · would write 3 · refused 2 (2 data) · dry run"
    assert not (tmp_path / "out.csv").exists()


def test_the_error_threshold_says_the_feed_was_not_published(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    ctx = context(tmp_path, feed(good=1, bad=3), rate=0.5)
    with pytest.raises(ErrorThresholdExceeded) as failure:
        run(ctx)
    message = str(failure.value)
    assert message.startswith("3 of 4 record(s) refused (75.0%), more than max_error_rate=50.0%; "
                              "the output feed was not published; the refused records are in the feedback file ")
    assert not (tmp_path / "out.csv").exists()
    assert f"  FAILED     {message}" in logged(caplog, logging.INFO)
    summary = json.loads(Path(ctx.staging.summary.path).read_text())
    assert summary["line"] == "read 4 · written 1 · refused 3 (3 data) · failed: error threshold crossed, " \
                              "feed not published"


def test_the_error_threshold_tells_an_api_target_its_records_were_already_written():
    summary = RunSummary("p", "r", "w", dry_run=False, read=10, statuses={"updated": 6, "refused": 4},
                         feedback="/staging/feedback.csv")
    for kind, name in (("akeneo", "Akeneo"), ("linnworks", "Linnworks")):
        message = threshold_message("4 of 10 record(s) refused", kind, summary)
        assert f"the loads had already written 6 record(s) to {name} before the threshold was checked " \
               "(nothing is undone)" in message
        assert "not published" not in message and message.endswith("feedback file /staging/feedback.csv")
    from pimflow.summary import threshold_outcome

    assert threshold_outcome("linnworks", summary) == "6 written to Linnworks stay"
    dry = RunSummary("p", "r", "w", dry_run=True, read=10, statuses={"would_write": 6, "refused": 4}, feedback="f")
    assert "a dry run: nothing was written" in threshold_message("4 of 10 record(s) refused", "akeneo", dry)


def test_a_long_message_is_cut_in_the_log_and_the_summary_but_whole_in_the_feedback_file(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    ctx = context(tmp_path, feed(good=2))
    chunks = steps.extract(ctx, None, None, datetime(2026, 12, 1, tzinfo=timezone.utc), "manual")
    loads = [steps.load(ctx, steps.transform(ctx, chunk)) for chunk in chunks]
    sent = "(sent: " + "x" * 2000 + ")"
    ledger.record(ctx.staging, "load", 0, [RecordResult(n=0, status=Status.WRITTEN),
                                           RecordResult.refused(1, "Inventory/UpdateInventoryItem", f"refused {sent}")])
    summary = steps.feedback(ctx, chunks, loads)
    [(key, code, message)] = summary.first_refused
    assert key == "G01" and message.endswith("… (whole in the feedback file)") and len(message) < 400
    assert f"G01 — Inventory/UpdateInventoryItem — {message}" in logged(caplog, logging.WARNING)
    assert feedback_rows(ctx)[0]["message"] == f"refused {sent}"


def test_a_dry_run_with_many_files_names_the_first_and_counts_the_others():
    summary = RunSummary("p", "r", "w", dry_run=True, read=1, statuses={"would_write": 1}, feedback="f",
                         dry_run_output="/staging/dry_run", dry_run_files=[f"diff-{n:05d}.csv" for n in range(20)],
                         dry_run_file_count=45)
    [line] = [line for line in summary.lines() if line.startswith("  dry run")]
    assert line.endswith("diff-00018.csv, diff-00019.csv, … (25 more))")
