"""The table of Linnworks methods the sandbox serves, with their verbs and per-minute limits."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from starlette.requests import Request

from .params import Params
from .settings import SandboxSettings
from .store import Store


class NoContent:
    """Handler result for methods that answer an empty 204."""


class Text(str):
    """Handler result answered as text/plain (Linnworks' non-JSON success bodies)."""


NO_CONTENT = NoContent()


@dataclass
class Call:
    """What a handler gets: the account, the switches, the bound parameters and the raw request."""

    store: Store
    settings: SandboxSettings
    params: Params
    request: Request


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    name: str           # "Inventory/AddInventoryItemBulk"
    handler: Handler
    limit: int          # documented calls per minute
    verbs: frozenset
    token_in_query: bool = False  # the uploader takes the session token as ?token=


METHODS: dict[str, Method] = {}

READ = ("GET", "POST")   # Linnworks documents most reads as "GET | POST"
WRITE = ("POST",)


def api(name: str, limit: int, verbs=WRITE, token_in_query: bool = False):
    """Register a handler for `/api/{name}` (matched case-insensitively, as ASP.NET routes are)."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = Method(name, handler, limit, frozenset(verbs), token_in_query)
        return handler

    return register


_READ_VERBS = ("Get", "Search", "Check")


def changes_the_account(name: str) -> bool:
    """Whether a method writes (for the write-only fault switches): Linnworks names its reads
    Get*, Search* and Check*; everything else, the Uploader included, changes something."""
    return not name.partition("/")[2].startswith(_READ_VERBS)


def find(controller: str, method: str) -> Method | None:
    return METHODS.get(f"{controller}/{method}".lower())
