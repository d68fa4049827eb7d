"""A finished run's note carries its one-line summary (set by a scheduler listener from the run's
staging), after any note a person wrote; a cleared run that ran again replaces only its old summary."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from pimflow.run_notes import NOTE_LIMIT, PimflowRunNotesPlugin, RunSummaryNotes, failed_line, note_run, with_summary
from pimflow.staging import RunStaging, staging_base, write_json

LINE = "read 7 · written 3 · unchanged 1 · refused 3 (2 data, 1 transient)"


def test_the_summary_is_the_whole_note_of_a_run_nobody_wrote_on():
    assert with_summary(None, LINE) == LINE
    assert with_summary("", LINE) == LINE


def test_a_persons_note_is_kept_and_the_summary_follows_it():
    assert with_summary("Re-run after the price fix (Ann)", LINE) == f"Re-run after the price fix (Ann)\n\n{LINE}"
    two = "First line\n\nsecond paragraph, by Ann"
    assert with_summary(two, LINE) == f"{two}\n\n{LINE}"


def test_a_run_that_ran_again_replaces_its_earlier_summary_only():
    earlier = with_summary("checked by Ann", "read 5 · would write 5 · dry run")
    assert with_summary(earlier, LINE) == f"checked by Ann\n\n{LINE}"
    assert with_summary(failed_line(["extract"]), LINE) == LINE
    assert with_summary("read the README first", LINE) == f"read the README first\n\n{LINE}"  # a person's words
    below = "checked by Ann\n\nread 5 · written 5\n\nlooks right (Bob)"  # Bob wrote under the old summary
    assert with_summary(below, LINE) == f"checked by Ann\n\nlooks right (Bob)\n\n{LINE}"


def test_a_persons_long_note_is_never_cut_for_the_summary():
    long = "x" * (NOTE_LIMIT - 10)
    assert with_summary(long, LINE) is None


class _Run(SimpleNamespace):
    def get_task_instances(self, state=None, session=None):
        return [SimpleNamespace(task_id=task_id) for task_id in self.failed]


@pytest.fixture
def run(staging_dir):
    dag = SimpleNamespace(tags=["pimflow", "demo"])
    return _Run(dag_id="notes_dag", run_id="manual__1", dag=dag, note=None, state="success", failed=[])


def finish(run, line: str | None, finished: bool = True) -> None:
    staging = RunStaging(staging_base(), run.dag_id, run.run_id)
    write_json(staging.marker, {"started_at": "2026-12-01T10:00:00+00:00",
                                **({"finished_at": "2026-12-01T10:05:00+00:00"} if finished else {})})
    if line is not None:
        write_json(staging.summary, {"line": line, "read": 7})


def test_the_line_the_feedback_task_left_in_staging_becomes_the_note(run):
    finish(run, LINE)
    assert note_run(run, session=None) == LINE and run.note == LINE
    run.note = f"checked by Ann\n\n{LINE}"
    assert note_run(run, session=None) == LINE and run.note == f"checked by Ann\n\n{LINE}"  # unchanged


def test_a_note_that_cannot_be_written_never_disturbs_the_scheduler(run, caplog):
    finish(run, LINE)
    listener = RunSummaryNotes()
    assert [type(one) for one in PimflowRunNotesPlugin.listeners] == [RunSummaryNotes]
    listener.on_dag_run_success(dag_run=run, msg="success")  # not a database row: no session to write with
    assert run.note is None and "run note not written" in caplog.text


def test_a_summary_an_earlier_attempt_left_is_not_this_attempts(run):
    finish(run, LINE, finished=False)  # the run started again (extract marks it unfinished) and failed early
    run.state, run.failed = "failed", ["extract"]
    assert note_run(run, session=None) == "failed in extract before its summary: see the task's log"
    assert run.note == "failed in extract before its summary: see the task's log"


def test_a_run_of_another_dag_is_left_alone(run):
    finish(run, LINE)
    run.dag = SimpleNamespace(tags=["finance"])
    assert note_run(run, session=None) is None and run.note is None
