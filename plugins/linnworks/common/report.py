"""The report vocabulary both writers share: what was refused (`Refusal`), what changes (`DiffRow`),
a result's first refusal (`FirstRefusal`), and the bookkeeping while writing (`Tally`)."""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Refusal:
    """A write (or read) Linnworks refused for this SKU: the method, its message, what was sent."""

    endpoint: str | None
    message: str
    sent: Any = None
    transient: bool = False  # a 5xx, a lost answer or an exhausted quota: not the data's fault


@dataclass(frozen=True)
class DiffRow:
    """One change: `action` is create, update, delete, add (image), set_main (image) or skip."""

    sku: str
    field: str
    old: Any
    new: Any
    action: str
    endpoint: str | None = None  # the method that writes it


class FirstRefusal:
    """A result's endpoint, message and sent values: those of its first refusal (None when none)."""

    refusals: list[Refusal]

    @property
    def endpoint(self) -> str | None:
        return self.refusals[0].endpoint if self.refusals else None

    @property
    def message(self) -> str | None:
        return self.refusals[0].message if self.refusals else None

    @property
    def sent(self) -> Any:
        return self.refusals[0].sent if self.refusals else None

    @property
    def transient(self) -> bool:
        return bool(self.refusals) and self.refusals[0].transient


class Tally:
    """Thread-safe bookkeeping while writing: refusals and successful writes per SKU, call counts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.refusals: dict[str, list[Refusal]] = {}
        self.written: set[str] = set()
        self.calls: Counter = Counter()
        self.units: Counter = Counter()

    def refuse(self, skus, endpoint: str | None, message: str, sent_by_sku: dict[str, Any] | None = None,
               transient: bool = False) -> None:
        with self._lock:
            for sku in skus:
                sent = (sent_by_sku or {}).get(sku)
                self.refusals.setdefault(sku, []).append(Refusal(endpoint, message, sent, transient))

    def refuse_error(self, skus, endpoint: str | None, exc: Exception, sent_by_sku: dict[str, Any] | None = None,
                     prefix: str = "") -> None:
        """`refuse` with the error's message, transient when the error says nothing about the data."""
        from linnworks.api.errors import describe, is_transient

        self.refuse(skus, endpoint, prefix + describe(exc), sent_by_sku, transient=is_transient(exc))

    def wrote(self, skus) -> None:
        with self._lock:
            self.written.update(skus)

    def called(self, endpoint: str, calls: int = 1) -> None:
        with self._lock:
            self.calls[endpoint] += calls

    def needs(self, endpoint: str, units: int) -> None:
        if units:
            with self._lock:
                self.units[endpoint] += units
