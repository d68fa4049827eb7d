"""Run staging on a local folder or any fsspec URL, and its retention."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import msgspec
import pytest

from pimflow.kinds.base import RUN_KEYS_FILE, stage_chunks
from pimflow.staging import (UNFINISHED_GRACE_DAYS, JsonlWriter, RunStaging, as_storage_path, expired, read_json,
                             read_jsonl, safe_name, staging_base, write_json, write_jsonl)

NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)


def test_staging_base_comes_from_airflow_config_env(monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW__PIMFLOW__STAGING_BASE", "memory://bucket/pimflow")
    assert str(staging_base()) == "memory://bucket/pimflow"
    monkeypatch.setenv("AIRFLOW__PIMFLOW__STAGING_BASE", str(tmp_path))
    assert staging_base().path == str(tmp_path)


def test_chunks_round_trip_on_an_object_store_url():
    # fsspec's in-memory store stands for s3:// and friends (Airflow resolves schemes through fsspec)
    import fsspec
    from airflow.sdk.io import attach

    attach("memory", fs=fsspec.filesystem("memory"))
    staging = RunStaging(as_storage_path("memory://pimflow-test/staging"), "dag", "manual__2026-11-22T10:00:00+00:00")
    path = staging.extract_chunk(0)
    assert str(path) == "memory://pimflow-test/staging/dag/runs/manual__2026-11-22T10_00_00_00_00/extract/chunk-00000.jsonl"
    write_jsonl(path, [{"sku": "Ä-1"}, {"sku": "B"}])
    assert list(read_jsonl(path)) == [{"sku": "Ä-1"}, {"sku": "B"}]
    write_json(staging.summary, {"read": 2})
    assert read_json(staging.summary) == {"read": 2}


def test_retention_removes_only_runs_that_finished_long_enough_ago(tmp_path):
    base = as_storage_path(tmp_path)
    old, recent, current = (RunStaging(base, "dag", run) for run in ("old", "recent", "current"))
    for run, finished in ((old, NOW - timedelta(days=20)), (recent, NOW - timedelta(days=2))):
        run.mark_started(finished - timedelta(hours=1))
        run.mark_finished("success", finished)
    current.mark_started(NOW - timedelta(days=60))  # the run doing the purge is never removed
    current.mark_finished("success", NOW - timedelta(days=30))
    other = RunStaging(base, "other_dag", "old")
    other.mark_started(NOW - timedelta(days=20))
    other.mark_finished("success", NOW - timedelta(days=20))

    assert current.purge_older_runs(14, NOW) == ["old"]
    assert sorted(p.name for p in (tmp_path / "dag" / "runs").iterdir()) == ["current", "recent"]
    assert (tmp_path / "other_dag" / "runs" / "old").exists()
    assert current.purge_older_runs(0, NOW) == []  # 0 = keep everything


def test_a_backfill_finishing_never_removes_the_backfills_runs_still_going(tmp_path):
    """The issue's 7-day backfill: runs whose logical dates are weeks old start together; the first
    to finish purged the others' folders, judging age by the logical date. Age is now the wall
    clock at the finish, and a run with no finish mark is left alone."""
    base = as_storage_path(tmp_path)
    runs = [RunStaging(base, "dag", f"backfill__2026-11-0{day}T00:00:00+00:00") for day in range(2, 9)]
    for run in runs:
        run.mark_started(NOW)  # the wall clock, whatever the logical date
        write_json(run.window, {"mode": "incremental"})
    runs[3].mark_finished("success", NOW + timedelta(minutes=5))
    assert runs[3].purge_older_runs(14, NOW + timedelta(minutes=5)) == []
    assert all(read_json(run.window) for run in runs)
    # weeks later, the finished ones go; one that never finished waits out the grace period
    for run in runs[:-1]:
        run.mark_finished("success", NOW + timedelta(minutes=10))
    later = NOW + timedelta(days=15)
    purging = RunStaging(base, "dag", "scheduled__later")
    purging.mark_started(later)
    assert len(purging.purge_older_runs(14, later)) == 6
    assert (tmp_path / "dag" / "runs" / safe_name(runs[-1].root.name)).exists()
    assert purging.purge_older_runs(14, NOW + timedelta(days=14 + UNFINISHED_GRACE_DAYS, hours=1)) == [
        runs[-1].root.name]


def test_a_run_started_again_is_unfinished_again(tmp_path):
    run = RunStaging(as_storage_path(tmp_path), "dag", "cleared")
    run.mark_started(NOW - timedelta(days=40))
    run.mark_finished("failed", NOW - timedelta(days=40))
    run.mark_started(NOW)  # cleared and run again: extract marks it afresh
    assert read_json(run.marker) == {"started_at": NOW.isoformat()}
    assert RunStaging(as_storage_path(tmp_path), "dag", "other").purge_older_runs(14, NOW) == []
    run.mark_finished("success", NOW)
    assert read_json(run.marker) == {"started_at": NOW.isoformat(), "finished_at": NOW.isoformat(),
                                     "outcome": "success"}
    assert not [p for p in (tmp_path / "dag" / "runs" / "cleared").iterdir() if p.name.startswith(".")]


def test_which_marks_have_expired():
    keep, day = 14, timedelta(days=1)
    finished = {"started_at": (NOW - 100 * day).isoformat(), "finished_at": (NOW - 15 * day).isoformat()}
    assert expired(finished, None, keep, NOW)
    assert not expired({**finished, "finished_at": (NOW - 13 * day).isoformat()}, None, keep, NOW)
    running = {"started_at": (NOW - 40 * day).isoformat()}  # no finish mark: retention + grace
    assert not expired(running, None, keep, NOW)
    assert expired({"started_at": (NOW - (keep + UNFINISHED_GRACE_DAYS + 1) * day).isoformat()}, None, keep, NOW)
    # a mark from before finish marks: its `started` was the logical date; the file's time counts
    legacy = {"started": (NOW - 400 * day).isoformat()}
    assert not expired(legacy, NOW - day, keep, NOW)
    assert expired(legacy, NOW - 50 * day, keep, NOW)
    assert not expired(legacy, None, keep, NOW)
    for unreadable in (None, [], "x", {"finished_at": "not a date"}, {}):
        assert not expired(unreadable, None, keep, NOW)


def test_a_legacy_mark_ages_from_when_it_was_written(tmp_path):
    import os

    run = RunStaging(as_storage_path(tmp_path), "dag", "legacy")
    write_json(run.marker, {"started": "2026-01-01T00:00:00+00:00"})  # a logical date, as marks were
    purging = RunStaging(as_storage_path(tmp_path), "dag", "now")
    assert purging.purge_older_runs(14, NOW) == []  # written just now (by the file's time)
    old = (NOW - timedelta(days=60)).timestamp()
    os.utime(tmp_path / "dag" / "runs" / "legacy" / "run.json", (old, old))
    assert purging.purge_older_runs(14, NOW) == ["legacy"]


def test_a_run_folder_without_a_mark_is_never_removed(tmp_path):
    base = as_storage_path(tmp_path)
    RunStaging(base, "dag", "no-mark").extract_chunk(0).write_text("{}")
    assert RunStaging(base, "dag", "now").purge_older_runs(14, NOW + timedelta(days=3650)) == []


def test_jsonl_writer_writes_blocks_of_lines_and_raw_values_as_they_are(tmp_path):
    path = as_storage_path(tmp_path / "rows.jsonl")
    raw = msgspec.json.decode(b'{"sku": "A", "values": {"name": [{"data": "\\u00e9t\\u00e9"}]}}', type=dict[str, msgspec.Raw])
    with JsonlWriter(path, lines_per_write=2) as writer:
        for row in ({"sku": "Ä-1"}, raw, {"n": 3}):
            writer.write(row)
    assert writer.count == 3
    data = (tmp_path / "rows.jsonl").read_bytes()
    assert data.endswith(b"\n") and data.count(b"\n") == 3
    assert data.splitlines()[1] == b'{"sku":"A","values":{"name": [{"data": "\\u00e9t\\u00e9"}]}}'  # the value's JSON, untouched
    assert list(read_jsonl(path)) == [{"sku": "Ä-1"}, {"sku": "A", "values": {"name": [{"data": "été"}]}}, {"n": 3}]
    assert write_jsonl(path, []) == 0 and (tmp_path / "rows.jsonl").read_bytes() == b""


def stage_context(tmp_path, chunk_size: int):
    return SimpleNamespace(staging=RunStaging(as_storage_path(tmp_path), "dag", "run"),
                           profile=SimpleNamespace(chunk_size=chunk_size), log=logging.getLogger("test"))


def test_stage_chunks_cuts_chunks_of_the_chunk_size_and_keeps_the_runs_keys(tmp_path):
    ctx = stage_context(tmp_path, 3)
    records = [{"sku": f"S{n % 6}", "v": n} for n in range(8)] + [{"sku": ""}]
    chunks = stage_chunks(ctx, iter(records), key=lambda r: r["sku"])
    assert [(c["index"], c["records"]) for c in chunks] == [(0, 3), (1, 3), (2, 3)]
    assert [c["path"] for c in chunks] == [str(ctx.staging.extract_chunk(i)) for i in range(3)]
    assert [r for c in chunks for r in read_jsonl(as_storage_path(c["path"]))] == records
    assert read_json(ctx.staging.root / RUN_KEYS_FILE) == ["S0", "S1", "S2", "S3", "S4", "S5"]  # sorted, once, no blank
    numbered = stage_chunks(stage_context(tmp_path / "n", 2), [{"a": 1}, {"a": 2}, {"a": 3}], numbered=True)
    assert [list(read_jsonl(as_storage_path(c["path"]))) for c in numbered] == [
        [{"n": 0, "a": 1}, {"n": 1, "a": 2}], [{"n": 0, "a": 3}]]
    empty = stage_context(tmp_path / "e", 2)
    empty.staging.mark_started(NOW)  # the extract step starts the run's folder
    assert stage_chunks(empty, [], key=str) == []
    assert read_json(empty.staging.root / RUN_KEYS_FILE) == []


def test_stage_chunks_passes_raw_records_through_as_the_same_records(tmp_path):
    records = [{"identifier": f"P{n}", "parent": None if n % 2 else "m", "values": {"name": [{"data": f"Nom ü {n}"}]},
                "associations": {"X": {"products": []}}} for n in range(5)]
    raw = [msgspec.json.decode(msgspec.json.encode(r), type=dict[str, msgspec.Raw]) for r in records]
    whole_chunks = stage_chunks(stage_context(tmp_path / "whole", 2), records)
    raw_chunks = stage_chunks(stage_context(tmp_path / "raw", 2), raw, numbered=False)
    for whole, passed in zip(whole_chunks, raw_chunks, strict=True):
        assert whole["records"] == passed["records"]
        whole_bytes = Path(whole["path"].removeprefix("file://")).read_bytes()
        assert Path(passed["path"].removeprefix("file://")).read_bytes() == whole_bytes  # byte for byte
    assert stage_chunks(stage_context(tmp_path / "n", 5), raw, numbered=True)[0]["records"] == 5


def test_stage_chunks_closes_the_open_chunk_when_the_records_fail(tmp_path):
    def failing():
        yield {"a": 1}
        raise RuntimeError("lost")

    ctx = stage_context(tmp_path, 5)
    with pytest.raises(RuntimeError, match="lost"):
        stage_chunks(ctx, failing())
    assert not (Path(str(ctx.staging.root).removeprefix("file://")) / RUN_KEYS_FILE).exists()
