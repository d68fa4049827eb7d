"""How much stock a channel may list: Linnworks' channel listing rules, applied per channel.

Order (as Linnworks channels apply them): nothing is listed at or below the end-when quantity or
when stock is negative; otherwise the quantity is capped at the maximum, then the percentage is
taken, rounding down.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal


@dataclass(frozen=True)
class ListingRule:
    max_quantity: int | None = None
    max_percent: Decimal | None = None
    end_when: int | None = None


def listable_quantity(stock: int, rule: ListingRule | None = None) -> int:
    """The quantity a channel may list for `stock` units (available or on hand, per the profile)."""
    rule = rule or ListingRule()
    if stock <= 0 or (rule.end_when is not None and stock <= rule.end_when):
        return 0
    quantity = stock if rule.max_quantity is None else min(stock, max(rule.max_quantity, 0))
    if rule.max_percent is not None:
        share = Decimal(quantity) * Decimal(rule.max_percent) / 100
        quantity = int(share.to_integral_value(rounding=ROUND_FLOOR))
    return max(quantity, 0)
