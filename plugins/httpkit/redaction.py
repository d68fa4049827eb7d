"""`redact`: take secrets out of text before it reaches an error, a log or a feedback file.

Two kinds go: the connection's known secrets (wherever they appear, e.g. echoed back in an API
message), and values that look like credentials whatever they are (`token=...` in a URL,
`"access_token": "..."` in a body, `Authorization: Bearer ...`), which covers tokens the
client has not been told about.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "***"

# Shorter secrets are left alone: masking "abc" everywhere would shred ordinary words.
MIN_SECRET_LENGTH = 4

_CREDENTIAL_KEYS = r"(?:access_token|refresh_token|id_token|token|password|client_secret|secret|api_key|apikey)"
_PATTERNS = (
    # query strings and form bodies: ?token=abc&...  password=abc
    (re.compile(rf"(?i)([?&;\s]{_CREDENTIAL_KEYS}=)[^&\s\"'#;]+"), rf"\1{REDACTED}"),
    (re.compile(rf"(?i)(^{_CREDENTIAL_KEYS}=)[^&\s\"'#;]+"), rf"\1{REDACTED}"),
    # JSON and Python reprs: "access_token": "abc"   'password': 'abc'
    (re.compile(rf"(?i)([\"']{_CREDENTIAL_KEYS}[\"']\s*:\s*)([\"'])[^\"']*\2"), rf"\1\2{REDACTED}\2"),
    # Authorization headers: Bearer abc / Basic abc
    (re.compile(r"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {REDACTED}"),
)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` without the given `secrets` and without credential-looking values."""
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Redacts credential-looking values from a logger's records (urllib3 logs every request
    line at DEBUG, and some APIs take the token in the query string)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def redact_logger(name: str) -> None:
    """Put one `RedactingFilter` on the logger `name` (a second call adds nothing)."""
    logger = logging.getLogger(name)
    if not any(isinstance(existing, RedactingFilter) for existing in logger.filters):
        logger.addFilter(RedactingFilter())
