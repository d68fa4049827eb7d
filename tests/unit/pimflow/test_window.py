"""How a run's window is chosen: scheduled, backfill, manual, full and reconcile policies."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pimflow.profile import Incremental
from pimflow.window import RunParams, SyncState, Window, resolve_window

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
NO_POLICY = Incremental()


def synced(until=T0, full=T0, runs=0) -> SyncState:
    return SyncState(last_window_end=until, last_full_sync=full, runs_since_full=runs)


def test_first_run_ever_is_a_full_sync():
    window = resolve_window(RunParams(), SyncState(), NO_POLICY, T0, T0 + HOUR, T0 + HOUR)
    assert window.mode == "full" and window.end == T0 + HOUR


def test_scheduled_run_takes_its_data_interval():
    window = resolve_window(RunParams(), synced(T0), NO_POLICY, T0, T0 + HOUR, T0 + 2 * HOUR)
    assert (window.mode, window.start, window.end) == ("incremental", T0, T0 + HOUR)


def test_scheduled_run_after_a_gap_reaches_back_to_the_last_successful_window():
    window = resolve_window(RunParams(), synced(T0 - 5 * HOUR), NO_POLICY, T0, T0 + HOUR, T0 + HOUR)
    assert (window.start, window.end) == (T0 - 5 * HOUR, T0 + HOUR)


def test_backfill_replays_exactly_its_interval_even_before_any_state():
    window = resolve_window(RunParams(), SyncState(), NO_POLICY, T0, T0 + HOUR, T0 + 9 * HOUR, backfill=True)
    assert (window.mode, window.start, window.end) == ("incremental", T0, T0 + HOUR)


def test_manual_run_without_interval_starts_at_the_end_of_the_last_successful_run():
    now = T0 + 3 * HOUR
    window = resolve_window(RunParams(), synced(T0), NO_POLICY, now, now, now)
    assert (window.mode, window.start, window.end) == ("incremental", T0, now)
    window = resolve_window(RunParams(), synced(T0), NO_POLICY, None, None, now)
    assert (window.start, window.end) == (T0, now)


def test_trigger_form_identifiers_and_full_sync():
    params = RunParams.from_params({"identifiers": [" A ", "B", "A", ""], "full_sync": True})
    assert params.identifiers == ("A", "B")
    window = resolve_window(params, synced(), NO_POLICY, T0, T0 + HOUR, T0)
    assert window.mode == "manual" and window.identifiers == ("A", "B")
    window = resolve_window(RunParams(full_sync=True), synced(), NO_POLICY, T0, T0 + HOUR, T0)
    assert window.mode == "full" and "trigger form" in window.reason


def test_identifiers_may_come_as_text_from_the_api():
    assert RunParams.from_params({"identifiers": "A, B\nC"}).identifiers == ("A", "B", "C")


def test_reconcile_every_n_runs():
    policy = Incremental(full_every_runs=3)
    state = synced(runs=1)
    assert resolve_window(RunParams(), state, policy, T0, T0 + HOUR, T0).mode == "incremental"
    state = synced(runs=2)
    window = resolve_window(RunParams(), state, policy, T0, T0 + HOUR, T0)
    assert window.mode == "full" and "every 3 runs" in window.reason


def test_reconcile_every_n_days():
    policy = Incremental(full_every_days=7)
    now = T0 + timedelta(days=7)
    assert resolve_window(RunParams(), synced(now - HOUR, full=T0), policy, now - HOUR, now, now).mode == "full"
    assert resolve_window(RunParams(), synced(now - HOUR, full=T0 + HOUR), policy, now - HOUR, now, now).mode == "incremental"


def test_state_advances_after_success():
    state = SyncState().advanced(Window("full", end=T0))
    assert (state.last_window_end, state.last_full_sync, state.runs_since_full) == (T0, T0, 0)
    state = state.advanced(Window("incremental", T0, T0 + HOUR))
    assert (state.last_window_end, state.runs_since_full) == (T0 + HOUR, 1)
    # a backfill of an older interval never moves the window end back; manual runs change nothing
    assert state.advanced(Window("incremental", T0 - 9 * HOUR, T0 - 8 * HOUR)).last_window_end == T0 + HOUR
    assert state.advanced(Window("manual", identifiers=("A",))) == state
    assert SyncState.from_dict(state.to_dict()) == state


def test_backfill_runs_are_recognised_by_their_run_type():
    from types import SimpleNamespace

    from airflow.utils.types import DagRunType

    from pimflow.factory import is_backfill

    assert is_backfill(SimpleNamespace(run_type=DagRunType.BACKFILL_JOB))
    assert is_backfill(SimpleNamespace(run_type="backfill"))
    for other in (DagRunType.MANUAL, DagRunType.SCHEDULED, DagRunType.ASSET_TRIGGERED):
        assert not is_backfill(SimpleNamespace(run_type=other))
