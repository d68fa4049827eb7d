"""Client-side per-method quotas, so a normal run never meets a 429.

Linnworks limits each method to N calls per minute (per account and app, scope undocumented).
`MethodWindow` allows at most N calls in any window-long interval, counting each call from the
moment its response arrived: the server saw the call before that, so however the server aligns its
own window, it never counts more than N. One `QuotaBook` per connection, shared by every client and
thread of that connection in the process (`shared_quota_book`).
"""
from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from linnworks.api.settings import LinnworksSettings

log = logging.getLogger(__name__)


Waiter = Callable[[threading.Condition, "float | None"], object]


def _wait(cond: threading.Condition, timeout: float | None) -> object:
    return cond.wait(timeout)


class MethodWindow:
    """Sliding-window limiter for one method: `limit` calls per `window` seconds.

    `clock` and `wait` (called with the held condition and the seconds to wait, None for "until
    notified") are the time this window lives in; tests pass a fake pair so no test waits for real.
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic,
                 wait: Waiter = _wait):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._wait = wait
        self._cond = threading.Condition()
        self._completed: deque[float] = deque()  # completion times still inside the window
        self._in_flight = 0
        self._paused_until = 0.0
        self.calls = 0
        self.waited_seconds = 0.0

    def wait_time(self, now: float) -> float:
        """Seconds until a call may start (0: now; inf: only in-flight calls hold the window)."""
        while self._completed and self._completed[0] <= now - self.window:
            self._completed.popleft()
        if now < self._paused_until:
            return self._paused_until - now
        if len(self._completed) + self._in_flight < self.limit:
            return 0.0
        if self._completed:
            return self._completed[0] + self.window - now
        return math.inf

    def acquire(self) -> float:
        """Block until a call may start and reserve its place; returns the seconds waited."""
        started = self._clock()
        with self._cond:
            while True:
                delay = self.wait_time(self._clock())
                if delay <= 0:
                    break
                self._wait(self._cond, None if math.isinf(delay) else delay)
            self._in_flight += 1
            self.calls += 1
            waited = self._clock() - started
            self.waited_seconds += waited
            return waited

    def release(self) -> None:
        """The call's response arrived (or it failed): it now counts from this moment."""
        with self._cond:
            self._in_flight -= 1
            self._completed.append(self._clock())
            self._cond.notify_all()

    def pause(self, seconds: float) -> None:
        """Hold every caller of this method for `seconds` (after a 429)."""
        with self._cond:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
            self._cond.notify_all()


class QuotaBook:
    """One `MethodWindow` per method, sized from the connection's settings."""

    def __init__(self, settings: LinnworksSettings, clock: Callable[[], float] = time.monotonic,
                 wait: Waiter = _wait):
        self._settings = settings
        self._clock = clock
        self._wait = wait
        self._lock = threading.Lock()
        self._windows: dict[str, MethodWindow] = {}
        self.window_seconds = settings.quota_window_seconds

    def window(self, path: str) -> MethodWindow:
        with self._lock:
            found = self._windows.get(path)
            if found is None:
                found = MethodWindow(self._settings.calls_per_window(path), self.window_seconds, self._clock,
                                     self._wait)
                self._windows[path] = found
            return found

    @contextmanager
    def slot(self, path: str) -> Iterator[None]:
        window = self.window(path)
        waited = window.acquire()
        if waited >= 1:
            log.info("Linnworks %s: waited %.1f s for the quota (%d per %.0f s)",
                     path, waited, window.limit, window.window)
        try:
            yield
        finally:
            window.release()

    def pause(self, path: str, seconds: float) -> None:
        self.window(path).pause(seconds)

    def usage(self) -> dict[str, tuple[int, float]]:
        """Calls made and seconds waited, by method."""
        with self._lock:
            return {path: (w.calls, w.waited_seconds) for path, w in self._windows.items()}


_books: dict[tuple, QuotaBook] = {}
_books_lock = threading.Lock()


def shared_quota_book(settings: LinnworksSettings) -> QuotaBook:
    """The process-wide `QuotaBook` of this connection (same account, app and quota settings)."""
    token_digest = hashlib.sha256(settings.installation_token.get_secret_value().encode()).hexdigest()
    key = (settings.auth_host, settings.application_id, token_digest, settings.quota_window_seconds,
           settings.quota_share, tuple(sorted(settings.quota_overrides.items())))
    with _books_lock:
        book = _books.get(key)
        if book is None:
            book = _books[key] = QuotaBook(settings)
        return book
