"""`make airflow`: a local Airflow 3 (`airflow standalone`: API server with the UI, scheduler, DAG
processor, triggerer) on SQLite, with the project's DAGs, both sandboxes running, and the
`akeneo_default` and `linnworks_default` connections pointing at them. Ctrl-C stops everything."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pimflowdev.demo import DEMO_VARIANT_SHARE, QUOTA_WINDOW, airflow_env
from pimflowdev.sandboxes import start_sandboxes, wait_until_up

PRODUCTS = 200


def stack_env(port: int) -> dict:
    env = airflow_env()
    # `airflow standalone` starts its components as `airflow ...` found on the PATH
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update({
        "AIRFLOW__API__PORT": str(port),
        # tasks report to the API server; without this they call http://localhost:8080/execution/
        # whatever the port (Airflow derives it from [api] base_url, not [api] port)
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",  # the Test button on the Connections page
        # loads pimflow's provider plugin, which makes that button work for portless connections
        "AIRFLOW__CORE__LAZY_DISCOVER_PROVIDERS": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
    })
    return env


def admin_password(home: Path) -> str | None:
    """The password `airflow standalone` generated for `admin` (simple auth manager)."""
    import json

    path = home / "simple_auth_manager_passwords.json.generated"
    return json.loads(path.read_text()).get("admin") if path.exists() else None


def start(port: int = 8080, log_dir: Path | None = None):
    """Start sandboxes and Airflow; return (sandboxes, airflow process, env)."""
    env = stack_env(port)
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log_dir = log_dir or home
    sandboxes = start_sandboxes(products=PRODUCTS, log_dir=log_dir, quota_window_seconds=QUOTA_WINDOW,
                                variant_share=DEMO_VARIANT_SHARE)
    binary = Path(sys.executable).with_name("airflow")
    try:
        create_connections(binary, env, sandboxes, log_dir / "standalone.log")
    except BaseException:
        sandboxes.stop()
        raise
    with (log_dir / "standalone.log").open("a") as log:
        process = subprocess.Popen([str(binary), "standalone"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own process group: stopped as a whole
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/v2/version", [process], timeout=240, every=1)
    except BaseException:
        stop(sandboxes, process)
        raise
    return sandboxes, process, env


def create_connections(binary: Path, env: dict, sandboxes, log_path: Path) -> None:
    """Real connections in the metadata database (listed, editable and testable in the UI)."""
    import json

    with log_path.open("a") as log:
        def airflow(*args: str, check: bool = True) -> None:
            code = subprocess.call([str(binary), *args], env=env, stdout=log, stderr=subprocess.STDOUT)
            if check and code:
                raise RuntimeError(f"airflow {args[0]} {args[1]} failed: see {log_path}")

        airflow("db", "migrate")
        for conn_id, connection in sandboxes.connections().items():
            airflow("connections", "delete", conn_id, check=False)
            airflow("connections", "add", conn_id, "--conn-json", json.dumps(connection))


def stop(sandboxes, process: subprocess.Popen) -> None:
    """Stop Airflow's whole process group (components and task processes), then the sandboxes."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    deadline = time.monotonic() + 20  # components may outlive `airflow standalone` by a moment
    while group_running(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if group_running(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    sandboxes.stop()


def group_running(pgid: int) -> bool:
    """Whether a process of the group still runs (exited ones waiting to be reaped do not count)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if int(group) == pgid and state not in "ZX":
            return True
    return False


def main() -> int:
    port = int(os.environ.get("PIMFLOW_AIRFLOW_PORT", "8080"))
    print("Starting the sandboxes and Airflow (API server, scheduler, DAG processor, triggerer)...", flush=True)
    sandboxes, process, env = start(port)
    home = Path(env["AIRFLOW_HOME"])
    print(f"\nAirflow UI:  http://127.0.0.1:{port}")
    print(f"Log in as:   admin / {admin_password(home) or '(see ' + str(home) + '/simple_auth_manager_passwords.json.generated)'}")
    print(f"Sandboxes:   Akeneo {sandboxes.akeneo_url}   Linnworks {sandboxes.linnworks_auth_url} (auth), "
          f"{sandboxes.linnworks_data_url} (data)")
    print("Connections: akeneo_default, linnworks_default (pointing at the sandboxes)")
    print(f"Logs:        {home / 'standalone.log'}, task logs under {home / 'logs'}")
    print("Ctrl-C stops everything.", flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        while process.poll() is None and not stopping:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping Airflow and the sandboxes...", flush=True)
        stop(sandboxes, process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
