"""The run report on object-storage staging: the run staged on S3 (moto's server, a real S3 endpoint,
reached through an Airflow `aws` connection, as `s3://conn@bucket/...` staging is in production),
read back by the report API: the refused table and downloads equal to the staged objects, streamed."""
from __future__ import annotations

import json

import pytest

from report_helpers import FEEDBACK, REFUSED, page_url, run_url, stage_run, staged_bytes

BUCKET = "pimflow-report"
CONN_ID = "report_s3"


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    from sandbox.common.server import free_port

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{server._port}"
    finally:
        server.stop()


@pytest.fixture
def s3_base(s3_server, monkeypatch):
    """A staging base on S3 (a fresh prefix per test), as `[pimflow] staging_base` names one."""
    import uuid

    import boto3

    keys = {"aws_access_key_id": "report", "aws_secret_access_key": "report-secret", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=s3_server, **keys)
    if BUCKET not in [bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])]:
        client.create_bucket(Bucket=BUCKET)
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps({
        "conn_type": "aws", "login": keys["aws_access_key_id"], "password": keys["aws_secret_access_key"],
        "extra": {"endpoint_url": s3_server, "region_name": keys["region_name"]}}))
    prefix = f"staging-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("AIRFLOW__PIMFLOW__STAGING_BASE", f"s3://{CONN_ID}@{BUCKET}/{prefix}")
    from pimflow.staging import staging_base

    base = staging_base()
    assert base.protocol == "s3"
    return base, client, prefix


def test_the_report_reads_a_run_staged_on_s3(api_server, s3_base):
    base, client, prefix = s3_base
    many = [*REFUSED, *[(f"K-{i:04d}", "invalid_value", f"line {i}: refused", i % 2 == 1, "load") for i in range(300)]]
    big_output = b"".join(b"K-%06d,a product title long enough to fill the line\n" % i for i in range(20_000))
    run = stage_run(base, refused=many, output={"part-00000.csv": big_output},
                    dry_run_files={"diff-00000.csv": b"sku,field,old,new,action,endpoint\n"})
    keys = {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]}
    assert f"{prefix}/report_demo/runs/manual__2026-03-01T10_00_00_00_00/feedback.csv" in keys  # really on S3

    report = api_server.get(run_url())
    assert report.status_code == 200, report.text
    assert report.json()["refused"] == {"total": 306, "data": 154, "transient": 152, "before_sending": 2,
                                        "by_target": 304}
    assert [(f["area"], f["name"], f["size"]) for f in report.json()["files"]] == [
        ("feedback", "feedback.csv", len(FEEDBACK)), ("output", "part-00000.csv", len(big_output)),
        ("dry_run", "diff-00000.csv", 34)]

    refused = api_server.get(run_url() + "/refused", params={"kind": "transient", "sort": "-key", "limit": 3}).json()
    assert (refused["total"], refused["matched"]) == (306, 152)
    assert [item["key"] for item in refused["items"]] == ["K-0299", "K-0297", "K-0295"]
    found = api_server.get(run_url() + "/refused", params={"q": "503 service"}).json()["items"]
    assert [(item["key"], item["message"]) for item in found] == [("B-1", REFUSED[2][2])]

    feedback = api_server.get(run_url() + "/files/feedback/feedback.csv")
    assert feedback.status_code == 200 and feedback.content == FEEDBACK == staged_bytes(run.root / "feedback.csv")
    assert feedback.headers["content-type"].startswith("text/csv")
    assert 'filename="report_demo-manual__2026-03-01T10_00_00_00_00-feedback.csv"' in feedback.headers[
        "content-disposition"]
    output = api_server.get(run_url() + "/files/output/part-00000.csv")
    assert output.status_code == 200 and output.content == big_output == staged_bytes(run.root / "output" / "part-00000.csv")
    diff = api_server.get(run_url() + "/files/dry_run/diff-00000.csv")
    assert diff.content == run.dry_run["diff-00000.csv"]

    for url in (f"{run_url()}/files/output/..%2F..%2F..%2Fstate.json", f"{run_url()}/files/output/.."):
        assert api_server.get(url).status_code in (400, 404)
    page = api_server.get(page_url())
    assert page.status_code == 200 and "Akeneo answered 503 Service Unavailable" in page.text


def test_an_expired_run_on_s3_is_a_404_and_asking_creates_nothing(api_server, s3_base):
    base, client, prefix = s3_base
    stage_run(base)
    before = {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]}
    gone = api_server.get(run_url("report_demo", "scheduled__2025-01-01T00:00:00+00:00"))
    assert gone.status_code == 404 and "has no staging folder (any more)" in gone.json()["detail"]
    stranger = api_server.get(run_url("not_pimflow", "manual__1"))
    assert stranger.status_code == 404 and "not the DAG of a pimflow profile" in stranger.json()["detail"]
    after = {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]}
    assert after == before


def test_a_staging_location_that_cannot_be_read_is_a_503_saying_so(api_server, s3_base, monkeypatch):
    from sandbox.common.server import free_port

    base, _, prefix = s3_base
    stage_run(base)
    down = f"report_s3_down_{prefix[-8:]}"  # a connection of its own: filesystems are cached per connection
    monkeypatch.setenv(f"AIRFLOW_CONN_{down.upper()}", json.dumps({
        "conn_type": "aws", "login": "report", "password": "report-secret",
        "extra": {"endpoint_url": f"http://127.0.0.1:{free_port()}", "region_name": "us-east-1",
                  "config_kwargs": {"retries": {"max_attempts": 1}, "connect_timeout": 2}}}))
    monkeypatch.setenv("AIRFLOW__PIMFLOW__STAGING_BASE", f"s3://{down}@{BUCKET}/{prefix}")
    answer = api_server.get(run_url())
    assert answer.status_code == 503, answer.text
    assert answer.json()["detail"].startswith("the staging location cannot be read")
