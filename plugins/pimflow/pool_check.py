"""Fail a run at its start, with a note saying why, when it could not run as asked: a pool its write
tasks need is missing, or its logical date is before the profile's `start_date`.

Airflow leaves a task whose pool does not exist scheduled forever (the scheduler only logs "Tasks
using non-existent pool ... will not be scheduled"), and a task cannot read pools: the Task SDK's
execution API has no pool endpoint. So this check runs in the scheduler, as a listener of the run
starting (`on_dag_run_running`, called when a queued run becomes running, including a cleared run
and a backfill's): a run of a pimflow DAG whose `pimflow_*` pool is missing is failed there, with a
note on the run (shown in the UI and the REST API) naming the pool and the command that creates it.

A run whose logical date is before the DAG's start date (a profile whose `start_date` is still to
come, triggered now) gets no task at all from Airflow, and "succeeds" having done nothing; it is
failed here instead, with a note naming the start date and what to change.

Registered through the `airflow.plugins` entry point (pyproject.toml), so every scheduler loads it
whatever `[core] lazy_discover_providers` says. It imports only what the hook needs: task
processes load plugins too.
"""
from __future__ import annotations

import logging

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

from pimflow.pools import POOL_PREFIX, missing, missing_pool_message

log = logging.getLogger("pimflow")

#: Airflow's own pool, which every task without a pool of its own runs in.
DEFAULT_POOL = "default_pool"

#: A run note holds at most this many characters (`dag_run_note.content`).
NOTE_LIMIT = 1000


def pools_of(dag) -> set[str]:
    """The pimflow pools the DAG's tasks use: the write tasks' account pools, and on a pimflow DAG
    the pool its profile names (`pool:`) for its other tasks."""
    profile_dag = "pimflow" in (getattr(dag, "tags", None) or ())
    return {task.pool for task in getattr(dag, "tasks", ()) if (task.pool or "").startswith(POOL_PREFIX)
            or (profile_dag and task.pool and task.pool != DEFAULT_POOL)}


def fail_with_note(dag_run, message: str) -> None:
    """Fail `dag_run`, saying why in its note (after any note a person wrote)."""
    from airflow.utils.state import DagRunState

    dag_run.set_state(DagRunState.FAILED)
    note = f"{dag_run.note}\n\n{message}" if dag_run.note else message
    dag_run.note = note[:NOTE_LIMIT]


def fail_if_pools_missing(dag_run, dag, session) -> list[str]:
    """Fail `dag_run` (with a note saying why) when a pool its tasks use is missing; returns the
    missing pools."""
    absent = missing(pools_of(dag), session)
    if not absent:
        return []
    message = missing_pool_message(absent)
    log.error("%s.%s: %s", dag_run.dag_id, dag_run.run_id, message)
    fail_with_note(dag_run, message)
    return absent


def starts_too_early(dag_run, dag) -> bool:
    """Whether `dag_run`, of a pimflow DAG, has a logical date before the DAG's start date: Airflow
    then creates none of its tasks (a backfill's runs excepted)."""
    start, logical = getattr(dag, "start_date", None), getattr(dag_run, "logical_date", None)
    run_type = getattr(dag_run, "run_type", None)
    return ("pimflow" in (getattr(dag, "tags", None) or ()) and start is not None and logical is not None
            and getattr(run_type, "value", run_type) != "backfill" and logical < start)


def fail_if_before_start(dag_run, dag) -> bool:
    """Fail `dag_run` (with a note saying why) when it `starts_too_early`; True when it was failed."""
    if not starts_too_early(dag_run, dag):
        return False
    start, logical = dag.start_date, dag_run.logical_date
    message = (f"Nothing ran: this run's logical date {logical.isoformat()} is before the profile's start_date "
               f"{start.isoformat()}, and Airflow creates no task before a DAG's start date. Trigger it with a "
               f"logical date from {start.date().isoformat()} on (or none), or move start_date in the profile.")
    log.error("%s.%s: %s", dag_run.dag_id, dag_run.run_id, message)
    fail_with_note(dag_run, message)
    return True


class MissingPoolCheck:
    @hookimpl
    def on_dag_run_running(self, dag_run, msg: str) -> None:
        if msg != "started":  # the scheduler starting a queued run (not a test run, not a timeout)
            return
        dag = getattr(dag_run, "dag", None)
        if not pools_of(dag) and not starts_too_early(dag_run, dag):
            return
        from sqlalchemy.orm import object_session

        session = object_session(dag_run)
        if session is not None:
            fail_if_before_start(dag_run, dag) or fail_if_pools_missing(dag_run, dag, session)
            return
        from airflow.utils.session import create_session

        with create_session() as own:
            run = own.merge(dag_run)
            fail_if_before_start(run, dag) or fail_if_pools_missing(run, dag, own)



class PimflowPoolCheckPlugin(AirflowPlugin):
    """pimflow's checks of a run starting: its pools exist, it is not before the start date (a
    scheduler listener)."""

    name = "pimflow_pool_check"
    listeners = [MissingPoolCheck()]
