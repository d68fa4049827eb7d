"""The incremental state in staging as runs finish: each successful run writes a record of its own,
state.json folds them in, so runs finishing together or out of order lose nothing; the steps mark
a run started and finished by the wall clock (retention's clock). Clocks are fake: nothing here
waits or measures time."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pimflow import steps
from pimflow.kinds import RunContext
from pimflow.loader import parse_profile
from pimflow.staging import RunStaging, as_storage_path, read_json, write_json
from pimflow.window import RunParams, SyncState, Window

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
DAY = timedelta(days=1)
PROFILE = "id: state_store\nsource: {kind: feed, path: in.csv}\ntarget: {kind: feed, path: out.csv}\n"


def context(tmp_path: Path, run_id: str) -> RunContext:
    (tmp_path / "p.yaml").write_text(PROFILE)
    (tmp_path / "in.csv").write_text("sku\nA\n")
    profile = parse_profile(tmp_path / "p.yaml")
    staging = RunStaging(as_storage_path(tmp_path / "staging"), profile.id, run_id)
    return RunContext(profile, tmp_path, staging, RunParams(), profile.id, run_id, log=logging.getLogger("test"))


def window(day: int) -> Window:
    return Window("incremental", T0 + day * DAY, T0 + (day + 1) * DAY, reason="backfill interval")


def seed_full_sync(tmp_path: Path) -> None:
    ctx = context(tmp_path, "first")
    write_json(ctx.staging.state, SyncState.synced_until(T0, full=T0).to_dict())


def test_each_success_folds_into_state_json(tmp_path):
    seed_full_sync(tmp_path)
    for day in range(3):
        steps.commit_state(context(tmp_path, f"run-{day}"), window(day), now=T0 + 10 * DAY)
    stored = SyncState.from_dict(read_json(context(tmp_path, "x").staging.state))
    assert stored.covered == ((None, T0 + 3 * DAY),) and stored.runs_since_full == 3


def test_a_state_json_overwritten_by_a_run_that_did_not_see_another_loses_nothing(tmp_path):
    """Two runs finishing at once: B commits while A, having read the state before B's record
    existed, writes state.json last. B's own record still holds its success."""
    seed_full_sync(tmp_path)
    a, b = context(tmp_path, "run-a"), context(tmp_path, "run-b")
    before_b = steps.commit_state(a, window(0), now=T0 + 10 * DAY)  # what A computed
    steps.commit_state(b, window(1), now=T0 + 10 * DAY)
    write_json(a.staging.state, before_b.to_dict())  # A's late write, without B
    assert steps.load_state(a).last_window_end == T0 + 2 * DAY
    assert steps.commit_state(context(tmp_path, "run-c"), window(2), now=T0 + 10 * DAY).last_window_end == T0 + 3 * DAY


def test_runs_finishing_out_of_order_never_move_the_watermark_back_nor_past_a_gap(tmp_path):
    seed_full_sync(tmp_path)
    seen = []
    for day in (2, 0, 3, 1):
        seen.append(steps.commit_state(context(tmp_path, f"run-{day}"), window(day), now=T0 + 10 * DAY).last_window_end)
    assert seen == [T0, T0 + DAY, T0 + DAY, T0 + 4 * DAY]


def test_records_go_once_state_json_holds_them_and_they_are_old_enough(tmp_path):
    seed_full_sync(tmp_path)
    now = T0 + 10 * DAY
    steps.commit_state(context(tmp_path, "run-0"), window(0), now=now)
    records = tmp_path / "staging" / "state_store" / "state.d"
    assert [p.name for p in records.iterdir()] == ["run-0.json"]
    steps.commit_state(context(tmp_path, "run-1"), window(1), now=now + steps.STATE_RECORD_KEEP / 2)
    assert sorted(p.name for p in records.iterdir()) == ["run-0.json", "run-1.json"]  # too young to go
    state = steps.commit_state(context(tmp_path, "run-2"), window(2), now=now + steps.STATE_RECORD_KEEP * 1.25)
    assert sorted(p.name for p in records.iterdir()) == ["run-1.json", "run-2.json"]
    assert state.runs_since_full == 3 and steps.load_state(context(tmp_path, "x")) == state
    assert not [p for p in (tmp_path / "staging" / "state_store").iterdir() if p.name.startswith(".")]


def test_a_retried_feedback_counts_its_run_once(tmp_path):
    seed_full_sync(tmp_path)
    ctx = context(tmp_path, "run-0")
    steps.commit_state(ctx, window(0), now=T0 + 10 * DAY)
    state = steps.commit_state(ctx, window(0), now=T0 + 10 * DAY)
    assert state.runs_since_full == 1


def test_a_run_is_marked_started_and_finished_by_the_wall_clock(tmp_path, monkeypatch):
    import pimflow.staging

    clock = iter([T0 + 40 * DAY, T0 + 40 * DAY + timedelta(minutes=3)] + [T0 + 41 * DAY] * 10)
    monkeypatch.setattr(pimflow.staging, "utcnow", lambda: next(clock))
    monkeypatch.setattr(steps, "utcnow", lambda: T0 + 40 * DAY + timedelta(minutes=2))
    ctx = context(tmp_path, "backfill__2026-11-02T00:00:00+00:00")
    logical = T0 + DAY  # the backfill's run time: weeks before the wall clock
    chunks = steps.extract(ctx, T0, T0 + DAY, logical, "backfill")
    assert read_json(ctx.staging.marker) == {"started_at": (T0 + 40 * DAY).isoformat()}
    loads = [steps.load(ctx, steps.transform(ctx, chunk)) for chunk in chunks]
    steps.feedback(ctx, chunks, loads)
    marks = read_json(ctx.staging.marker)
    assert marks["finished_at"] == (T0 + 40 * DAY + timedelta(minutes=3)).isoformat()
    assert marks["outcome"] == "success"
    state = steps.load_state(ctx)
    assert state.covered == ((T0, T0 + DAY),) and state.last_window_end is None  # a backfill alone: no watermark
