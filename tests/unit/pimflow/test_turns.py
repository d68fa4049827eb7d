"""One run of a profile at a time: the turn each run takes at its start (Lamport's bakery over
files in staging), against a fake Airflow that says which runs are running. No test here waits on a
clock: the threaded one steps its threads one storage operation at a time and only guards against a hang."""
from __future__ import annotations

import random
import threading

from pimflow.staging import as_storage_path, read_json
from pimflow.turns import Turn


class FakeAirflow:
    """Which runs of the profile are running, and their logical dates (None: a manual run without one)."""

    def __init__(self):
        self.dates: dict[str, int | None] = {}
        self.running: set[str] = set()

    def start(self, run_id: str, date: int | None = None) -> None:
        self.dates[run_id], _ = date, self.running.add(run_id)

    def end(self, run_id: str) -> None:
        self.running.discard(run_id)

    def earlier_running(self, run_id: str):
        mine = self.dates[run_id]
        if mine is None:
            return None
        earlier = [r for r in self.running if self.dates[r] is not None and self.dates[r] < mine]
        return max(earlier, key=lambda r: self.dates[r], default=None)

    def poke(self, turn: Turn):
        return turn.poke(lambda run: run in self.running, lambda: self.earlier_running(turn.run_id))


def test_a_backfill_started_all_at_once_takes_turns_in_date_order(tmp_path):
    root, airflow = as_storage_path(tmp_path), FakeAirflow()
    runs = [f"backfill__2026-11-0{day}" for day in range(2, 9)]
    for date, run in enumerate(runs):
        airflow.start(run, date)
    turns = {run: Turn(root, run) for run in runs}
    rng, order = random.Random(3), []
    while len(order) < len(runs):
        waiting = [run for run in runs if run in airflow.running]
        rng.shuffle(waiting)  # the scheduler pokes them in any order
        granted = [run for run in waiting if airflow.poke(turns[run]).granted]
        assert len(granted) <= 1, granted
        if granted:  # the run does its work, then its feedback gives the turn back and it ends
            order.append(granted[0])
            turns[granted[0]].release()
            airflow.end(granted[0])
    assert order == runs


def test_a_run_holding_the_turn_keeps_it_against_an_earlier_dated_run(tmp_path):
    root, airflow = as_storage_path(tmp_path), FakeAirflow()
    airflow.start("scheduled__2026-12-07", 30)
    scheduled = Turn(root, "scheduled__2026-12-07")
    assert airflow.poke(scheduled).granted
    airflow.start("backfill__2026-11-02", 1)
    backfill = Turn(root, "backfill__2026-11-02")
    check = airflow.poke(backfill)
    assert not check.granted and "scheduled__2026-12-07 has the turn" in check.reason
    scheduled.release()
    assert airflow.poke(backfill).granted


def test_a_run_waiting_for_an_earlier_one_takes_no_ticket(tmp_path):
    root, airflow = as_storage_path(tmp_path), FakeAirflow()
    airflow.start("day-1", 1)
    airflow.start("day-2", 2)
    later = Turn(root, "day-2")
    check = airflow.poke(later)
    assert not check.granted and "day-1, an earlier run of this profile, is running" in check.reason
    assert not later.path.exists()  # nobody waits for a run that waits
    assert airflow.poke(Turn(root, "day-1")).granted


def test_the_ticket_of_a_run_that_is_no_longer_running_holds_nobody_back(tmp_path):
    root, airflow = as_storage_path(tmp_path), FakeAirflow()
    airflow.start("failed-run")
    failed = Turn(root, "failed-run")
    assert airflow.poke(failed).granted
    airflow.end("failed-run")  # its extract failed: no feedback gave the turn back
    airflow.start("next")
    assert airflow.poke(Turn(root, "next")).granted
    assert not failed.path.exists()  # removed as stale


def test_a_cleared_run_takes_a_new_ticket(tmp_path):
    root, airflow = as_storage_path(tmp_path), FakeAirflow()
    airflow.start("a")
    airflow.start("b")
    first = Turn(root, "a", attempt=1)
    assert airflow.poke(first).granted
    assert not airflow.poke(Turn(root, "b")).granted  # b has ticket 2
    first.release()
    airflow.end("a")
    assert airflow.poke(Turn(root, "b")).granted  # b has the turn now
    airflow.start("a")  # a is cleared and runs again: its old ticket 1 must not jump the queue
    stale = {"run_id": "a", "attempt": 1, "choosing": False, "ticket": 1}
    from pimflow.staging import write_json

    write_json(first.path, stale)
    again = Turn(root, "a", attempt=2)
    check = airflow.poke(again)
    assert not check.granted and "b has the turn" in check.reason
    assert read_json(again.path)["ticket"] == 3


def test_a_run_choosing_its_ticket_is_waited_for(tmp_path):
    from pimflow.staging import write_json

    root, airflow = as_storage_path(tmp_path), FakeAirflow()
    airflow.start("a")
    airflow.start("b")
    (tmp_path / "turns").mkdir()
    write_json(Turn(root, "b").path, {"run_id": "b", "attempt": 1, "choosing": True})
    check = airflow.poke(Turn(root, "a"))
    assert not check.granted and "b is taking its ticket" in check.reason


class Interleaver:
    """Runs threads one storage operation at a time, in an order drawn from `seed`: every read,
    write, listing and removal of a ticket is a point where another run may step in."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.cv = threading.Condition()
        self.waiting: set[str] = set()
        self.finished: set[str] = set()
        self.current: str | None = None

    def step(self) -> None:
        me = threading.current_thread().name
        with self.cv:
            self.waiting.add(me)
            self.current = None
            self.cv.notify_all()
            self.cv.wait_for(lambda: self.current == me)
            self.waiting.discard(me)

    def finish(self) -> None:
        with self.cv:
            self.finished.add(threading.current_thread().name)
            self.current = None
            self.cv.notify_all()

    def drive(self, names: list[str]) -> None:
        with self.cv:
            while len(self.finished) < len(names):
                ready = self.cv.wait_for(
                    lambda: self.current is None and len(self.waiting) + len(self.finished) == len(names), timeout=60)
                assert ready, "a thread is stuck outside a storage operation"
                if self.waiting:
                    self.current = self.rng.choice(sorted(self.waiting))
                    self.cv.notify_all()


def test_never_two_runs_with_the_turn_whatever_the_interleaving(tmp_path, monkeypatch):
    """Three runs taking the turn twice each, their storage operations interleaved in 200 drawn
    orders (a run may stop between any two reads or writes of its ticket): whoever has the turn is
    alone with it, and every run gets it."""
    import pimflow.turns as turns

    real_read, real_write, real_release, real_others = (turns.read_json, turns.write_json_atomic,
                                                        turns.Turn.release, turns.Turn._others)
    for seed in range(200):
        interleaver = Interleaver(seed)
        stepped = lambda fn: (lambda *a, **k: (interleaver.step(), fn(*a, **k))[1])  # noqa: E731
        monkeypatch.setattr(turns, "read_json", stepped(real_read))
        monkeypatch.setattr(turns, "write_json_atomic", stepped(real_write))
        monkeypatch.setattr(turns.Turn, "release", stepped(real_release))
        monkeypatch.setattr(turns.Turn, "_others", stepped(real_others))
        root, airflow = as_storage_path(tmp_path / str(seed)), FakeAirflow()
        names = ["a", "b", "c"]
        for name in names:
            airflow.start(name)
        holders, overlaps, granted = [], [], []

        def run(name: str) -> None:
            try:
                for attempt in (1, 2):
                    turn = Turn(root, name, attempt)
                    while not airflow.poke(turn).granted:
                        pass
                    holders.append(name)
                    if len(holders) > 1:
                        overlaps.append(tuple(holders))
                    granted.append(name)
                    interleaver.step()  # others move while this run has the turn
                    holders.remove(name)
                    turn.release()
            finally:
                interleaver.finish()

        threads = [threading.Thread(target=run, args=(name,), name=name, daemon=True) for name in names]
        for thread in threads:
            thread.start()
        interleaver.drive(names)
        for thread in threads:
            thread.join(timeout=60)  # a hang guard only
        assert not overlaps, (seed, overlaps)
        assert sorted(granted) == sorted(names * 2), (seed, granted)
