"""The sandbox's Event Platform: subscribers, subscriptions, the events a change produces, their
CloudEvents envelope and signature, and the switches that make delivery misbehave like the real one.

Akeneo's Event Platform (api.akeneo.com/event-platform, sources in sandbox/akeneo/README.md) is a
service beside the PIM: a subscriber (one per PIM connection) holds subscriptions, each naming event
types and a destination. A product or product model created, updated or deleted through the API or
the control endpoints becomes one CloudEvent per subscription listening to its type; the delivery
thread (`event_delivery.py`) POSTs it to the subscription's URL, signed with its secrets, at least
once and in no guaranteed order. The management API is `routes_events.py`.
"""
from __future__ import annotations

import hashlib
import hmac
import random
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Optional

import msgspec
from pydantic import BaseModel, ConfigDict, Field

PRODUCT_TYPES = {action: f"com.akeneo.pim.v1.product.{action}" for action in ("created", "updated", "deleted")}
MODEL_TYPES = {action: f"com.akeneo.pim.v1.product-model.{action}" for action in ("created", "updated", "deleted")}
#: What the sandbox emits (products and product models change; nothing else does).
EMITTED_TYPES = frozenset(PRODUCT_TYPES.values()) | frozenset(MODEL_TYPES.values())
#: Every type Akeneo's "Available events" page lists: a subscription may name them; only
#: `EMITTED_TYPES` ever fire here.
KNOWN_TYPES = EMITTED_TYPES | {
    "com.akeneo.pim.v1.app.deleted", "com.akeneo.pim.v1.connection.deleted",
    "com.akeneo.pim.v1.product.updated.delta",
    *(f"com.akeneo.pim.v1.{entity}.{action}"
      for entity in ("asset", "attribute", "attribute-group", "attribute-option", "category", "family",
                     "reference-entity-record")
      for action in ("created", "updated", "deleted")),
}
DATASCHEMA = "https://event.prd.sdk.akeneo.cloud/spec/{type}.schema.json"
ALGORITHM = "HmacSHA256"
SIGNATURE_PRIMARY = "X-AKENEO-SIGNATURE-PRIMARY"
SIGNATURE_SECONDARY = "X-AKENEO-SIGNATURE-SECONDARY"
SIGNATURE_ALGORITHM = "X-AKENEO-SIGNATURE-ALGORITHM"
USER_AGENT = "akeneo/event-platform"
MAX_SUBSCRIBERS = 20
MAX_SUBSCRIPTIONS = 20
LOG_LIMIT = 10_000


def signature(secret: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of the raw body with `secret`: what the platform puts in its signature headers."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def timestamp(moment: datetime) -> str:
    """The envelope's `time`: UTC, seconds, `Z` (`2024-03-07T15:16:37Z`, as Akeneo's examples)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def uuid7(now: datetime, rand: random.Random) -> str:
    """A time-ordered UUID (version 7), the kind Akeneo's ids are (`018e32f9-dfe4-760e-...`)."""
    millis = int(now.timestamp() * 1000) & ((1 << 48) - 1)
    value = (millis << 80) | (0x7 << 76) | (rand.getrandbits(12) << 64) | (0b10 << 62) | rand.getrandbits(62)
    return str(uuid.UUID(int=value))


class EventSwitches(BaseModel):
    """How delivery misbehaves; GET/PATCH /_sandbox/events/settings. Defaults deliver everything once,
    in order, one event per request, like the platform on a good day."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    hold: bool = Field(False, description="Keep deliveries queued without sending them (none is lost).")
    delay_ms: float = Field(0.0, ge=0, description="Waited before each delivery attempt.")
    duplicate_rate: float = Field(0.0, ge=0, le=1, description="Share of delivered requests sent again.")
    out_of_order_rate: float = Field(0.0, ge=0, le=1,
                                     description="Share of sends that jump ahead of an earlier queued one.")
    drop_rate: float = Field(0.0, ge=0, le=1, description="Share of events never delivered.")
    batch_size: int = Field(1, ge=1, le=100,
                            description="Events per request: 1 like the platform; more sends a JSON array.")
    retry_delays: list[float] = Field([300.0, 600.0, 1200.0], max_length=10,
                                      description="Seconds before each retry of a failed delivery.")
    timeout_seconds: float = Field(5.0, gt=0, description="The destination's time to answer.")
    seed: int = Field(0, description="Seed of the random draws behind drops, duplicates and reordering.")


@dataclass
class Subscriber:
    id: str
    name: str
    subject: str
    client_id: str
    technical_email: Optional[str]
    created_at: str
    updated_at: str
    status: str = "active"

    def body(self) -> dict:
        return {"id": self.id, "name": self.name, "subject": self.subject, "client_id": self.client_id,
                "status": self.status, "contact": {"technical_email": self.technical_email},
                "created_at": self.created_at, "updated_at": self.updated_at}


@dataclass
class Subscription:
    id: str
    subscriber_id: str
    source: str
    subject: str
    type: str
    events: list[str]
    url: str
    primary_secret: str = field(repr=False)
    secondary_secret: Optional[str] = field(repr=False)
    created_at: str
    updated_at: str
    status: str = "active"
    status_reason: Optional[str] = None

    def body(self) -> dict:
        """The subscription as the management API answers it: secrets are never given back."""
        body = {"id": self.id, "subscriber_id": self.subscriber_id, "source": self.source,
                "subject": self.subject, "type": self.type, "events": list(self.events),
                "status": self.status, "config": {"url": self.url},
                "created_at": self.created_at, "updated_at": self.updated_at}
        if self.status_reason:
            body["status_reason"] = self.status_reason
        return body

    def headers(self, body: bytes, batch: bool) -> dict[str, str]:
        """What the platform sends with a delivery: content type, user agent and the signatures."""
        headers = {"Content-Type": "application/cloudevents-batch+json" if batch else "application/json",
                   "User-Agent": USER_AGENT, SIGNATURE_ALGORITHM: ALGORITHM,
                   SIGNATURE_PRIMARY: signature(self.primary_secret, body)}
        if self.secondary_secret:
            headers[SIGNATURE_SECONDARY] = signature(self.secondary_secret, body)
        return headers


@dataclass
class Pending:
    """Events waiting for their delivery to one subscription; `body` is fixed at the first attempt, so
    a retry or a duplicate resends the very same bytes (and signature)."""

    subscription_id: str
    events: list[dict]
    due: float
    attempt: int = 0
    duplicate: bool = False
    body: Optional[bytes] = None
    batch: bool = False


class DeliveryLog:
    """Every delivery attempt and every event lost on purpose, in order, for tests and people
    (GET /_sandbox/events/log). Bounded: the oldest entries go first."""

    def __init__(self) -> None:
        self.entries: deque[dict] = deque(maxlen=LOG_LIMIT)
        self.sequence = 0

    def add(self, outcome: str, pending: Pending, *, status: Optional[int] = None,
            error: Optional[str] = None, at: str = "") -> dict:
        self.sequence += 1
        entry = {"seq": self.sequence, "outcome": outcome, "subscription_id": pending.subscription_id,
                 "event_ids": [event["id"] for event in pending.events],
                 "types": [event["type"] for event in pending.events],
                 "attempt": pending.attempt, "duplicate": pending.duplicate, "status": status,
                 "error": error, "at": at}
        self.entries.append(entry)
        return entry

    def reset(self) -> None:
        self.entries.clear()


class EventPlatform:
    """Subscribers, subscriptions and the delivery queue of one sandbox (thread-safe: routes run on
    the server's loop, deliveries on their own thread).

    `now` gives the envelope's `time`; `monotonic` and `sleep` drive retries and the delay switch
    (tests may hand in fakes); `client_id` and `username` are the authors of API and control writes.
    """

    def __init__(self, *, client_id: str = "pimflow", username: str = "admin",
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client_id, self.username = client_id, username
        self.now, self.monotonic, self.sleep = now, monotonic, sleep
        self.switches = EventSwitches()
        self.subscribers: dict[str, Subscriber] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.queue: list[Pending] = []
        self.log = DeliveryLog()
        self.cond = threading.Condition()
        self.in_flight = 0
        self._ids = random.Random()
        self.rand = random.Random(0)
        self._deliverer = None

    # ----- management (called by routes_events.py, under no lock of theirs)
    def add_subscriber(self, name: str, subject: str, client_id: str, email: Optional[str]) -> Subscriber:
        with self.cond:
            stamp = timestamp(self.now())
            subscriber = Subscriber(id=uuid7(self.now(), self._ids), name=name, subject=subject,
                                    client_id=client_id, technical_email=email, created_at=stamp,
                                    updated_at=stamp)
            self.subscribers[subscriber.id] = subscriber
            return subscriber

    def add_subscription(self, subscriber: Subscriber, source: str, events: list[str], url: str,
                         primary: str, secondary: Optional[str]) -> Subscription:
        with self.cond:
            stamp = timestamp(self.now())
            subscription = Subscription(id=uuid7(self.now(), self._ids), subscriber_id=subscriber.id,
                                        source=source, subject=subscriber.subject, type="https",
                                        events=list(events), url=url, primary_secret=primary,
                                        secondary_secret=secondary or None, created_at=stamp, updated_at=stamp)
            self.subscriptions[subscription.id] = subscription
        self._ensure_deliverer()
        return subscription

    def subscriptions_of(self, subscriber_id: str) -> list[Subscription]:
        return [s for s in self.subscriptions.values() if s.subscriber_id == subscriber_id and s.status != "deleted"]

    def set_status(self, subscription: Subscription, status: str, reason: Optional[str] = None) -> None:
        """Suspending (or deleting) loses what is queued for it, as the platform does."""
        with self.cond:
            subscription.status, subscription.status_reason = status, reason
            subscription.updated_at = timestamp(self.now())
            if status != "active":
                for pending in [p for p in self.queue if p.subscription_id == subscription.id]:
                    self.queue.remove(pending)
                    self.log.add(f"lost: subscription {status}", pending, at=timestamp(self.now()))
            self.cond.notify_all()

    def delete_subscriber(self, subscriber: Subscriber) -> None:
        for subscription in self.subscriptions_of(subscriber.id):
            self.set_status(subscription, "deleted")
        with self.cond:
            subscriber.status = "deleted"
            subscriber.updated_at = timestamp(self.now())

    # ----- emission
    def api_author(self) -> dict:
        """Writes through the REST API are the connection's (its client id), as Akeneo's examples."""
        return {"identifier": self.client_id, "type": "api"}

    def user_author(self) -> dict:
        """Writes through the control endpoints stand for a person editing in the PIM's UI."""
        return {"identifier": self.username, "type": "user"}

    def product_changed(self, product_uuid: str, action: str, author: dict) -> list[str]:
        return self.publish(PRODUCT_TYPES[action], {"product": {"uuid": product_uuid}, "author": author})

    def model_changed(self, code: str, action: str, author: dict) -> list[str]:
        return self.publish(MODEL_TYPES[action], {"product_model": {"code": code}, "author": author})

    def publish(self, event_type: str, data: dict) -> list[str]:
        """Queue `data` as a CloudEvent for every active subscription to `event_type`; returns the
        ids queued (a dropped one is logged, not queued). One id per change: every subscription gets
        the same `id`, each its own `subject`."""
        with self.cond:
            listening = [s for s in self.subscriptions.values() if s.status == "active" and event_type in s.events]
            if not listening:
                return []
            moment = self.now()
            event_id = uuid7(moment, self._ids)
            queued = []
            for subscription in listening:
                event = {"specversion": "1.0", "id": event_id, "source": "pim", "type": event_type,
                         "subject": subscription.id, "time": timestamp(moment),
                         "datacontenttype": "application/json",
                         "dataschema": DATASCHEMA.format(type=event_type), "data": data}
                pending = Pending(subscription.id, [event], due=self.monotonic())
                if self.rand.random() < self.switches.drop_rate:
                    self.log.add("dropped", pending, at=timestamp(moment))
                    continue
                self.queue.append(pending)
                queued.append(event_id)
            self.cond.notify_all()
            return queued

    # ----- control
    def update_switches(self, changes: dict) -> EventSwitches:
        with self.cond:
            updated = EventSwitches.model_validate({**self.switches.model_dump(), **changes})
            self.switches = updated
            if "seed" in changes:
                self.rand = random.Random(updated.seed)
            self.cond.notify_all()
            return updated

    def reset(self) -> None:
        """Back to no subscriber, no queue, an empty log and default switches (test isolation)."""
        with self.cond:
            self.subscribers.clear()
            self.subscriptions.clear()
            self.queue.clear()
            self.log.reset()
            self.switches = EventSwitches()
            self.rand = random.Random(0)
            self.cond.notify_all()

    def idle(self) -> bool:
        """Nothing being sent and nothing due now (held deliveries and later retries may wait)."""
        if self.in_flight:
            return False
        if self.switches.hold:
            return True
        now = self.monotonic()
        return not any(p.due <= now for p in self.queue)

    def drain(self, timeout: float) -> bool:
        """Wait until `idle()` (True) or `timeout` seconds passed (False)."""
        with self.cond:
            return self.cond.wait_for(self.idle, timeout)

    def log_body(self) -> dict:
        with self.cond:
            return {"pending": len(self.queue), "in_flight": self.in_flight, "deliveries": list(self.log.entries)}

    def _ensure_deliverer(self) -> None:
        from sandbox.akeneo.event_delivery import Deliverer

        with self.cond:
            if self._deliverer is None or not self._deliverer.alive():
                self._deliverer = Deliverer(self)
                self._deliverer.start()

    def close(self) -> None:
        with self.cond:
            deliverer, self._deliverer = self._deliverer, None
        if deliverer is not None:
            deliverer.stop()


def encode(events: list[dict], batch: bool) -> bytes:
    """A delivery's body: one CloudEvent (structured mode), or an array of them (batched mode)."""
    return msgspec.json.encode(events if batch else events[0])
