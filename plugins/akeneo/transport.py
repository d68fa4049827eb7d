"""`Transport`: one HTTP call to Akeneo under the connection's limiter, retry policy and token.

Everything that goes over the wire passes here, so throttling, retries, the 401 -> renew-token
path and the translation of error answers into `AkeneoError`s happen in exactly one place.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.auth
import urllib3

from akeneo.auth import TOKEN_PATH, TokenAuthenticator
from akeneo.errors import (
    AkeneoAuthError, AkeneoConnectionError, AkeneoError, AkeneoForbiddenError,
    AkeneoNotFoundError, AkeneoRateLimited, AkeneoRequestTooLarge, AkeneoServerError,
    AkeneoValidationError,
)
from akeneo.retry import RetryPolicy, is_retryable_exception, is_retryable_status
from akeneo.settings import AkeneoConnectionSettings
from akeneo.throttle import RequestLimiter, shared_limiter
from httpkit.redaction import redact, redact_logger
from httpkit.retry_after import parse_retry_after
from httpkit.session import pooled_session

log = logging.getLogger(__name__)

USER_AGENT = "pimflow-akeneo/0.1"
# urllib3 logs every request line at DEBUG; keep credential-looking values out of it.
redact_logger("urllib3.connectionpool")
# A token renewed because of a 401 may meet one more 401 (clock skew, a token revoked at the
# same moment); more than that means the API user itself is refused.
MAX_TOKEN_RENEWALS_PER_CALL = 2


class Transport:
    def __init__(self, settings: AkeneoConnectionSettings, *,
                 limiter: RequestLimiter | None = None, policy: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 on_new_token: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.limiter = limiter or shared_limiter(
            (settings.base_url, settings.client_id, settings.username),
            settings.throttle_requests, settings.throttle_window_seconds,
            settings.max_concurrent_requests)
        self.policy = policy or RetryPolicy(
            max_retries=settings.max_retries, base_delay=settings.retry_base_delay,
            max_delay=settings.retry_max_delay, max_retry_after=settings.max_retry_after)
        self.auth = TokenAuthenticator(settings, self._send_token_request, on_new_token=on_new_token)
        self._verify: bool | str = settings.verify_tls and (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True)
        self._sleep = sleep
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self.calls = 0
        self.retries = 0
        self._count_lock = threading.Lock()

    # -- public -----------------------------------------------------------------------------

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return self.settings.base_url + path_or_url

    def request(self, method: str, path_or_url: str, *, params: dict | None = None,
                json: Any = None, data: bytes | str | None = None, headers: dict | None = None,
                authenticated: bool = True, sink: "BodySink | None" = None) -> requests.Response:
        """Send one call, retrying what is worth retrying; return the successful answer or raise
        the matching `AkeneoError`. With a `sink`, a successful body is streamed into it in
        chunks (still inside the call's limiter slot) instead of being kept on the response."""
        url = self.url(path_or_url)
        endpoint = f"{method} {urlsplit(url).path}"
        retries = renewals = 0
        while True:
            token = self.auth.token() if authenticated else None
            call_headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
            authorization = call_headers.pop("Authorization", None)
            if token:
                authorization = f"Bearer {token}"
            try:
                with self.limiter.slot():
                    self._count()
                    response = self._session().request(
                        method, url, params=params, json=json, data=data, headers=call_headers,
                        auth=_HeaderAuth(authorization) if authorization else None,
                        timeout=self.settings.timeout_seconds, verify=self._verify,
                        stream=True)
                    _read_body(response, sink)
            except requests.exceptions.SSLError as exc:
                raise AkeneoConnectionError(
                    f"TLS handshake with {self.settings.base_url} failed: {self.clean(exc)}",
                    endpoint=endpoint) from None
            except requests.RequestException as exc:
                if is_retryable_exception(exc) and self.policy.can_retry(retries):
                    self._wait(endpoint, f"{type(exc).__name__}", retries, None)
                    retries += 1
                    continue
                raise AkeneoConnectionError(
                    f"Could not get an answer from Akeneo at {self.settings.base_url} "
                    f"after {retries + 1} tries: {self._describe_exception(exc)}",
                    endpoint=endpoint) from None

            status = response.status_code
            if status == 401 and token and renewals < MAX_TOKEN_RENEWALS_PER_CALL:
                response.close()
                self.auth.invalidate(token)
                renewals += 1
                continue
            if is_retryable_status(status) and self.policy.can_retry(retries):
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                response.close()
                self._wait(endpoint, f"HTTP {status}", retries, retry_after,
                           hold_everyone=status == 429)
                retries += 1
                continue
            if status >= 400:
                error = self.error_from_response(response, endpoint)
                response.close()
                raise error
            return response

    def close(self) -> None:
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()
        self._local = threading.local()

    def error_from_response(self, response: requests.Response, endpoint: str) -> AkeneoError:
        """The `AkeneoError` for an error answer, with Akeneo's message (secrets scrubbed)."""
        status = response.status_code
        body = _json_or_none(response)
        message = None
        errors: list[dict] = []
        if isinstance(body, dict):
            message = body.get("message") or body.get("error_description") or body.get("error")
            listed = body.get("errors")
            errors = [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []
        if message is None:
            text = (response.text or "").strip()
            message = text[:200] if text else response.reason
        message = self.clean(str(message)) if message else None
        kwargs = {"endpoint": endpoint, "status": status, "akeneo_message": message}
        text = f"Akeneo answered {status}: {message or 'no message'}"
        if status == 401:
            return AkeneoAuthError(text, **kwargs)
        if status == 403:
            return AkeneoForbiddenError(text, **kwargs)
        if status == 404:
            return AkeneoNotFoundError(text, **kwargs)
        if status == 413:
            return AkeneoRequestTooLarge(text, **kwargs)
        if status == 429:
            return AkeneoRateLimited(text, retry_after=parse_retry_after(
                response.headers.get("Retry-After")), **kwargs)
        if status in (400, 422):
            return AkeneoValidationError(text, errors=errors, **kwargs)
        if status == 408 or status >= 500:
            return AkeneoServerError(text, **kwargs)
        return AkeneoError(text, **kwargs)

    # -- internals --------------------------------------------------------------------------

    def _send_token_request(self, body: dict, headers: dict) -> dict:
        response = self.request("POST", TOKEN_PATH, json=body, headers=headers, authenticated=False)
        answer = _json_or_none(response)
        if not isinstance(answer, dict):
            raise AkeneoAuthError("Akeneo's token endpoint did not answer JSON",
                                  endpoint=f"POST {TOKEN_PATH}", status=response.status_code)
        return answer

    def _wait(self, endpoint: str, reason: str, retries: int, retry_after: float | None,
              hold_everyone: bool = False) -> None:
        delay = self.policy.delay(retries, retry_after)
        with self._count_lock:
            self.retries += 1
        log.warning("Akeneo %s: %s, retry %d/%d in %.2fs", endpoint, reason, retries + 1,
                    self.policy.max_retries, delay)
        if hold_everyone:
            # A 429 concerns the whole connection: hold back the other threads too.
            self.limiter.hold_off(delay)
        self._sleep(delay)

    def _count(self) -> None:
        with self._count_lock:
            self.calls += 1

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            # the environment (proxies, CA bundle) read once per host, not on every call
            session = pooled_session(1, self.settings.max_concurrent_requests)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def clean(self, text: object) -> str:
        """`text` without the connection's secrets, nor the tokens it was given (an error answer
        may echo the access token it refused)."""
        return redact(str(text), (*self.settings.secrets, *self.auth.secrets()))

    def _describe_exception(self, exc: BaseException) -> str:
        if isinstance(exc, requests.Timeout):
            return f"no answer within {self.settings.timeout_seconds:g}s"
        if isinstance(exc, requests.ConnectionError):
            text = str(exc)
            if "refused" in text.lower():
                return "connection refused (is the URL and port right, is the server up?)"
            if "name or service not known" in text.lower() or "nodename nor servname" in text.lower() \
                    or "failed to resolve" in text.lower():
                return "the host name does not resolve (check the base URL)"
            return "the connection was closed without an answer"
        return self.clean(type(exc).__name__)


class _HeaderAuth(requests.auth.AuthBase):
    """Sets the Authorization header; as an `auth` object it is never replaced by .netrc."""

    def __init__(self, value: str) -> None:
        self._value = value

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._value
        return request


class BodySink:
    """Where a streamed body goes: `write` each chunk; `restart` before a retry resends it."""

    def write(self, chunk: bytes) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def restart(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


STREAM_CHUNK_BYTES = 64 * 1024


def _read_body(response: requests.Response, sink: BodySink | None) -> None:
    """Read the body now (inside the limiter slot); a success goes to `sink` if one is given."""
    if sink is None or response.status_code >= 300:
        response._content = _read_all(response)
        response._content_consumed = True
        return
    sink.restart()
    try:
        for chunk in response.iter_content(STREAM_CHUNK_BYTES):
            sink.write(chunk)
    finally:
        response.close()
    response._content = b""  # the body went to the sink
    response._content_consumed = True


def _read_all(response: requests.Response) -> bytes:
    """The whole body in one read. `response.content` reads 10 KiB chunks, each taking the GIL
    back, which under concurrent JSON parsing stretches a page read several times over."""
    try:
        return response.raw.read(decode_content=True) or b""
    except urllib3.exceptions.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from None
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from None
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ConnectionError(exc) from None
    except urllib3.exceptions.SSLError as exc:
        raise requests.exceptions.SSLError(exc) from None


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
