"""The sandbox's switches (latency, faults, token lifetimes, links) and its credentials."""
from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

# Switches exposed by GET/PATCH /_sandbox/settings; credentials are only set at start-up.
SWITCHES = (
    "latency_ms",
    "rate_limit_per_second",
    "max_concurrency",
    "retry_after_header",
    "error_rate_5xx",
    "drop_rate",
    "access_token_lifetime",
    "refresh_token_lifetime",
    "fault_seed",
    "link_base_url",
    "drop_search_locale_in_next",
)


class SandboxSettings(BaseModel):
    """Everything that makes the sandbox misbehave on purpose, plus the accepted credentials."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    latency_ms: float = Field(0.0, ge=0, description="Added to every /api call (asyncio.sleep).")
    rate_limit_per_second: float = Field(0.0, ge=0, description="0 = off; above it calls get 429.")
    max_concurrency: int = Field(0, ge=0, description="0 = off; more calls in flight get 429.")
    retry_after_header: bool = Field(True, description="False = 429 without Retry-After, like a proxy.")
    error_rate_5xx: float = Field(0.0, ge=0, le=1, description="Share of calls answered 500/502/503.")
    drop_rate: float = Field(0.0, ge=0, le=1, description="Share of calls whose connection is closed unanswered.")
    access_token_lifetime: float = Field(3600.0, gt=0, description="Seconds.")
    refresh_token_lifetime: float = Field(1_209_600.0, gt=0, description="Seconds (14 days like Akeneo).")
    fault_seed: int = Field(0, description="Seed of the random draws behind 5xx and drops.")
    link_base_url: Optional[str] = Field(
        None, description="None = links use the request's base URL; a value simulates a rewriting proxy.")
    drop_search_locale_in_next: bool = Field(
        False, description="Reproduce Akeneo dropping search_locale from search_after next links.")

    client_id: str = "pimflow"
    secret: str = Field("pimflow-secret", repr=False)
    username: str = "admin"
    password: str = Field("admin", repr=False)

    def switches(self) -> dict:
        """The switches only (never the secret or the password)."""
        return self.model_dump(include=set(SWITCHES))
