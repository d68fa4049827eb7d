"""The one error hierarchy of the Akeneo client.

Every error carries what a person needs to act (the endpoint, the HTTP status, Akeneo's own
message) and never a secret: messages pass through `httpkit.redaction.redact` with the
connection's secrets.
"""
from __future__ import annotations


class AkeneoError(Exception):
    """Base class: `endpoint` is "METHOD /path", `status` the HTTP status (None without answer)."""

    def __init__(self, message: str, *, endpoint: str | None = None, status: int | None = None,
                 akeneo_message: str | None = None) -> None:
        self.endpoint = endpoint
        self.status = status
        self.akeneo_message = akeneo_message
        self.message = message
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f" ({self.endpoint}" + (f" -> HTTP {self.status}" if self.status else "") + ")" \
            if self.endpoint else ""
        return f"{self.message}{where}"


class AkeneoConfigError(AkeneoError):
    """The connection's settings are missing or invalid."""


class AkeneoConnectionError(AkeneoError):
    """Akeneo could not be reached (refused, timed out, dropped) even after retries."""


class AkeneoAuthError(AkeneoError):
    """Credentials refused (token endpoint) or a token the API keeps rejecting."""


class AkeneoForbiddenError(AkeneoError):
    """403: the API user lacks the permission for this call."""


class AkeneoNotFoundError(AkeneoError):
    """404: the resource (or the endpoint on this PIM version) does not exist."""


class AkeneoRateLimited(AkeneoError):
    """429 still returned after every retry; `retry_after` is the last hint (seconds) if any."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class AkeneoServerError(AkeneoError):
    """5xx (or 408) still returned after every retry."""


class AkeneoRequestTooLarge(AkeneoError):
    """413: too many resources in one call or a line over 1,000,000 characters."""


class AkeneoValidationError(AkeneoError):
    """400/422: Akeneo refused the payload; `errors` holds its per-property details."""

    def __init__(self, message: str, *, errors: list[dict] | None = None, **kwargs) -> None:
        self.errors = list(errors or [])
        super().__init__(message, **kwargs)



class AkeneoAnswerError(AkeneoError):
    """A successful answer whose body is not what the endpoint answers (not JSON, or JSON of
    another shape: a proxy's page, another API version)."""
