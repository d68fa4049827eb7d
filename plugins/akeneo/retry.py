"""`RetryPolicy`: which answers are worth another try and how long to wait before it.

Akeneo's good-practices page: retry 408, 429 and 5xx, socket timeouts and TCP disconnects, with
exponential backoff and jitter, and wait `Retry-After` seconds when a 429 carries it. Any other
4xx is the caller's mistake and is never retried.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import requests

RETRYABLE_STATUSES = frozenset({408, 429})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or 500 <= status <= 599


def is_retryable_exception(exc: BaseException) -> bool:
    """Timeouts and dropped or refused connections (the request may not have reached Akeneo)."""
    return isinstance(exc, (requests.Timeout, requests.ConnectionError,
                            requests.exceptions.ChunkedEncodingError))


@dataclass
class RetryPolicy:
    """`max_retries` retries after the first try; delays grow `base_delay * 2**n` up to
    `max_delay`, each drawn at random from its upper half (jitter)."""

    max_retries: int = 8
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def can_retry(self, retries_done: int) -> bool:
        return retries_done < self.max_retries

    def backoff(self, retries_done: int) -> float:
        ceiling = min(self.max_delay, self.base_delay * (2 ** retries_done))
        return self.rng.uniform(ceiling / 2, ceiling)

    def delay(self, retries_done: int, retry_after: float | None = None) -> float:
        """Wait before the next try: the server's hint (plus a little jitter so waiting threads
        do not return all at once) when given, else the exponential backoff."""
        if retry_after is not None:
            hint = min(retry_after, self.max_retry_after)
            return hint + self.rng.uniform(0, min(self.base_delay, hint * 0.1 + 0.05))
        return self.backoff(retries_done)
