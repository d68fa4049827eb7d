"""The report of a real run: a feed → feed profile run by Airflow (`dag.test()`) refuses lines, and
the report API (through Airflow's API server app) shows what the run's own `feedback` step staged."""
from __future__ import annotations

import uuid

import pytest

from report_helpers import page_url, run_url

pytestmark = pytest.mark.integration

FEED = ("sku;name;price\n"
        "R-1;Shoe;89.90\n"
        "R-2;Bottle;\n"
        "R-3;Stove;forty\n"
        "R-4;Mug;8.00\n")
PROFILE = """
id: {dag_id}
start_date: 2026-01-01
source: {{kind: feed, path: input/a.csv, delimiter: ";"}}
target: {{kind: feed, path: out/products.csv}}
mapping:
  columns:
    - {{name: sku, required: true}}
    - {{name: price, type: decimal, required: true}}
feedback: {{max_error_rate: 0.9}}
chunk_size: 2
"""


def test_the_report_of_a_real_run_shows_its_refusals_and_serves_its_files(tmp_path, run_profile, api_server):
    dag_id = f"report_real_{uuid.uuid4().hex[:8]}"
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "a.csv").write_text(FEED, encoding="utf-8")
    (tmp_path / "profile.yaml").write_text(PROFILE.format(dag_id=dag_id), encoding="utf-8")
    dag_run, staging = run_profile(tmp_path / "profile.yaml")

    report = api_server.get(run_url(dag_id, dag_run.run_id))
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["counts"]["read"] == 4 and body["counts"]["written"] == 2
    assert body["refused"] == {"total": 2, "data": 2, "transient": 0, "before_sending": 2, "by_target": 0}
    assert body["outcome"] == "success"
    refused = api_server.get(run_url(dag_id, dag_run.run_id) + "/refused").json()["items"]
    assert [(item["key"], item["code"], item["step"]) for item in refused] == [
        ("R-2", "missing_value", "transform"), ("R-3", "invalid_value", "transform")]
    assert refused[1]["message"] == "price: 'forty' is not a valid decimal"

    feedback = api_server.get(run_url(dag_id, dag_run.run_id) + "/files/feedback/feedback.csv")
    assert feedback.status_code == 200 and feedback.content == (staging / "feedback.csv").read_bytes()
    names = [(f["area"], f["name"]) for f in body["files"]]
    assert ("output", "part-00000.csv") in names
    part = api_server.get(run_url(dag_id, dag_run.run_id) + "/files/output/part-00000.csv")
    assert part.content == (staging / "output" / "part-00000.csv").read_bytes()
    page = api_server.get(page_url(dag_id, dag_run.run_id))
    assert page.status_code == 200 and "price: &#x27;forty&#x27; is not a valid decimal" in page.text

    # the search box: pimflow.history (no fake) finds what this run did with R-3, from the history
    # file the run's feedback step kept
    history = api_server.get("/pimflow/api/history", params={"key": "R-3", "dag_id": dag_id})
    assert history.status_code == 200, history.text
    entries = history.json()["entries"]
    assert [(e["run_id"], e["status"], e["code"]) for e in entries] == [(dag_run.run_id, "refused", "invalid_value")]
