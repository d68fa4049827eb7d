"""Request statistics and the faults the switches ask for: latency, 429, 5xx, dropped connections.

This runs outside FastAPI's middleware stack, on the server's own `send`, so that a dropped
connection really is closed with no answer (uvicorn's transport is reachable from its `send`).
"""
from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections import Counter, deque
from typing import Awaitable, Callable

from sandbox.akeneo.settings import SandboxSettings

RATE_LIMIT_MESSAGE = "You have exceeded the limit of API requests per second."
CONCURRENCY_MESSAGE = "Too many concurrent requests."
_SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}

Asgi = Callable[[dict, Callable, Callable], Awaitable[None]]


class Stats:
    """Counts by `METHOD /route/template` and by status code (`dropped` for closed connections), and
    the most calls in flight at once (`max_in_flight`: the sandbox has one API connection, so this
    is what Akeneo's cap of 4 concurrent calls per connection is about)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.requests: Counter[str] = Counter()
        self.status_codes: Counter[str] = Counter()
        self.dropped = 0
        self.max_in_flight = 0

    def as_dict(self) -> dict:
        return {"total": self.total, "requests": dict(self.requests),
                "status_codes": dict(self.status_codes), "dropped": self.dropped,
                "max_in_flight": self.max_in_flight}


class FaultInjector:
    """Applies the switches to every /api call, in this order: 429 checks, latency, drop, 5xx.

    `clock` (seconds) drives the rate window and `sleep` (async) the latency switch; tests swap
    them for fakes.
    """

    def __init__(self, settings: SandboxSettings, clock=time.monotonic, sleep=asyncio.sleep) -> None:
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        self.stats = Stats()
        self.in_flight = 0
        self._accepted: deque[float] = deque()
        self.reseed()

    def reseed(self) -> None:
        self._rng = random.Random(self.settings.fault_seed)

    def reset(self) -> None:
        """Forget stats, the rate window and the random draws (tests start from a clean slate)."""
        self.stats.reset()
        self._accepted.clear()
        self.reseed()

    async def handle(self, scope: dict, receive: Callable, send: Callable, route_key: str, app: Asgi) -> None:
        settings = self.settings
        self.stats.total += 1
        self.stats.requests[route_key] += 1
        rejection = self._rejection(settings)
        if rejection is not None:
            await self._sleep(settings)
            await self._answer(send, 429, {"code": 429, "message": rejection[0]}, rejection[1])
            return
        self.in_flight += 1
        self.stats.max_in_flight = max(self.stats.max_in_flight, self.in_flight)
        try:
            await self._sleep(settings)
            draw = self._rng.random()
            if draw < settings.drop_rate and _drop_connection(send):
                self.stats.dropped += 1
                return
            if self._rng.random() < settings.error_rate_5xx:
                status = self._rng.choice(sorted(_SERVER_ERRORS))
                await self._answer(send, status, {"code": status, "message": _SERVER_ERRORS[status]}, {})
                return

            async def counting_send(message: dict) -> None:
                if message["type"] == "http.response.start":
                    self.stats.status_codes[str(message["status"])] += 1
                await send(message)

            await app(scope, receive, counting_send)
        finally:
            self.in_flight -= 1

    def _rejection(self, settings: SandboxSettings):
        """(message, headers) when the call is over the rate or concurrency limit, else None."""
        now = self.clock()
        if settings.rate_limit_per_second > 0:
            while self._accepted and self._accepted[0] <= now - 1.0:
                self._accepted.popleft()
            if len(self._accepted) >= settings.rate_limit_per_second:
                wait = max(1, math.ceil(self._accepted[0] + 1.0 - now))
                headers = {"retry-after": str(wait)} if settings.retry_after_header else {}
                return RATE_LIMIT_MESSAGE, headers
        if settings.max_concurrency > 0 and self.in_flight >= settings.max_concurrency:
            headers = {"retry-after": "1"} if settings.retry_after_header else {}
            return CONCURRENCY_MESSAGE, headers
        if settings.rate_limit_per_second > 0:  # (without a limit, nothing would ever trim the window)
            self._accepted.append(now)
        return None

    async def _sleep(self, settings: SandboxSettings) -> None:
        if settings.latency_ms > 0:
            await self.sleep(settings.latency_ms / 1000)

    async def _answer(self, send: Callable, status: int, body: dict, headers: dict[str, str]) -> None:
        self.stats.status_codes[str(status)] += 1
        payload = json.dumps(body).encode()
        raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        raw_headers += [(name.encode(), value.encode()) for name, value in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": payload})


def _drop_connection(send: Callable) -> bool:
    """Close the client's socket without a byte of answer. False when the server does not allow it."""
    cycle = getattr(send, "__self__", None)  # uvicorn's RequestResponseCycle
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(cycle, "disconnected"):
        return False
    cycle.disconnected = True  # uvicorn then neither answers 500 nor logs a missing response
    transport.close()
    return True
