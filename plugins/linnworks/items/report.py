"""What `LinnworksWriter.write` answers: one result per input SKU, the diff, and call counts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from linnworks.common.report import DiffRow, FirstRefusal, Refusal


class Status(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # missing in Linnworks and the profile does not create products
    REFUSED = "refused"


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
