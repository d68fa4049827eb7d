"""The whole path over real HTTP: the Akeneo sandbox's Event Platform delivers, signed, to pimflow's
receiver served by uvicorn (mounted under `/pimflow/events` as the API server mounts it), which
records asset events in Airflow's metadata database. Duplicates, reordering and batches on the way
leave one asset event per delivery with something new, and every change is named exactly once."""
from __future__ import annotations

import json
import uuid

import httpx
import pytest

from pimflow.events.contract import asset_uri, merge_extras
from pimflow.events.receiver import URL_PREFIX

pytestmark = pytest.mark.integration

SECRET = "end-to-end-secret-of-the-test"


@pytest.fixture
def conn_id(airflow_db, monkeypatch) -> str:
    conn_id = f"akeneo_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(
        {"conn_type": "akeneo", "host": "http://sandbox", "extra": {"events_secret": SECRET}}))
    return conn_id


@pytest.fixture
def akeneo(sandbox):
    server, runtime = sandbox
    runtime.events.reset()
    runtime.events.update_switches({"retry_delays": [0.0, 0.0, 0.0]})
    http = httpx.Client(base_url=server.url, timeout=20)
    token = http.post("/api/oauth/v1/token", auth=("pimflow", "pimflow-secret"),
                      json={"grant_type": "password", "username": "admin", "password": "admin"}).json()["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    http.token, http.url = token, server.url
    yield http
    http.close()


def subscribe(akeneo, url: str) -> dict:
    platform = httpx.Client(base_url=f"{akeneo.url}/event-platform/api/v1", timeout=20, headers={
        "X-PIM-URL": akeneo.url, "X-PIM-TOKEN": akeneo.token, "X-PIM-CLIENT-ID": "pimflow"})
    with platform:
        subscriber = platform.post("/subscribers", json={"name": "pimflow", "contact": {"technical_email": "ops@example.com"}})
        answer = platform.post(f"/subscribers/{subscriber.json()['id']}/subscriptions", json={
            "source": "pim", "type": "https",
            "events": ["com.akeneo.pim.v1.product.created", "com.akeneo.pim.v1.product.updated",
                       "com.akeneo.pim.v1.product.deleted", "com.akeneo.pim.v1.product-model.updated"],
            "config": {"url": url, "secret": {"primary": SECRET}}})
    assert answer.status_code == 201, answer.text  # the platform's HEAD check reached the receiver
    return answer.json()


def asset_events(conn_id: str) -> list[dict]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return [event.extra for event in session.scalars(
            select(AssetEvent).join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .where(AssetModel.uri == asset_uri(conn_id)).order_by(AssetEvent.id))]


def drain(akeneo) -> list[dict]:
    answer = akeneo.post("/_sandbox/events/drain", params={"timeout": 30})
    assert answer.json()["idle"], answer.text
    return answer.json()["deliveries"]


def test_sandbox_deliveries_become_asset_events_once_each(akeneo, receiver_url, conn_id):
    subscribe(akeneo, f"{receiver_url}{URL_PREFIX}/akeneo/{conn_id}")
    akeneo.patch("/_sandbox/events/settings", json={"hold": True, "duplicate_rate": 1.0, "out_of_order_rate": 0.5,
                                                   "seed": 7}).raise_for_status()
    assert akeneo.patch("/api/rest/v1/products/EVT-1", json={}).status_code == 201
    assert akeneo.patch("/api/rest/v1/products/EVT-1", json={"enabled": False}).status_code == 204
    assert akeneo.patch("/api/rest/v1/products/EVT-2", json={}).status_code == 201
    uuids = {key: akeneo.get(f"/_sandbox/products/{key}").json()["uuid"] for key in ("EVT-1", "EVT-2")}
    assert akeneo.delete("/api/rest/v1/products/EVT-2").status_code == 204
    assert akeneo.patch("/api/rest/v1/product-models/model_00001", json={"categories": ["jackets", "master"]}).status_code == 204
    akeneo.patch("/_sandbox/events/settings", json={"hold": False}).raise_for_status()
    deliveries = drain(akeneo)

    assert {d["outcome"] for d in deliveries} == {"delivered"}
    assert sum(d["duplicate"] for d in deliveries) == 5  # every delivery came twice...
    recorded = asset_events(conn_id)
    assert len(recorded) == 5  # ...and was recorded once
    merged = merge_extras(recorded)
    sent_ids = [i for d in deliveries if not d["duplicate"] for i in d["event_ids"]]
    assert sorted(merged["events"]) == sorted(sent_ids) and len(set(sent_ids)) == 5
    assert uuids["EVT-1"] in merged["products"] and merged["product_models"] == ["model_00001"]
    # EVT-2's creation and deletion may have arrived in either order: it is named once, somewhere
    assert sorted(merged["products"] + merged["deleted"]["products"]) == sorted(uuids.values())


def test_batched_deliveries_are_one_asset_event_each(akeneo, receiver_url, conn_id):
    subscribe(akeneo, f"{receiver_url}{URL_PREFIX}/akeneo/{conn_id}")
    akeneo.patch("/_sandbox/events/settings", json={"hold": True, "batch_size": 10}).raise_for_status()
    for number in range(3):
        assert akeneo.patch(f"/api/rest/v1/products/BATCH-{number}", json={}).status_code == 201
    akeneo.patch("/_sandbox/events/settings", json={"hold": False}).raise_for_status()
    [delivery] = drain(akeneo)
    assert delivery["outcome"] == "delivered" and len(delivery["event_ids"]) == 3
    [extra] = asset_events(conn_id)
    assert extra["events"] == delivery["event_ids"] and len(extra["products"]) == 3


def test_a_subscription_with_another_secret_is_refused_by_the_receiver(akeneo, receiver_url, conn_id, monkeypatch):
    subscribe(akeneo, f"{receiver_url}{URL_PREFIX}/akeneo/{conn_id}")
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(
        {"conn_type": "akeneo", "extra": {"events_secret": "a-different-secret-entirely"}}))
    assert akeneo.patch("/api/rest/v1/products/SECRET-1", json={}).status_code == 201
    assert [(d["outcome"], d["status"]) for d in drain(akeneo)] == [("refused", 401)]
    assert asset_events(conn_id) == []


def test_airflows_api_server_serves_the_receiver_without_a_login(conn_id):
    """Airflow's own API app (what `airflow api-server` serves) mounts the plugin's receiver: no
    token is asked for, the signature is what counts."""
    from datetime import datetime, timezone

    from fastapi.testclient import TestClient

    from airflow.api_fastapi.app import create_app as airflow_api_app
    from pimflow.events.signature import sign

    body = json.dumps({"specversion": "1.0", "id": str(uuid.uuid4()), "source": "pim",
                       "type": "com.akeneo.pim.v1.product.updated", "subject": "s",
                       "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "data": {"product": {"uuid": "6a9f8486-2c36-4680-b87f-6f5f8f01b6cf"}}}).encode()
    with TestClient(airflow_api_app("core")) as client:
        path = f"{URL_PREFIX}/akeneo/{conn_id}"
        assert client.head(path).status_code == 200
        assert client.post(path, content=body, headers={"X-AKENEO-SIGNATURE-PRIMARY": sign("x" * 20, body)}).status_code == 401
        answer = client.post(path, content=body, headers={"X-AKENEO-SIGNATURE-PRIMARY": sign(SECRET, body)})
        assert answer.status_code == 200, answer.text
    assert [extra["products"] for extra in asset_events(conn_id)] == [["6a9f8486-2c36-4680-b87f-6f5f8f01b6cf"]]
