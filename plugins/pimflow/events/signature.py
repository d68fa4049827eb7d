"""Akeneo Event Platform signatures: the hex HMAC-SHA256 of the raw request body, keyed with the
subscription's secrets (`config.secret.primary`, and `secondary` while rotating), sent in
`X-AKENEO-SIGNATURE-PRIMARY` / `X-AKENEO-SIGNATURE-SECONDARY`, `X-AKENEO-SIGNATURE-ALGORITHM`
being `HmacSHA256` (api.akeneo.com/event-platform/concepts.html, "HMAC signature for webhook
payloads"). Nothing else is signed: no header, no timestamp; freshness comes from the events' own
`time` (see `envelope.py`).
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Iterable, Mapping

ALGORITHM = "HmacSHA256"
SIGNATURE_HEADERS = ("x-akeneo-signature-primary", "x-akeneo-signature-secondary")
ALGORITHM_HEADER = "x-akeneo-signature-algorithm"


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verified(body: bytes, headers: Mapping[str, str], secrets: Iterable[str]) -> bool:
    """True when one of the delivery's signatures is the body's HMAC under one of our secrets, so
    either side may be mid-rotation. Constant-time comparisons; an algorithm other than HmacSHA256
    (when the header is there) never verifies."""
    algorithm = headers.get(ALGORITHM_HEADER)
    if algorithm is not None and algorithm.strip().lower() != ALGORITHM.lower():
        return False
    given = [headers.get(name, "").strip().lower() for name in SIGNATURE_HEADERS]
    given = [signature for signature in given if signature]
    if not given:
        return False
    matched = False
    for secret in secrets:
        expected = sign(secret, body)
        for signature in given:
            matched |= hmac.compare_digest(expected, signature)
    return matched
