"""pimflow.cluster's helpers on their own: the hostname callable, the staging preparation compose's
init step runs (`python -m pimflow.cluster prepare-staging`) on a folder and on an S3 store."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from e2e.cluster.airflow_cluster import S3_CONN_ID
from pimflow.cluster import worker_hostname


def test_worker_hostname_is_the_worker_name_else_the_machine_name(monkeypatch):
    monkeypatch.setenv("PIMFLOW_WORKER_NAME", "worker-z")
    assert worker_hostname() == "worker-z"
    monkeypatch.delenv("PIMFLOW_WORKER_NAME")
    assert worker_hostname() and worker_hostname() != "worker-z"


def prepare_staging(base: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "AIRFLOW__PIMFLOW__STAGING_BASE": base, **env}
    return subprocess.run([sys.executable, "-m", "pimflow.cluster", "prepare-staging"], env=environment,
                          capture_output=True, text=True, timeout=120)


def test_prepare_staging_creates_a_local_folder(tmp_path):
    result = prepare_staging(str(tmp_path / "staging"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "staging").is_dir()


def test_prepare_staging_creates_the_bucket_once(s3):
    connection = {f"AIRFLOW_CONN_{S3_CONN_ID.upper()}": json.dumps(s3.connection())}
    base = f"s3://{S3_CONN_ID}@another-bucket/staging"
    for _ in range(2):  # safe on every start
        result = prepare_staging(base, **connection)
        assert result.returncode == 0, result.stderr[-2000:]
    assert "another-bucket" in {bucket["Name"] for bucket in s3.client().list_buckets()["Buckets"]}
