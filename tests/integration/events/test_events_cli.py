"""`pimflow events subscribe|status|unsubscribe` against the Akeneo sandbox's Event Platform over real
HTTP, with pimflow's receiver served by uvicorn: subscribing twice makes one subscription (six event
types, the connection's secret: a change is delivered and accepted), status shows it, unsubscribe
removes it and pimflow's subscriber; profiles or connections not set up for events are refused with
the reason."""
from __future__ import annotations

import json
import uuid

import httpx
import pytest

from pimflow.cli import main as pimflow_cli
from pimflow.events.contract import MODEL_TYPES, PRODUCT_TYPES
from pimflow.events.receiver import URL_PREFIX

pytestmark = pytest.mark.integration

SECRET = "the-cli-tests-events-secret"


def connection(sandbox_url: str, **extra) -> str:
    return json.dumps({"conn_type": "akeneo", "host": sandbox_url, "login": "admin", "password": "admin",
                       "extra": {"client_id": "pimflow", "client_secret": "pimflow-secret",
                                 "events_api_url": f"{sandbox_url}/event-platform/api/v1", **extra}})


@pytest.fixture
def setup(sandbox, airflow_db, monkeypatch, tmp_path):
    server, runtime = sandbox
    runtime.events.reset()
    runtime.events.update_switches({"retry_delays": [0.0, 0.0, 0.0]})
    conn_id = f"akeneo_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", connection(server.url, events_secret=SECRET))
    profile = tmp_path / "events.yaml"
    profile.write_text(f"id: events_cli\nsource: {{kind: akeneo, connection: {conn_id}, events: true}}\n"
                       "target: {kind: feed, path: out.csv}\n")
    return server, runtime, conn_id, profile


def live_subscriptions(runtime) -> list:
    return [s for s in runtime.events.subscriptions.values() if s.status != "deleted"]


def test_subscribe_twice_status_and_unsubscribe(setup, receiver_url, capsys):
    server, runtime, conn_id, profile = setup
    url = f"{receiver_url}{URL_PREFIX}/akeneo/{conn_id}"

    assert pimflow_cli(["events", "subscribe", str(profile), "--url", receiver_url, "--email", "ops@example.com"]) == 0
    assert "created (active)" in capsys.readouterr().out
    assert pimflow_cli(["events", "subscribe", str(profile), "--url", url]) == 0  # the full URL works too
    assert "unchanged (active)" in capsys.readouterr().out
    [subscription] = live_subscriptions(runtime)
    assert subscription.url == url and subscription.primary_secret == SECRET
    assert sorted(subscription.events) == sorted(PRODUCT_TYPES + MODEL_TYPES)
    [subscriber] = [s for s in runtime.events.subscribers.values() if s.status == "active"]
    assert subscriber.name == "pimflow" and subscriber.technical_email == "ops@example.com"

    with httpx.Client(base_url=server.url, timeout=20) as http:  # a person's edit is delivered and accepted
        assert http.patch("/_sandbox/products/CLI-1", json={}).status_code in (201, 204)
        deliveries = http.post("/_sandbox/events/drain", params={"timeout": 30}).json()["deliveries"]
    assert [(d["outcome"], d["status"]) for d in deliveries] == [("delivered", 200)]

    assert pimflow_cli(["events", "status", str(profile)]) == 0
    out = capsys.readouterr().out
    assert f"connection {conn_id} (profiles events_cli): receiving events" in out
    assert f"subscription {subscription.id} active: 6 event types → {url} ← this connection's receiver" in out

    assert pimflow_cli(["events", "unsubscribe", str(profile)]) == 0
    assert f"subscription {subscription.id} to {url} removed" in capsys.readouterr().out
    assert live_subscriptions(runtime) == []
    assert all(s.status == "deleted" for s in runtime.events.subscribers.values())
    assert pimflow_cli(["events", "unsubscribe", str(profile)]) == 0
    assert "nothing to remove" in capsys.readouterr().out
    assert pimflow_cli(["events", "status", str(profile)]) == 0
    assert "NOT subscribed" in capsys.readouterr().out


def test_a_suspended_subscription_is_resumed(setup, receiver_url, capsys):
    _, runtime, _, profile = setup
    assert pimflow_cli(["events", "subscribe", str(profile), "--url", receiver_url]) == 0
    [subscription] = live_subscriptions(runtime)
    runtime.events.set_status(subscription, "suspended", "suspended by the user")
    capsys.readouterr()
    assert pimflow_cli(["events", "subscribe", str(profile), "--url", receiver_url]) == 0
    assert "resumed (active)" in capsys.readouterr().out
    assert [s.status for s in live_subscriptions(runtime)] == ["active"]
    pimflow_cli(["events", "unsubscribe", str(profile)])


def test_a_profile_not_event_driven_is_refused(setup, tmp_path, capsys):
    _, runtime, conn_id, _ = setup
    plain = tmp_path / "plain.yaml"
    plain.write_text(f"id: plain\nsource: {{kind: akeneo, connection: {conn_id}}}\ntarget: {{kind: feed, path: o.csv}}\n")
    assert pimflow_cli(["events", "subscribe", str(plain), "--url", "https://airflow.example.com"]) == 1
    assert "profile 'plain': source.events is not true" in capsys.readouterr().err
    assert live_subscriptions(runtime) == []


def test_a_connection_without_events_secret_is_refused(setup, monkeypatch, capsys):
    server, runtime, conn_id, profile = setup
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", connection(server.url))
    assert pimflow_cli(["events", "subscribe", str(profile), "--url", "https://airflow.example.com"]) == 1
    err = capsys.readouterr().err
    assert f"connection {conn_id!r}: extra field 'events_secret' is missing" in err
    assert live_subscriptions(runtime) == []


def test_a_url_for_another_connection_is_refused(setup, capsys):
    _, runtime, _, profile = setup
    assert pimflow_cli(["events", "subscribe", str(profile), "--url",
                        "https://airflow.example.com/pimflow/events/akeneo/someone_else"]) == 1
    assert "is not this connection's receiver" in capsys.readouterr().err
    assert live_subscriptions(runtime) == []
