"""One HTTP exchange with Linnworks inside the quota, with the client's one retry policy.

`Exchanger.exchange` sends a request (waiting for the method's quota first), classifies the answer
and retries what is safe to retry. An expired session surfaces as `SessionRejected`, which
`LinnworksTransport.call` answers by re-authorizing once.
"""
from __future__ import annotations

import json as jsonlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests

from httpkit.redaction import redact, redact_logger
from httpkit.retry_after import parse_retry_after
from httpkit.verify import Verify, send_verified
from linnworks.api.endpoints import Endpoint, Retry, endpoint
from linnworks.api.errors import (
    LinnworksAuthError,
    LinnworksError,
    LinnworksQuotaExceeded,
    LinnworksRequestError,
    LinnworksServerError,
)
from linnworks.api.quota import QuotaBook
from linnworks.api.retry import Backoff, Verdict, classify, request_never_sent, succeeded

log = logging.getLogger(__name__)

P = TypeVar("P")
T = TypeVar("T")

MAX_THROTTLED_WAITS = 10  # consecutive 429s waited out before giving up with LinnworksQuotaExceeded


# urllib3 logs every request line at DEBUG; the Uploader's URL carries the session token.
redact_logger("urllib3.connectionpool")


class SessionRejected(LinnworksError):
    """Linnworks answered "Token is wrong." / 401: the session is unknown or expired."""

    def __init__(self, message: str, maybe_committed: bool = False):
        super().__init__(message)
        self.maybe_committed = maybe_committed


def api_message(response: requests.Response) -> str:
    """Linnworks' error text: the `Message` of `{"Code", "Message"}` bodies, else the raw text. A
    model-binding refusal ("The request is invalid.") names what it refused in `ModelState`
    (parameter -> reasons, ASP.NET's shape): those reasons follow the message."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:500] or response.reason or ""
    if isinstance(body, dict):
        message = str(body.get("Message") or body.get("message") or "")
        code = body.get("Code")
        if code not in (None, "", "-") and message:
            message = f"{message} (code {code})"
        state = body.get("ModelState")
        if isinstance(state, dict) and state:
            reasons = "; ".join(f"{name}: {' '.join(map(str, errors)) if isinstance(errors, list) else errors}"
                                for name, errors in state.items())
            message = f"{message} {reasons}".strip()[:500]
        return message
    return str(body)[:500]


def parse_body(response: requests.Response) -> Any:
    """Success bodies vary: JSON, empty 200/204, or plain text (extended-property writes)."""
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


class Exchanger:
    """Sends requests within the quota and retries them by the client's one policy."""

    def __init__(self, http: requests.Session, quotas: QuotaBook, *, timeout: float, max_retries: int,
                 backoff: Backoff, secrets: Callable[[], tuple[str, ...]],
                 sleep: Callable[[float], None] = time.sleep):
        self._http = http
        self._quotas = quotas
        self._timeout = timeout
        self.max_retries = max_retries
        self._backoff = backoff
        self._secrets = secrets
        self._sleep = sleep

    def exchange(self, ep: Endpoint, url: str, *, headers: dict[str, str], json: Any = None,
                 params: dict[str, Any] | None = None, files: Any = None,
                 on_send: Callable[[], None] | None = None, maybe_committed: bool = False) -> Any:
        """Send until Linnworks answers for real; `maybe_committed` says an earlier try may have landed."""
        failures = throttled = 0
        throttle_waited = 0.0
        if json is not None:
            headers = {**headers, "Content-Type": "application/json"}
        body = None if json is None else jsonlib.dumps(json)
        while True:
            response, error = self._send(ep, url, headers, body, params, files, on_send)
            if response is None:
                sent = not request_never_sent(error)
                status, message = None, redact(f"{type(error).__name__}: {error}", self._secrets())
            else:
                status = response.status_code
                if succeeded(status):  # Verdict.OK: no error message to read out of the body
                    return parse_body(response)
                message = redact(api_message(response), self._secrets())
                verdict = classify(status, message)
                if verdict is Verdict.SESSION_EXPIRED:
                    raise SessionRejected(f"{ep.path}: HTTP {status}: {message}", maybe_committed)
                if verdict is Verdict.THROTTLED:
                    throttled += 1
                    if throttled > MAX_THROTTLED_WAITS:
                        raise LinnworksQuotaExceeded(ep.path, throttle_waited)
                    throttle_waited += self._wait_out_quota(ep, response)
                    continue
                if verdict is Verdict.REFUSED:
                    raise LinnworksRequestError(ep.path, status, message)
                sent = True  # a 5xx: the server had the request
            throttled = 0
            maybe_committed = maybe_committed or sent
            if sent and ep.retry is Retry.VERIFY:  # the caller reads back before any resend
                raise LinnworksServerError(ep.path, status, message, maybe_committed=True)
            failures += 1
            if failures > self.max_retries:
                raise LinnworksServerError(ep.path, status, message, maybe_committed=maybe_committed)
            delay = self._backoff.delay(failures)
            log.warning("Linnworks %s: %s; retry %d of %d in %.1f s", ep.path,
                        f"HTTP {status}" if status else "no response", failures, self.max_retries, delay)
            self._sleep(delay)

    def pause(self, retry_number: int) -> None:
        """Back off before retry number `retry_number` (1, 2, ...)."""
        self._sleep(self._backoff.delay(retry_number))

    def _send(self, ep: Endpoint, url: str, headers: dict[str, str], body: str | None,
              params: dict[str, Any] | None, files: Any, on_send: Callable[[], None] | None,
              ) -> tuple[requests.Response | None, requests.RequestException | None]:
        """One request inside the method's quota: (response, None) or (None, connection error)."""
        with self._quotas.slot(ep.path):
            if on_send:
                on_send()
            started = time.monotonic()
            try:
                response = self._http.request(ep.verb, url, headers=headers, params=params, files=files,
                                              data=body, timeout=self._timeout)
            except requests.RequestException as exc:
                log.warning("Linnworks %s: connection failed after %.0f ms (%s)", ep.path,
                            (time.monotonic() - started) * 1000, type(exc).__name__)
                return None, exc
        log.debug("Linnworks %s %s -> %s in %.0f ms", ep.verb, ep.path, response.status_code,
                  (time.monotonic() - started) * 1000)
        return response, None

    def _wait_out_quota(self, ep: Endpoint, response: requests.Response) -> float:
        """Hold every caller of this method for Retry-After, or a whole window without it."""
        wait = parse_retry_after(response.headers.get("Retry-After"))
        if wait is None:
            wait = self._quotas.window_seconds
        log.warning("Linnworks %s: quota exceeded (HTTP %s); waiting %.1f s", ep.path, response.status_code, wait)
        self._quotas.pause(ep.path, wait)
        return wait


class LinnworksTransport:
    """Authenticated calls to the session's server: `call("Inventory/GetChannels")`."""

    def __init__(self, exchanger: Exchanger, authenticator):
        self._exchanger = exchanger
        self._auth = authenticator

    def call(self, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
             files: Any = None, token_in_query: bool = False) -> Any:
        ep = endpoint(path)
        renewed = maybe_committed = False
        while True:
            session = self._auth.current()
            query = dict(params or {})
            if token_in_query:  # the Uploader takes the session token as a query parameter
                query["token"] = session.token
            try:
                return self._exchanger.exchange(
                    ep, f"{session.server}/api/{path}", headers={"Authorization": session.token},
                    json=json, params=query or None, files=files, on_send=self._auth.touch,
                    maybe_committed=maybe_committed,
                )
            except SessionRejected as exc:
                if renewed:
                    raise LinnworksAuthError(f"{exc} (again, with a freshly authorized session)") from None
                log.info("Linnworks %s: session expired or unknown; authorizing again", path)
                self._auth.renew(session)
                renewed, maybe_committed = True, exc.maybe_committed

    def call_verified(self, path: str, payload: P, send: Callable[[P], T], verify: Verify) -> T:
        """A write to a `Retry.VERIFY` method: `send(payload)`; after a lost answer `verify(payload)`
        reads back what landed and only what did not is sent again (see `httpkit.verify`)."""
        ep = endpoint(path)
        if ep.retry is not Retry.VERIFY:
            raise ValueError(f"{path} is not a verify-before-resend method ({ep.retry.name})")
        return send_verified(send, payload, verify, answer_lost=_answer_lost,
                             max_resends=self._exchanger.max_retries, pause=self._exchanger.pause,
                             what=f"Linnworks {path}")


def _answer_lost(error: BaseException) -> bool:
    """A server fault or dropped connection after the request went out: it may have landed."""
    return isinstance(error, LinnworksServerError) and error.maybe_committed
