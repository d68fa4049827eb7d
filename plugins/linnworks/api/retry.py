"""How to read a Linnworks answer (ok, expired session, throttled, server fault, refused) and how
long to back off. One policy for the whole client; whether a call may be resent is in `endpoints`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError


class Verdict(Enum):
    OK = "ok"
    SESSION_EXPIRED = "session_expired"
    THROTTLED = "throttled"
    SERVER_FAULT = "server_fault"
    REFUSED = "refused"


# Linnworks' throttling body: "API calls quota exceeded! Maximum admitted 150 per Minute." It has
# also been seen with statuses other than 429, so the message decides as much as the status.
_QUOTA_MARKER = "calls quota exceeded"
# An unknown or idle-expired session: {"Code": "-", "Message": "Token is wrong."} (HTTP 401).
_TOKEN_MARKER = "token is wrong"


def succeeded(status: int) -> bool:
    """A 2xx is OK whatever its body says (so its body need not be read as an error message)."""
    return 200 <= status < 300


def classify(status: int, message: str) -> Verdict:
    if succeeded(status):
        return Verdict.OK
    text = message.lower()
    if status == 429 or _QUOTA_MARKER in text:
        return Verdict.THROTTLED
    if status == 401 or _TOKEN_MARKER in text:
        return Verdict.SESSION_EXPIRED
    if status >= 500 or status == 408:
        return Verdict.SERVER_FAULT
    return Verdict.REFUSED


def request_never_sent(exc: requests.RequestException) -> bool:
    """True when the connection failed before the request could reach the server."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    pending: list[object] = [exc]
    seen: set[int] = set()
    while pending:
        cause = pending.pop()
        if not isinstance(cause, BaseException) or id(cause) in seen:
            continue
        seen.add(id(cause))
        if isinstance(cause, (NewConnectionError, ConnectTimeoutError, ConnectionRefusedError)):
            return True
        pending.extend([getattr(cause, "reason", None), cause.__cause__, cause.__context__, *cause.args])
    return False


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: base, 2*base, 4*base ... capped."""

    base: float = 1.0
    cap: float = 30.0

    def delay(self, retry_number: int) -> float:
        if self.base <= 0:
            return 0.0
        full = min(self.cap, self.base * 2 ** (retry_number - 1))
        return full * random.uniform(0.5, 1.0)
