"""Start the Akeneo and Linnworks sandboxes as processes on 127.0.0.1 (demo, `make airflow`,
`python -m pimflowdev sandbox`, integration tests, benches), and the Airflow connections that point
at them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]

AKENEO_CREDENTIALS = {"login": "admin", "password": "admin", "client_id": "pimflow", "client_secret": "pimflow-secret"}
#: The sandbox connection's `events_secret`: pimflow's receiver checks the Event Platform's signatures
#: with it, and `pimflow events subscribe` gives it to the sandbox's subscription.
EVENTS_SECRET = "pimflow-sandbox-events-secret"
LINNWORKS_CREDENTIALS = {
    "application_id": "6f1a0c3e-0000-4000-8000-000000000001",
    "application_secret": "6f1a0c3e-0000-4000-8000-000000000002",
    "installation_token": "6f1a0c3e-0000-4000-8000-000000000003",
}


@dataclass
class Sandboxes:
    akeneo_url: str
    linnworks_auth_url: str
    linnworks_data_url: str
    processes: list[subprocess.Popen] = field(default_factory=list, repr=False)
    quota_window_seconds: float = 60.0

    def connections(self) -> dict[str, dict]:
        """Airflow connections `akeneo_default` and `linnworks_default` for these sandboxes."""
        return {
            "akeneo_default": {
                "conn_type": "akeneo", "host": self.akeneo_url,
                "login": AKENEO_CREDENTIALS["login"], "password": AKENEO_CREDENTIALS["password"],
                "extra": {"client_id": AKENEO_CREDENTIALS["client_id"],
                          "client_secret": AKENEO_CREDENTIALS["client_secret"],
                          # the demo's feeds name products by identifier (no uuid column)
                          "product_id_format": "identifier",
                          # Akeneo's events (pimflow.events): the sandbox serves the Event Platform too
                          "events_secret": EVENTS_SECRET,
                          "events_api_url": f"{self.akeneo_url}/event-platform/api/v1"},
            },
            "linnworks_default": {
                "conn_type": "linnworks",
                "login": LINNWORKS_CREDENTIALS["application_id"],
                "password": LINNWORKS_CREDENTIALS["application_secret"],
                "extra": {"installation_token": LINNWORKS_CREDENTIALS["installation_token"],
                          "auth_host": self.linnworks_auth_url,
                          # the client paces itself to the same (possibly shortened) quota window
                          **({"quota_window_seconds": self.quota_window_seconds}
                             if self.quota_window_seconds != 60 else {})},
            },
        }

    def connection_env(self) -> dict[str, str]:
        """The connections as `AIRFLOW_CONN_*` environment variables (JSON form)."""
        return {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(conn) for conn_id, conn in self.connections().items()}

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def __enter__(self) -> "Sandboxes":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_sandboxes(products: int = 200, linnworks_items: int = 0, latency_ms: float = 0, seed: int = 42,
                    log_dir: Path | None = None, host: str = "127.0.0.1",
                    quota_window_seconds: float = 60, variant_share: float | None = None) -> Sandboxes:
    """Start both sandboxes in their own processes and wait until they answer. A shorter Linnworks
    quota window plays minutes of Linnworks' per-minute quotas in seconds (demo, benches).
    `variant_share` gives the Akeneo catalog its structure (one- and two-level product models,
    bundles, related products, reference entities) with that share of variant products.

    Each sandbox binds port 0 itself (the OS picks a free port and it keeps it) and writes the
    ports it got to a ready file: no port is chosen here and bound later, so two test sessions
    side by side can never take each other's."""
    with tempfile.TemporaryDirectory(prefix="pimflow-sandboxes-") as ready_dir:
        ready = {name: Path(ready_dir) / f"{name}.json" for name in ("akeneo", "linnworks")}
        commands = {
            "akeneo": [sys.executable, "-m", "sandbox.akeneo", "--host", host, "--port", "0",
                       "--products", str(products), "--seed", str(seed), "--latency-ms", str(latency_ms),
                       *(["--variant-share", str(variant_share)] if variant_share is not None else []),
                       "--ready-file", str(ready["akeneo"])],
            "linnworks": [sys.executable, "-m", "sandbox.linnworks", "--host", host, "--auth-port", "0",
                          "--data-port", "0", "--seed-items", str(linnworks_items), "--seed", str(seed),
                          "--latency-ms", str(latency_ms), "--quota-window-seconds", str(quota_window_seconds),
                          "--ready-file", str(ready["linnworks"])],
        }
        processes = []
        try:
            for name, command in commands.items():
                output = (log_dir / f"sandbox-{name}.log").open("a") if log_dir else subprocess.DEVNULL
                processes.append(subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                                  env=sandbox_env()))
            akeneo = wait_for_ready_file(ready["akeneo"], processes)
            linnworks = wait_for_ready_file(ready["linnworks"], processes)
            sandboxes = Sandboxes(f"http://{host}:{akeneo['port']}", f"http://{host}:{linnworks['auth_port']}",
                                  f"http://{host}:{linnworks['data_port']}", processes=processes,
                                  quota_window_seconds=quota_window_seconds)
            for url in (sandboxes.akeneo_url, sandboxes.linnworks_data_url):
                wait_until_up(f"{url}/_sandbox/settings", processes)
        except BaseException:
            Sandboxes("", "", "", processes=processes).stop()
            raise
    return sandboxes


def sandbox_env() -> dict[str, str]:
    """The environment of a sandbox process: `sandbox` is not installed (the wheel leaves it out),
    it runs from the repository, whichever way this package was put on the path."""
    path = [str(REPO), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(path)), "PYTHONUNBUFFERED": "1"}


def wait_for_ready_file(path: Path, processes: list[subprocess.Popen], timeout: float = 300,
                        every: float = 0.05) -> dict:
    """What a sandbox wrote to its ready file once listening (its ports); fail at once if one of
    `processes` exits meanwhile. `timeout` only stops a launch that hangs: generating a large
    catalog on a busy machine may take minutes."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        exited = [p for p in processes if p.poll() is not None]
        if exited:
            raise RuntimeError(f"{' '.join(map(str, exited[0].args[:4]))} exited ({exited[0].returncode}) "
                               f"before it reported its port")
        if time.monotonic() > deadline:
            raise RuntimeError(f"no sandbox wrote {path.name} within {timeout:.0f} s")
        time.sleep(every)
    return json.loads(path.read_text(encoding="utf-8"))


def wait_until_up(url: str, processes: list[subprocess.Popen], timeout: float = 60, every: float = 0.1) -> None:
    """Wait for `url` to answer 200; fail at once if one of `processes` exits meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        exited = [p for p in processes if p.poll() is not None]
        if exited:
            raise RuntimeError(f"{' '.join(map(str, exited[0].args[:4]))} exited ({exited[0].returncode}) "
                               f"before {url} answered")
        try:
            if requests.get(url, timeout=3).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(every)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")
