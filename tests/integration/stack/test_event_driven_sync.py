"""Event-driven sync under `make airflow`'s real scheduler (`airflow standalone`, LocalExecutor, the
API server serving pimflow's receiver), with only the `demo_akeneo_events` profile: the Akeneo
sandbox is subscribed with `pimflow events subscribe`; 20 product changes, made one by one through
the sandbox's control endpoint (a person's edit, each its own signed delivery), each reach
Linnworks through asset-triggered runs that handled exactly the products named; a forged
signature, a stale timestamp and a replayed event id, posted straight to the receiver, are refused
(401) or recorded as nothing new, and start no run."""
from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from pimflow.events.signature import sign
from pimflowdev.event_stack import EventStack
from pimflowdev.sandboxes import EVENTS_SECRET

pytestmark = pytest.mark.integration

CHANGES = 20


def cloud_event(product_uuid: str, event_id: str | None = None, at: datetime | None = None) -> bytes:
    at = at or datetime.now(timezone.utc)
    return json.dumps({"specversion": "1.0", "id": event_id or str(uuid.uuid4()), "source": "pim",
                       "type": "com.akeneo.pim.v1.product.updated", "subject": "test",
                       "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "datacontenttype": "application/json",
                       "data": {"product": {"uuid": product_uuid}, "author": {"identifier": "x", "type": "api"}}}).encode()


def post(url: str, body: bytes, secret: str) -> requests.Response:
    return requests.post(url, data=body, timeout=30, headers={
        "Content-Type": "application/json", "X-AKENEO-SIGNATURE-PRIMARY": sign(secret, body),
        "X-AKENEO-SIGNATURE-ALGORITHM": "HmacSHA256"})


def test_changes_in_akeneo_reach_linnworks_and_forged_stale_or_replayed_deliveries_start_nothing(tmp_path):
    with EventStack(tmp_path) as stack:
        stack.wait_for_dag()
        receiver = stack.subscribe()
        skus = stack.skus(CHANGES)
        wanted = {}
        for number, sku in enumerate(skus):  # one by one: each change is its own delivery
            wanted[sku] = f"Event change {number} {uuid.uuid4().hex[:6]}"
            stack.rename(sku, wanted[sku])
            time.sleep(0.3)
        seen = stack.wait_for_titles(wanted, timeout=420)
        assert sorted(seen) == sorted(skus), (sorted(set(skus) - set(seen)), stack.log.read_text()[-3000:])
        runs = stack.wait_until_idle()
        delivered = [i for d in stack.deliveries() if d["outcome"] == "delivered" for i in d["event_ids"]]
        assert len(set(delivered)) == CHANGES  # (a 503 while SQLite was busy is retried by the platform)

        event_runs = [run for run in runs if run["run_type"] == "asset_triggered"]
        assert event_runs and all(run["state"] == "success" for run in event_runs), runs
        assert len(event_runs) < CHANGES  # changes arriving while a run was busy waited for one run together
        reports = [stack.run_report(run["dag_run_id"]) for run in event_runs]
        handled = [sku for report in reports for sku in report["handled"]]
        assert sorted(handled) == sorted(skus)  # each changed product synced once, nothing else
        assert sum(report["events"] for report in reports) == CHANGES
        assert all(report["not_read"] == [] and report["deleted"] == [] for report in reports)

        # what no one should be able to start runs with, straight to the receiver
        events_before, runs_before = stack.asset_event_count(), stack.run_count()
        some_uuid = stack.product(skus[0])["uuid"]
        forged = post(receiver, cloud_event(some_uuid), "not-the-secret-of-this-connection")
        stale = post(receiver, cloud_event(some_uuid, at=datetime.now(timezone.utc) - timedelta(hours=2)), EVENTS_SECRET)
        replayed = post(receiver, cloud_event(some_uuid, event_id=delivered[0]), EVENTS_SECRET)
        assert (forged.status_code, stale.status_code) == (401, 401)
        assert replayed.status_code == 200 and replayed.json()["received"] == 0 and replayed.json()["duplicates"] == 1
        time.sleep(15)  # several scheduler loops
        assert stack.asset_event_count() == events_before
        assert stack.run_count() == runs_before
