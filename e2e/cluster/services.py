"""The cluster's backing services as local processes on loopback ports of their own: PostgreSQL (the
metadata database), Redis (the Celery broker) and moto's S3 server (run staging, through the S3
protocol). Each runs in its own process group and `stop()` ends the whole group."""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.common.server import free_port


def spawn(command: list[str], log_path: Path, env: dict | None = None, **kwargs) -> subprocess.Popen:
    """Start `command` as the leader of a new process group, output appended to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, start_new_session=True, **kwargs)


def stop_group(process: subprocess.Popen, first: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Signal the process group `process` leads, wait, then SIGKILL whatever is left of the group."""
    if process.poll() is None:
        _killpg(process.pid, first)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    _killpg(process.pid, signal.SIGKILL)  # children that outlived their leader
    if process.poll() is None:
        process.wait(timeout=10)


def _killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def wait_for_port(port: int, process: subprocess.Popen, what: str, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode}): {tail(log_path)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s: {tail(log_path)}")


def tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except FileNotFoundError:
        return f"(no {path})"


# -- PostgreSQL ---------------------------------------------------------------------------------------

def postgres_bin_dir() -> Path:
    """The newest server binaries Debian installed (/usr/lib/postgresql/<major>/bin), or pg_config's."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    if shutil.which("pg_config"):
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if (Path(bindir) / "initdb").exists():
            return Path(bindir)
    raise RuntimeError("PostgreSQL server binaries not found: apt-get install -y postgresql")


@dataclass
class Postgres:
    """A throw-away PostgreSQL cluster: data in a temporary folder, trust auth, 127.0.0.1 only.

    initdb and postgres refuse to run as root, so as root they run as the `postgres` user.
    """

    port: int
    data_dir: Path
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)
    user: str = "airflow"
    database: str = "airflow"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://{self.user}@127.0.0.1:{self.port}/{self.database}"

    @classmethod
    def start(cls, log_dir: Path, env: dict) -> "Postgres":
        bin_dir = postgres_bin_dir()
        as_user = {"user": "postgres", "group": "postgres", "extra_groups": []} if os.geteuid() == 0 else {}
        root = Path(tempfile.mkdtemp(prefix="pimflow-cluster-pg-"))  # not under a home the user may not enter
        if as_user:
            shutil.chown(root, "postgres", "postgres")
        server = cls(port=free_port(), data_dir=root / "data", log_path=log_dir / "postgres.log")
        try:
            with server.log_path.open("ab") as log:
                subprocess.run([str(bin_dir / "initdb"), "-D", str(server.data_dir), "-U", "postgres",
                                "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"],
                               stdout=log, stderr=subprocess.STDOUT, env=env, check=True, **as_user)
            server.process = spawn(
                [str(bin_dir / "postgres"), "-D", str(server.data_dir), "-p", str(server.port),
                 "-h", "127.0.0.1", "-k", str(root),
                 # a test database: durability is not the point, speed is
                 "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                 "-c", "max_connections=200"],
                server.log_path, env=env, **as_user)
            wait_for_port(server.port, server.process, "postgres", server.log_path)
            server._create_database()
        except BaseException:
            server.stop()
            raise
        return server

    def _create_database(self) -> None:
        import psycopg2

        deadline = time.monotonic() + 30
        while True:
            try:
                connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
                break
            except psycopg2.OperationalError:  # listening, still starting up
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {self.user} LOGIN")
            cursor.execute(f"CREATE DATABASE {self.database} OWNER {self.user}")
        connection.close()

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process, first=signal.SIGINT)  # SIGINT: PostgreSQL's fast shutdown
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


# -- Redis ----------------------------------------------------------------------------------------------

@dataclass
class Redis:
    port: int
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start(cls, work_dir: Path, log_dir: Path, env: dict) -> "Redis":
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server not found: apt-get install -y redis-server")
        work_dir.mkdir(parents=True, exist_ok=True)
        server = cls(port=free_port(), log_path=log_dir / "redis.log")
        server.process = spawn([binary, "--port", str(server.port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(work_dir)], server.log_path, env=env)
        try:
            wait_for_port(server.port, server.process, "redis-server", server.log_path)
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)


# -- S3 (moto's server) ---------------------------------------------------------------------------------

@dataclass
class S3Server:
    """moto's standalone server: a real S3 protocol endpoint, state in memory. The bucket is created
    the way docker-compose.yaml's init step creates it (`python -m pimflow.cluster prepare-staging`)."""

    port: int
    bucket: str
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)
    access_key: str = "pimflow"
    secret_key: str = "pimflow-secret"
    region: str = "us-east-1"

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def connection(self) -> dict:
        """An Airflow `aws` connection to this endpoint (what ObjectStoragePath's s3://conn_id@ uses)."""
        return {"conn_type": "aws", "login": self.access_key, "password": self.secret_key,
                "extra": {"endpoint_url": self.endpoint_url, "region_name": self.region}}

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint_url, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name=self.region)

    def keys(self, prefix: str = "") -> list[str]:
        paginator = self.client().get_paginator("list_objects_v2")
        return [item["Key"] for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix)
                for item in page.get("Contents", [])]

    @classmethod
    def start(cls, bucket: str, log_dir: Path, env: dict) -> "S3Server":
        binary = Path(sys.executable).with_name("moto_server")
        server = cls(port=free_port(), bucket=bucket, log_path=log_dir / "moto.log")
        server.process = spawn([str(binary), "-H", "127.0.0.1", "-p", str(server.port)], server.log_path, env=env)
        try:
            wait_for_port(server.port, server.process, "moto_server", server.log_path)
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)
