"""The one error hierarchy of the Linnworks client.

Messages carry what a person needs to act (method, status, Linnworks' own message) and never a
secret: every API message passes through `httpkit.redaction.redact` with the connection's secrets first.
"""
from __future__ import annotations


class LinnworksError(Exception):
    """Base of everything the Linnworks client raises."""


class LinnworksConfigError(LinnworksError):
    """The connection's settings are missing or invalid."""


class LinnworksAuthError(LinnworksError):
    """AuthorizeByApplication refused the credentials, or a fresh session was refused again."""


class LinnworksQuotaExceeded(LinnworksError):
    """The per-method quota kept answering 429 after waiting: throttling, never a data error."""

    def __init__(self, method: str, waited_seconds: float):
        self.method = method
        self.waited_seconds = waited_seconds
        super().__init__(f"{method}: Linnworks quota still exceeded after waiting {waited_seconds:.0f} s")


class LinnworksServerError(LinnworksError):
    """5xx or a dropped connection that retries did not cure (or that was unsafe to retry)."""

    def __init__(self, method: str, status: int | None, message: str, *, maybe_committed: bool = False):
        self.method = method
        self.status = status
        self.message = message
        # True when the request may have been applied before the failure (lost response).
        self.maybe_committed = maybe_committed
        where = f"HTTP {status}" if status else "no response"
        super().__init__(f"{method}: {where}: {message}")


class LinnworksRequestError(LinnworksError):
    """Linnworks refused the request itself (4xx other than auth and quota): fix the data or call."""

    def __init__(self, method: str, status: int, message: str):
        self.method = method
        self.status = status
        self.message = message
        super().__init__(f"{method}: HTTP {status}: {message}")


def describe(exc: Exception) -> str:
    """Linnworks' message for a refusal (the method is reported beside it)."""
    if isinstance(exc, LinnworksServerError):
        return f"{f'HTTP {exc.status}' if exc.status else 'no response'}: {exc.message}"
    return getattr(exc, "message", None) or str(exc)


def is_transient(exc: BaseException) -> bool:
    """A failure that says nothing about the data: a 5xx or a lost answer, or a quota still exhausted."""
    return isinstance(exc, (LinnworksServerError, LinnworksQuotaExceeded))
