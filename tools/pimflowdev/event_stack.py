"""`make airflow`'s stack driven by Akeneo's events, for the integration test and the bench
(`bench.event_latency`): only the `demo_akeneo_events` profile in its profiles folder, the Akeneo
sandbox subscribed to the stack's receiver with `pimflow events subscribe`, and what they need to
look at: product changes through the sandbox's control endpoint (a person's edit), the items in the
Linnworks sandbox, the DAG's runs and the asset's events through Airflow's REST API, the sandbox's
call counts, and the runs' staging folders."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
DAG_ID = "demo_akeneo_events"
PROFILE = REPO / "include" / "profiles" / f"{DAG_ID}.yaml"
ASSET_URI = "akeneo://akeneo_default/products"


class EventStack:
    """Start with `start()`, stop with `stop()` (or use it as a context manager). Environment
    variables it sets for the stack are put back by `stop()`."""

    def __init__(self, work: Path, products: int = 200) -> None:
        self.work, self.products = work, products
        self.profiles, self.staging, self.home = work / "profiles", work / "staging", work / "home"
        self._saved: dict[str, str | None] = {}
        self.sandboxes = self.process = self.env = None

    # -- life
    def start(self) -> "EventStack":
        from pimflowdev import stack

        self.profiles.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROFILE, self.profiles / PROFILE.name)
        self._set_env({"AIRFLOW_HOME": str(self.home), "PIMFLOW_PROFILES_DIR": str(self.profiles),
                       "AIRFLOW__PIMFLOW__STAGING_BASE": str(self.staging)})
        self.sandboxes, self.process, self.env = stack.start(log_dir=self.work, products=self.products)
        # the in-process CLI (`pimflow events subscribe`) finds the connections as the stack has them
        self._set_env(self.sandboxes.connection_env())
        self.api = stack.api_url(self.env)
        token = requests.post(f"{self.api}/auth/token", timeout=30, json={
            "username": "admin", "password": stack.admin_password(self.home)}).json()["access_token"]
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        retry_at_once(self.sandboxes.akeneo_url)
        return self

    def stop(self) -> None:
        from pimflowdev import stack

        if self.process is not None:
            stack.stop(self.sandboxes, self.process)
            self.process = None
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()

    def __enter__(self) -> "EventStack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _set_env(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._saved.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    @property
    def log(self) -> Path:
        return self.work / "standalone.log"

    # -- Airflow
    def get(self, path: str, **params) -> dict:
        answer = self.http.get(f"{self.api}{path}", params=params, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def wait_for_dag(self, timeout: float = 240) -> None:
        """Until the DAG is parsed and scheduled on its asset (events before that start nothing)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.http.get(f"{self.api}/api/v2/dags/{DAG_ID}", timeout=30)
            if answer.ok and self.asset_id() is not None:
                return
            time.sleep(1)
        raise AssertionError(f"{DAG_ID} was not parsed within {timeout:.0f} s: {self.log.read_text()[-3000:]}")

    def asset_id(self) -> int | None:
        assets = self.get("/api/v2/assets", uri_pattern="akeneo://", only_active="false", limit=100)["assets"]
        return next((asset["id"] for asset in assets if asset["uri"] == ASSET_URI), None)

    def asset_event_count(self) -> int:
        asset_id = self.asset_id()
        if asset_id is None:
            return 0
        return self.get("/api/v2/assets/events", asset_id=asset_id, limit=1)["total_entries"]

    def runs(self) -> list[dict]:
        """The DAG's runs (the API gives at most its page limit, 100 by default: plenty here)."""
        return self.get(f"/api/v2/dags/{DAG_ID}/dagRuns", limit=100)["dag_runs"]

    def run_count(self) -> int:
        return self.get(f"/api/v2/dags/{DAG_ID}/dagRuns", limit=1)["total_entries"]

    def wait_until_idle(self, timeout: float = 300) -> list[dict]:
        """Until no run of the DAG is queued or running (and a while after, for one being created)."""
        deadline, quiet_since = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            busy = [run for run in self.runs() if run["state"] in ("queued", "running")]
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 8:
                return self.runs()
            time.sleep(1)
        raise AssertionError(f"runs of {DAG_ID} still busy after {timeout:.0f} s")

    def run_report(self, run_id: str) -> dict:
        """What an events run handled (`events.json` in its staging folder), or {}."""
        from pimflow.staging import RunStaging, read_json
        from pimflow.steps import EVENTS_REPORT

        path = RunStaging(self.staging, DAG_ID, run_id).root / EVENTS_REPORT
        return read_json(path) if path.exists() else {}

    # -- the events
    def subscribe(self) -> str:
        from pimflow.cli import main as pimflow_cli

        assert pimflow_cli(["events", "subscribe", str(self.profiles / PROFILE.name), "--url", self.api]) == 0
        return f"{self.api}/pimflow/events/akeneo/akeneo_default"

    # -- the sandboxes
    def akeneo(self, method: str, path: str, **kwargs) -> requests.Response:
        answer = requests.request(method, f"{self.sandboxes.akeneo_url}{path}", timeout=60, **kwargs)
        answer.raise_for_status()
        return answer

    def product(self, sku: str) -> dict:
        return self.akeneo("get", f"/_sandbox/products/{sku}").json()

    def rename(self, sku: str, name: str) -> float:
        """A person renames the product in Akeneo; returns when (time.monotonic())."""
        rename(self.sandboxes.akeneo_url, sku, name)
        return time.monotonic()

    def title(self, sku: str) -> str | None:
        return linnworks_title(self.sandboxes.linnworks_data_url, sku)

    def wait_for_titles(self, wanted: dict[str, str], timeout: float = 300, every: float = 0.25) -> dict[str, float]:
        """Until each SKU's item in Linnworks has its title; when each was first seen (time.monotonic())."""
        seen: dict[str, float] = {}
        deadline = time.monotonic() + timeout
        while len(seen) < len(wanted) and time.monotonic() < deadline:
            for sku, title in wanted.items():
                if sku not in seen and self.title(sku) == title:
                    seen[sku] = time.monotonic()
            if len(seen) < len(wanted):
                time.sleep(every)
        return seen

    def akeneo_calls(self) -> dict[str, int]:
        return self.akeneo("get", "/_sandbox/stats").json()["requests"]

    def reset_akeneo_calls(self) -> None:
        self.akeneo("post", "/_sandbox/stats/reset")

    def deliveries(self) -> list[dict]:
        return self.akeneo("get", "/_sandbox/events/log").json()["deliveries"]

    def skus(self, count: int) -> list[str]:
        """`count` SKUs the profile reads (see `channel_skus`)."""
        return channel_skus(self.sandboxes.akeneo_url, count)


def rename(akeneo_url: str, sku: str, name: str) -> None:
    """A person renames a product in the Akeneo sandbox (its control endpoint: an edit the sandbox
    publishes as an event, as the PIM's own UI would)."""
    requests.patch(f"{akeneo_url}/_sandbox/products/{sku}", timeout=30, json={
        "values": {"name": [{"locale": "en_US", "scope": None, "data": name}]}}).raise_for_status()


def linnworks_title(linnworks_url: str, sku: str) -> str | None:
    """The title of the Linnworks sandbox's item `sku`, None when there is no such item."""
    answer = requests.get(f"{linnworks_url}/_sandbox/items/{sku}", timeout=30)
    return answer.json()["item"]["ItemTitle"] if answer.status_code == 200 else None


def retry_at_once(akeneo_url: str) -> None:
    """The sandbox's Event Platform retries a failed delivery at once (the real one waits minutes)."""
    requests.patch(f"{akeneo_url}/_sandbox/events/settings", json={"retry_delays": [0.0, 0.0, 0.0]},
                   timeout=30).raise_for_status()


def channel_skus(akeneo_url: str, count: int | None = None, channel: str = "ecommerce") -> list[str]:
    """The first `count` identifiers (every one when None) of products in `channel`'s category
    tree, asked of the Akeneo sandbox's API as a run asks (`scope` keeps only those)."""
    from pimflowdev.sandboxes import AKENEO_CREDENTIALS as CREDENTIALS

    token = requests.post(f"{akeneo_url}/api/oauth/v1/token", timeout=30,
                          auth=(CREDENTIALS["client_id"], CREDENTIALS["client_secret"]),
                          json={"grant_type": "password", "username": CREDENTIALS["login"],
                                "password": CREDENTIALS["password"]}).json()["access_token"]
    found: list[str] = []
    url, params = f"{akeneo_url}/api/rest/v1/products", {"scope": channel, "limit": 100,
                                                          "pagination_type": "search_after"}
    while url and (count is None or len(found) < count):
        page = requests.get(url, params=params, timeout=60, headers={"Authorization": f"Bearer {token}"})
        page.raise_for_status()
        body = page.json()
        found += [item["identifier"] for item in body["_embedded"]["items"]]
        url, params = (body.get("_links", {}).get("next") or {}).get("href"), None
    assert count is None or len(found) >= count, f"only {len(found)} products in the {channel} tree"
    return sorted(found[:count] if count is not None else found)
