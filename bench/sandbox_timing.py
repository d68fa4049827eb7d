"""Wall-clock claims about the sandboxes and the Linnworks client's quota pacing, measured for real.

`make test` asserts no duration (shared machines are noisy; its tests use fake clocks). What used
to be a timing assertion there is a row here, with the bound the test used as its target:

    .venv/bin/python -m bench.sandbox_timing [--items 10000]

Rows: the Linnworks sandbox at 10,000 items (seed, batch reads, bulk add and paging), each
sandbox's latency switch (and that concurrent calls overlap in it), and the client waiting out
real quota windows (its own pacing, and a 429 from a quota it did not know). Exit status 1 when
a row misses its target.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from linnworks.api.client import LinnworksClient
from linnworks.api.quota import QuotaBook
from linnworks.api.settings import LinnworksSettings
from sandbox.akeneo.app import create_app
from sandbox.akeneo.catalog import generate_catalog
from sandbox.common.server import start_server
from sandbox.linnworks import SandboxSettings, SandboxState, serve


@dataclass
class Row:
    name: str
    seconds: float
    low: float | None  # target: low <= seconds < high
    high: float | None

    @property
    def ok(self) -> bool:
        return (self.low is None or self.seconds >= self.low) and (self.high is None or self.seconds < self.high)

    @property
    def target(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g} to {self.high:g} s"
        return f">= {self.low:g} s" if self.low is not None else f"< {self.high:g} s"


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


class _Linnworks:
    """Raw HTTP on a Linnworks sandbox (the tests' helper, without pytest)."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.http = httpx.Client(timeout=60)
        s = sandbox.settings
        answer = self.http.post(f"{sandbox.auth_url}/api/Auth/AuthorizeByApplication", json={
            "ApplicationId": s.application_id, "ApplicationSecret": s.application_secret,
            "Token": s.installation_token})
        answer.raise_for_status()
        self.token = answer.json()["Token"]

    def call(self, method: str, verb: str = "POST", **kwargs) -> httpx.Response:
        return self.http.request(verb, f"{self.sandbox.data_url}/api/{method}",
                                 headers={"Authorization": self.token}, **kwargs)

    def ok(self, method: str, verb: str = "POST", **kwargs):
        answer = self.call(method, verb, **kwargs)
        if answer.status_code not in (200, 204):
            raise RuntimeError(f"{method}: {answer.status_code} {answer.text[:200]}")
        return answer.json() if answer.content else None

    def control(self, verb: str, path: str, **kwargs) -> httpx.Response:
        answer = self.http.request(verb, f"{self.sandbox.data_url}/_sandbox/{path}", **kwargs)
        answer.raise_for_status()
        return answer


def linnworks_scale_rows(items: int) -> list[Row]:
    rows = []
    with serve(SandboxState(items=20), SandboxSettings(quotas_enabled=False)) as sandbox:
        lw = _Linnworks(sandbox)
        seconds, _ = timed(lambda: lw.control("POST", "seed", json={"items": items, "seed": 3}))
        rows.append(Row(f"linnworks sandbox: seed {items:,} items", seconds, None, 5))

        skus = [f"SKU-{n:06d}" for n in range(items - 199, items + 1)]

        def batch_reads():
            for _ in range(10):
                found = lw.ok("Inventory/GetStockItemIdsBySKU", json={"request": {"SKUS": skus}})["Items"]
                full = lw.ok("Stock/GetStockItemsFullByIds", json={"request": {
                    "StockItemIds": [row["StockItemId"] for row in found],
                    "DataRequirements": ["StockLevels", "ChannelPrice", "ChannelTitle"]}})
                assert len(full["StockItemsFullExtended"]) == 200
        seconds, _ = timed(batch_reads)
        rows.append(Row(f"linnworks sandbox: 20 batch calls of 200 over {items:,} items", seconds, None, 6))

        def add_and_page():
            for batch in range(10):
                new = [{"ItemNumber": f"NEW-{batch}-{n}", "ItemTitle": "x"} for n in range(200)]
                lw.ok("Inventory/AddInventoryItemBulk", json={"request": {"InventoryItems": new}})
            seen, page = 0, 1
            while True:
                answer = lw.call("Stock/GetStockItemsFull", json={"entriesPerPage": 200, "pageNumber": page})
                if answer.status_code == 400:
                    return seen
                seen += len(answer.json())
                page += 1
        seconds, seen = timed(add_and_page)
        assert seen == items + 2000, seen
        rows.append(Row(f"linnworks sandbox: bulk add 2,000 then page {items + 2000:,}", seconds, None, 15))
        lw.http.close()
    return rows


def latency_rows() -> list[Row]:
    rows = []
    app = create_app(generate_catalog(20, 42))
    with start_server(app) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        token = http.post("/api/oauth/v1/token", auth=("pimflow", "pimflow-secret"), json={
            "grant_type": "password", "username": "admin", "password": "admin"}).json()["access_token"]
        http.patch("/_sandbox/settings", json={"latency_ms": 300}).raise_for_status()
        headers = {"Authorization": f"Bearer {token}"}

        def call(_):
            with httpx.Client(base_url=server.url, timeout=10, headers=headers) as client:
                return client.get("/api/rest/v1/channels").status_code
        with ThreadPoolExecutor(4) as pool:
            seconds, statuses = timed(lambda: list(pool.map(call, range(4))))
        assert statuses == [200] * 4, statuses
        rows.append(Row("akeneo sandbox: 4 concurrent calls at latency 300 ms", seconds, 0.3, 0.9))
    with serve(SandboxState(items=5), SandboxSettings(latency_ms=150)) as sandbox:
        lw = _Linnworks(sandbox)
        seconds, _ = timed(lambda: lw.ok("Inventory/GetChannels", "GET"))
        rows.append(Row("linnworks sandbox: 1 call at latency 150 ms", seconds, 0.15, 1.0))
        lw.http.close()
    return rows


def _client(sandbox, window: float, **overrides) -> LinnworksClient:
    s = sandbox.settings
    settings = LinnworksSettings.build(
        application_id=s.application_id, application_secret=s.application_secret,
        installation_token=s.installation_token, auth_host=sandbox.auth_url, quota_window_seconds=window,
        backoff_seconds=0.05, timeout=10, **overrides)
    return LinnworksClient(settings, quotas=QuotaBook(settings))


def quota_rows() -> list[Row]:
    rows = []
    with serve(SandboxState(items=10), SandboxSettings(quota_window_seconds=0.5)) as sandbox:
        with _client(sandbox, 0.5, concurrency=4) as lw:
            lw.get_stock_locations()  # authorize outside the timing
            with ThreadPoolExecutor(max_workers=4) as pool:
                seconds, _ = timed(lambda: list(pool.map(lambda _: lw.get_stock_locations(), range(319))))
        refused = sandbox.state.stats.snapshot()["status_codes"].get("429", 0)
        assert refused == 0, f"{refused} answers 429"
        # Calls 151 and 301 each wait for a new window: two windows at least.
        rows.append(Row("client paces 320 calls at 150 per 0.5 s window", seconds, 2 * 0.5, None))
    sandbox_settings = SandboxSettings(quota_window_seconds=1.0,
                                       quota_overrides={"Inventory/GetStockItemIdsBySKU": 5})
    with serve(SandboxState(items=10), sandbox_settings) as sandbox:
        with _client(sandbox, 1.0) as lw:
            lw.find_stock_item_ids(["SKU-000001"])
            seconds, _ = timed(lambda: [lw.find_stock_item_ids(["SKU-000001"]) for _ in range(7)])
        rows.append(Row("client waits out a 429 (5 per 1 s window it did not know)", seconds, 0.9, None))
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sandbox_timing", description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args(argv)
    rows = linnworks_scale_rows(args.items) + latency_rows() + quota_rows()
    width = max(len(row.name) for row in rows)
    print(f"{'measurement':<{width}}  {'seconds':>8}  {'target':<12}  ok")
    for row in rows:
        print(f"{row.name:<{width}}  {row.seconds:>8.2f}  {row.target:<12}  {'yes' if row.ok else 'NO'}", flush=True)
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
