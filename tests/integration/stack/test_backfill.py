"""The README's 7-day backfill under `make airflow`'s real scheduler (`airflow standalone` on
SQLite, LocalExecutor), not `airflow dags test`: the README's `airflow backfill create` command as
written for one profile, the same command without its flag for another, both at once. Each gets 7
successful runs, one per day, each extracting exactly its day (the products the Akeneo sandbox
lists as updated that day, and only them). The runs of a profile never overlap and a backfill's go
in date order (the scheduled run the stack starts for the first profile included); the incremental
state is what the same windows give one after another; no run folder is removed (the runs' logical
dates are a year old: retention judged by them would remove them); the scheduler is up at the end.
Then the scheduler is killed, and the stack's supervisor says so."""
from __future__ import annotations

import io
import json
import os
import shlex
import signal
import subprocess
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from pimflowdev.sandboxes import AKENEO_CREDENTIALS

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
FROM_DATE, TO_DATE = "2025-12-20", "2025-12-26"  # the sandbox's products were updated in December 2025
PROFILE = """
id: {dag_id}
schedule: "@daily"
start_date: {start_date}
source: {{kind: akeneo, channel: ecommerce, locales: [en_US], product_id: identifier}}
target: {{kind: feed, path: "out/{{dag_id}}/{{run_id}}.csv"}}
mapping:
  columns:
    - {{name: sku, required: true}}
    - {{name: title, from: name}}
chunk_size: 1000
retries: 0
"""


def readme_backfill_command() -> list[str]:
    """The backfill command exactly as the README shows it."""
    lines = [line.strip() for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()]
    commands = [line for line in lines if line.startswith("airflow backfill create ")]
    assert len(commands) == 1, commands
    return shlex.split(commands[0])


def for_profile(command: list[str], dag_id: str, *, flags: bool) -> list[str]:
    """`command` for `dag_id` over FROM_DATE..TO_DATE, with the README's other flags or without them."""
    values = {"--dag-id": dag_id, "--from-date": FROM_DATE, "--to-date": TO_DATE}
    named, others, args = [], [], command[3:]
    while args:
        if args[0] in values:
            named, args = [*named, args[0], values[args[0]]], args[2:]
        else:
            others, args = [*others, args[0]], args[1:]
    assert command[:3] == ["airflow", "backfill", "create"] and len(named) == 6, command
    given = dict(zip(command[3::2], command[4::2]))
    days = datetime.fromisoformat(given["--to-date"]) - datetime.fromisoformat(given["--from-date"])
    assert days.days + 1 == 7, f"the README's backfill is {days.days + 1} days, this test 7"
    return [*command[:3], *named, *(others if flags else [])]


def test_the_readmes_seven_day_backfill_under_the_real_scheduler(tmp_path, monkeypatch):
    from pimflowdev import stack
    from pimflowdev.supervision import COMPONENTS, missing_components, running_components, supervise

    readme = readme_backfill_command()
    with_flag, without_flag = "backfill_as_documented", "backfill_flag_forgotten"
    profiles, staging = tmp_path / "profiles", tmp_path / "staging"
    profiles.mkdir()
    # the stack starts a scheduled run of the first profile on its own (the latest day); the second
    # starts next month, so it has no scheduled run yet and its state is the backfill's alone
    start_dates = {with_flag: "2025-11-01", without_flag: f"{datetime.now(timezone.utc) + timedelta(days=30):%Y-%m-%d}"}
    for dag_id, start_date in start_dates.items():
        (profiles / f"{dag_id}.yaml").write_text(PROFILE.format(dag_id=dag_id, start_date=start_date), encoding="utf-8")
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "home"))  # its own metadata database
    monkeypatch.setenv("PIMFLOW_PROFILES_DIR", str(profiles))
    monkeypatch.setenv("AIRFLOW__PIMFLOW__STAGING_BASE", str(staging))
    monkeypatch.delenv("AIRFLOW__PIMFLOW__STAGING_RETENTION_DAYS", raising=False)  # the default, 14 days
    started = time.monotonic()
    sandboxes, process, env = stack.start(log_dir=tmp_path)
    log = tmp_path / "standalone.log"
    try:
        api = Api(stack.api_url(env), stack.admin_password(tmp_path / "home"))
        api.wait_for_dags({with_flag, without_flag}, log)
        airflow = Path(env["PATH"].split(os.pathsep)[0]) / "airflow"
        commands = {with_flag: for_profile(readme, with_flag, flags=True),
                    without_flag: for_profile(readme, without_flag, flags=False)}
        for dag_id, command in commands.items():
            done = subprocess.run([str(airflow), *command[1:]], env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
        runs = {dag_id: api.wait_for_runs(dag_id, log, backfill=7, scheduled=int(dag_id == with_flag))
                for dag_id in commands}
        print(f"backfills done {time.monotonic() - started:.0f} s after the stack was asked to start")

        expected = ExpectedExport(sandboxes.akeneo_url)
        for dag_id, dag_runs in runs.items():
            backfill = sorted((run for run in dag_runs if run["run_type"] == "backfill"),
                              key=lambda run: run["logical_date"])
            days = [run["logical_date"][:10] for run in backfill]
            assert days == [f"2025-12-{day}" for day in range(20, 27)], (dag_id, days)
            assert [run["state"] for run in dag_runs] == ["success"] * len(dag_runs), (dag_id, dag_runs)
            folders = {run["dag_run_id"]: staging / dag_id / "runs" / safe_name(run["dag_run_id"]) for run in dag_runs}

            # each backfill run replays exactly its day, and exports exactly that day's products
            for run in backfill:
                window = json.loads((folders[run["dag_run_id"]] / "window.json").read_text())
                start, end = parse(run["data_interval_start"]), parse(run["data_interval_end"])
                assert end - start == timedelta(days=1)
                assert (window["mode"], parse(window["start"]), parse(window["end"])) == ("incremental", start, end)
                exported = read_skus(profiles / "out" / dag_id / f"{safe_name(run['dag_run_id'])}.csv")
                assert exported == expected.updated_between(start, end), (dag_id, run["dag_run_id"])
            assert set().union(*(expected.updated_between(parse(r["data_interval_start"]), parse(r["data_interval_end"]))
                                 for r in backfill)), "the week exported nothing: the test proves little"

            # one run of the profile at a time, backfill runs in date order; every folder kept
            marks = {run_id: json.loads((folder / "run.json").read_text()) for run_id, folder in folders.items()}
            assert all(mark.get("outcome") == "success" for mark in marks.values()), marks
            spans = sorted((parse(mark["started_at"]), parse(mark["finished_at"]), run_id)
                           for run_id, mark in marks.items())
            assert all(earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:])), spans
            in_turn = [run_id for _, _, run_id in spans if run_id in {run["dag_run_id"] for run in backfill}]
            assert in_turn == [run["dag_run_id"] for run in backfill]

            # the incremental state: the same runs' windows, one after another in date order
            replay = sequential_replay(folders[run["dag_run_id"]] / "window.json" for run in
                                       sorted(dag_runs, key=lambda run: run["logical_date"]))
            state = json.loads((staging / dag_id / "state.json").read_text())
            assert {key: state[key] for key in ("covered", "last_full_sync", "runs_since_full")} == replay, dag_id
            assert sorted(state["applied"]) == sorted(folders), dag_id
            assert not list((staging / dag_id / "turns").glob("*.json"))  # every turn given back
        # with no scheduled run, the state is the week alone: one span, beyond a gap (no full sync yet)
        state = json.loads((staging / without_flag / "state.json").read_text())
        assert state["covered"] == [["2025-12-20T00:00:00+00:00", "2025-12-27T00:00:00+00:00"]]
        assert (state["last_window_end"], state["runs_since_full"]) == (None, 7)

        # `make airflow` survived it
        assert process.poll() is None and set(running_components(process.pid)) == set(COMPONENTS)
        assert api.health()["scheduler"]["status"] == "healthy"
        assert "database is locked" not in log.read_text(encoding="utf-8", errors="replace")

        # and should the scheduler die, the stack's supervisor (`make airflow`'s loop) says so
        os.kill(running_components(process.pid)["scheduler"], signal.SIGKILL)
        report, guard = io.StringIO(), time.monotonic() + 60
        assert supervise(process, log, stopping=lambda: time.monotonic() > guard, every=0.2, out=report) == 1
        assert "ERROR: Airflow's scheduler stopped; nothing is scheduled or run any more" in report.getvalue()
        assert missing_components(process) == ["scheduler"]  # the others still run
    finally:
        stack.stop(sandboxes, process)
    print(f"the whole test took {time.monotonic() - started:.0f} s")


class Api:
    """The stack's REST API as the admin."""

    def __init__(self, url: str, password: str):
        self.url = url
        token = requests.post(f"{url}/auth/token", json={"username": "admin", "password": password},
                              timeout=30).json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> dict:
        for _ in range(5):  # SQLite: the scheduler's writes can make the API server answer 500 once
            answer = requests.get(f"{self.url}/api/v2/{path}", headers=self.headers, timeout=30)
            if answer.status_code < 500:
                break
            time.sleep(1)
        answer.raise_for_status()
        return answer.json()

    def health(self) -> dict:
        return requests.get(f"{self.url}/api/v2/monitor/health", timeout=30).json()

    def wait_for_dags(self, dag_ids: set[str], log: Path) -> None:
        wait_until(lambda: dag_ids <= {dag["dag_id"] for dag in self.get("dags")["dags"]}, guard=240,
                   what=lambda: log_tail(log))

    def wait_for_runs(self, dag_id: str, log: Path, **expected: int) -> list[dict]:
        """The DAG's runs once there are `expected` of each run type, all over."""
        def over() -> bool:
            runs = self.get(f"dags/{dag_id}/dagRuns?limit=100")["dag_runs"]
            types = Counter(run["run_type"] for run in runs)
            return types == Counter(expected) and all(run["state"] in ("success", "failed") for run in runs)

        wait_until(over, guard=900, every=3, what=lambda: log_tail(log))
        return self.get(f"dags/{dag_id}/dagRuns?limit=100")["dag_runs"]


class ExpectedExport:
    """What a fault-free run exports for a window: the products the Akeneo sandbox itself lists as
    updated in it (both ends included, to the second, as pimflow asks), in the profile's channel."""

    def __init__(self, akeneo_url: str):
        self.url = akeneo_url
        token = requests.post(f"{akeneo_url}/api/oauth/v1/token", auth=(
            AKENEO_CREDENTIALS["client_id"], AKENEO_CREDENTIALS["client_secret"]), json={
            "grant_type": "password", "username": "admin", "password": "admin"}, timeout=10).json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def updated_between(self, start: datetime, end: datetime) -> set[str]:
        search = {"updated": [{"operator": "BETWEEN", "value": [f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}"]}]}
        url, skus = f"{self.url}/api/rest/v1/products", set()
        params = {"search": json.dumps(search), "scope": "ecommerce", "limit": 100, "pagination_type": "search_after"}
        while url:
            page = requests.get(url, params=params, headers=self.headers, timeout=30).json()
            skus |= {item["identifier"] for item in page["_embedded"]["items"]}
            url, params = page["_links"].get("next", {}).get("href"), None
        return skus


def sequential_replay(window_files) -> dict:
    """The state the runs' windows give applied one after another."""
    from pimflow.window import SyncState, Window

    state = SyncState()
    for path in window_files:
        state = state.advanced(Window.from_dict(json.loads(Path(path).read_text())))
    data = state.to_dict()
    return {key: data[key] for key in ("covered", "last_full_sync", "runs_since_full")}


def read_skus(path: Path) -> set[str]:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return {row["sku"] for row in csv.DictReader(handle)}


def safe_name(run_id: str) -> str:
    from pimflow.staging import safe_name as pimflow_safe_name

    return pimflow_safe_name(run_id)


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)


def log_tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]


def wait_until(condition, guard: float = 60, every: float = 0.5, what=lambda: "") -> None:
    """Wait for Airflow to get somewhere (the guard only stops a hang)."""
    deadline = time.monotonic() + guard
    while not condition():
        assert time.monotonic() < deadline, f"hang guard ({guard:.0f} s): {what()}"
        time.sleep(every)
