"""Channel listing rules: cap first, then the percentage (rounding down); end-when and negatives list 0."""
from __future__ import annotations

from decimal import Decimal

import pytest

from pimflow.listing import ListingRule, listable_quantity


@pytest.mark.parametrize("stock, rule, expected", [
    (20, ListingRule(max_quantity=10), 10),
    (20, ListingRule(max_percent=Decimal(50)), 10),
    (20, ListingRule(max_quantity=10, max_percent=Decimal(50)), 5),
    (20, None, 20),                                   # no rule lists everything
    (20, ListingRule(max_percent=Decimal(0)), 0),
    (20, ListingRule(max_percent=Decimal(100)), 20),
    (7, ListingRule(max_percent=Decimal(50)), 3),      # 3.5 rounds down
    (3, ListingRule(max_percent=Decimal("33.3")), 0),  # 0.999 rounds down
    (10, ListingRule(max_percent=Decimal("29")), 2),   # no float error (2.9 → 2)
    (-3, None, 0),                                     # negative availability lists 0
    (0, ListingRule(max_quantity=10), 0),
    (5, ListingRule(end_when=5), 0),                   # at the end-when quantity
    (4, ListingRule(end_when=5), 0),                   # below it
    (6, ListingRule(end_when=5, max_quantity=2), 2),   # above it, the other rules apply
    (5, ListingRule(max_quantity=10), 5),              # a cap above the stock changes nothing
])
def test_listable_quantity(stock, rule, expected):
    assert listable_quantity(stock, rule) == expected
