"""One writer per target account, under `make airflow`'s stack (a real scheduler, the LocalExecutor):

- two profiles writing the same SKUs to one Linnworks account, and one of them twice, triggered at
  the same moment: every run succeeds with no refusal, the write tasks (load, link) of the three
  runs never ran at the same time (the account's pool, 1 slot), Linnworks never answered 429, and
  Linnworks ends exactly as after one run on an empty account (every item once, every field and
  row, images by checksum, variation groups): no duplicate image or row;
- a run whose pool is missing fails as soon as the scheduler starts it, with a note naming the
  pool and the command that creates it, and runs once the pool exists.
"""
from __future__ import annotations

import json
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from e2e.cluster.linnworks_state import LinnworksAccount, differences

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
RUN_TIMEOUT = 600
SHOP = """id: {id}
description: Akeneo → Linnworks, one of two profiles writing the same SKUs to one account
start_date: 2026-01-01
tags: [pools-test]
source:
  kind: akeneo
  connection: akeneo_default
  channel: ecommerce
  locales: [en_US, de_DE]
  product_id: identifier
  product_models: true
target:
  kind: linnworks
  connection: linnworks_default
  create_products: true
  prices:
    - {{attribute: price, currency: EUR, to: retail}}
    - {{attribute: price, currency: GBP, to: channel, source: AMAZON, subsource: Amazon UK}}
  titles:
    - {{attribute: name, to: item}}
    - {{attribute: "name~de_DE", to: channel, source: EBAY, subsource: eBay DE}}
  descriptions:
    - {{attribute: description, to: metadata}}
  barcode: ean
  extended_properties: {{attributes: [brand, color, material], prefix: "ak_"}}
  related_products: {{require_existing: false}}
  images: {{main: image_1, others: [image_2], mode: upload}}
feedback:
  max_error_rate: 0.05
retries: 0
chunk_size: 40
"""
#: a profile that starts in the future: triggered now, Airflow would create none of its tasks
LATER = """id: pools_later
start_date: 2099-01-01
source: {{kind: feed, path: "{feed}"}}
target: {{kind: feed, path: "{out}"}}
"""

AGENCY = """id: pools_agency_to_akeneo
start_date: 2026-01-01
tags: [pools-test]
source: {{kind: feed, path: {feed}, delimiter: ";"}}
target: {{kind: akeneo, connection: akeneo_default, product_id: identifier, create_products: true}}
feedback: {{max_error_rate: 0.9}}
retries: 0
"""
SHOPS = ("pools_shop_a", "pools_shop_b")
AGENCY_POOL = "pimflow_akeneo_default"


class Api:
    """The REST API as user admin; the local stack runs on SQLite, where the scheduler's writes can
    make the API server answer 500 now and then: a call is tried again then."""

    def __init__(self, url: str, password: str):
        self.url = url
        token = requests.post(f"{url}/auth/token", json={"username": "admin", "password": password}, timeout=30)
        self.headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

    def call(self, method: str, path: str, **kwargs):
        for _ in range(10):
            answer = requests.request(method, f"{self.url}/api/v2{path}", headers=self.headers, timeout=60, **kwargs)
            if answer.status_code < 500:
                break
            time.sleep(2)
        assert answer.ok, f"{method} {path}: {answer.status_code} {answer.text[:500]}"
        return answer.json() if answer.content else None

    def wait_for_dags(self, dag_ids: set[str], timeout: float = 240) -> None:
        deadline, seen = time.monotonic() + timeout, set()
        while time.monotonic() < deadline and not dag_ids <= seen:
            seen = {dag["dag_id"] for dag in self.call("GET", "/dags", params={"limit": 100})["dags"]}
            time.sleep(2)
        assert dag_ids <= seen, (dag_ids - seen, self.call("GET", "/importErrors"))

    def trigger(self, dag_id: str, conf: dict | None = None) -> str:
        self.call("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
        return self.call("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf or {}})["dag_run_id"]

    def run(self, dag_id: str, run_id: str) -> dict:
        return self.call("GET", f"/dags/{dag_id}/dagRuns/{run_id}")

    def wait(self, dag_id: str, run_id: str, timeout: float = RUN_TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.run(dag_id, run_id)
            if run["state"] in ("success", "failed"):
                return run
            time.sleep(2)
        raise AssertionError(f"{dag_id} {run_id} did not end within {timeout:.0f} s")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.call("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 1000})["task_instances"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from pimflowdev import stack as local_stack

    work = tmp_path_factory.mktemp("pools-stack")
    profiles = work / "profiles"
    profiles.mkdir()
    for dag_id in SHOPS:
        (profiles / f"{dag_id}.yaml").write_text(SHOP.format(id=dag_id), encoding="utf-8")
    feed = work / "feeds" / "agency_products.csv"  # under the profiles' data root (their folder's parent)
    feed.parent.mkdir()
    shutil.copyfile(REPO / "include" / "feeds" / "agency_products.csv", feed)
    (profiles / "agency.yaml").write_text(AGENCY.format(feed=feed), encoding="utf-8")
    (profiles / "later.yaml").write_text(LATER.format(feed=feed, out=work / "feeds" / "later.csv"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIRFLOW_HOME", str(work / "home"))  # its own metadata database, not the tests' one
        patch.setenv("PIMFLOW_PROFILES_DIR", str(profiles))
        patch.setenv("AIRFLOW__PIMFLOW__STAGING_BASE", str(work / "staging"))
        sandboxes, process, env = local_stack.start(log_dir=work)
    try:
        api = Api(local_stack.api_url(env), local_stack.admin_password(work / "home"))
        api.wait_for_dags({*SHOPS, "pools_agency_to_akeneo", "pools_later"})
        yield api, sandboxes, work
    finally:
        local_stack.stop(sandboxes, process)


def summary(work: Path, dag_id: str, run_id: str) -> dict:
    from pimflow.staging import safe_name

    return json.loads((work / "staging" / dag_id / "runs" / safe_name(run_id) / "summary.json").read_text())


def linnworks_state(account: LinnworksAccount, sandboxes) -> tuple[dict, list, int]:
    """Every live item (comparable form), the variation groups (in no particular order) and the
    count of every item ever created."""
    groups = requests.get(f"{sandboxes.linnworks_data_url}/_sandbox/variation-groups", timeout=30).json()
    groups = sorted(({**group, "Items": sorted(group["Items"])} for group in groups), key=lambda g: g["VariationSKU"])
    return account.snapshot(), groups, account.item_count()


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_two_profiles_and_one_twice_at_once_end_as_one_run_with_one_writer_at_a_time(stack):
    api, sandboxes, work = stack
    account = LinnworksAccount(sandboxes)
    full = {"full_sync": True}

    account.reset()
    reference_run = api.trigger("pools_shop_a", full)
    assert api.wait("pools_shop_a", reference_run)["state"] == "success"
    reference = summary(work, "pools_shop_a", reference_run)
    assert reference["refused"] == 0 and reference["read"] > 0, reference
    expected, expected_groups, expected_count = linnworks_state(account, sandboxes)
    assert expected and expected_groups and expected_count == len(expected)

    account.reset()  # an empty account again; then the three runs, started together
    runs = [(dag_id, api.trigger(dag_id, full)) for dag_id in ("pools_shop_a", "pools_shop_b", "pools_shop_a")]
    ended = {run_id: api.wait(dag_id, run_id) for dag_id, run_id in runs}
    assert {run["state"] for run in ended.values()} == {"success"}, ended
    for dag_id, run_id in runs:
        result = summary(work, dag_id, run_id)
        assert result["refused"] == 0 and result["read"] == reference["read"], (dag_id, run_id, result)

    # the pool let one write task at a time work on the account
    writes = sorted((when(ti["start_date"]), when(ti["end_date"]), ti["dag_id"], ti["task_id"], ti["map_index"])
                    for dag_id, run_id in runs for ti in api.task_instances(dag_id, run_id)
                    if ti["task_id"] in ("load", "link"))
    assert len({dag_id for *_, dag_id, _, _ in writes}) == 2 and len(writes) > 6
    assert {ti[3] for ti in writes} == {"load", "link"}
    for earlier, later in zip(writes, writes[1:]):
        assert later[0] >= earlier[1], f"{later[2:]} started while {earlier[2:]} was writing"
    assert all(pool == "pimflow_linnworks_default" for pool in
               {ti["pool"] for dag_id, run_id in runs for ti in api.task_instances(dag_id, run_id)
                if ti["task_id"] in ("load", "link")})

    assert "429" not in account.status_codes()
    actual, groups, count = linnworks_state(account, sandboxes)
    assert not differences(actual, expected)  # every item, field and row; images by checksum, once
    assert count == expected_count == len(actual)  # no item twice, none deleted and made again
    assert groups == expected_groups


def test_a_run_whose_pool_is_missing_fails_at_its_start_and_runs_once_the_pool_exists(stack):
    api, _, _ = stack
    plugins = api.call("GET", "/plugins")["plugins"]
    assert {"pimflow_pool_check", "pimflow_run_notes"} <= {plugin["name"] for plugin in plugins}
    assert api.call("GET", "/plugins/importErrors")["total_entries"] == 0  # loaded once, without error
    api.call("DELETE", f"/pools/{AGENCY_POOL}")
    try:
        run_id = api.trigger("pools_agency_to_akeneo")
        run = api.wait("pools_agency_to_akeneo", run_id, timeout=120)
        assert run["state"] == "failed"
        assert f"pool {AGENCY_POOL} does not exist" in run["note"]
        assert f'airflow pools set {AGENCY_POOL} 1 "pimflow: one writer at a time to connection akeneo_default"' \
            in run["note"]
        assert all(ti["state"] is None and ti["start_date"] is None
                   for ti in api.task_instances("pools_agency_to_akeneo", run_id))  # nothing ran
    finally:
        api.call("POST", "/pools", json={"name": AGENCY_POOL, "slots": 1, "include_deferred": False,
                                         "description": "pimflow: one writer at a time to connection akeneo_default"})
    run_id = api.trigger("pools_agency_to_akeneo")
    run = api.wait("pools_agency_to_akeneo", run_id, timeout=300)
    assert run["state"] == "success"
    assert run["note"].startswith("read ") and "pool" not in run["note"]  # its own summary (pimflow.run_notes)


def test_a_run_triggered_before_the_start_date_fails_with_a_note_instead_of_succeeding_empty(stack):
    api, _, work = stack
    api.call("PATCH", "/dags/pools_later", json={"is_paused": False})
    run = api.call("POST", "/dags/pools_later/dagRuns",
                   json={"logical_date": datetime.now(timezone.utc).isoformat(), "conf": {}})
    ended = api.wait("pools_later", run["dag_run_id"], timeout=120)
    assert ended["state"] == "failed"
    assert ended["note"].startswith("Nothing ran: this run's logical date ")
    assert "is before the profile's start_date 2099-01-01T00:00:00+00:00" in ended["note"]
    assert api.task_instances("pools_later", run["dag_run_id"]) == []  # Airflow made none: nothing ran
    assert not (work / "feeds" / "later.csv").exists()
