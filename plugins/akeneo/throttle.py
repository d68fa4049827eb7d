"""`RequestLimiter`: the one limiter of a connection, shared by every thread that uses it.

It caps calls in flight (Akeneo allows 4 per connection) and calls started per sliding window
(100 per second per instance), and lets a 429's `Retry-After` hold back every thread at once.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class RequestLimiter:
    def __init__(self, max_requests: int, window_seconds: float, max_concurrent: int,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.max_requests = max_requests
        self.window_seconds = window_seconds
        self.max_concurrent = max_concurrent
        self._clock = clock
        self._sleep = sleep
        self._in_flight = threading.BoundedSemaphore(max_concurrent)
        self._lock = threading.Lock()
        self._started: deque[float] = deque()
        self._not_before = 0.0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the concurrent slots, starting only when the window allows it."""
        self._in_flight.acquire()
        try:
            self._wait_for_start()
            yield
        finally:
            self._in_flight.release()

    def hold_off(self, seconds: float) -> None:
        """No call starts on this connection for `seconds` (a 429 said so)."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def _wait_for_start(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                wait = self._not_before - now
                if wait <= 0 and self.max_requests > 0:
                    while self._started and self._started[0] <= now - self.window_seconds:
                        self._started.popleft()
                    if len(self._started) >= self.max_requests:
                        wait = self._started[0] + self.window_seconds - now
                if wait <= 0:
                    if self.max_requests > 0:
                        self._started.append(now)
                    return
            self._sleep(wait)


_shared: dict[tuple, RequestLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(connection_key: tuple, max_requests: int, window_seconds: float,
                   max_concurrent: int) -> RequestLimiter:
    """The process-wide limiter of one connection, so that several clients or hooks on the same
    Akeneo connection in one process still share its caps."""
    key = (connection_key, max_requests, window_seconds, max_concurrent)
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = _shared[key] = RequestLimiter(max_requests, window_seconds, max_concurrent)
        return limiter

