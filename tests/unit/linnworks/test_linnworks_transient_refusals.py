"""A refusal says whether it is the data's fault: a 5xx, a lost answer or an exhausted quota is
transient (worth another try), a 4xx is not; the ledger result of the record says the same."""
from __future__ import annotations

import pytest

from linnworks.api.errors import LinnworksQuotaExceeded, LinnworksRequestError, LinnworksServerError
from linnworks.common.report import Tally
from linnworks.items.report import ItemResult, Status
from pimflow.kinds.linnworks import _result
from pimflow.ledger import Status as LedgerStatus


@pytest.mark.parametrize("error, transient, message", [
    (LinnworksServerError("Inventory/AddInventoryItemBulk", 503, "Service Unavailable"), True,
     "HTTP 503: Service Unavailable"),
    (LinnworksServerError("Inventory/AddInventoryItemBulk", None, "read timed out", maybe_committed=True), True,
     "no response: read timed out"),
    (LinnworksQuotaExceeded("Inventory/AddInventoryItemBulk", 61), True,
     "Inventory/AddInventoryItemBulk: Linnworks quota still exceeded after waiting 61 s"),
    (LinnworksRequestError("Inventory/AddInventoryItemBulk", 400, "SKU is too long"), False, "SKU is too long"),
])
def test_a_refused_write_records_whether_it_was_transient(error, transient, message):
    tally = Tally()
    tally.refuse_error(["A-1", "A-2"], "Inventory/AddInventoryItemBulk", error, {"A-1": {"SKU": "A-1"}})
    refusal = tally.refusals["A-1"][0]
    assert (refusal.message, refusal.transient, refusal.sent) == (message, transient, {"SKU": "A-1"})
    result = _result(4, ItemResult("A-1", Status.REFUSED, refusals=tally.refusals["A-1"]), dry_run=False)
    assert (result.n, result.status, result.code, result.transient) == (
        4, LedgerStatus.REFUSED, "Inventory/AddInventoryItemBulk", transient)
    assert result.message.startswith(message) and '(sent: {"SKU": "A-1"})' in result.message


def test_a_written_item_carries_its_stock_item_id_as_the_target_id_and_a_dry_run_says_would():
    item = ItemResult("A-1", Status.CREATED, stock_item_id="0f3a1c52-7d0e-4b7c-9e51-3b1f0e0c6a11")
    written = _result(0, item, dry_run=False)
    assert (written.status, written.target_id, written.code) == (
        LedgerStatus.CREATED, "0f3a1c52-7d0e-4b7c-9e51-3b1f0e0c6a11", "")
    planned = _result(0, item, dry_run=True)
    assert (planned.status, planned.message) == (LedgerStatus.WOULD_WRITE, "not sent (dry run): would create")
