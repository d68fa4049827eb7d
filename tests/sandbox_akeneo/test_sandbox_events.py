"""The sandbox's Event Platform: the management API, the events writes produce, their envelope and
signature, and the delivery switches (duplicates, reordering, drops, batching, delay), checked over
real HTTP against a small receiver run in the test."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common.server import start_server

pytestmark = pytest.mark.integration

PRIMARY, SECONDARY = "primary-secret-of-the-test", "secondary-secret-of-the-test"
PRODUCT = "PF-000002"  # a simple product of the default catalog
MODEL = "model_00001"  # a one-level model with three variants
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@dataclass
class Receiver:
    """A destination: records each POST (headers, raw body), answers `statuses` in turn, then 200.
    `gate`, when set, holds every POST until the test opens it."""

    url: str = ""
    requests: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    head_status: int = 200
    gate: threading.Event | None = None
    arrived: threading.Event = field(default_factory=threading.Event)

    def bodies(self) -> list:
        return [json.loads(body) for _, body in self.requests]

    def events(self) -> list[dict]:
        """Every event received, batches flattened, duplicates included."""
        return [event for body in self.bodies() for event in (body if isinstance(body, list) else [body])]


@pytest.fixture(scope="module")
def receiver_server():
    receiver = Receiver()

    async def hook(request: Request) -> Response:
        if request.method == "HEAD":
            return Response(status_code=receiver.head_status)
        body = await request.body()
        receiver.arrived.set()
        if receiver.gate is not None:
            import asyncio
            await asyncio.to_thread(receiver.gate.wait, 30)
        receiver.requests.append((dict(request.headers), body))
        return Response(status_code=receiver.statuses.pop(0) if receiver.statuses else 200)

    app = Starlette(routes=[Route("/hook", hook, methods=["POST", "HEAD"])])
    with start_server(app) as server:
        receiver.url = f"{server.url}/hook"
        yield receiver


@pytest.fixture
def receiver(receiver_server) -> Receiver:
    receiver_server.requests.clear()
    receiver_server.statuses.clear()
    receiver_server.head_status, receiver_server.gate = 200, None
    receiver_server.arrived.clear()
    return receiver_server


class Platform:
    """The management API with the sandbox connection's credentials, and the event control API."""

    def __init__(self, akeneo) -> None:
        self.akeneo = akeneo
        self.runtime = akeneo.runtime
        self.http = httpx.Client(base_url=f"{akeneo.url}/event-platform/api/v1", timeout=10, headers={
            "X-PIM-URL": akeneo.url, "X-PIM-CLIENT-ID": "pimflow",
            "X-PIM-TOKEN": akeneo.http.headers["Authorization"].split(" ", 1)[1]})

    def subscriber(self) -> dict:
        answer = self.http.post("/subscribers", json={"name": "pimflow test", "contact": {"technical_email": "ops@example.com"}})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def subscribe(self, url: str, events=None, secondary=None) -> dict:
        subscriber = self.subscriber()
        secret = {"primary": PRIMARY, **({"secondary": secondary} if secondary else {})}
        answer = self.http.post(f"/subscribers/{subscriber['id']}/subscriptions", json={
            "source": "pim", "subject": self.akeneo.url, "type": "https",
            "events": events or ["com.akeneo.pim.v1.product.created", "com.akeneo.pim.v1.product.updated",
                                 "com.akeneo.pim.v1.product.deleted", "com.akeneo.pim.v1.product-model.created",
                                 "com.akeneo.pim.v1.product-model.updated", "com.akeneo.pim.v1.product-model.deleted"],
            "config": {"url": url, "secret": secret}})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def switches(self, **changes) -> dict:
        answer = self.akeneo.http.patch("/_sandbox/events/settings", json=changes)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def drain(self) -> dict:
        answer = self.akeneo.http.post("/_sandbox/events/drain", params={"timeout": 20})
        assert answer.status_code == 200 and answer.json()["idle"], answer.text
        return answer.json()

    def outcomes(self) -> list[tuple]:
        return [(d["outcome"], d["types"], d["duplicate"]) for d in self.drain()["deliveries"]]


@pytest.fixture
def platform(akeneo):
    events = akeneo.runtime.events
    events.reset()
    events.update_switches({"retry_delays": [0.0, 0.0, 0.0]})  # retries at once (the platform waits minutes)
    client = Platform(akeneo)
    yield client
    events.update_switches({"hold": False})
    events.drain(20)
    events.reset()
    client.http.close()


def _uuid(akeneo, identifier: str) -> str:
    return akeneo.stored(identifier)["uuid"]


# ----- the management API
def test_subscribers_and_subscriptions_are_managed_like_the_platform(platform, receiver):
    subscriber = platform.subscriber()
    assert subscriber["subject"] == platform.akeneo.url and subscriber["status"] == "active"
    assert subscriber["contact"] == {"technical_email": "ops@example.com"}
    assert platform.http.get("/subscribers").json() == [subscriber]
    subscription = platform.subscribe(receiver.url, events=["com.akeneo.pim.v1.product.updated"], secondary=SECONDARY)
    assert subscription["status"] == "active" and subscription["type"] == "https"
    assert subscription["config"] == {"url": receiver.url}  # the secrets are never given back
    assert PRIMARY not in json.dumps(subscription) and SECONDARY not in json.dumps(subscription)
    path = f"/subscribers/{subscription['subscriber_id']}/subscriptions/{subscription['id']}"
    assert platform.http.get(path).json() == subscription
    assert platform.http.post(path + "/suspend").json()["status"] == "suspended"
    assert platform.http.post(path + "/resume").json()["status"] == "active"
    assert platform.http.patch(path, json={"events": ["com.akeneo.pim.v1.product.deleted"]}).json()["events"] == [
        "com.akeneo.pim.v1.product.deleted"]
    assert platform.http.delete(path).status_code == 204
    assert platform.http.get(path).status_code == 404
    assert platform.http.delete(f"/subscribers/{subscriber['id']}").status_code == 204
    assert platform.http.get(f"/subscribers/{subscriber['id']}").status_code == 404


def test_the_management_api_wants_a_valid_pim_token(platform):
    answer = platform.http.post("/subscribers", json={"name": "x"}, headers={"X-PIM-TOKEN": "not-a-token"})
    assert answer.status_code == 401
    answer = platform.http.post("/subscribers", json={"name": "x"}, headers={"X-PIM-CLIENT-ID": "someone-else"})
    assert answer.status_code == 401
    assert platform.runtime.events.subscribers == {}


@pytest.mark.parametrize("change, message", [
    ({"events": ["com.akeneo.pim.v1.product.exploded"]}, "unknown event type"),
    ({"config": {"url": "HOOK", "secret": {}}}, "config.secret.primary"),
    ({"source": "erp"}, '"source" must be "pim"'),
    ({"type": "pubsub"}, "https destinations only"),
])
def test_a_wrong_subscription_is_refused_with_the_field_named(platform, receiver, change, message):
    subscriber = platform.subscriber()
    body = {"source": "pim", "type": "https", "events": ["com.akeneo.pim.v1.product.updated"],
            "config": {"url": receiver.url, "secret": {"primary": PRIMARY}}}
    body.update(change)
    if "config" in change:
        body["config"]["url"] = receiver.url
    answer = platform.http.post(f"/subscribers/{subscriber['id']}/subscriptions", json=body)
    assert answer.status_code == 400 and message in answer.json()["message"]


def test_a_destination_answering_404_to_head_is_refused(platform, receiver):
    receiver.head_status = 404
    subscriber = platform.subscriber()
    answer = platform.http.post(f"/subscribers/{subscriber['id']}/subscriptions", json={
        "source": "pim", "type": "https", "events": ["com.akeneo.pim.v1.product.updated"],
        "config": {"url": receiver.url, "secret": {"primary": PRIMARY}}})
    assert answer.status_code == 400 and "answered 404 to a HEAD request" in answer.json()["message"]


# ----- what writes emit
def test_an_api_update_is_delivered_as_a_signed_cloudevent(platform, receiver, akeneo):
    subscription = platform.subscribe(receiver.url, secondary=SECONDARY)
    enabled = akeneo.stored(PRODUCT)["enabled"]
    assert akeneo.patch(f"/api/rest/v1/products/{PRODUCT}", {"enabled": not enabled}).status_code == 204
    platform.drain()
    [(headers, body)] = receiver.requests
    assert headers["content-type"] == "application/json" and headers["user-agent"] == "akeneo/event-platform"
    assert headers["x-akeneo-signature-algorithm"] == "HmacSHA256"
    assert headers["x-akeneo-signature-primary"] == hmac.new(PRIMARY.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-akeneo-signature-secondary"] == hmac.new(SECONDARY.encode(), body, hashlib.sha256).hexdigest()
    event = json.loads(body)
    assert TIME.match(event.pop("time")) and re.match(r"^[0-9a-f-]{36}$", event.pop("id"))
    assert event == {
        "specversion": "1.0", "source": "pim", "type": "com.akeneo.pim.v1.product.updated",
        "subject": subscription["id"], "datacontenttype": "application/json",
        "dataschema": "https://event.prd.sdk.akeneo.cloud/spec/com.akeneo.pim.v1.product.updated.schema.json",
        "data": {"product": {"uuid": _uuid(akeneo, PRODUCT)}, "author": {"identifier": "pimflow", "type": "api"}}}


def test_the_write_is_answered_before_its_event_is_delivered(platform, receiver, akeneo):
    platform.subscribe(receiver.url)
    receiver.gate = threading.Event()  # the destination holds the delivery until we open it
    enabled = akeneo.stored(PRODUCT)["enabled"]
    assert akeneo.patch(f"/api/rest/v1/products/{PRODUCT}", {"enabled": not enabled}).status_code == 204
    assert receiver.arrived.wait(10)  # the delivery reached the destination...
    assert receiver.requests == []  # ...which has not answered yet, while the write was answered
    receiver.gate.set()
    platform.drain()
    assert [e["type"] for e in receiver.events()] == ["com.akeneo.pim.v1.product.updated"]


def test_unchanged_and_refused_writes_emit_nothing(platform, receiver, akeneo):
    platform.subscribe(receiver.url)
    enabled = akeneo.stored(PRODUCT)["enabled"]
    assert akeneo.patch(f"/api/rest/v1/products/{PRODUCT}", {"enabled": enabled}).status_code == 204
    assert akeneo.patch(f"/api/rest/v1/products/{PRODUCT}", {"family": "no_such_family"}).status_code == 422
    platform.drain()
    assert receiver.requests == []


def test_creates_updates_and_deletes_of_products_and_models_each_emit_their_event(platform, receiver, akeneo):
    platform.subscribe(receiver.url)
    variants = akeneo.items("/api/rest/v1/products-uuid", search=json.dumps({"parent": [{"operator": "=", "value": MODEL}]}))
    assert akeneo.patch("/api/rest/v1/products/NEW-1", {}).status_code == 201
    new_uuid = _uuid(akeneo, "NEW-1")
    assert akeneo.patch_lines("/api/rest/v1/products", [{"identifier": "NEW-1", "enabled": False},
                                                       {"identifier": "NEW-2"}]).status_code == 200
    assert akeneo.http.delete("/api/rest/v1/products/NEW-1").status_code == 204
    assert akeneo.http.delete("/api/rest/v1/products/NEW-1").status_code == 404
    assert akeneo.post("/api/rest/v1/product-models", {"code": "model_new", "family_variant": "clothing_by_size"}).status_code == 201
    assert akeneo.patch("/api/rest/v1/product-models/model_new", {"categories": ["jackets"]}).status_code == 204
    assert akeneo.http.delete(f"/api/rest/v1/product-models/{MODEL}").status_code == 204
    platform.drain()
    seen = [(e["type"].rsplit(".", 2)[-2:], e["data"].get("product", e["data"].get("product_model"))) for e in receiver.events()]
    assert seen == [
        (["product", "created"], {"uuid": new_uuid}),
        (["product", "updated"], {"uuid": new_uuid}),
        (["product", "created"], {"uuid": _uuid(akeneo, "NEW-2")}),
        (["product", "deleted"], {"uuid": new_uuid}),
        (["product-model", "created"], {"code": "model_new"}),
        (["product-model", "updated"], {"code": "model_new"}),
        (["product-model", "deleted"], {"code": MODEL}),  # and everything below it
        *sorted([(["product", "deleted"], {"uuid": v["uuid"]}) for v in variants], key=lambda s: s[1]["uuid"]),
    ]
    assert len(variants) == 3 and akeneo.get(f"/api/rest/v1/products-uuid/{variants[0]['uuid']}").status_code == 404


def test_control_edits_are_a_users_and_only_subscribed_types_are_delivered(platform, receiver, akeneo):
    platform.subscribe(receiver.url, events=["com.akeneo.pim.v1.product.updated", "com.akeneo.pim.v1.product.deleted"])
    assert akeneo.http.patch(f"/_sandbox/products/{PRODUCT}", json={"values": {"name": [
        {"locale": "en_US", "scope": None, "data": "Renamed by a person"}]}}).status_code == 200
    assert akeneo.http.patch("/_sandbox/products/BRAND-NEW", json={}).status_code == 201  # created: not subscribed
    assert akeneo.http.delete("/_sandbox/products/BRAND-NEW").status_code == 200
    platform.drain()
    assert [(e["type"], e["data"]["author"]) for e in receiver.events()] == [
        ("com.akeneo.pim.v1.product.updated", {"identifier": "admin", "type": "user"}),
        ("com.akeneo.pim.v1.product.deleted", {"identifier": "admin", "type": "user"})]


# ----- how delivery misbehaves on purpose
def test_duplicates_resend_the_same_bytes_with_the_same_id(platform, receiver, akeneo):
    platform.subscribe(receiver.url)
    platform.switches(duplicate_rate=1.0)
    akeneo.patch("/api/rest/v1/products/DUP-1", {})
    platform.drain()
    (first_headers, first), (second_headers, second) = receiver.requests
    assert first == second and first_headers["x-akeneo-signature-primary"] == second_headers["x-akeneo-signature-primary"]
    assert [duplicate for _, _, duplicate in platform.outcomes()] == [False, True]


def test_out_of_order_delivery_sends_a_later_event_first(platform, receiver, akeneo):
    platform.subscribe(receiver.url)
    platform.switches(hold=True, out_of_order_rate=1.0)  # held: both are queued before any is sent
    akeneo.patch("/api/rest/v1/products/ORDER-1", {})
    akeneo.patch("/api/rest/v1/products/ORDER-1", {"enabled": False})
    platform.switches(hold=False)
    platform.drain()
    assert [e["type"] for e in receiver.events()] == ["com.akeneo.pim.v1.product.updated",
                                                      "com.akeneo.pim.v1.product.created"]


def test_dropped_events_never_arrive_and_are_logged(platform, receiver, akeneo):
    platform.subscribe(receiver.url)
    platform.switches(drop_rate=1.0)
    akeneo.patch("/api/rest/v1/products/LOST-1", {})
    assert platform.outcomes() == [("dropped", ["com.akeneo.pim.v1.product.created"], False)]
    assert receiver.requests == []


def test_batches_send_several_events_in_one_signed_array(platform, receiver, akeneo):
    platform.subscribe(receiver.url)
    platform.switches(hold=True, batch_size=3)
    for number in range(4):
        akeneo.patch(f"/api/rest/v1/products/BATCH-{number}", {})
    platform.switches(hold=False)
    platform.drain()
    assert [len(body) for body in receiver.bodies()] == [3, 1]
    headers, body = receiver.requests[0]
    assert headers["content-type"] == "application/cloudevents-batch+json"
    assert headers["x-akeneo-signature-primary"] == hmac.new(PRIMARY.encode(), body, hashlib.sha256).hexdigest()
    assert [e["data"]["product"]["uuid"] for e in receiver.events()] == [
        _uuid(akeneo, f"BATCH-{n}") for n in range(4)]


def test_the_delay_switch_waits_before_each_attempt(platform, receiver, akeneo, clock):
    platform.runtime.events.sleep = clock.sleep
    platform.subscribe(receiver.url)
    platform.switches(delay_ms=1500)
    akeneo.patch("/api/rest/v1/products/SLOW-1", {})
    platform.drain()
    assert clock.sleeps == [1.5] and len(receiver.requests) == 1


# ----- how the destination's answers are treated
def test_a_5xx_or_429_is_retried_and_a_4xx_is_not(platform, receiver, akeneo):
    platform.subscribe(receiver.url)
    receiver.statuses[:] = [503, 429]
    akeneo.patch("/api/rest/v1/products/RETRY-1", {})
    assert [o for o, _, _ in platform.outcomes()] == ["retrying", "retrying", "delivered"]
    assert len({body for _, body in receiver.requests}) == 1  # the same bytes each time
    platform.akeneo.http.post("/_sandbox/events/log/reset")
    receiver.statuses[:] = [401]
    akeneo.patch("/api/rest/v1/products/RETRY-1", {"enabled": False})
    assert [o for o, _, _ in platform.outcomes()] == ["refused"]


def test_deliveries_are_given_up_after_three_retries(platform, receiver, akeneo):
    platform.subscribe(receiver.url)
    receiver.statuses[:] = [500] * 10
    akeneo.patch("/api/rest/v1/products/DOWN-1", {})
    assert [o for o, _, _ in platform.outcomes()] == ["retrying"] * 3 + ["given_up"]
    assert len(receiver.requests) == 4


def test_a_404_suspends_the_subscription_and_later_events_are_lost(platform, receiver, akeneo):
    subscription = platform.subscribe(receiver.url)
    receiver.statuses[:] = [404]
    akeneo.patch("/api/rest/v1/products/GONE-1", {})
    assert [o for o, _, _ in platform.outcomes()] == ["suspended"]
    path = f"/subscribers/{subscription['subscriber_id']}/subscriptions/{subscription['id']}"
    assert platform.http.get(path).json()["status"] == "suspended"
    akeneo.patch("/api/rest/v1/products/GONE-2", {})
    platform.drain()
    assert len(receiver.requests) == 1
    platform.http.post(path + "/resume")
    akeneo.patch("/api/rest/v1/products/GONE-3", {})
    platform.drain()
    assert [e["data"]["product"]["uuid"] for e in receiver.events()][-1] == _uuid(akeneo, "GONE-3")


def test_event_switches_are_validated(platform):
    answer = platform.akeneo.http.patch("/_sandbox/events/settings", json={"drop_rate": 2})
    assert answer.status_code == 422 and "drop_rate" in answer.json()["message"]
    answer = platform.akeneo.http.patch("/_sandbox/events/settings", json={"loud": True})
    assert answer.status_code == 422 and "loud" in answer.json()["message"]
