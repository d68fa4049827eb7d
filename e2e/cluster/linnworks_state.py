"""What the Linnworks sandbox holds after a run, read over HTTP: the item list and count through
Linnworks' own API (what a person would check in their account), and each item's rows through the
sandbox's control API, without the fields that depend on when or by which worker it was written."""
from __future__ import annotations

import requests

from pimflowdev.sandboxes import LINNWORKS_CREDENTIALS

# Set by the sandbox at write time: creation dates, the integer id that follows creation order.
VOLATILE_FIELDS = {"CreationDate", "StockItemIntId", "LastUpdateDate"}


class LinnworksAccount:
    def __init__(self, sandboxes):
        self.auth_url = sandboxes.linnworks_auth_url
        self.control_url = f"{sandboxes.linnworks_data_url}/_sandbox"
        self._session: tuple[str, str] | None = None

    # -- the sandbox's controls -----------------------------------------------------------------------
    def reset(self, latency_ms: float = 0) -> None:
        """An empty account (channels and locations only), no latency, zeroed call counters."""
        requests.post(f"{self.control_url}/seed", json={"items": 0, "seed": 42}, timeout=30).raise_for_status()
        self.settings(latency_ms=latency_ms)
        requests.post(f"{self.control_url}/stats/reset", timeout=10).raise_for_status()

    def settings(self, **changes) -> None:
        requests.patch(f"{self.control_url}/settings", json=changes, timeout=10).raise_for_status()

    def status_codes(self) -> dict[str, int]:
        """How the data host answered since the last reset, by HTTP status."""
        return requests.get(f"{self.control_url}/stats", timeout=10).json()["status_codes"]

    # -- through Linnworks' API -------------------------------------------------------------------------
    def _call(self, method: str, body: dict) -> requests.Response:
        if self._session is None:
            answer = requests.post(f"{self.auth_url}/api/Auth/AuthorizeByApplication", json={
                "ApplicationId": LINNWORKS_CREDENTIALS["application_id"],
                "ApplicationSecret": LINNWORKS_CREDENTIALS["application_secret"],
                "Token": LINNWORKS_CREDENTIALS["installation_token"]}, timeout=30)
            answer.raise_for_status()
            self._session = (answer.json()["Token"], answer.json()["Server"])
        token, server = self._session
        return requests.post(f"{server}/api/{method}", json=body, headers={"Authorization": token}, timeout=60)

    def item_count(self) -> int:
        """Every item the account holds, deleted and archived ones included."""
        answer = self._call("Inventory/GetInventoryItemsCount", {"includeDeleted": True, "includeArchived": True})
        answer.raise_for_status()
        return int(answer.json())

    def skus(self) -> list[str]:
        """The SKU of every live item, once per item (a duplicate would show twice)."""
        skus, page = [], 1
        while True:
            answer = self._call("Stock/GetStockItemsFull", {
                "keyword": "", "loadCompositeParents": True, "loadVariationParents": True,
                "entriesPerPage": 200, "pageNumber": page, "dataRequirements": [], "searchTypes": []})
            if answer.status_code == 400 and "No items found" in answer.text:  # past the last page
                return skus
            answer.raise_for_status()
            skus += [item["ItemNumber"] for item in answer.json()]
            page += 1

    # -- item by item ---------------------------------------------------------------------------------
    def item(self, sku: str) -> dict:
        answer = requests.get(f"{self.control_url}/items/{sku}", timeout=10)
        answer.raise_for_status()
        return comparable(answer.json())

    def image_count(self, sku: str) -> int:
        """Images the item holds now (0 when it does not exist yet)."""
        answer = requests.get(f"{self.control_url}/items/{sku}", timeout=10)
        if answer.status_code == 404:
            return 0
        answer.raise_for_status()
        return len(answer.json()["images"])

    def snapshot(self) -> dict[str, dict]:
        """sku → comparable item state, for every live item."""
        return {sku: self.item(sku) for sku in sorted(self.skus())}


def comparable(state: dict) -> dict:
    """An item's stored state without what differs between two equal syncs: dates, creation-order
    ids, the ids Linnworks gives uploaded images (the images are compared by checksum, main flag
    and order instead, so a duplicated image still shows)."""
    def clean(row: dict) -> dict:
        return {key: value for key, value in row.items() if key not in VOLATILE_FIELDS}

    def rows(name: str) -> list[dict]:
        return sorted((clean(row) for row in state[name]), key=lambda row: row["pkRowId"])

    properties = rows("extended_properties")  # pimflow keeps no property of its own (its image ledger is in staging)
    return {
        "status": state["status"],
        "item": clean(state["item"]),
        "prices": rows("prices"), "titles": rows("titles"), "descriptions": rows("descriptions"),
        "extended_properties": properties,
        "images": [(image["ChecksumValue"], image["IsMain"], image["SortOrder"]) for image in state["images"]],
        "stock_levels": [clean(level) for level in state["stock_levels"]],
    }


def differences(actual: dict[str, dict], expected: dict[str, dict], limit: int = 10) -> list[str]:
    """Readable differences between two snapshots: which SKU, which part, what each holds."""
    found = []
    for sku in sorted(set(actual) | set(expected)):
        if sku not in actual or sku not in expected:
            found.append(f"{sku}: {'missing' if sku not in actual else 'not expected'}")
            continue
        for part in expected[sku]:
            if actual[sku][part] != expected[sku][part]:
                found.append(f"{sku} {part}: {actual[sku][part]!r} != expected {expected[sku][part]!r}")
    return found[:limit] + ([f"... {len(found) - limit} more"] if len(found) > limit else [])
