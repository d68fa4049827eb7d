"""Akeneo Event Platform's management API, as far as pimflow needs it: one subscriber named for
pimflow per PIM, and per Akeneo connection one https subscription to pimflow's receiver for the six
product and product model event types.

Every call carries `X-PIM-URL` (the connection's PIM), `X-PIM-TOKEN` (an access token the PIM issued
to the connection) and `X-PIM-CLIENT-ID`. The API's base URL is the connection extra's
`events_api_url` (default Akeneo's, `DEFAULT_API_URL`; the sandbox serves it at
`<sandbox>/event-platform/api/v1`). Subscribing is idempotent: a subscription to the same URL is
updated (event types, secret) and resumed if suspended, never made twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import urlsplit

from pimflow.events.contract import MODEL_TYPES, PRODUCT_TYPES, RECEIVER_PATH

DEFAULT_API_URL = "https://event.prd.sdk.akeneo.cloud/api/v1"
#: The subscriber pimflow creates (and finds again) on a PIM.
SUBSCRIBER_NAME = "pimflow"
EVENT_TYPES = (*PRODUCT_TYPES, *MODEL_TYPES)
TIMEOUT_SECONDS = 30


class EventPlatformError(RuntimeError):
    """A management call that failed: the method, the path, the status and Akeneo's message."""


@dataclass(frozen=True)
class Target:
    """Where and as whom to manage subscriptions for one Akeneo connection."""

    conn_id: str
    pim_url: str
    client_id: str
    api_url: str
    secret: str = field(repr=False)
    secondary: Optional[str] = field(default=None, repr=False)


def receiver_url(url: str, conn_id: str) -> str:
    """The receiver's URL for `conn_id` from what the user typed: the API server's base URL (the
    receiver's path is added) or the receiver's full URL. ValueError saying why otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--url {url!r}: not an absolute http(s) URL (e.g. https://airflow.example.com)")
    if parts.query or parts.fragment:
        raise ValueError(f"--url {url!r}: no query or fragment please; the receiver's URL is "
                         f"<API server>{RECEIVER_PATH.format(conn_id=conn_id)}")
    path = parts.path.rstrip("/")
    wanted = RECEIVER_PATH.format(conn_id=conn_id)
    if "/pimflow/events/" in path and not path.endswith(wanted):
        raise ValueError(f"--url {url!r}: its path is not this connection's receiver ({wanted})")
    if not path.endswith(wanted):
        path += wanted
    return f"{parts.scheme}://{parts.netloc}{path}"


def points_at(subscription: dict, conn_id: str) -> bool:
    """Whether a subscription delivers to pimflow's receiver of `conn_id` (whatever the host)."""
    url = ((subscription.get("config") or {}).get("url") or "").rstrip("/")
    return urlsplit(url).path.endswith(RECEIVER_PATH.format(conn_id=conn_id))


class EventPlatform:
    """The management API for one target (a connection); `token` gives a current access token."""

    def __init__(self, target: Target, token, session=None) -> None:
        import requests

        self.target, self._token = target, token
        self.session = session or requests.Session()

    def _call(self, method: str, path: str, body: Optional[dict] = None) -> Any:
        headers = {"X-PIM-URL": self.target.pim_url, "X-PIM-TOKEN": self._token(),
                   "X-PIM-CLIENT-ID": self.target.client_id, "Accept": "application/json"}
        url = self.target.api_url.rstrip("/") + path
        try:
            answer = self.session.request(method, url, json=body, headers=headers, timeout=TIMEOUT_SECONDS)
        except Exception as exc:  # requests' errors: the message names the host, never a secret
            raise EventPlatformError(f"{method} {url}: no answer ({type(exc).__name__}: {exc})") from None
        if answer.status_code >= 400:
            try:
                detail = answer.json().get("message") or answer.text
            except ValueError:
                detail = answer.text
            raise EventPlatformError(f"{method} {url} answered {answer.status_code}: {str(detail)[:300]}")
        return answer.json() if answer.content else None

    # -- reading
    def subscribers(self) -> list[dict]:
        return [s for s in self._call("GET", "/subscribers") or [] if s.get("status") != "deleted"]

    def subscriptions(self, subscriber_id: str) -> list[dict]:
        return [s for s in self._call("GET", f"/subscribers/{subscriber_id}/subscriptions") or []
                if s.get("status") != "deleted"]

    def ours(self) -> Optional[dict]:
        """pimflow's subscriber on this PIM (the oldest, should there be several), or None."""
        mine = [s for s in self.subscribers() if s.get("name") == SUBSCRIBER_NAME]
        return sorted(mine, key=lambda s: str(s.get("created_at") or ""))[0] if mine else None

    # -- changing
    def subscribe(self, url: str, email: Optional[str] = None) -> tuple[dict, dict, str]:
        """Make sure pimflow's subscriber delivers the six event types to `url` with the connection's
        secret: (subscriber, subscription, what was done: created, updated, resumed, unchanged)."""
        subscriber = self.ours()
        if subscriber is None:
            body: dict = {"name": SUBSCRIBER_NAME}
            if email:
                body["contact"] = {"technical_email": email}
            subscriber = self._call("POST", "/subscribers", body)
        secret = {"primary": self.target.secret, **({"secondary": self.target.secondary} if self.target.secondary else {})}
        config = {"url": url, "secret": secret}
        existing = [s for s in self.subscriptions(subscriber["id"]) if (s.get("config") or {}).get("url") == url]
        base = f"/subscribers/{subscriber['id']}/subscriptions"
        if not existing:
            created = self._call("POST", base, {"source": "pim", "subject": self.target.pim_url, "type": "https",
                                                "events": list(EVENT_TYPES), "config": config})
            return subscriber, created, "created"
        subscription, done = existing[0], "unchanged"
        for extra in existing[1:]:  # made twice by hand: one is enough
            self._call("DELETE", f"{base}/{extra['id']}")
        if set(subscription.get("events") or ()) != set(EVENT_TYPES):
            done = "updated"
        # the secret is never answered back: send it again, so a rotated events_secret takes effect
        subscription = self._call("PATCH", f"{base}/{subscription['id']}", {"events": list(EVENT_TYPES),
                                                                             "config": config}) or subscription
        if subscription.get("status") == "suspended":
            subscription = self._call("POST", f"{base}/{subscription['id']}/resume") or subscription
            done = "resumed"
        return subscriber, subscription, done

    def unsubscribe(self, url: Optional[str] = None) -> list[dict]:
        """Remove the subscriptions of pimflow's subscriber that deliver to this connection's receiver
        (only to `url`, when given); the subscriber goes too when it has none left. Returns those removed."""
        subscriber = self.ours()
        if subscriber is None:
            return []
        base = f"/subscribers/{subscriber['id']}/subscriptions"
        subscriptions = self.subscriptions(subscriber["id"])
        removed = [s for s in subscriptions if (s.get("config") or {}).get("url") == url] if url else \
            [s for s in subscriptions if points_at(s, self.target.conn_id)]
        for subscription in removed:
            self._call("DELETE", f"{base}/{subscription['id']}")
        if len(removed) == len(subscriptions):
            self._call("DELETE", f"/subscribers/{subscriber['id']}")
        return removed

    def status(self) -> list[dict]:
        """Every subscriber of this PIM with its subscriptions (`subscriptions` added to each)."""
        return [{**subscriber, "subscriptions": self.subscriptions(subscriber["id"])}
                for subscriber in self.subscribers()]


def target_of(conn_id: str) -> tuple[Target, Any]:
    """The management target of an Akeneo connection, and a function giving a current access token.
    ValueError naming the connection and the field when it is not set up for events."""
    from pimflow.events.settings import connection_extra, settings_from_extra
    from pimflow.kinds.akeneo import akeneo_client

    conn_type, extra = connection_extra(conn_id)  # EventsConfigError is a ValueError
    receiver = settings_from_extra(conn_id, conn_type, extra)
    client = akeneo_client(conn_id)
    api_url = extra.get("events_api_url", extra.get("extra__akeneo__events_api_url")) or DEFAULT_API_URL
    parts = urlsplit(str(api_url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"connection {conn_id!r}: extra field 'events_api_url' is not an absolute URL: {api_url!r}")
    target = Target(conn_id, client.settings.base_url, client.settings.client_id, str(api_url).rstrip("/"),
                    receiver.secrets[0], receiver.secrets[1] if len(receiver.secrets) > 1 else None)
    return target, client.transport.auth.token
