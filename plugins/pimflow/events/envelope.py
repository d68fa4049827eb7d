"""Reading a delivery: one CloudEvent (a JSON object, what the platform sends) or several (a JSON
array, CloudEvents' batched mode), each with the fields the receiver relies on, and the freshness
rule that stands in for a signed timestamp.

The platform signs the body only, so a delivery recorded by someone in between could be replayed
as it is. The events' `time` is inside the signed body: a delivery is fresh when every event's
`time` is at most `max_age` seconds old (the platform retries for about 35 minutes: 5, 10 and 20
minutes apart) and at most `FUTURE_SKEW` seconds ahead of our clock. Within that window a replay
carries event ids already received, which the receipts (`receipts.py`) turn away; they are kept
longer than any window.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from pimflow.events.contract import Change

FUTURE_SKEW = 300.0


class MalformedDelivery(ValueError):
    """A delivery whose signature is right but whose content is not events the receiver can read."""


class StaleDelivery(ValueError):
    """A signed delivery outside the freshness window (too old, or from the future)."""


@dataclass(frozen=True)
class Delivery:
    changes: list[Change]


def parse_time(value, event_id: str) -> datetime:
    if not isinstance(value, str) or not value:
        raise MalformedDelivery(f"event {event_id}: time is missing")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise MalformedDelivery(f"event {event_id}: time {value!r} is not an RFC 3339 timestamp") from None
    if moment.tzinfo is None:
        raise MalformedDelivery(f"event {event_id}: time {value!r} has no time zone")
    return moment.astimezone(timezone.utc)


def read_delivery(body: bytes) -> Delivery:
    """The events of a delivery body. Raises MalformedDelivery naming the event and field at fault."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedDelivery("the body is not JSON") from None
    events = document if isinstance(document, list) else [document]
    if not events:
        raise MalformedDelivery("the body is an empty list of events")
    changes = []
    for position, event in enumerate(events, start=1):
        if not isinstance(event, dict):
            raise MalformedDelivery(f"event #{position} is not a JSON object")
        event_id, event_type = event.get("id"), event.get("type")
        if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > 200:
            raise MalformedDelivery(f"event #{position}: id is missing (a string of at most 200 characters)")
        if not isinstance(event_type, str) or not event_type:
            raise MalformedDelivery(f"event {event_id}: type is missing")
        data = event.get("data") if isinstance(event.get("data"), dict) else {}
        moment = parse_time(event.get("time"), event_id)
        try:
            changes.append(Change.of(event_id, event_type, data, moment))
        except ValueError as exc:  # a product event without its uuid, a model event without its code
            raise MalformedDelivery(str(exc)) from None
    return Delivery(changes)


def check_fresh(delivery: Delivery, now: float, max_age: float) -> None:
    """Raises StaleDelivery when an event's `time` is older than `max_age` seconds or more than
    `FUTURE_SKEW` seconds ahead of `now` (epoch seconds)."""
    for change in delivery.changes:
        age = now - change.time.timestamp()
        if age > max_age:
            raise StaleDelivery(f"event {change.event_id} is {age:.0f} s old (at most {max_age:.0f} s accepted)")
        if age < -FUTURE_SKEW:
            raise StaleDelivery(f"event {change.event_id} is {-age:.0f} s in the future")
