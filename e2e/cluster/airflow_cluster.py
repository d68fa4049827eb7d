"""Airflow 3 with the CeleryExecutor as separate processes on one machine: an API server, a
scheduler, a DAG processor, a triggerer and two Celery workers, sharing PostgreSQL (metadata),
Redis (broker) and run staging on S3, with the settings docker-compose.yaml gives its services.

Both workers run on this machine, so each gets a name of its own (`PIMFLOW_WORKER_NAME`, read by
`pimflow.cluster.worker_hostname` as `[core] hostname_callable`): a task instance's hostname says
which worker ran it.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

from e2e.cluster.services import Postgres, Redis, S3Server, spawn, stop_group, tail
from pimflow.cluster import SHARED_SETTINGS
from sandbox.common.server import free_port

REPO = Path(__file__).resolve().parents[2]
WORKERS = ("worker-a", "worker-b")
SERVICES = ("api-server", "scheduler", "dag-processor", "triggerer")
S3_CONN_ID = "pimflow_s3"
WORKER_CONCURRENCY = 2


def cluster_env(home: Path, profiles_dir: Path, postgres: Postgres, redis: Redis, s3: S3Server,
                connections: dict[str, dict], api_port: int) -> dict[str, str]:
    """What every component gets: the same executor, database, broker, secrets, staging and connections."""
    from cryptography.fernet import Fernet

    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "PIMFLOW_PROFILES"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "PIMFLOW_PROFILES_DIR": str(profiles_dir),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        # the topology
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": postgres.url,
        "AIRFLOW__CELERY__BROKER_URL": redis.url,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + postgres.url,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
        # shared by every process: tokens the scheduler signs are checked by the API server
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__CORE__AUTH_MANAGER":
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "pimflow.cluster.worker_hostname",
        # run staging on the object store, through ObjectStoragePath and the aws connection
        "AIRFLOW__PIMFLOW__STAGING_BASE": f"s3://{S3_CONN_ID}@{s3.bucket}/staging",
        # a killed worker is noticed in seconds, not the default five minutes
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "180",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "15",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        # this machine may run other Airflows: no default port
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
    })
    every = {S3_CONN_ID: s3.connection(), **connections}
    env.update({f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(conn) for conn_id, conn in every.items()})
    missing = [name for name in SHARED_SETTINGS if name not in env]
    assert not missing, f"every component must share {missing}"
    return env


def alive(pids: list[int]) -> list[int]:
    """The pids still running (a zombie has ended: it only waits to be reaped)."""
    running = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                running.append(pid)
        except psutil.NoSuchProcess:
            pass
    return running


@dataclass
class AirflowCluster:
    home: Path
    log_dir: Path
    env: dict[str, str] = field(repr=False)
    api_port: int
    processes: dict[str, subprocess.Popen] = field(default_factory=dict, repr=False)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12), repr=False)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @classmethod
    def start(cls, home: Path, log_dir: Path, profiles_dir: Path, postgres: Postgres, redis: Redis,
              s3: S3Server, connections: dict[str, dict]) -> "AirflowCluster":
        home.mkdir(parents=True, exist_ok=True)
        api_port = free_port()
        cluster = cls(home=home, log_dir=log_dir, api_port=api_port,
                      env=cluster_env(home, profiles_dir, postgres, redis, s3, connections, api_port))
        (home / "passwords.json").write_text(json.dumps({"admin": cluster.password}))
        try:
            cluster._init()
            cluster._start_processes()
            cluster._wait_until_ready()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    # -- processes ----------------------------------------------------------------------------------
    def _airflow(self, *args: str) -> list[str]:
        return [str(Path(sys.executable).with_name("airflow")), *args]

    def _init(self) -> None:
        """What docker-compose.yaml's airflow-init does: migrate the database, prepare the staging
        bucket, create the pool of every connection the profiles write to."""
        log = self.log_dir / "init.log"
        for command in (self._airflow("db", "migrate"),
                        [sys.executable, "-m", "pimflow.cluster", "prepare-staging"],
                        [sys.executable, "-m", "pimflow.cli", "pools", "--create"]):
            with log.open("ab") as output:
                code = subprocess.call(command, env=self.env, stdout=output, stderr=subprocess.STDOUT, timeout=600)
            if code:
                raise RuntimeError(f"{' '.join(command[-2:])} failed ({code}): {tail(log)}")

    def _start_processes(self) -> None:
        commands = {
            "api-server": self._airflow("api-server", "--host", "127.0.0.1", "--port", str(self.api_port),
                                        "--workers", "1"),
            "scheduler": self._airflow("scheduler"),
            "dag-processor": self._airflow("dag-processor"),
            "triggerer": self._airflow("triggerer"),
        }
        for name in WORKERS:
            commands[name] = self._airflow("celery", "worker", "--celery-hostname", f"{name}@%h",
                                           "--queues", "default", "--concurrency", str(WORKER_CONCURRENCY),
                                           "--skip-serve-logs")
        for name, command in commands.items():
            env = {**self.env, "PIMFLOW_WORKER_NAME": name} if name in WORKERS else self.env
            self.processes[name] = spawn(command, self.log(name), env=env)

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def _wait_until_ready(self, timeout: float = 240) -> None:
        """The API answers, the scheduler, DAG processor and triggerer are healthy, both workers are ready."""
        deadline = time.monotonic() + timeout
        waiting = {"api", *SERVICES[1:], *WORKERS}
        while waiting and time.monotonic() < deadline:
            self.check_alive()
            if "api" in waiting:
                try:
                    if requests.get(f"{self.api_url}/api/v2/version", timeout=5).ok:
                        waiting.discard("api")
                except requests.RequestException:
                    pass
            if "api" not in waiting:
                health = requests.get(f"{self.api_url}/api/v2/monitor/health", timeout=10).json()
                for name, key in (("scheduler", "scheduler"), ("dag-processor", "dag_processor"),
                                  ("triggerer", "triggerer")):
                    if (health.get(key) or {}).get("status") == "healthy":
                        waiting.discard(name)
            for name in WORKERS:
                if f"{name}@" in tail(self.log(name), 20000) and " ready." in tail(self.log(name), 20000):
                    waiting.discard(name)
            time.sleep(1)
        if waiting:
            raise RuntimeError(f"not ready after {timeout:.0f} s: {sorted(waiting)}; logs in {self.log_dir}")

    def check_alive(self, killed: tuple[str, ...] = ()) -> None:
        """Fail at once when a component exited (other than the ones the test killed)."""
        for name, process in self.processes.items():
            if name not in killed and process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}): {tail(self.log(name))}")

    def kill_worker(self, name: str) -> list[int]:
        """SIGKILL a worker with everything under it (pool processes, task supervisors, task processes):
        the closest thing to pulling the plug on its machine. Returns the pids killed."""
        process = self.processes[name]
        tree = [process.pid] + [child.pid for child in psutil.Process(process.pid).children(recursive=True)]
        for pid in tree:  # every pid first: an orphaned task process would leave the process group's reach
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        stop_group(process, first=signal.SIGKILL, timeout=10)
        deadline = time.monotonic() + 10
        while alive(tree) and time.monotonic() < deadline:  # SIGKILL is delivered asynchronously
            time.sleep(0.1)
        return tree

    def stop(self) -> None:
        """Workers first (nothing left to run), then the rest; SIGTERM, then SIGKILL after 30 s."""
        order = [*WORKERS, "scheduler", "triggerer", "dag-processor", "api-server"]
        running = [self.processes[name] for name in order if name in self.processes]
        for process in running:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in running:
            stop_group(process, timeout=30)

    # -- the REST API -----------------------------------------------------------------------------------
    def api(self) -> "AirflowApi":
        return AirflowApi(self.api_url, "admin", self.password)


class AirflowApi:
    """The few calls the tests make, through the public REST API (/api/v2) as user `admin`."""

    def __init__(self, url: str, username: str, password: str):
        self.url = url
        self.session = requests.Session()
        answer = requests.post(f"{url}/auth/token", json={"username": username, "password": password}, timeout=30)
        answer.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def _call(self, method: str, path: str, **kwargs) -> dict:
        answer = self.session.request(method, f"{self.url}/api/v2{path}", timeout=30, **kwargs)
        if not answer.ok:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:500]}")
        return answer.json()

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.session.get(f"{self.url}/api/v2/dags/{dag_id}", timeout=30).ok:
                return
            time.sleep(1)
        errors = self._call("GET", "/importErrors")
        raise RuntimeError(f"DAG {dag_id} not parsed within {timeout:.0f} s; import errors: {errors}")

    def trigger(self, dag_id: str, conf: dict | None = None) -> str:
        self._call("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
        run = self._call("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf or {}})
        return run["dag_run_id"]

    def run_state(self, dag_id: str, run_id: str) -> str:
        return self._call("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"]

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float, check=lambda: None) -> str:
        """Poll until the run ends; `check` runs on every poll (e.g. that every process is still up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            check()
            state = self.run_state(dag_id, run_id)
            if state in ("success", "failed"):
                return state
            time.sleep(2)
        raise RuntimeError(f"run {run_id} of {dag_id} did not end within {timeout:.0f} s")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self._call("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances",
                          params={"limit": 1000})["task_instances"]

    def tries(self, dag_id: str, run_id: str, task_id: str, map_index: int) -> list[dict]:
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/{map_index}/tries"
        return self._call("GET", path)["task_instances"]
