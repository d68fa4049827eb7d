"""What `LinnworksWriter.write` answers: one result per input SKU, the diff, and call counts."""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # missing in Linnworks and the profile does not create products
    REFUSED = "refused"


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


@dataclass
class ItemResult(FirstRefusal):
    sku: str
    status: Status
    stock_item_id: str | None = None
    refusals: list[Refusal] = field(default_factory=list)


@dataclass
class WriteReport:
    """In dry runs the statuses say what a real run would do; `diff` is the same either way."""

    results: list[ItemResult]
    diff: list[DiffRow]
    dry_run: bool
    calls: Counter = field(default_factory=Counter)  # calls the writer made, by method
    units: Counter = field(default_factory=Counter)  # rows / items / fields each method had to write
    categories_created: list[str] = field(default_factory=list)  # in a dry run: would be created

    def counts(self) -> dict[str, int]:
        tally = Counter(result.status.value for result in self.results)
        return {status.value: tally.get(status.value, 0) for status in Status}

    @property
    def refused(self) -> list[ItemResult]:
        return [result for result in self.results if result.status is Status.REFUSED]


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
