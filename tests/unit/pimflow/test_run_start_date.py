"""A run whose logical date is before its profile's `start_date` gets no task from Airflow and would
"succeed" having done nothing: pimflow's scheduler listener fails it with a note saying why and what
to change (issue 17)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pimflow.factory import build_dag
from pimflow.loader import load_profiles
from pimflow.pool_check import NOTE_LIMIT, fail_if_before_start, starts_too_early

PROFILE = """id: later
start_date: 2027-03-01
source: {kind: feed, path: in.csv}
target: {kind: feed, path: out.csv}
"""


class _Run:
    """What the check reads and changes of a DagRun."""

    def __init__(self, logical_date, run_type="manual", note=None):
        self.dag_id, self.run_id, self.run_type = "later", "manual__1", run_type
        self.logical_date, self.note, self.state = logical_date, note, "running"

    def set_state(self, state) -> None:
        self.state = state


@pytest.fixture
def dag(tmp_path):
    (tmp_path / "later.yaml").write_text(PROFILE, encoding="utf-8")
    [item], errors = load_profiles(tmp_path)
    assert not errors
    return build_dag(item)


def test_a_run_before_the_start_date_is_failed_with_a_note_saying_why(dag):
    run = _Run(datetime(2026, 12, 7, 18, 30, tzinfo=timezone.utc), note="triggered by Ann")
    assert fail_if_before_start(run, dag) is True
    assert run.state == "failed"
    assert run.note == (
        "triggered by Ann\n\nNothing ran: this run's logical date 2026-12-07T18:30:00+00:00 is before the "
        "profile's start_date 2027-03-01T00:00:00+00:00, and Airflow creates no task before a DAG's start "
        "date. Trigger it with a logical date from 2027-03-01 on (or none), or move start_date in the profile.")
    assert len(run.note) <= NOTE_LIMIT


@pytest.mark.parametrize("run", [
    _Run(datetime(2027, 3, 1, tzinfo=timezone.utc)),  # on the start date: Airflow creates the tasks
    _Run(None),  # no logical date: neither does Airflow filter the tasks
    _Run(datetime(2026, 1, 1, tzinfo=timezone.utc), run_type="backfill"),  # a backfill's runs get their tasks
], ids=["on-the-start-date", "no-logical-date", "backfill"])
def test_runs_that_get_their_tasks_are_left_alone(dag, run):
    assert starts_too_early(run, dag) is False
    assert fail_if_before_start(run, dag) is False
    assert (run.state, run.note) == ("running", None)


def test_a_dag_that_is_not_pimflows_is_left_alone(dag):
    class OtherDag:
        start_date, tags = dag.start_date, ["finance"]

    run = _Run(datetime(2026, 12, 7, tzinfo=timezone.utc))
    assert fail_if_before_start(run, OtherDag()) is False and run.state == "running"
