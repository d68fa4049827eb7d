"""Run staging on a local folder or any fsspec URL, and its retention."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pimflow.staging import RunStaging, as_storage_path, read_json, read_jsonl, write_json, write_jsonl, staging_base

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


def test_retention_removes_only_older_runs_of_the_same_dag(tmp_path):
    base = as_storage_path(tmp_path)
    old, recent, current = (RunStaging(base, "dag", run) for run in ("old", "recent", "current"))
    old.mark_started(NOW - timedelta(days=20))
    recent.mark_started(NOW - timedelta(days=2))
    current.mark_started(NOW - timedelta(days=30))  # the run doing the purge is never removed
    other = RunStaging(base, "other_dag", "old")
    other.mark_started(NOW - timedelta(days=20))

    assert current.purge_older_runs(14, NOW) == ["old"]
    assert sorted(p.name for p in (tmp_path / "dag" / "runs").iterdir()) == ["current", "recent"]
    assert (tmp_path / "other_dag" / "runs" / "old").exists()
    assert current.purge_older_runs(0, NOW) == []  # 0 = keep everything
