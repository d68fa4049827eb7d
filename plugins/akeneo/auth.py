"""`TokenAuthenticator`: gets, caches and refreshes the OAuth token of one connection.

Password grant first; then the refresh token shortly before expiry or after a 401; when the
refresh is refused (expired or revoked refresh token) a fresh password grant. One lock makes the
threads that notice an expired token together refresh it once.
"""
from __future__ import annotations

import base64
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from akeneo.errors import AkeneoAuthError, AkeneoError
from akeneo.retry import is_retryable_status
from akeneo.settings import AkeneoConnectionSettings

log = logging.getLogger(__name__)

TOKEN_PATH = "/api/oauth/v1/token"
#: How many of the tokens obtained are remembered to be scrubbed from error messages.
RECENT_TOKENS = 8

# send(body, headers) -> parsed JSON answer of POST TOKEN_PATH; raises AkeneoError subclasses.
TokenSender = Callable[[dict, dict], dict]


class TokenAuthenticator:
    def __init__(self, settings: AkeneoConnectionSettings, send: TokenSender,
                 clock: Callable[[], float] = time.monotonic,
                 on_new_token: Callable[[str], None] | None = None) -> None:
        """`on_new_token` is told every access and refresh token obtained (to mask it in logs)."""
        self._settings = settings
        self._send = send
        self._clock = clock
        self._lock = threading.Lock()
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self._refresh_at = 0.0
        self.grants = {"password": 0, "refresh_token": 0}
        self._on_new_token = on_new_token
        # the tokens obtained lately: an error answer may echo one, even one already replaced
        self._issued: deque[str] = deque(maxlen=RECENT_TOKENS)
        self._issued_lock = threading.Lock()  # not self._lock: messages are cleaned while it is held

    def secrets(self) -> tuple[str, ...]:
        """What to scrub from messages besides the connection's secrets: the tokens obtained
        lately and the Basic credentials (base64 of client id and secret)."""
        with self._issued_lock:
            return (*self._issued, self._basic_header().split(" ", 1)[1])

    def token(self) -> str:
        """A token valid for a while yet, fetched or refreshed if needed."""
        with self._lock:
            if self._access_token is None or self._clock() >= self._refresh_at:
                self._renew()
            assert self._access_token is not None
            return self._access_token

    def invalidate(self, rejected_token: str) -> None:
        """The API answered 401 to `rejected_token`: renew it on the next `token()` call, unless
        another thread already did."""
        with self._lock:
            if self._access_token == rejected_token:
                self._refresh_at = 0.0

    def _renew(self) -> None:
        if self._refresh_token:
            try:
                self._grant({"grant_type": "refresh_token", "refresh_token": self._refresh_token})
                return
            except AkeneoAuthError as exc:
                log.info("Akeneo refused the refresh token (%s); asking for a new token with the "
                         "password grant", exc.akeneo_message or exc.status)
                self._refresh_token = None
        self._grant({
            "grant_type": "password",
            "username": self._settings.username,
            "password": self._settings.password.get_secret_value(),
        })

    def _grant(self, body: dict) -> None:
        started = self._clock()
        try:
            answer = self._send(body, {"Authorization": self._basic_header(),
                                       "Content-Type": "application/json"})
        except AkeneoError as exc:
            # 408 and 429 are retried by the transport and stay what they are: not a refusal.
            if exc.status is not None and 400 <= exc.status < 500 and not is_retryable_status(exc.status):
                raise AkeneoAuthError(
                    f"Akeneo refused the {body['grant_type']} grant: "
                    f"{exc.akeneo_message or 'no reason given'}",
                    endpoint=f"POST {TOKEN_PATH}", status=exc.status,
                    akeneo_message=exc.akeneo_message) from None
            raise
        self.grants[body["grant_type"]] += 1
        self._store(answer, started)

    def _store(self, answer: dict[str, Any], started: float) -> None:
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not token:
            raise AkeneoAuthError("Akeneo's token answer has no access_token",
                                  endpoint=f"POST {TOKEN_PATH}", status=200)
        try:
            lifetime = float(answer.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        # Renew a little before expiry, measured from when the request left: a margin of a
        # tenth of the lifetime at most, so a 1 s test token is not renewed on every call.
        margin = min(self._settings.token_refresh_margin, lifetime / 10)
        for new_token in (token, answer.get("refresh_token")):
            if new_token and isinstance(new_token, str):
                with self._issued_lock:
                    self._issued.append(new_token)
                if self._on_new_token:
                    self._on_new_token(new_token)
        self._access_token = token
        self._refresh_token = answer.get("refresh_token") or self._refresh_token
        self._refresh_at = started + lifetime - margin

    def _basic_header(self) -> str:
        pair = f"{self._settings.client_id}:{self._settings.client_secret.get_secret_value()}"
        return "Basic " + base64.b64encode(pair.encode()).decode()
