"""`make test-cluster`: the sandboxes, the reference run on the embedded default, the backing
services (PostgreSQL, Redis, S3) and the Airflow cluster, each started once for the session and
stopped at its end, also when a test fails. Everything started carries a marker in its
environment, so the session can check at the end that nothing it started is still running."""
from __future__ import annotations

import os
import shutil
import signal
import uuid
from pathlib import Path

import pytest

from e2e.cluster.suite import CATALOG_SIZE, DAG_ID, FEED_DAG_ID, PROFILES, QUOTA_WINDOW, WORK

RUN_MARK = "PIMFLOW_CLUSTER_RUN"
os.environ[RUN_MARK] = uuid.uuid4().hex  # inherited by every process the session starts
os.environ["AIRFLOW_HOME"] = str(WORK / "pytest")  # this process never needs Airflow; never ~/airflow

_report: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if _report:
        terminalreporter.section("cluster runs")
        for line in _report:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def report():
    """Lines printed after the tests (hostnames of mapped tasks, the killed worker)."""
    return _report.append


def _marked_processes() -> list[int]:
    """Pids of the processes whose environment carries this session's marker."""
    mark = f"{RUN_MARK}={os.environ[RUN_MARK]}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if mark in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:  # gone meanwhile, or not ours to read
                pass
    return found


@pytest.fixture(scope="session", autouse=True)
def nothing_left_behind():
    """Set up first, torn down last: after every service stopped, no process of ours may remain."""
    yield
    left = _marked_processes()
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not left, f"processes still running after the session (now killed): {left}"
    _report.append("Stopped everything the session started: no PostgreSQL, Redis, moto, sandbox or Airflow "
                   "process of this run is left.")


@pytest.fixture(scope="session")
def work_dir() -> Path:
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "logs").mkdir(parents=True)
    return WORK


@pytest.fixture(scope="session")
def sandboxes(work_dir):
    from pimflowdev.sandboxes import start_sandboxes

    with start_sandboxes(products=CATALOG_SIZE, log_dir=work_dir / "logs",
                         quota_window_seconds=QUOTA_WINDOW) as running:
        yield running


@pytest.fixture(scope="session")
def linnworks(sandboxes):
    from e2e.cluster.linnworks_state import LinnworksAccount

    return LinnworksAccount(sandboxes)


@pytest.fixture(scope="session")
def embedded(work_dir, sandboxes, linnworks):
    """The profile run once on the embedded default (SQLite, local staging): what Linnworks should hold."""
    from e2e.cluster.embedded import EmbeddedRun, run_embedded

    linnworks.reset()
    summary = run_embedded(DAG_ID, work_dir / "embedded", PROFILES, sandboxes.connection_env(), dict(os.environ),
                           work_dir / "logs" / "embedded.log")
    skus = linnworks.skus()
    assert summary["refused"] == 0 and summary["statuses"] == {"created": summary["read"]} and \
        len(skus) == summary["read"] > 0, summary
    return EmbeddedRun(skus=sorted(skus), items=linnworks.snapshot(), summary=summary)


@pytest.fixture(scope="session")
def s3(work_dir):
    from e2e.cluster.services import S3Server

    server = S3Server.start("pimflow-staging", work_dir / "logs", dict(os.environ))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cluster(work_dir, sandboxes, s3):
    from e2e.cluster.airflow_cluster import AirflowCluster
    from e2e.cluster.services import Postgres, Redis

    logs = work_dir / "logs"
    postgres = Postgres.start(logs, dict(os.environ))
    redis = None
    running = None
    try:
        redis = Redis.start(work_dir / "redis", logs, dict(os.environ))
        running = AirflowCluster.start(work_dir / "home", logs, PROFILES, postgres, redis, s3,
                                       sandboxes.connections())
        for dag_id in (DAG_ID, FEED_DAG_ID):
            running.api().wait_for_dag(dag_id)
        yield running
    finally:
        if running is not None:
            running.stop()
        if redis is not None:
            redis.stop()
        postgres.stop()


@pytest.fixture
def api(cluster):
    return cluster.api()
