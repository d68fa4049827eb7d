"""Shared request plumbing of the routes: the runtime, the bearer check, JSON bodies and answers."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Optional

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from sandbox.akeneo.auth import TokenStore
from sandbox.akeneo.errors import ApiError
from sandbox.akeneo.events import EventPlatform
from sandbox.akeneo.faults import FaultInjector
from sandbox.akeneo.settings import SandboxSettings
from sandbox.akeneo.state import AkeneoState


@dataclass
class Runtime:
    """What one running sandbox holds; `state` is replaced by POST /_sandbox/catalog."""

    state: AkeneoState
    settings: SandboxSettings
    tokens: TokenStore = field(default_factory=TokenStore)
    faults: Optional[FaultInjector] = None
    events: Optional[EventPlatform] = None  # the Event Platform beside the PIM (events.py)

    def __post_init__(self) -> None:
        if self.faults is None:
            self.faults = FaultInjector(self.settings)
        if self.events is None:
            self.events = EventPlatform(client_id=self.settings.client_id, username=self.settings.username)


def runtime(request: Request) -> Runtime:
    return request.app.state.sandbox


async def require_token(request: Request) -> None:
    """Router dependency: every REST call needs a valid, unexpired bearer token."""
    runtime(request).tokens.check_bearer(request.headers.get("authorization"))


def json_response(body, status: int = 200, headers: Optional[dict] = None,
                  media_type: str = "application/json") -> Response:
    return Response(msgspec.json.encode(body), status_code=status, headers=headers, media_type=media_type)


def check_content_type(request: Request, expected: str) -> None:
    given = request.headers.get("content-type")
    if given is None:
        raise ApiError(415, f'The "Content-Type" header is missing. "{expected}" has to be specified as value.')
    if given.split(";")[0].strip().lower() != expected:
        raise ApiError(415, f'"{given}" in "Content-Type" header is not valid. Only "{expected}" is allowed.')


async def json_body(request: Request):
    try:
        return json.loads(await request.body())
    except ValueError:
        raise ApiError(400, "Invalid json message received")


async def json_object(request: Request, not_json: str = "Invalid json message received",
                      not_object: str = "Invalid json message received") -> dict:
    """The request body as a JSON object (an empty body is {}), or a 400 with the API's own words."""
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise ApiError(400, not_json)
    if not isinstance(body, dict):
        raise ApiError(400, not_object)
    return body
