"""Per-method call quotas: N calls per window (a minute by default), counted separately for each method."""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class _Window:
    started: float
    used: int


class QuotaBook:
    """Fixed windows per method, opened by the method's first call (scope: the one sandbox account)."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def take(self, method: str, limit: int, window_seconds: float) -> float | None:
        """Count one call; None when admitted, else seconds until the method's window reopens."""
        now = self._clock()
        with self._lock:
            window = self._windows.get(method)
            if window is None or now - window.started >= window_seconds:
                window = self._windows[method] = _Window(started=now, used=0)
            if window.used >= limit:
                return max(window.started + window_seconds - now, 0.0)
            window.used += 1
            return None

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


def retry_after_header(wait_seconds: float) -> int:
    """Retry-After carries whole seconds; never 0 so a client that honours it does wait."""
    return max(1, math.ceil(wait_seconds))
