"""A Linnworks connection's settings, read once and validated (`LinnworksSettings.from_connection`)."""
from __future__ import annotations

import json
import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from httpkit.settings import build_settings, settings_from_connection
from linnworks.api.endpoints import ENDPOINTS
from linnworks.api.errors import LinnworksConfigError
from linnworks.connection import (
    DEFAULT_AUTH_HOST,
    DEFAULT_QUOTA_WINDOW_SECONDS,
    DEFAULT_SESSION_IDLE_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
)


class LinnworksSettings(BaseModel):
    """Credentials (login = application id, password = secret, extra = token) and tuning."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    application_id: str = Field(min_length=1)
    application_secret: SecretStr
    installation_token: SecretStr
    auth_host: str = DEFAULT_AUTH_HOST
    timeout: float = Field(DEFAULT_TIMEOUT_SECONDS, gt=0)
    quota_overrides: dict[str, int] = Field(default_factory=dict)
    quota_share: float = Field(1.0, gt=0, le=1)
    quota_window_seconds: float = Field(DEFAULT_QUOTA_WINDOW_SECONDS, gt=0)
    session_idle_seconds: float = Field(DEFAULT_SESSION_IDLE_SECONDS, gt=0)
    max_retries: int = Field(5, ge=0, le=10)
    backoff_seconds: float = Field(1.0, ge=0)  # first backoff; doubles per retry, capped at 30 s
    concurrency: int = Field(4, ge=1, le=16)

    @field_validator("application_secret", "installation_token")
    @classmethod
    def _not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("auth_host")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// for a local sandbox)")
        return value

    @field_validator("quota_overrides", mode="before")
    @classmethod
    def _known_methods(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = json.loads(value) if value.strip() else {}
        if value is None:
            return {}
        unknown = sorted(set(value) - set(ENDPOINTS))
        if unknown:
            raise ValueError(f"unknown methods {unknown}; use 'Controller/Method' names")
        if any(int(limit) < 1 for limit in value.values()):
            raise ValueError("limits must be at least 1 call per window")
        return value

    def calls_per_window(self, path: str) -> int:
        """This connection's share of `path`'s quota per window (documented unless overridden)."""
        limit = self.quota_overrides.get(path, ENDPOINTS[path].per_minute)
        return max(1, math.floor(limit * self.quota_share))

    def secrets(self) -> tuple[str, ...]:
        return (self.application_secret.get_secret_value(), self.installation_token.get_secret_value())

    @classmethod
    def from_connection(cls, conn: Any) -> "LinnworksSettings":
        """Build from an Airflow Connection (or anything with login, password and extra_dejson):
        login = application id, password = application secret, the rest from the extras."""
        return settings_from_connection(cls, conn, conn_type="linnworks", service="Linnworks",
                                        error=LinnworksConfigError, standard={
                                            "application_id": getattr(conn, "login", None) or "",
                                            "application_secret": getattr(conn, "password", None) or "",
                                        })

    @classmethod
    def build(cls, **fields: Any) -> "LinnworksSettings":
        """Validate, raising `LinnworksConfigError` that names the fields but never their values."""
        return build_settings(cls, fields, error=LinnworksConfigError, service="Linnworks")
