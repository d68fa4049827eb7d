"""OAuth like Akeneo's FOSOAuthServer setup: password and refresh_token grants, bearer checks.

Messages and statuses are Akeneo's (its token endpoint answers 422, never 401, for bad credentials).
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import secrets
import time
from dataclasses import dataclass
from typing import Optional
from urllib.parse import parse_qsl

from starlette.requests import Request

from sandbox.akeneo.errors import ApiError
from sandbox.akeneo.settings import SandboxSettings

INVALID_CLIENT = 'Parameter "client_id" is missing or does not match any client, or secret is invalid'
INVALID_REQUEST = 'Parameter "grant_type", "username" or "password" is missing, empty or invalid'
INVALID_REFRESH_REQUEST = 'Parameter "grant_type" or "refresh_token" is missing or empty'
UNAUTHORIZED_GRANT = "This grant type is not authorized for this client"
INVALID_GRANT = "No user found for the given username and password"
INVALID_REFRESH = "Refresh token is invalid or has expired"
MISSING_TOKEN = "Authentication is required"
EXPIRED_TOKEN = "The access token provided has expired."
INVALID_TOKEN = "The access token provided is invalid."
# Grant types the OAuth library knows but Akeneo's API clients are not allowed to use.
_KNOWN_GRANTS = {"authorization_code", "client_credentials", "token"}


@dataclass
class _Token:
    username: str
    expires_at: float


class TokenStore:
    """Issued access and refresh tokens with their expiry, in seconds of `clock` (monotonic by default)."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}

    def issue(self, username: str, settings: SandboxSettings) -> dict:
        now = self.clock()
        self._forget_expired(now)
        access, refresh = secrets.token_urlsafe(40), secrets.token_urlsafe(40)
        self._access[access] = _Token(username, now + settings.access_token_lifetime)
        self._refresh[refresh] = _Token(username, now + settings.refresh_token_lifetime)
        return {"access_token": access, "expires_in": math.ceil(settings.access_token_lifetime),
                "token_type": "bearer", "scope": None, "refresh_token": refresh}

    def refresh(self, refresh_token: str, settings: SandboxSettings) -> dict:
        # The refresh token is used up: FOSOAuthServer unsets it after use.
        token = self._refresh.pop(refresh_token, None)
        if token is None or token.expires_at <= self.clock():
            raise ApiError(422, INVALID_REFRESH)
        return self.issue(token.username, settings)

    def check_bearer(self, authorization: Optional[str]) -> None:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise ApiError(401, MISSING_TOKEN)
        token = self._access.get(authorization[7:].strip())
        if token is None:
            raise ApiError(401, INVALID_TOKEN)
        if token.expires_at <= self.clock():
            raise ApiError(401, EXPIRED_TOKEN)

    def _forget_expired(self, now: float) -> None:
        if len(self._access) + len(self._refresh) < 10_000:
            return
        self._access = {k: v for k, v in self._access.items() if v.expires_at > now}
        self._refresh = {k: v for k, v in self._refresh.items() if v.expires_at > now}


def _client_from_basic(authorization: Optional[str]) -> tuple[str, str]:
    if not authorization or not authorization.lower().startswith("basic "):
        return "", ""
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _same(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode(), expected.encode())


async def _token_body(request: Request) -> dict:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if content_type == "application/json":
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            raise ApiError(400, "Invalid json message received")
        if not isinstance(body, dict):
            raise ApiError(400, "Invalid json message received")
        return body
    if content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(raw.decode("utf-8", "replace")))
    raise ApiError(415, f'"{content_type}" in "Content-Type" header is not valid. Only "application/json" '
                        'or "application/x-www-form-urlencoded" are allowed.')


async def token_answer(request: Request, tokens: TokenStore, settings: SandboxSettings) -> dict:
    """The body of POST /api/oauth/v1/token, or an ApiError."""
    body = await _token_body(request)
    client_id, secret = _client_from_basic(request.headers.get("authorization"))
    if not (_same(client_id, settings.client_id) and _same(secret, settings.secret)):
        raise ApiError(422, INVALID_CLIENT)
    grant_type = body.get("grant_type")
    if grant_type == "refresh_token":
        refresh_token = body.get("refresh_token")
        if not isinstance(refresh_token, str) or not refresh_token:
            raise ApiError(422, INVALID_REFRESH_REQUEST)
        return tokens.refresh(refresh_token, settings)
    if grant_type in _KNOWN_GRANTS:
        raise ApiError(422, UNAUTHORIZED_GRANT)
    username, password = body.get("username"), body.get("password")
    if grant_type != "password" or not isinstance(username, str) or not isinstance(password, str) \
            or not username or not password:
        raise ApiError(422, INVALID_REQUEST)
    if not (_same(username, settings.username) and _same(password, settings.password)):
        raise ApiError(422, INVALID_GRANT)
    return tokens.issue(username, settings)
