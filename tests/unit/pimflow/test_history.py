"""A record's history across runs (`pimflow.history`): the files feedback writes, their retention
by the runs' real finish times (a fake clock), lookups across runs and profiles, on a local folder
and an object store."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import msgspec
import pytest

from pimflow import history, ledger, steps
from pimflow.history import (HistorySettingError, RunInfo, find_history, history_file, history_retention_days,
                             iso, purge_history, read_run, record_history, record_lines, write_history)
from pimflow.ledger import RecordResult, Status
from pimflow.staging import as_storage_path, utcnow

from test_steps_run_context import context, run

T0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


def result(key: str, status: Status, code: str = "", message: str = "", **more) -> RecordResult:
    return RecordResult(n=0, status=status, key=key, code=code, message=message, step=more.pop("step", "load"), **more)


def write_run(base, dag_id: str, run_id: str, finished: datetime, results: list[RecordResult], **run) -> Path:
    path = history_file(base, dag_id, run_id)
    write_history(path, RunInfo(dag_id=dag_id, run_id=run_id, finished_at=iso(finished), **run),
                  record_lines(results))
    return path


@pytest.fixture
def base(tmp_path):
    return as_storage_path(tmp_path / "staging")


def three_runs(base, dag_id="shop"):
    """KIT-1 refused, then created, then unchanged; other records around it each time."""
    write_run(base, dag_id, "scheduled__1", T0, [
        result("KIT-10", Status.CREATED),
        result("KIT-1", Status.REFUSED, "invalid_value", "PACK-products 'MUG|two': the quantity 'two' is not a whole "
               "number", step="transform"),
        result("MUG", Status.CREATED, target_id="stock-1")], run_type="scheduled", window="full sync", outcome="success")
    write_run(base, dag_id, "manual__2", T0 + timedelta(days=1), [
        result("MUG", Status.UNCHANGED), result("KIT-1", Status.CREATED, target_id="stock-9")],
        run_type="manual", outcome="success")
    write_run(base, dag_id, "scheduled__3", T0 + timedelta(days=2), [
        result("KIT-1", Status.UNCHANGED, target_id="stock-9"), result("KIT-10", Status.UNCHANGED)])


def test_a_key_s_history_across_three_runs_newest_first(base):
    three_runs(base)
    entries = find_history(base, "KIT-1")
    assert [(e.run_id, e.status, e.code) for e in entries] == [
        ("scheduled__3", "unchanged", ""), ("manual__2", "created", ""), ("scheduled__1", "refused", "invalid_value")]
    refused = entries[-1]
    assert refused.dag_id == "shop" and refused.step == "transform" and refused.finished_at == iso(T0)
    assert refused.message.startswith("PACK-products 'MUG|two'") and refused.transient is False
    assert (refused.run_type, refused.window, refused.outcome) == ("scheduled", "full sync", "success")
    assert entries[1].target_id == "stock-9" and entries[1].run_type == "manual"
    # a key that another key starts with, or that a message mentions, is not that key
    assert [e.run_id for e in find_history(base, "KIT-10")] == ["scheduled__3", "scheduled__1"]
    assert find_history(base, "KIT") == [] and find_history(base, "MUG|two") == []
    assert [e.run_id for e in find_history(base, "  KIT-1 ", limit=2)] == ["scheduled__3", "manual__2"]


def test_a_message_quoting_a_key_line_is_not_taken_for_that_key(base):
    trap = '{"key":"SKU-1","status":"written"}'
    write_run(base, "shop", "r1", T0, [result("SKU-2", Status.REFUSED, "x", f"line\n{trap}\nends")])
    assert find_history(base, "SKU-1") == []
    assert find_history(base, "SKU-2")[0].message == f"line {trap} ends"  # kept on one line


def test_keys_with_quotes_and_accents_are_found(base):
    keys = ['A"B', "Ä-ß ü", "back\\slash", "tab\tkey"]
    write_run(base, "shop", "r1", T0, [result(key, Status.WRITTEN) for key in keys])
    for key in keys:
        assert [e.key for e in find_history(base, key)] == [key]


def test_lines_across_read_blocks_are_found_whole(base, monkeypatch):
    results = [result(f"SKU-{n:04d}", Status.REFUSED, "code", "m" * (n % 50)) for n in range(600)]
    write_run(base, "shop", "r1", T0, results)
    whole = {key: find_history(base, key) for key in ("SKU-0000", "SKU-0333", "SKU-0599")}
    monkeypatch.setattr(history, "BLOCK_BYTES", 37)  # lines and the run's line cut at every place
    for key, entries in whole.items():
        assert find_history(base, key) == entries and len(entries) == 1 and entries[0].key == key


def test_the_profile_filter_and_every_profile(base):
    three_runs(base, "shop")
    write_run(base, "feed_export", "r9", T0 + timedelta(days=5), [result("KIT-1", Status.WRITTEN)])
    assert [e.dag_id for e in find_history(base, "KIT-1")] == ["feed_export", "shop", "shop", "shop"]
    assert [e.run_id for e in find_history(base, "KIT-1", "feed_export")] == ["r9"]
    assert len(find_history(base, "KIT-1", "shop")) == 3
    assert find_history(base, "KIT-1", "no_such_profile") == []


def test_record_history_reads_the_configured_staging_base(staging_dir):
    three_runs(as_storage_path(staging_dir))
    assert [e.status for e in record_history("KIT-1", "shop", limit=1)] == ["unchanged"]
    with pytest.raises(ValueError, match="key is empty"):
        record_history(" ")


def test_on_an_object_store(monkeypatch):
    import fsspec
    from airflow.sdk.io import attach

    attach("memory", fs=fsspec.filesystem("memory"))
    base = as_storage_path("memory://pimflow-history-test/staging")
    three_runs(base)
    assert [e.status for e in find_history(base, "KIT-1", "shop")] == ["unchanged", "created", "refused"]
    assert not [p for p in history_file(base, "shop", "x").parent.iterdir() if p.name.startswith(".")]
    monkeypatch.setattr(history, "_mtime", lambda path: None)  # T0 is a fake time: go by the finish times alone
    assert purge_history(base, "shop", 365, T0 + timedelta(days=365, hours=12)) == ["scheduled__1.jsonl"]
    assert [e.status for e in find_history(base, "KIT-1")] == ["unchanged", "created"]


# retention: by the finish time written in each file, on a fake clock

def test_history_older_than_the_retention_goes_by_its_finish_time(base):
    now = utcnow() + timedelta(days=3650)  # a fake clock, far beyond when the files were written
    for run_id, age in (("a_year_and_a_day", 366), ("a_year_less_a_day", 364), ("yesterday", 1)):
        write_run(base, "shop", run_id, now - timedelta(days=age), [result("A", Status.WRITTEN)])
    assert purge_history(base, "shop", 365, now) == ["a_year_and_a_day.jsonl"]
    assert [e.run_id for e in find_history(base, "A")] == ["yesterday", "a_year_less_a_day"]
    assert sorted(purge_history(base, "shop", 30, now)) == ["a_year_less_a_day.jsonl"]


def test_retention_keeps_the_newer_runs_the_current_one_and_everything_at_0(base, monkeypatch):
    monkeypatch.setattr(history, "_mtime", lambda path: None)  # a store that gives no write time
    three_runs(base)
    now = T0 + timedelta(days=366, hours=12)  # scheduled__1 finished 366.5 days before, manual__2 365.5
    assert purge_history(base, "shop", 365, now, keep_run="manual__2") == ["scheduled__1.jsonl"]
    assert purge_history(base, "shop", 0, now + timedelta(days=9999)) == []  # 0 = keep forever
    assert sorted(purge_history(base, "shop", 365, now, keep_run="other")) == ["manual__2.jsonl"]
    assert [e.run_id for e in find_history(base, "KIT-1")] == ["scheduled__3"]
    assert purge_history(base, "no_such_profile", 365, now) == []


def test_retention_never_removes_a_file_written_after_the_cutoff_or_unreadable(base):
    write_run(base, "shop", "old_finish", utcnow() - timedelta(days=400), [result("A", Status.WRITTEN)])
    # its finish time is old, but the storage says it was written just now (a copied or restored
    # folder): by the file's time it is not older than the retention, so it stays
    assert purge_history(base, "shop", 365, utcnow()) == []
    folder = history_file(base, "shop", "x").parent
    (folder / "broken.jsonl").write_text("not json\n")
    (folder / ".being-written.jsonl").write_text("")
    far = utcnow() + timedelta(days=3650)
    assert purge_history(base, "shop", 365, far) == ["old_finish.jsonl"]
    assert sorted(path.name for path in folder.iterdir()) == [".being-written.jsonl", "broken.jsonl"]


def test_the_retention_setting(monkeypatch):
    monkeypatch.delenv(history.RETENTION_ENV, raising=False)
    assert history_retention_days() == 365
    monkeypatch.setenv(history.RETENTION_ENV, "30.5")
    assert history_retention_days() == 30.5
    monkeypatch.setenv(history.RETENTION_ENV, "0")
    assert history_retention_days() == 0
    for bad in ("a year", "-1", "inf", "nan"):
        monkeypatch.setenv(history.RETENTION_ENV, bad)
        with pytest.raises(HistorySettingError, match=r"\[pimflow\] history_retention_days \(env "
                                                      r"AIRFLOW__PIMFLOW__HISTORY_RETENTION_DAYS\): .* not a number"):
            history_retention_days()


# what feedback writes

def test_feedback_writes_the_run_s_history_and_a_retry_replaces_it(tmp_path):
    ctx = context(tmp_path, run_id="manual__2026-12-01T00:00:00+00:00")
    chunks, loads = run(ctx)
    steps.feedback(ctx, chunks, loads)
    path = history_file(ctx.staging.dag_root.parent, ctx.dag_id, ctx.run_id)
    first = path.read_text()
    run_line = read_run(path)
    assert (run_line.dag_id, run_line.run_id, run_line.outcome, run_line.dry_run) == (
        "unit_feed_to_feed", ctx.run_id, "success", False)
    assert run_line.run_type == "scheduled" and run_line.window.startswith("full sync")
    final = {(r.key, r.status.value, r.code) for r in ledger.read_final(ctx.staging)}
    entries = [e for key in "ABCD" for e in find_history(ctx.staging.dag_root.parent, key)]
    assert {(e.key, e.status, e.code) for e in entries} == final
    assert [(e.status, e.code) for e in find_history(ctx.staging.dag_root.parent, "C")] == [
        ("written", ""), ("refused", "duplicate_identifier")]  # the repeated line: both, in the run's order

    steps.feedback(ctx, chunks, loads)  # a retried feedback
    assert len(list(path.parent.iterdir())) == 1
    assert len(path.read_text().splitlines()) == len(first.splitlines())
    assert len(find_history(ctx.staging.dag_root.parent, "B")) == 1


def test_a_dry_run_s_history_says_so(tmp_path):
    ctx = context(tmp_path, run_id="dry", dry_run=True)
    chunks, loads = run(ctx)
    steps.feedback(ctx, chunks, loads)
    [entry] = find_history(ctx.staging.dag_root.parent, "A")
    assert (entry.status, entry.dry_run, entry.outcome) == ("would_write", True, "dry_run")


def test_a_history_that_cannot_be_written_never_fails_the_run(tmp_path, monkeypatch, caplog):
    ctx = context(tmp_path)
    chunks, loads = run(ctx)

    def refuse(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(history, "write_history", refuse)
    with caplog.at_level(logging.WARNING, logger="test"):
        summary = steps.feedback(ctx, chunks, loads)
    assert summary.read == 5
    assert "this run's history was not written: disk full" in caplog.text


def test_a_bad_retention_setting_fails_the_run_in_extract(tmp_path, monkeypatch):
    monkeypatch.setenv(history.RETENTION_ENV, "forever")
    ctx = context(tmp_path)
    with pytest.raises(HistorySettingError):
        run(ctx)
    assert not ctx.staging.root.joinpath("extract").exists()


def test_long_messages_are_cut_and_keyless_records_left_out():
    lines = list(record_lines([result("", Status.REFUSED, "invalid_value", "no identifier"),
                               result("A", Status.REFUSED, "422", "x" * 5000, transient=True)]))
    assert len(lines) == 1 and lines[0].transient is True
    assert len(lines[0].message) < 1100 and lines[0].message.endswith("(cut: whole in the run's feedback file)")
    encoded = msgspec.json.encode(lines[0])
    assert encoded.startswith(b'{"key":"A","status":"refused",')
