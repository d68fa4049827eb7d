"""A run's outcome where a person looks, through real Airflow (`dag.test()`): the run's note (set by
the scheduler listener `pimflow.run_notes`) holds its one-line summary; the summary and the feedback
file report identifiers from the form that do not exist, and a dry run's would-be writes."""
from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path

import pytest

from pipeline_helpers import note_of

pytestmark = pytest.mark.integration

FEED = "sku;price@EUR\nA-1;1.00\nA-2;two\nA-3;3.00\nA-4;four\nA-5;5.00\n"
PROFILE = """
id: {dag_id}
source: {{kind: feed, path: in.csv, delimiter: ";"}}
target: {{kind: feed, path: out.csv}}
mapping:
  columns:
    - {{name: sku, required: true}}
    - {{name: price, from: "price@EUR", type: decimal, required: true}}
feedback: {{max_error_rate: {rate}}}
retries: 0
"""


def profile(tmp_path: Path, rate: float = 0.9) -> Path:
    (tmp_path / "in.csv").write_text(FEED, encoding="utf-8")
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=f"outcome_{uuid.uuid4().hex[:8]}", rate=rate), encoding="utf-8")
    return path


def feedback_rows(staging: Path) -> list[dict]:
    with (staging / "feedback.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_the_runs_note_is_its_one_line_summary(tmp_path, run_profile):
    dag_run, staging = run_profile(profile(tmp_path))
    assert dag_run.state == "success"
    assert note_of(dag_run) == "read 5 · written 3 · refused 2 (2 data)"
    assert json.loads((staging / "summary.json").read_text())["line"] == note_of(dag_run)


def test_identifiers_not_found_and_a_dry_run_are_in_the_summary_the_feedback_file_and_the_note(tmp_path,
                                                                                               run_profile):
    conf = {"identifiers": ["A-1", "A-2", "GONE-9"], "dry_run": True}
    dag_run, staging = run_profile(profile(tmp_path), conf=conf)
    assert dag_run.state == "success"
    summary = json.loads((staging / "summary.json").read_text())
    assert summary["not_found"] == ["GONE-9"] and summary["read"] == 2
    assert summary["dry_run_output"].endswith("/dry_run") and summary["dry_run_files"] == ["out.csv"]
    assert [(row["sku"], row["code"]) for row in feedback_rows(staging)] == [("A-2", "invalid_value"),
                                                                            ("GONE-9", "not_found")]
    assert note_of(dag_run) == "read 2 · would write 1 · refused 1 (1 data) · not found 1 · dry run"
    assert not (tmp_path / "out.csv").exists()


def test_a_run_failing_its_threshold_says_so_in_its_note(tmp_path, run_profile):
    dag_run, staging = run_profile(profile(tmp_path, rate=0.2))
    assert dag_run.state == "failed"
    assert note_of(dag_run) == ("read 5 · written 3 · refused 2 (2 data) · "
                                 "failed: error threshold crossed, feed not published")
    summary = json.loads((staging / "summary.json").read_text())
    assert "the output feed was not published" in summary["threshold"]
    assert not (tmp_path / "out.csv").exists()
