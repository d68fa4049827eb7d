"""SKU -> StockItemId for many SKUs at once, as the writers need it: 200 a call, a lane of its own."""
from __future__ import annotations

import threading

from linnworks.api.batching import chunked
from linnworks.api.client import LinnworksClient
from linnworks.api.endpoints import SKU_LOOKUP_BATCH
from linnworks.common.lanes import DATA_ERRORS, run_lanes
from linnworks.common.report import Tally

LOOKUP = "Inventory/GetStockItemIdsBySKU"


def lookup_ids(client: LinnworksClient, skus: list[str], tally: Tally, workers: int) -> tuple[dict[str, str], set[str]]:
    """SKU (as asked) -> StockItemId for the SKUs in Linnworks, and the SKUs no answer covered
    (their batch was refused: they are refused in `tally` too)."""
    found: dict[str, str] = {}
    unchecked: set[str] = set()
    lock = threading.Lock()

    def lookup(batch: list[str]) -> None:
        tally.called(LOOKUP)
        try:
            answer = client.find_stock_item_ids(batch)
        except DATA_ERRORS as exc:
            tally.refuse_error(batch, LOOKUP, exc)
            with lock:
                unchecked.update(batch)
            return
        with lock:
            found.update(answer)

    run_lanes({LOOKUP: [lambda batch=batch: lookup(batch) for batch in chunked(skus, SKU_LOOKUP_BATCH)]}, workers)
    return found, unchecked
