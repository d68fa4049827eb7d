"""Fake time for tests: a clock that only moves when told to, sleeps that are recorded, not slept.

No test in `make test` measures wall-clock time (the machines are shared): code under test takes
a `clock` and a `sleep`, and the tests hand it these.
"""
from __future__ import annotations

import asyncio
import threading


class FakeClock:
    """Seconds that move only on `advance()` or a fake `sleep()`; thread-safe; records every sleep."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []
        self.waits: list[float] = []

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        """A `time.sleep` stand-in: recorded, and the clock jumps by `seconds`."""
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(seconds, 0.0)

    def wait(self, cond: threading.Condition, timeout: float | None) -> bool:
        """A `Condition.wait` stand-in (the Linnworks client's quota windows): a waiter with a
        deadline makes the clock jump to it; one without waits, for real, for another thread's
        notify (re-checked by the caller's loop; the 1 s bound only guards against a hang)."""
        if timeout is None:
            return cond.wait(1.0)
        with self._lock:
            self.waits.append(timeout)
            self._now += max(timeout, 0.0)
        return False

    async def async_sleep(self, seconds: float) -> None:
        """An `asyncio.sleep` stand-in (the sandboxes' latency switch)."""
        self.sleep(seconds)


class SleepGate:
    """An async sleep that holds its callers until `expected` of them are asleep at the same time.

    Proves that calls overlap (a server that handled one call at a time would never have two
    callers asleep together) and that all of them arrived, without measuring any duration.
    `hang_guard` only stops a broken test from hanging: it releases everyone, and `most_at_once`
    then tells the test how many callers ever overlapped. With `clock`, each sleep also moves that
    fake clock (as `FakeClock.async_sleep` does).
    """

    def __init__(self, expected: int, hang_guard: float = 20.0, clock: FakeClock | None = None) -> None:
        self.expected = expected
        self.clock = clock
        self.hang_guard = hang_guard
        self.sleeps: list[float] = []
        self.waits: list[float] = []
        self.most_at_once = 0
        self._asleep = 0
        self._lock = threading.Lock()
        self._released = threading.Event()

    async def __call__(self, seconds: float) -> None:
        if self.clock is not None:
            self.clock.sleep(seconds)
        with self._lock:
            self.sleeps.append(seconds)
            self._asleep += 1
            self.most_at_once = max(self.most_at_once, self._asleep)
            if self._asleep >= self.expected:
                self._released.set()
        try:
            loop = asyncio.get_running_loop()
            give_up = loop.time() + self.hang_guard
            while not self._released.is_set() and loop.time() < give_up:
                await asyncio.sleep(0.005)  # lets the other callers' requests in
        finally:
            with self._lock:
                self._asleep -= 1


def fake_clock_for(linnworks_sandbox) -> FakeClock:
    """A fake clock (quota windows, session idle time, latency) put into a Linnworks sandbox's state."""
    fake = FakeClock()
    linnworks_sandbox.state.clock = fake
    linnworks_sandbox.state.sleep = fake.async_sleep
    return fake
