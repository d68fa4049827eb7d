"""Switches of the Linnworks sandbox: latency, quotas, session lifetime, injected faults, credentials."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_APPLICATION_ID = "6f1a0c3e-0000-4000-8000-000000000001"
DEFAULT_APPLICATION_SECRET = "6f1a0c3e-0000-4000-8000-000000000002"
DEFAULT_INSTALLATION_TOKEN = "6f1a0c3e-0000-4000-8000-000000000003"


class FailNext(BaseModel):
    """Make the next call of `method` answer `status`; with `after_commit` its effect is applied first.

    With `skus`, only a call naming one of these items (by SKU or StockItemId, anywhere in its
    parameters) fails; `times` is how many calls fail before the fault is used up (a client's
    retries of an idempotent update meet it again)."""

    model_config = ConfigDict(extra="forbid")

    method: str = Field(description='"Controller/Method", e.g. "Inventory/AddInventoryItemBulk"')
    status: int = Field(default=500, ge=400, le=599)
    after_commit: bool = False
    skus: list[str] | None = None
    times: int = Field(default=1, ge=1)


class ArchiveDuringRead(BaseModel):
    """Once page `after_page` of a paged listing has been answered, archive `items` live items, as
    someone working in Linnworks meanwhile would (they leave every listing, later pages shift left).

    The items archived are `skus` when given, else the first `items` the same listing shows, which
    the read has already been served: the rows that slide over the page boundary are then never
    listed to a reader that goes on by page number. Fires once, then is removed.
    """

    model_config = ConfigDict(extra="forbid")

    method: Literal["Stock/GetStockItemsFull", "Stock/GetStockItems"] = "Stock/GetStockItemsFull"
    after_page: int = Field(default=1, ge=1)
    items: int = Field(default=5, ge=1)
    skus: list[str] = Field(default_factory=list)


class SandboxSettings(BaseModel):
    """Everything a test or a benchmark may change at run time (PATCH /_sandbox/settings)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    latency_ms: float = Field(default=0, ge=0)
    quota_window_seconds: float = Field(default=60, gt=0)
    quotas_enabled: bool = True
    retry_after_header: bool = True
    # Overrides of the per-method limit ("Inventory/GetStockItemIdsBySKU": 5), for cheap 429 tests.
    quota_overrides: dict[str, int] = Field(default_factory=dict)
    session_idle_seconds: float = Field(default=1200, gt=0)
    error_rate_5xx: float = Field(default=0, ge=0, le=1)
    # Share of writes applied and then answered 500 (the answer lost on the way back, as a timeout
    # or a dropped connection would lose it): the client cannot tell it from a 5xx that applied nothing.
    lost_answer_rate: float = Field(default=0, ge=0, le=1)
    # Which calls `error_rate_5xx` hits: every call, or only the writes (`lost_answer_rate` hits writes only).
    faults_on: Literal["all", "writes"] = "all"
    fault_seed: int | None = None
    fail_next: list[FailNext] = Field(default_factory=list)
    # Items archived while a paged listing is being read (one-shot each), see ArchiveDuringRead.
    archive_during_read: list[ArchiveDuringRead] = Field(default_factory=list)
    # Status for a second live item with the same SKU; Linnworks' own answer is undocumented.
    duplicate_sku_status: int = Field(default=400, ge=400, le=599)
    application_id: str = DEFAULT_APPLICATION_ID
    application_secret: str = DEFAULT_APPLICATION_SECRET
    installation_token: str = DEFAULT_INSTALLATION_TOKEN

    def apply(self, changes: dict) -> None:
        """Validate `changes` as a whole, then assign them (a bad value changes nothing)."""
        merged = self.model_validate({**self.model_dump(), **changes})
        for name in changes:
            object.__setattr__(self, name, getattr(merged, name))
