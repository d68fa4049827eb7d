"""The authenticator: `AuthorizeByApplication` on the auth host, one cached session per client.

Linnworks answers with a session `Token` and the `Server` that holds the account's data; every
other call goes to that server with the raw token as `Authorization` (no "Bearer "). Sessions die
after 20 minutes without calls, so the session is renewed a little before that, and again (once per
call) when Linnworks says "Token is wrong.". `TTL` in the answer is undocumented and ignored.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from linnworks.api.endpoints import endpoint
from linnworks.api.errors import LinnworksAuthError, LinnworksRequestError
from linnworks.api.settings import LinnworksSettings
from linnworks.api.transport import Exchanger, SessionRejected

log = logging.getLogger(__name__)

AUTHORIZE = "Auth/AuthorizeByApplication"


@dataclass(frozen=True)
class LinnworksSession:
    token: str = field(repr=False)
    server: str  # base URL of the data host, without a trailing slash


class Authenticator:
    """Gets, keeps and renews the session; thread-safe (one authorization at a time)."""

    def __init__(self, settings: LinnworksSettings, exchanger: Exchanger,
                 clock: Callable[[], float] = time.monotonic,
                 on_new_token: Callable[[str], None] | None = None):
        self._settings = settings
        self._exchanger = exchanger
        self._clock = clock
        self._on_new_token = on_new_token
        self._lock = threading.Lock()
        self._session: LinnworksSession | None = None
        self._last_used = 0.0
        self.authorizations = 0
        idle = settings.session_idle_seconds
        # Renew before Linnworks' idle expiry: a minute early, or 10% early for short test expiries.
        self._renew_after_idle = idle - min(60.0, idle * 0.1)

    @property
    def token(self) -> str | None:
        return self._session.token if self._session else None

    def current(self) -> LinnworksSession:
        with self._lock:
            if self._session is None or self._clock() - self._last_used >= self._renew_after_idle:
                if self._session is not None:
                    log.info("Linnworks session idle for %.0f s; authorizing again before it expires",
                             self._clock() - self._last_used)
                self._session = self._authorize()
            return self._session

    def renew(self, rejected: LinnworksSession) -> LinnworksSession:
        """Replace a session Linnworks rejected, unless another thread already has."""
        with self._lock:
            if self._session is None or self._session == rejected:
                self._session = self._authorize()
            return self._session

    def touch(self) -> None:
        """A call is being sent: the session's idle clock restarts."""
        self._last_used = self._clock()

    def _authorize(self) -> LinnworksSession:
        settings = self._settings
        body = {
            "ApplicationId": settings.application_id,
            "ApplicationSecret": settings.application_secret.get_secret_value(),
            "Token": settings.installation_token.get_secret_value(),
        }
        try:
            answer = self._exchanger.exchange(
                endpoint(AUTHORIZE), f"{settings.auth_host}/api/{AUTHORIZE}", headers={}, json=body)
        except (SessionRejected, LinnworksRequestError) as exc:
            raise LinnworksAuthError(
                f"Linnworks refused the application credentials (application id "
                f"{settings.application_id}): {exc}") from None
        token = answer.get("Token") if isinstance(answer, dict) else None
        server = answer.get("Server") if isinstance(answer, dict) else None
        if not token or not server:
            raise LinnworksAuthError(f"{AUTHORIZE} answered without a session Token and Server")
        server = server.strip().rstrip("/")
        if not server.startswith(("https://", "http://")):
            server = f"https://{server}"
        if self._on_new_token:
            self._on_new_token(token)
        self._last_used = self._clock()
        self.authorizations += 1
        log.info("Linnworks: application authorized; data server %s", server)
        return LinnworksSession(token=token, server=server)
