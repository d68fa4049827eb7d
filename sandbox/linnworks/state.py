"""Sandbox state shared by the auth and data apps: the account, call statistics, quotas, fault dice."""
from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import Counter

from .quota import QuotaBook
from .seed import seed
from .store import Store


class Stats:
    """Calls seen by the sandbox, per method and per status code."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.calls: Counter = Counter()
            self.status_codes: Counter = Counter()
            self.auth_calls = 0
            self.lost_answers: Counter = Counter()  # per method: applied, then answered an error

    def record(self, method: str | None, status: int, auth: bool = False) -> None:
        with self._lock:
            if auth:  # the auth host is counted apart: total and status_codes are the data host's
                self.auth_calls += 1
                return
            self.total += 1
            if method:
                self.calls[method] += 1
            self.status_codes[str(status)] += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {"total": self.total, "calls": dict(self.calls), "status_codes": dict(self.status_codes),
                    "auth_calls": self.auth_calls, "lost_answers": dict(self.lost_answers)}

    def lost(self, method: str) -> None:
        with self._lock:
            self.lost_answers[method] += 1


class SandboxState:
    """Everything the two apps share; `store` is the Linnworks account itself.

    `clock` (seconds) drives quota windows, session idle time and upload expiry; `sleep` (async)
    applies the latency switch. Both are attributes a test may swap at any time for fakes.
    """

    def __init__(self, store: Store | None = None, items: int = 0, seed_value: int = 42,
                 clock=time.monotonic, sleep=asyncio.sleep):
        if store is None:
            store = Store()
            seed(store, items, seed_value)
        self.clock = clock
        self.sleep = sleep
        self.store = store
        store.clock = self.now
        self.stats = Stats()
        self.quotas = QuotaBook(self.now)
        self._rng = random.Random()

    def now(self) -> float:
        return self.clock()

    def reseed_faults(self, seed: int | None) -> None:
        """Restart the random-fault sequence (PATCHing `fault_seed` does this, even to the same value)."""
        self._rng = random.Random(seed)

    def fault_roll(self) -> float:
        return self._rng.random()
