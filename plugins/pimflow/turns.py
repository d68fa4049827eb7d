"""One run of a profile at a time, whatever started it.

Airflow keeps a DAG's scheduled and manual runs apart with `max_active_runs=1`, but counts backfill
runs apart from those and bounds them only by the backfill's own `--max-active-runs` (default 10):
`airflow backfill create` over 7 days starts 7 runs at once, next to any scheduled run. Runs of
one profile write the same target, the same published files and the same incremental state, so
each run first takes the profile's turn (the DAG's first task, `wait_turn`) and gives it back when
its `feedback` step is done.

The turn is Lamport's bakery algorithm over one small file per run in `{dag}/turns/` in staging
(local folder or object store: each file is written whole, at once): a run takes a ticket one above
every ticket it sees, then has the turn when no other live run is still choosing its ticket or holds
a smaller one. Two runs can never both have the turn, even when they look at the same moment. A
ticket whose run Airflow no longer reports as running (it failed, it was marked failed, its worker
died) is stale: it is removed and waits for nobody.

Order: a run takes no ticket while a run of the profile with an earlier logical date is running,
so the runs of a backfill started together go in date order, as a sequential replay would. A run
that waits takes no ticket, so nobody waits for it: no cycle, no deadlock.

Limits: a task cleared alone, after its run gave the turn back, runs outside the turn (clear the
run from `wait_turn`, or the whole run, to replay it in turn).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pimflow.staging import read_json, safe_name, utcnow, write_json_atomic


@dataclass(frozen=True)
class TurnCheck:
    granted: bool
    reason: str


class Turn:
    """A run's ticket in the profile's queue. `attempt` is the sensor's try number: a run cleared or
    retried takes a new ticket rather than reusing one other runs may have stopped waiting for."""

    def __init__(self, dag_root, run_id: str, attempt: int = 1):
        self.folder = dag_root / "turns"
        self.run_id = run_id
        self.attempt = attempt
        self.path = self.folder / f"{safe_name(run_id)}.json"

    def poke(self, running: Callable[[str], bool], earlier_running: Callable[[], str | None]) -> TurnCheck:
        """Take a ticket if this run has none yet, then see whether the turn is this run's.
        `running(run_id)`: whether Airflow reports that run of the profile as running;
        `earlier_running()`: the id of a running run of the profile with an earlier logical date."""
        mine = self._read(self.path)
        if not _is_ticket(mine) or mine.get("attempt") != self.attempt:
            blocker = earlier_running()
            if blocker:
                self.release()  # an older attempt's ticket must hold nobody back
                return TurnCheck(False, f"{blocker}, an earlier run of this profile, is running: it goes first")
            mine = self._take_ticket()
        for path, other in self._others():
            if other is None:
                return TurnCheck(False, f"{path.name} is unreadable: a run is writing it (or remove it)")
            run = other.get("run_id")
            if not run or not running(run):
                path.unlink(missing_ok=True)  # its run is over: the ticket holds nobody back
                continue
            if not _is_ticket(other):
                return TurnCheck(False, f"{run} is taking its ticket")
            if (other["ticket"], run) < (mine["ticket"], self.run_id):
                return TurnCheck(False, f"{run} has the turn or goes first (ticket {other['ticket']}, "
                                        f"this run's {mine['ticket']})")
        return TurnCheck(True, f"this run has the profile's turn (ticket {mine['ticket']})")

    def release(self) -> None:
        """Give the turn (or the place in the queue) back."""
        self.path.unlink(missing_ok=True)

    def _take_ticket(self) -> dict:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.path, {"run_id": self.run_id, "attempt": self.attempt, "choosing": True})
        tickets = [other["ticket"] for _, other in self._others() if _is_ticket(other)]
        mine = {"run_id": self.run_id, "attempt": self.attempt, "choosing": False,
                "ticket": 1 + max(tickets, default=0), "since": utcnow().isoformat()}
        write_json_atomic(self.path, mine)
        return mine

    def _others(self) -> list[tuple[object, dict | None]]:
        if not self.folder.exists():
            return []
        found = []
        for path in self.folder.iterdir():
            if path == self.path or path.name.startswith(".") or not path.name.endswith(".json"):
                continue  # this run's, or a file being written
            try:
                found.append((path, self._read(path, missing=FileNotFoundError)))
            except FileNotFoundError:  # given back meanwhile
                continue
        return found

    @staticmethod
    def _read(path, missing=None) -> dict | None:
        try:
            data = read_json(path)
        except FileNotFoundError:
            if missing is not None:
                raise
            return None
        except ValueError:
            return None
        return data if isinstance(data, dict) else None


def _is_ticket(data: dict | None) -> bool:
    return bool(data) and not data.get("choosing") and isinstance(data.get("ticket"), int)
