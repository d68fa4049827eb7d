"""The Akeneo event receiver (FastAPI TestClient) against a real Airflow metadata database: what it
refuses leaves nothing behind, what it takes becomes exactly one asset event with the contract's
extra, once whatever the number of deliveries."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from pimflow.events.contract import asset_uri
from pimflow.events.receiver import create_app
from pimflow.events.settings import EventsConfigError, settings_from_extra
from pimflow.events.signature import sign
from tests.fakes import FakeClock

SECRET = "a-primary-secret-for-tests"
OLD_SECRET = "the-secret-before-rotation"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def conn_id(airflow_db, monkeypatch) -> str:
    """An Akeneo connection of its own (the session's database is shared by the tests)."""
    conn_id = f"akeneo_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({
        "conn_type": "akeneo", "host": "https://pim.example.com", "login": "api", "password": "x",
        "extra": {"client_id": "c", "client_secret": "s", "events_secret": SECRET}}))
    return conn_id


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=T0.timestamp() + 5)


@pytest.fixture
def client(clock) -> TestClient:
    return TestClient(create_app(clock=clock))


def event(kind: str, action: str, key: str, event_id: str | None = None, at: datetime = T0) -> dict:
    entity = {"product": {"uuid": key}} if kind == "product" else {"product_model": {"code": key}}
    event_type = f"com.akeneo.pim.v1.{kind}.{action}"
    return {"specversion": "1.0", "id": event_id or str(uuid.uuid4()), "source": "pim", "type": event_type,
            "subject": "0190fe8a-6213-76ce-8a9f-ba36a5ef555a", "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "datacontenttype": "application/json",
            "dataschema": f"https://event.prd.sdk.akeneo.cloud/spec/{event_type}.schema.json",
            "data": {**entity, "author": {"identifier": "admin", "type": "user"}}}


def deliver(client, conn_id, payload, secret=SECRET, secondary=None, headers=None):
    body = json.dumps(payload).encode()
    sent = {"Content-Type": "application/json", "X-AKENEO-SIGNATURE-ALGORITHM": "HmacSHA256",
            "X-AKENEO-SIGNATURE-PRIMARY": sign(secret, body)}
    if secondary:
        sent["X-AKENEO-SIGNATURE-SECONDARY"] = sign(secondary, body)
    sent.update(headers or {})
    return client.post(f"/akeneo/{conn_id}", content=body, headers=sent)


def asset_events(conn_id: str) -> list[dict]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.scalars(select(AssetEvent).join(AssetModel, AssetEvent.asset_id == AssetModel.id)
                               .where(AssetModel.uri == asset_uri(conn_id)).order_by(AssetEvent.id))
        return [row.extra for row in rows]


def receipts(conn_id: str) -> list[str]:
    from airflow.utils.session import create_session
    from sqlalchemy import inspect, select

    from pimflow.events.receipts import receipts as table

    with create_session() as session:
        if not inspect(session.get_bind()).has_table(table.name):
            return []
        return sorted(session.scalars(select(table.c.event_id).where(table.c.conn_id == conn_id)))


# ----- what is taken
def test_a_good_delivery_becomes_exactly_one_asset_event_with_the_contracts_extra(client, conn_id):
    sent = event("product", "updated", "6a9f8486-2c36-4680-b87f-6f5f8f01b6cf", event_id="018e32f9-dfe4-760e-a273-5da1c089dfdb")
    answer = deliver(client, conn_id, sent)
    assert answer.status_code == 200, answer.text
    assert answer.json()["received"] == 1 and answer.json()["duplicates"] == 0
    assert asset_events(conn_id) == [{
        "source": "akeneo-event-platform", "connection": conn_id,
        "events": ["018e32f9-dfe4-760e-a273-5da1c089dfdb"],
        "types": {"com.akeneo.pim.v1.product.updated": 1},
        "products": ["6a9f8486-2c36-4680-b87f-6f5f8f01b6cf"], "product_models": [],
        "deleted": {"products": [], "product_models": []},
        "first_time": "2026-03-01T10:00:00Z", "last_time": "2026-03-01T10:00:00Z", "ignored": 0}]
    assert receipts(conn_id) == ["018e32f9-dfe4-760e-a273-5da1c089dfdb"]


def test_the_asset_is_the_one_a_dag_would_declare(client, conn_id):
    from airflow.models.asset import AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from pimflow.events.contract import products_asset

    assert deliver(client, conn_id, event("product-model", "created", "model_1")).status_code == 200
    declared = products_asset(conn_id)
    with create_session() as session:
        [model] = session.scalars(select(AssetModel).where(AssetModel.uri == asset_uri(conn_id)))
        assert (model.name, model.uri, model.group) == (declared.name, declared.uri, declared.group)


def test_a_batch_is_one_asset_event(client, conn_id):
    payload = [event("product", "created", "u-1"), event("product-model", "updated", "model_1"),
               event("product", "deleted", "u-2"), {**event("product", "updated", "x"), "type": "com.akeneo.pim.v1.family.updated"}]
    assert deliver(client, conn_id, payload).json()["received"] == 4
    [extra] = asset_events(conn_id)
    assert (extra["products"], extra["product_models"], extra["deleted"]["products"], extra["ignored"]) == (
        ["u-1"], ["model_1"], ["u-2"], 1)


def test_a_secondary_secret_verifies_during_a_rotation(client, conn_id, monkeypatch):
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({
        "conn_type": "akeneo", "extra": {"events_secret": "the-new-secret-after-rotation",
                                         "events_secret_secondary": OLD_SECRET}}))
    # Akeneo already signs with the new secret as its secondary; we still know the old one as ours
    answer = deliver(client, conn_id, event("product", "updated", "u-1"), secret="unknown-to-us-secret",
                     secondary="the-new-secret-after-rotation")
    assert answer.status_code == 200 and len(asset_events(conn_id)) == 1
    answer = deliver(client, conn_id, event("product", "updated", "u-2"), secret=OLD_SECRET)
    assert answer.status_code == 200 and len(asset_events(conn_id)) == 2


# ----- duplicates
def test_a_replayed_event_id_is_acknowledged_and_recorded_once(client, conn_id, clock):
    sent = event("product", "updated", "u-1")
    assert deliver(client, conn_id, sent).json()["received"] == 1
    clock.advance(600)  # the platform's retry, ten minutes later: same bytes
    answer = deliver(client, conn_id, sent)
    assert answer.status_code == 200 and answer.json() == {"received": 0, "duplicates": 1, "asset_event_id": None}
    assert len(asset_events(conn_id)) == 1


def test_only_the_new_events_of_a_delivery_are_recorded(client, conn_id):
    known = event("product", "updated", "u-1")
    deliver(client, conn_id, known)
    fresh = event("product", "updated", "u-2")
    answer = deliver(client, conn_id, [known, fresh, fresh])
    assert answer.json()["received"] == 1 and answer.json()["duplicates"] == 2
    assert [extra["products"] for extra in asset_events(conn_id)] == [["u-1"], ["u-2"]]


def test_events_of_other_types_are_remembered_but_record_no_asset_event(client, conn_id):
    other = {**event("product", "updated", "u-1"), "type": "com.akeneo.pim.v1.category.updated", "data": {}}
    assert deliver(client, conn_id, other).json() == {"received": 1, "duplicates": 0, "asset_event_id": None}
    assert deliver(client, conn_id, other).json()["duplicates"] == 1
    assert asset_events(conn_id) == [] and receipts(conn_id) == [other["id"]]


# ----- what is refused: 401 and nothing recorded
@pytest.mark.parametrize("forgery", ["wrong secret", "no signature", "tampered body", "other algorithm"])
def test_a_forged_delivery_is_refused_and_leaves_nothing(client, conn_id, forgery):
    sent = event("product", "updated", "u-1")
    if forgery == "wrong secret":
        answer = deliver(client, conn_id, sent, secret="someone-elses-secret-value")
    elif forgery == "no signature":
        answer = client.post(f"/akeneo/{conn_id}", content=json.dumps(sent).encode())
    elif forgery == "tampered body":
        body = json.dumps(sent).encode()
        answer = client.post(f"/akeneo/{conn_id}", content=body.replace(b"u-1", b"u-9"),
                             headers={"X-AKENEO-SIGNATURE-PRIMARY": sign(SECRET, body)})
    else:
        answer = deliver(client, conn_id, sent, headers={"X-AKENEO-SIGNATURE-ALGORITHM": "HmacSHA1"})
    assert answer.status_code == 401 and answer.json() == {"detail": "Unauthorized"}
    assert asset_events(conn_id) == [] and receipts(conn_id) == []


@pytest.mark.parametrize("moved, accepted", [(3600 - 5, True), (3600 - 4, False), (-301 - 5, False), (-299 - 5, True)])
def test_freshness_is_the_events_time_within_the_connections_window(client, conn_id, clock, moved, accepted):
    clock.advance(moved)  # the clock starts 5 s after the events' time; the window is 3600 s old, 300 s ahead
    answer = deliver(client, conn_id, event("product", "updated", "u-1"))
    assert answer.status_code == (200 if accepted else 401)
    assert len(asset_events(conn_id)) == (1 if accepted else 0) and len(receipts(conn_id)) == (1 if accepted else 0)


def test_one_stale_event_refuses_the_whole_delivery(client, conn_id):
    payload = [event("product", "updated", "u-1"), event("product", "updated", "u-2", at=T0 - timedelta(hours=2))]
    assert deliver(client, conn_id, payload).status_code == 401
    assert asset_events(conn_id) == []


def test_a_connection_not_set_up_for_events_refuses_and_fails_the_head_check(client, monkeypatch, airflow_db):
    monkeypatch.setenv("AIRFLOW_CONN_AKENEO_NO_EVENTS", json.dumps({"conn_type": "akeneo", "extra": {"client_id": "c"}}))
    monkeypatch.setenv("AIRFLOW_CONN_NOT_AKENEO", json.dumps({"conn_type": "http", "extra": {"events_secret": SECRET}}))
    for conn_id in ("akeneo_no_events", "not_akeneo", "no_such_connection"):
        assert deliver(client, conn_id, event("product", "updated", "u-1")).status_code == 401
        assert client.head(f"/akeneo/{conn_id}").status_code == 404
        assert asset_events(conn_id) == []


def test_the_head_check_passes_for_a_connection_set_up_for_events(client, conn_id):
    assert client.head(f"/akeneo/{conn_id}").status_code == 200


# ----- authentic but unusable
@pytest.mark.parametrize("payload, message", [
    ({"type": "com.akeneo.pim.v1.product.updated", "time": "2026-03-01T10:00:00Z"}, "event #1: id is missing"),
    ({**event("product", "updated", "u-1", event_id="e-1"), "time": "yesterday"}, "event e-1: time 'yesterday' is not an RFC 3339"),
    ({**event("product", "updated", "u-1", event_id="e-2"), "data": {}}, "event e-2: data.product.uuid is missing"),
    ([], "empty list"),
])
def test_an_authentic_delivery_it_cannot_read_gets_400_naming_the_field(client, conn_id, payload, message):
    answer = deliver(client, conn_id, payload)
    assert answer.status_code == 400 and message in answer.json()["detail"]
    assert asset_events(conn_id) == [] and receipts(conn_id) == []


def test_a_too_large_delivery_is_refused_before_anything_else(client, conn_id):
    answer = client.post(f"/akeneo/{conn_id}", content=b"x" * 1_000_001)
    assert answer.status_code == 413


def test_a_database_failure_answers_503_so_the_platform_retries(clock, conn_id):
    from sqlalchemy.exc import OperationalError

    def failing(conn_id, changes, now):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    answer = deliver(TestClient(create_app(clock=clock, record=failing)), conn_id, event("product", "updated", "u-1"))
    assert answer.status_code == 503


# ----- receipts stay bounded
def test_receipts_older_than_the_retention_are_pruned(client, conn_id, clock):
    from pimflow.events import receipts as receipts_module

    old = event("product", "updated", "u-1")
    deliver(client, conn_id, old)
    receipts_module._last_prune.pop(conn_id, None)
    clock.advance(receipts_module.RETENTION + 1)
    later = event("product", "updated", "u-2", at=datetime.fromtimestamp(clock(), timezone.utc))
    assert deliver(client, conn_id, later).json()["received"] == 1
    assert receipts(conn_id) == [later["id"]]


# ----- settings and the plugin
@pytest.mark.parametrize("conn_type, extra, message", [
    ("akeneo", {}, "connection 'a': extra field 'events_secret' is missing"),
    ("akeneo", {"events_secret": "short"}, "'events_secret' is shorter than 16 characters"),
    ("akeneo", {"events_secret": SECRET, "events_max_age_seconds": "soon"}, "'events_max_age_seconds' is not a number"),
    ("akeneo", {"events_secret": SECRET, "events_max_age_seconds": 10}, "must be from 60 to 86400, not 10"),
    ("linnworks", {"events_secret": SECRET}, "its type is 'linnworks', not 'akeneo'"),
])
def test_a_connection_set_up_wrong_is_named_with_its_field(conn_type, extra, message):
    with pytest.raises(EventsConfigError, match=message):
        settings_from_extra("a", conn_type, extra)


def test_settings_read_the_forms_prefixed_keys():
    settings = settings_from_extra("a", "akeneo", {"extra__akeneo__events_secret": SECRET,
                                                   "extra__akeneo__events_max_age_seconds": "120"})
    assert settings.secrets == (SECRET,) and settings.max_age == 120.0


def test_the_plugin_serves_the_receiver_under_pimflow_events():
    import subprocess
    import sys

    from airflow.plugins_manager import is_valid_plugin

    from pimflow.events.plugin import PimflowEventsPlugin

    assert is_valid_plugin(PimflowEventsPlugin)
    [app] = PimflowEventsPlugin().fastapi_apps  # Airflow reads it on the plugin instance
    assert app["url_prefix"] == "/pimflow/events"
    paths = {(route.path, method) for route in app["app"].routes for method in getattr(route, "methods", ())}
    assert {("/akeneo/{conn_id}", "POST"), ("/akeneo/{conn_id}", "HEAD")} <= paths

    # loading the plugin (every Airflow component does, task processes too) does not import FastAPI
    loaded = subprocess.run([sys.executable, "-c", "import sys, pimflow.events.plugin; print('fastapi' in sys.modules)"],
                            capture_output=True, text=True, timeout=120)
    assert loaded.stdout.strip() == "False", loaded.stderr[-2000:]
