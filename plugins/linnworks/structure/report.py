"""What `StructureWriter.write` answers: one result per parent SKU, the diff, and call counts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from linnworks.common.report import DiffRow, FirstRefusal, Refusal


class StructureStatus(StrEnum):
    WRITTEN = "written"  # something was created, changed or removed (in a dry run: would be)
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # nothing desired and nothing there (an empty kit for a SKU Linnworks lacks)
    REFUSED = "refused"


class Membership(StrEnum):
    """What became of one listed variation or component (in a dry run: would)."""

    KEPT = "kept"  # already there as listed
    JOINED = "joined"  # added to the group, or a composition row created
    UPDATED = "updated"  # a composition row's quantity changed
    MISSING = "missing"  # not in Linnworks: could not join (the rest of the structure is written)
    REFUSED = "refused"  # the write that would have joined it was refused (see the result's refusals)


class StructureKind(StrEnum):
    VARIATION_GROUP = "variation_group"
    COMPOSITION = "composition"


@dataclass
class StructureResult(FirstRefusal):
    parent_sku: str
    kind: StructureKind
    status: StructureStatus
    stock_item_id: str | None = None  # the parent's; for a group also the group's id (pkVariationItemId)
    refusals: list[Refusal] = field(default_factory=list)
    created_components: tuple[str, ...] = ()  # component SKUs created first (in a dry run: would be)
    diff: list[DiffRow] = field(default_factory=list)  # this parent's changes (written or, dry run, planned)
    members: dict[str, Membership] = field(default_factory=dict)  # listed variation / component SKU -> its fate

    @property
    def sku(self) -> str:
        """The parent SKU (the name ItemResult uses)."""
        return self.parent_sku


@dataclass
class StructureReport:
    results: list[StructureResult]
    dry_run: bool
    calls: Counter = field(default_factory=Counter)  # calls the writer made, by method
    units: Counter = field(default_factory=Counter)  # groups / rows / items each write method had

    @property
    def diff(self) -> list[DiffRow]:
        return [row for result in self.results for row in result.diff]

    def counts(self) -> dict[str, int]:
        tally = Counter(result.status.value for result in self.results)
        return {status.value: tally.get(status.value, 0) for status in StructureStatus}

    @property
    def refused(self) -> list[StructureResult]:
        return [result for result in self.results if result.status is StructureStatus.REFUSED]
