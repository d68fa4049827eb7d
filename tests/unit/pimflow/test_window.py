"""How a run's window is chosen: scheduled, backfill, manual, full and reconcile policies."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pimflow.profile import Incremental
from pimflow.window import RunParams, SyncState, Window, resolve_window

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
NO_POLICY = Incremental()


def synced(until=T0, full=T0, runs=0) -> SyncState:
    return SyncState.synced_until(until, full, runs)


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
    window = resolve_window(RunParams(), SyncState(), NO_POLICY, T0, T0 + HOUR, T0 + 9 * HOUR, "backfill")
    assert (window.mode, window.start, window.end) == ("incremental", T0, T0 + HOUR)


def test_manual_run_without_interval_starts_at_the_end_of_the_last_successful_run():
    now = T0 + 3 * HOUR
    window = resolve_window(RunParams(), synced(T0), NO_POLICY, now, now, now)
    assert (window.mode, window.start, window.end) == ("incremental", T0, now)
    window = resolve_window(RunParams(), synced(T0), NO_POLICY, None, None, now)
    assert (window.start, window.end) == (T0, now)


# -- a manual run (Trigger) with the Logical Date the form pre-fills ------------------------------------
# Airflow 3.3's trigger form pre-fills the Logical Date with "now"; the run then gets the last
# complete interval of the schedule, which ends before anything edited in the last minutes.
PREFILLED = (T0 + 2 * HOUR, T0 + 3 * HOUR)  # the interval Airflow infers for a trigger at T0 + 3h10
PRESSED = T0 + 3 * HOUR + timedelta(minutes=10)  # run_after: when Trigger was pressed


def test_a_manual_run_syncs_since_the_last_successful_run_whatever_logical_date_the_form_sent():
    state = synced(T0 + 3 * HOUR)  # the last scheduled run covered up to T0 + 3h
    window = resolve_window(RunParams(), state, NO_POLICY, *PREFILLED, PRESSED, "manual")
    assert (window.mode, window.start, window.end) == ("incremental", T0 + 3 * HOUR, PRESSED)
    assert window.reason == "manual run: since the last successful run"  # what the run's log says


def test_a_manual_run_with_a_logical_date_long_past_still_ends_when_trigger_was_pressed():
    old = (T0 - timedelta(days=30), T0 - timedelta(days=30) + HOUR)
    window = resolve_window(RunParams(), synced(T0), NO_POLICY, *old, PRESSED, "manual")
    assert (window.start, window.end) == (T0, PRESSED)


def test_the_same_interval_keeps_its_meaning_for_scheduled_and_asset_triggered_runs():
    for run_type in ("scheduled", "asset_triggered"):
        window = resolve_window(RunParams(), synced(T0 + 2 * HOUR), NO_POLICY, *PREFILLED, PRESSED, run_type)
        assert (window.start, window.end, window.reason) == (*PREFILLED, "data interval"), run_type


def test_a_manual_run_is_still_a_full_sync_when_asked_or_when_there_is_no_earlier_run():
    window = resolve_window(RunParams(full_sync=True), synced(T0), NO_POLICY, *PREFILLED, PRESSED, "manual")
    assert (window.mode, window.end) == ("full", PRESSED)  # up to the press, not to the inferred interval
    window = resolve_window(RunParams(), SyncState(), NO_POLICY, *PREFILLED, PRESSED, "manual")
    assert (window.mode, window.end, window.reason) == ("full", PRESSED, "no earlier successful run")
    params = RunParams(identifiers=("A",))
    assert resolve_window(params, synced(T0), NO_POLICY, *PREFILLED, PRESSED, "manual").mode == "manual"


def test_a_manual_run_counts_towards_the_reconcile_as_a_scheduled_run_does():
    policy = Incremental(full_every_runs=3)
    for run_type, interval in (("scheduled", PREFILLED), ("manual", PREFILLED)):
        state = synced(T0 + 2 * HOUR, full=T0, runs=1)
        window = resolve_window(RunParams(), state, policy, *interval, PRESSED, run_type)
        assert window.mode == "incremental"
        assert state.advanced(window, f"{run_type}-run").runs_since_full == 2, run_type
        due = synced(T0 + 2 * HOUR, full=T0, runs=2)
        window = resolve_window(RunParams(), due, policy, *interval, PRESSED, run_type)
        assert window.mode == "full" and "every 3 runs" in window.reason, run_type
        assert due.advanced(window, f"{run_type}-full").runs_since_full == 0


def test_a_cleared_manual_run_after_a_later_success_gets_an_empty_window_never_an_inverted_one():
    later = synced(PRESSED + HOUR)  # a scheduled run succeeded after this manual run was first asked for
    window = resolve_window(RunParams(), later, NO_POLICY, *PREFILLED, PRESSED, "manual")
    assert window.start == window.end == PRESSED + HOUR
    assert later.advanced(window, "cleared") == later  # synced nothing: not a run towards the reconcile


def test_the_run_type_comes_from_the_dag_run():
    from types import SimpleNamespace

    from airflow.utils.types import DagRunType

    from pimflow.factory import run_type_of

    assert run_type_of(SimpleNamespace(run_type=DagRunType.MANUAL)) == "manual"
    assert run_type_of(SimpleNamespace(run_type="asset_triggered")) == "asset_triggered"
    assert run_type_of(SimpleNamespace()) == "scheduled"


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


# -- the state under runs finishing out of order ------------------------------------------------------
DAY = timedelta(days=1)


def days(first: int, count: int) -> list[Window]:
    """`count` daily backfill windows from T0 + `first` days."""
    return [Window("incremental", T0 + (first + n) * DAY, T0 + (first + n + 1) * DAY) for n in range(count)]


def test_a_window_beyond_a_gap_never_moves_the_watermark_until_the_gap_is_synced():
    state = synced(T0)
    ahead = state.advanced(Window("incremental", T0 + 2 * DAY, T0 + 3 * DAY), "backfill-3")
    assert ahead.last_window_end == T0  # not forwards past the gap [T0, T0 + 2 days)
    assert ahead.covered == ((None, T0), (T0 + 2 * DAY, T0 + 3 * DAY))
    # the next scheduled run reaches back to the watermark: the gap gets synced
    window = resolve_window(RunParams(), ahead, NO_POLICY, T0 + 5 * DAY, T0 + 6 * DAY, T0 + 6 * DAY)
    assert (window.start, window.end) == (T0, T0 + 6 * DAY)
    assert ahead.advanced(window).covered == ((None, T0 + 6 * DAY),)
    # syncing the gap alone joins the spans
    joined = ahead.advanced(Window("incremental", T0, T0 + 2 * DAY), "backfill-1-2")
    assert joined.last_window_end == T0 + 3 * DAY and len(joined.covered) == 1


def test_runs_finishing_in_any_order_leave_the_state_of_a_sequential_replay():
    import itertools
    import random

    windows = days(0, 7)
    sequential = synced(T0)
    for n, window in enumerate(windows):
        sequential = sequential.advanced(window, f"run-{n}")
    assert sequential.covered == ((None, T0 + 7 * DAY),) and sequential.runs_since_full == 7
    orders = list(itertools.permutations(range(7)))
    for order in random.Random(7).sample(orders, 300) + [tuple(reversed(range(7)))]:
        state, watermarks = synced(T0), []
        for n in order:
            state = state.advanced(windows[n], f"run-{n}")
            watermarks.append(state.last_window_end)
        assert watermarks == sorted(watermarks), order  # never backwards
        for position, watermark in enumerate(watermarks):  # never forwards past a window not done yet
            finished = set(order[:position + 1])
            contiguous = next((n for n in range(7) if n not in finished), 7)
            assert watermark == T0 + contiguous * DAY, (order, position)
        assert essence(state) == essence(sequential), order


def essence(state: SyncState) -> tuple:
    """What a state says, whatever order its runs were folded in."""
    return state.covered, state.last_window_end, state.last_full_sync, state.runs_since_full, set(state.applied)


def test_a_backfill_before_any_full_sync_leaves_no_watermark():
    state = SyncState()
    for n, window in enumerate(days(0, 7)):
        state = state.advanced(window, f"backfill-{n}")
    assert state.covered == ((T0, T0 + 7 * DAY),) and state.last_window_end is None
    # so the first scheduled run is the full sync a first run always is (not "since the backfill")
    window = resolve_window(RunParams(), state, NO_POLICY, T0 + 30 * DAY, T0 + 31 * DAY, T0 + 31 * DAY)
    assert window.mode == "full" and window.reason == "no earlier successful run"


def test_one_runs_success_counts_once():
    window = Window("incremental", T0, T0 + HOUR)
    state = synced(T0).advanced(window, "run-1")
    assert state.advanced(window, "run-1") == state and state.runs_since_full == 1
    assert state.advanced(window, "run-2").runs_since_full == 2  # another run of the same window counts


def test_an_older_incremental_does_not_count_towards_the_next_reconcile():
    state = synced(T0, full=T0 + DAY)
    assert state.advanced(Window("incremental", T0, T0 + HOUR), "backfill").runs_since_full == 0
    late_full = synced(T0 + 2 * DAY, full=T0 + 2 * DAY, runs=3).advanced(Window("full", end=T0 + DAY), "old-full")
    assert (late_full.last_full_sync, late_full.runs_since_full) == (T0 + 2 * DAY, 3)


def test_state_written_before_spans_reads_as_its_watermark():
    old = {"last_window_end": T0.isoformat(), "last_full_sync": T0.isoformat(), "runs_since_full": 2, "extra": {}}
    state = SyncState.from_dict(old)
    assert state.covered == ((None, T0),) and state.last_window_end == T0 and state.runs_since_full == 2
    assert SyncState.from_dict(None) == SyncState() and SyncState.from_dict({}).last_window_end is None
    assert SyncState.from_dict(state.to_dict()) == state
    assert state.to_dict()["last_window_end"] == T0.isoformat()


def test_success_records_fold_in_the_same_whatever_their_order():
    from pimflow.window import success_record

    records = [success_record(f"run-{n}", window, T0 + n * HOUR) for n, window in enumerate(days(0, 4))]
    assert essence(synced(T0).merged(records)) == essence(synced(T0).merged(reversed(records)))
    assert synced(T0).merged(records + records) == synced(T0).merged(records)
    assert synced(T0).merged(records).last_window_end == T0 + 4 * DAY
