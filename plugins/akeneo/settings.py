"""`AkeneoConnectionSettings`: everything the client needs, read from an Airflow connection in one
place (host, login, password and the extras, with or without the `extra__akeneo__` prefix)."""
from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from akeneo.errors import AkeneoConfigError
from httpkit.settings import build_settings, settings_from_connection


class AkeneoConnectionSettings(BaseModel):
    """Validated settings of one Akeneo connection; secrets are `SecretStr` (never printed)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    base_url: str = Field(description="Scheme and host of the PIM, e.g. https://pim.example.com")
    username: str = Field(min_length=1)
    password: SecretStr
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    product_id_format: Literal["uuid", "identifier"] = "uuid"
    throttle_requests: int = Field(100, ge=0, description="Requests per window; 0 turns it off")
    throttle_window_seconds: float = Field(1.0, gt=0)
    max_concurrent_requests: int = Field(4, ge=1, le=64)
    timeout_seconds: float = Field(30.0, gt=0)
    verify_tls: bool = True
    max_retries: int = Field(8, ge=0, le=20)
    retry_base_delay: float = Field(0.5, ge=0)
    retry_max_delay: float = Field(30.0, ge=0)
    max_retry_after: float = Field(120.0, ge=0, description="Cap on a server's Retry-After")
    token_refresh_margin: float = Field(60.0, ge=0)
    server_timezone: str = Field("UTC", description="Time zone Akeneo reads date filters in")

    @field_validator("base_url")
    @classmethod
    def _normalise_base_url(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("the base URL (connection host) is empty")
        if "://" not in value:
            value = "https://" + value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the base URL must look like https://pim.example.com")
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))

    @field_validator("server_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def secrets(self) -> tuple[str, str]:
        """The secret strings to scrub from any message."""
        return self.password.get_secret_value(), self.client_secret.get_secret_value()

    @property
    def products_path(self) -> str:
        return "/api/rest/v1/products-uuid" if self.product_id_format == "uuid" else "/api/rest/v1/products"

    @property
    def product_key(self) -> str:
        """The field that identifies a product on the chosen endpoint."""
        return "uuid" if self.product_id_format == "uuid" else "identifier"

    @classmethod
    def build(cls, **values: Any) -> "AkeneoConnectionSettings":
        """Validate `values`, raising `AkeneoConfigError` whose message never shows an input."""
        return build_settings(cls, values, error=AkeneoConfigError, service="Akeneo")

    @classmethod
    def from_connection(cls, conn: Any) -> "AkeneoConnectionSettings":
        """Read an Airflow `Connection` (or anything with host/login/password/port/extra)."""
        base_url = (getattr(conn, "host", None) or "").strip()
        port = getattr(conn, "port", None)
        if base_url and port:
            parts = urlsplit(base_url if "://" in base_url else "https://" + base_url)
            if parts.port is None:
                base_url = urlunsplit((parts.scheme, f"{parts.netloc}:{port}", parts.path, "", ""))
        return settings_from_connection(cls, conn, conn_type="akeneo", service="Akeneo",
                                        error=AkeneoConfigError, standard={
                                            "base_url": base_url,
                                            "username": getattr(conn, "login", None) or "",
                                            "password": getattr(conn, "password", None) or "",
                                        })
