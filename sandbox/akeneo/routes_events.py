"""The Event Platform's management API, shaped like Akeneo's (`https://event.prd.sdk.akeneo.cloud/api/v1`,
here under `<sandbox>/event-platform/api/v1`), and the sandbox's own event switches and delivery log.

Every management call carries the PIM connection's credentials as the platform wants them:
`X-PIM-URL` (the PIM), `X-PIM-TOKEN` (an access token the PIM issued) and `X-PIM-CLIENT-ID` (its
client id). Subscribers and subscriptions are answered as in the platform's getting-started guide;
a subscription's secrets are never given back.
"""
from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, Depends
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from sandbox.akeneo.errors import ApiError, settings_error
from sandbox.akeneo.events import (KNOWN_TYPES, MAX_SUBSCRIBERS, MAX_SUBSCRIPTIONS, EventPlatform, Subscriber,
                                   Subscription)
from sandbox.akeneo.web import json_object, json_response, runtime

PREFIX = "/event-platform/api/v1"


def platform(request: Request) -> EventPlatform:
    return runtime(request).events


async def pim_credentials(request: Request) -> None:
    """The three X-PIM headers: a valid access token of the sandbox's API connection."""
    sandbox = runtime(request)
    token, client_id, pim_url = (request.headers.get(name) for name in ("x-pim-token", "x-pim-client-id", "x-pim-url"))
    if not token or not client_id or not pim_url:
        raise ApiError(401, "Unauthorized: the X-PIM-URL, X-PIM-TOKEN and X-PIM-CLIENT-ID headers are required.")
    sandbox.tokens.check_bearer(f"Bearer {token}")
    if client_id != sandbox.settings.client_id:
        raise ApiError(401, f'Unauthorized: "{client_id}" is not the client id the access token was issued for.')


router = APIRouter(prefix=PREFIX, dependencies=[Depends(pim_credentials)])
control = APIRouter(prefix="/_sandbox/events")


async def _object(request: Request) -> dict:
    """The body as a JSON object, refused in the Event Platform's words."""
    return await json_object(request, "Bad request: the request body is not valid JSON.",
                             "Bad request: the request body must be a JSON object.")


def _subject(request: Request) -> str:
    return request.headers["x-pim-url"].rstrip("/")


def _subscriber(request: Request, subscriber_id: str) -> Subscriber:
    subscriber = platform(request).subscribers.get(subscriber_id)
    if subscriber is None or subscriber.status == "deleted" or subscriber.subject != _subject(request):
        raise ApiError(404, f'Subscriber "{subscriber_id}" not found.')
    return subscriber


def _subscription(request: Request, subscriber_id: str, subscription_id: str) -> Subscription:
    subscriber = _subscriber(request, subscriber_id)
    subscription = platform(request).subscriptions.get(subscription_id)
    if subscription is None or subscription.subscriber_id != subscriber.id or subscription.status == "deleted":
        raise ApiError(404, f'Subscription "{subscription_id}" not found.')
    return subscription


def _contact(body: dict, current: Optional[str] = None) -> Optional[str]:
    contact = body.get("contact", {})
    if not isinstance(contact, dict):
        raise ApiError(400, 'Bad request: "contact" must be an object.')
    email = contact.get("technical_email", current)
    if email is not None and (not isinstance(email, str) or "@" not in email):
        raise ApiError(400, 'Bad request: "contact.technical_email" must be an email address.')
    return email


# ----- subscribers
@router.post("/subscribers")
async def create_subscriber(request: Request) -> Response:
    body = await _object(request)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, 'Bad request: "name" is required.')
    events = platform(request)
    active = [s for s in events.subscribers.values() if s.subject == _subject(request) and s.status == "active"]
    if len(active) >= MAX_SUBSCRIBERS:
        raise ApiError(409, f"Maximum number of subscribers reached ({MAX_SUBSCRIBERS} per PIM).")
    subscriber = events.add_subscriber(name, _subject(request), request.headers["x-pim-client-id"], _contact(body))
    return json_response(subscriber.body(), status=201)


@router.get("/subscribers")
async def list_subscribers(request: Request) -> Response:
    return json_response([s.body() for s in platform(request).subscribers.values()
                          if s.subject == _subject(request) and s.status != "deleted"])


@router.get("/subscribers/{subscriber_id}")
async def get_subscriber(request: Request, subscriber_id: str) -> Response:
    return json_response(_subscriber(request, subscriber_id).body())


@router.patch("/subscribers/{subscriber_id}")
async def update_subscriber(request: Request, subscriber_id: str) -> Response:
    subscriber, body = _subscriber(request, subscriber_id), await _object(request)
    if "name" in body:
        if not isinstance(body["name"], str) or not body["name"].strip():
            raise ApiError(400, 'Bad request: "name" must be a non-empty string.')
        subscriber.name = body["name"]
    subscriber.technical_email = _contact(body, subscriber.technical_email)
    return json_response(subscriber.body())


@router.delete("/subscribers/{subscriber_id}")
async def delete_subscriber(request: Request, subscriber_id: str) -> Response:
    platform(request).delete_subscriber(_subscriber(request, subscriber_id))
    return Response(status_code=204)


# ----- subscriptions
async def _check_destination(url: str) -> None:
    """The platform sends a HEAD to an HTTPS destination before accepting it: a 404 or a 5xx (or no
    answer) refuses the subscription."""
    try:
        async with httpx.AsyncClient(follow_redirects=False, timeout=5) as client:
            answer = await client.head(url)
    except httpx.HTTPError as exc:
        raise ApiError(400, f"Bad request: the destination {url} did not answer a HEAD request ({type(exc).__name__}).")
    if answer.status_code == 404 or answer.status_code >= 500:
        raise ApiError(400, f"Bad request: the destination {url} answered {answer.status_code} to a HEAD request.")


def _checked_events(body: dict) -> list[str]:
    events = body.get("events")
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise ApiError(400, 'Bad request: "events" must be a non-empty list of event types.')
    unknown = sorted(set(events) - KNOWN_TYPES)
    if unknown:
        raise ApiError(400, f"Bad request: unknown event type(s): {', '.join(unknown)}.")
    return list(dict.fromkeys(events))  # each type once, in the order given


def _checked_config(body: dict) -> tuple[str, str, Optional[str]]:
    config = body.get("config")
    if not isinstance(config, dict):
        raise ApiError(400, 'Bad request: "config" is required.')
    url, secret = config.get("url"), config.get("secret")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(400, 'Bad request: "config.url" must be an absolute URL.')
    if not isinstance(secret, dict) or not isinstance(secret.get("primary"), str) or not secret["primary"]:
        raise ApiError(400, 'Bad request: "config.secret.primary" is required.')
    secondary = secret.get("secondary")
    if secondary is not None and not isinstance(secondary, str):
        raise ApiError(400, 'Bad request: "config.secret.secondary" must be a string.')
    return url, secret["primary"], secondary


@router.post("/subscribers/{subscriber_id}/subscriptions")
async def create_subscription(request: Request, subscriber_id: str) -> Response:
    subscriber, body = _subscriber(request, subscriber_id), await _object(request)
    events = platform(request)
    if body.get("source") != "pim":
        raise ApiError(400, 'Bad request: "source" must be "pim" (the only source available).')
    if body.get("subject") is not None and str(body["subject"]).rstrip("/") != subscriber.subject:
        raise ApiError(400, f'Bad request: "subject" must be the subscriber\'s PIM, {subscriber.subject}.')
    if body.get("type") == "pubsub":
        raise ApiError(400, "Bad request: the sandbox delivers to https destinations only (pubsub is not simulated).")
    if body.get("type") != "https":
        raise ApiError(400, 'Bad request: "type" must be "https" or "pubsub".')
    event_types = _checked_events(body)
    url, primary, secondary = _checked_config(body)
    if len(events.subscriptions_of(subscriber.id)) >= MAX_SUBSCRIPTIONS:
        raise ApiError(409, f"Maximum number of subscriptions reached ({MAX_SUBSCRIPTIONS} per subscriber).")
    await _check_destination(url)
    subscription = events.add_subscription(subscriber, "pim", event_types, url, primary, secondary)
    return json_response(subscription.body(), status=201)


@router.get("/subscribers/{subscriber_id}/subscriptions")
async def list_subscriptions(request: Request, subscriber_id: str) -> Response:
    subscriber = _subscriber(request, subscriber_id)
    return json_response([s.body() for s in platform(request).subscriptions_of(subscriber.id)])


@router.get("/subscribers/{subscriber_id}/subscriptions/{subscription_id}")
async def get_subscription(request: Request, subscriber_id: str, subscription_id: str) -> Response:
    return json_response(_subscription(request, subscriber_id, subscription_id).body())


@router.patch("/subscribers/{subscriber_id}/subscriptions/{subscription_id}")
async def update_subscription(request: Request, subscriber_id: str, subscription_id: str) -> Response:
    subscription, body = _subscription(request, subscriber_id, subscription_id), await _object(request)
    events = _checked_events(body) if "events" in body else None
    config = _checked_config(body) if "config" in body else None
    if config is not None and config[0] != subscription.url:
        await _check_destination(config[0])
    with platform(request).cond:
        if events is not None:
            subscription.events = events
        if config is not None:
            subscription.url, subscription.primary_secret, subscription.secondary_secret = config
    return json_response(subscription.body())


@router.delete("/subscribers/{subscriber_id}/subscriptions/{subscription_id}")
async def delete_subscription(request: Request, subscriber_id: str, subscription_id: str) -> Response:
    platform(request).set_status(_subscription(request, subscriber_id, subscription_id), "deleted")
    return Response(status_code=204)


@router.post("/subscribers/{subscriber_id}/subscriptions/{subscription_id}/suspend")
async def suspend_subscription(request: Request, subscriber_id: str, subscription_id: str) -> Response:
    subscription = _subscription(request, subscriber_id, subscription_id)
    if subscription.status == "revoked":
        raise ApiError(409, "A revoked subscription cannot be suspended.")
    platform(request).set_status(subscription, "suspended", "suspended by the user")
    return json_response(subscription.body())


@router.post("/subscribers/{subscriber_id}/subscriptions/{subscription_id}/resume")
async def resume_subscription(request: Request, subscriber_id: str, subscription_id: str) -> Response:
    subscription = _subscription(request, subscriber_id, subscription_id)
    if subscription.status == "revoked":
        raise ApiError(409, "A revoked subscription cannot be resumed.")
    platform(request).set_status(subscription, "active")
    return json_response(subscription.body())


# ----- the sandbox's own control of deliveries (no auth)
@control.get("/settings")
async def get_event_switches(request: Request) -> Response:
    return json_response(platform(request).switches.model_dump())


@control.patch("/settings")
async def patch_event_switches(request: Request) -> Response:
    try:
        switches = platform(request).update_switches(await _object(request))
    except ValidationError as error:
        raise settings_error(error)
    return json_response(switches.model_dump())


@control.get("/log")
async def get_delivery_log(request: Request) -> Response:
    return json_response(platform(request).log_body())


@control.post("/log/reset")
async def reset_delivery_log(request: Request) -> Response:
    events = platform(request)
    with events.cond:
        events.log.reset()
    return json_response(events.log_body())


@control.post("/drain")
async def drain(request: Request) -> Response:
    """Wait (at most `timeout` seconds, default 10) until no delivery is being sent or due now;
    answers the log, with `idle` false when the time ran out."""
    import asyncio

    try:
        timeout = min(float(request.query_params.get("timeout", 10)), 120.0)
    except ValueError:
        raise ApiError(422, '"timeout" must be a number of seconds.')
    idle = await asyncio.to_thread(platform(request).drain, timeout)
    return json_response({"idle": idle, **platform(request).log_body()})
