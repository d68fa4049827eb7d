"""A finished run's note carries its one-line summary, so the runs list shows what each run did.

A task cannot set its own run's note in Airflow 3.3: the Task SDK's execution API gives a task its
run's note to read and lets it give a note to a run it triggers, nothing more, and a task has no
database. So the scheduler sets it, as a listener of the run ending (`on_dag_run_success`,
`on_dag_run_failed`, called where Airflow decides the run's state): the `feedback` task leaves the
line in the run's `summary.json` (`RunSummary.line()`), and the listener puts it on the run.

A note a person wrote stays: the summary goes after it, in a paragraph of its own, and replaces
only an earlier summary of pimflow's (a cleared run that ran again). A run that failed before its
summary gets a line naming the failed tasks. Registered through the `airflow.plugins` entry point
(pyproject.toml), as `pimflow.pool_check` is; it imports only what the hook needs.
"""
from __future__ import annotations

import logging
import re

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

log = logging.getLogger("pimflow")

#: A run note holds at most this many characters (`dag_run_note.content`).
NOTE_LIMIT = 1000
#: A paragraph that is a summary pimflow wrote (`RunSummary.line()`, or `failed_line`).
PIMFLOW_LINE = re.compile(r"^(read \d+ · (would write|written) \d+|failed in [^\n]+ before its summary)")


def with_summary(note: str | None, line: str) -> str | None:
    """`note` with `line` as its last paragraph: a person's text kept whole, an earlier summary of
    pimflow's replaced (wherever it is: someone may have written below it). None when the person's
    text leaves no room for the line (it is kept as it is)."""
    paragraphs = [part for part in re.split(r"\n\s*\n", (note or "").strip()) if part.strip()]
    kept = "\n\n".join(part for part in paragraphs if not PIMFLOW_LINE.match(part))
    text = f"{kept}\n\n{line}" if kept else line
    return text if len(text) <= NOTE_LIMIT else None


def failed_line(task_ids: list[str]) -> str:
    return f"failed in {', '.join(task_ids)} before its summary: see the task's log"


def run_summary_line(dag_id: str, run_id: str) -> str | None:
    """The line the run's `feedback` task left in staging, if this attempt of the run wrote one (a run
    that starts again marks itself unfinished, and its feedback task removes the earlier summary)."""
    from pimflow.staging import RunStaging, read_json, staging_base

    staging = RunStaging(staging_base(), dag_id, run_id)
    try:
        marks = read_json(staging.marker)
        summary = read_json(staging.summary) if marks.get("finished_at") else None
    except (FileNotFoundError, ValueError):
        return None
    return (summary or {}).get("line")


def note_run(dag_run, session) -> str | None:
    """Set `dag_run`'s note to its summary line (see `with_summary`); returns the line, or None when
    the run is not pimflow's or left nothing to say."""
    dag = getattr(dag_run, "dag", None)
    if dag is None or "pimflow" not in (getattr(dag, "tags", None) or ()):
        return None
    line = run_summary_line(dag_run.dag_id, dag_run.run_id)
    if line is None and _state(dag_run) == "failed":
        failed = sorted({ti.task_id for ti in dag_run.get_task_instances(state=["failed"], session=session)})
        # no task failed: the run was failed at its start (pimflow.pool_check, whose note says why)
        line = failed_line(failed) if failed else None
    if line is None:
        return None
    note = with_summary(dag_run.note, line)
    if note is None:
        log.info("%s.%s: its note leaves no room for the run summary (%s); the note is kept as it is",
                 dag_run.dag_id, dag_run.run_id, line)
        return None
    if note != dag_run.note:
        dag_run.note = note
    return line


def _state(dag_run) -> str:
    state = getattr(dag_run, "state", None)
    return str(getattr(state, "value", state))


class RunSummaryNotes:
    @hookimpl
    def on_dag_run_success(self, dag_run, msg: str) -> None:
        _note_safely(dag_run)

    @hookimpl
    def on_dag_run_failed(self, dag_run, msg: str) -> None:
        _note_safely(dag_run)


def _note_safely(dag_run) -> None:
    """A note that could not be written never disturbs the scheduler."""
    try:
        from sqlalchemy.orm import object_session

        session = object_session(dag_run)
        if session is not None:
            note_run(dag_run, session)
            return
        from airflow.utils.session import create_session

        with create_session() as own:
            merged = own.merge(dag_run)
            merged.dag = dag_run.dag  # not a column: merge leaves it out
            note_run(merged, own)
    except Exception as exc:  # staging unreachable, a database hiccup: the run's state stands
        log.warning("%s.%s: run note not written: %s", getattr(dag_run, "dag_id", "?"),
                    getattr(dag_run, "run_id", "?"), exc)


class PimflowRunNotesPlugin(AirflowPlugin):
    """pimflow's run summaries as run notes (a scheduler listener)."""

    name = "pimflow_run_notes"
    listeners = [RunSummaryNotes()]
