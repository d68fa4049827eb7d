"""A profile's notifiers through a real DAG run (`dag.test()`): a run that crosses its error
threshold calls the on_threshold notifier with the run summary, then the failed feedback task its
on_task_failure notifier and the failed run its on_failure notifier; a run that succeeds calls none.
The notifier is `tests.notify_probe.FileNotifier`, which writes what it got to a file."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.notify_probe import ALLOWED, calls

pytestmark = pytest.mark.integration

FEED = "sku,price\nA-1,10.00\nA-2,\nA-3,12.50\n"  # A-2 has no price: refused by the mapping

PROFILE = """
id: {dag_id}
source: {{kind: feed, path: in.csv}}
target: {{kind: feed, path: out/products.csv}}
mapping:
  columns:
    - {{name: sku, required: true}}
    - {{name: price, required: true}}
feedback: {{max_errors: {max_errors}}}
timeouts: {{run: 1h, task: 10m}}
notify:
  on_threshold:
    - class: tests.notify_probe.FileNotifier
      with: {{path: "{folder}/threshold.jsonl", message: "{{dag_id}}: {{reason}} | {{summary}}", tags: ["{{run_id}}"]}}
  on_task_failure:
    - class: tests.notify_probe.FileNotifier
      with: {{path: "{folder}/task.jsonl", message: "{{reason}}"}}
  on_failure:
    - class: tests.notify_probe.FailingNotifier
    - class: tests.notify_probe.FileNotifier
      with: {{path: "{folder}/failure.jsonl", message: "{{dag_id}} {{run_id}}: {{reason}} | {{summary}}"}}
"""


@pytest.fixture
def probe_allowed(monkeypatch):
    monkeypatch.setenv("AIRFLOW__PIMFLOW__NOTIFIERS", ALLOWED)


def write_profile(folder: Path, max_errors: int) -> tuple[Path, str]:
    dag_id = f"test_notify_{uuid.uuid4().hex[:8]}"
    (folder / "in.csv").write_text(FEED, encoding="utf-8")
    path = folder / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=dag_id, max_errors=max_errors, folder=folder), encoding="utf-8")
    return path, dag_id


def test_a_threshold_breach_calls_the_threshold_notifier_with_the_summary_then_the_failure_ones(
        tmp_path, run_profile, probe_allowed):
    profile, dag_id = write_profile(tmp_path, max_errors=0)

    dag_run, staging = run_profile(profile)

    assert dag_run.state == "failed"
    summary = json.loads((staging / "summary.json").read_text())
    [threshold] = calls(tmp_path / "threshold.jsonl")
    assert threshold["summary"] == summary  # the whole run summary, as summary.json holds it
    assert (threshold["summary"]["read"], threshold["summary"]["refused"]) == (3, 1)
    assert threshold["threshold"] == summary["threshold"]
    assert "1 record(s) refused, more than max_errors=0" in threshold["threshold"]
    assert threshold["task_id"] == "feedback"
    assert threshold["message"] == f"{dag_id}: {summary['threshold']} | {summary['line']}"
    assert summary["line"].startswith("read 3 · written 2") and "failed: error threshold crossed" in summary["line"]
    assert threshold["tags"] == [dag_run.run_id]  # placeholders are filled inside lists too

    [task] = calls(tmp_path / "task.jsonl")  # the feedback task failed (no retry: the same records again)
    assert task["task_id"] == "feedback"
    assert task["message"].startswith("task feedback failed: 1 record(s) refused, more than max_errors=0")

    [failure] = calls(tmp_path / "failure.jsonl")  # once for the run, after the notifier before it failed
    assert failure["reason"] == "task_failure"
    assert failure["message"] == f"{dag_id} {dag_run.run_id}: the run failed: task feedback failed | {summary['line']}"
    assert failure["summary"]["line"] == summary["line"]


def test_a_run_within_its_threshold_calls_no_notifier(tmp_path, run_profile, probe_allowed):
    profile, _ = write_profile(tmp_path, max_errors=5)

    dag_run, staging = run_profile(profile)

    assert dag_run.state == "success"
    assert (staging / "summary.json").exists()
    assert [calls(tmp_path / name) for name in ("threshold.jsonl", "task.jsonl", "failure.jsonl")] == [[], [], []]
