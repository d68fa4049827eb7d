"""A run started by Akeneo's events, its steps as plain functions over real HTTP to both sandboxes:
exactly the products the events name reach Linnworks (a named model brings its variants), by UUID
whatever the connection's product_id_format, with no search over `updated`; a product deleted in
Akeneo and one outside the profile's selection are reported, never an error; the incremental state
does not move; the summary says which identifiers the run handled."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from pimflow import steps
from pimflow.events.contract import SOURCE
from pimflow.kinds import RunContext
from pimflow.loader import parse_profile
from pimflow.staging import RunStaging, as_storage_path
from pimflow.window import RunParams
from pimflowdev.event_stack import linnworks_title, rename

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
PROFILE = REPO / "include" / "profiles" / "demo_akeneo_events.yaml"


def akeneo_product(connected, sku: str) -> dict:
    answer = requests.get(f"{connected.akeneo_url}/_sandbox/products/{sku}", timeout=10)
    answer.raise_for_status()
    return answer.json()


def akeneo_calls(connected) -> dict:
    return requests.get(f"{connected.akeneo_url}/_sandbox/stats", timeout=10).json()["requests"]


def run(tmp_path: Path, merged: dict, run_id: str = "asset_triggered__1"):
    profile = parse_profile(PROFILE)
    staging = RunStaging(as_storage_path(tmp_path / "staging"), profile.id, run_id)
    ctx = RunContext(profile, PROFILE.parent, staging, RunParams(), profile.id, run_id, log=logging.getLogger("t"))
    chunks = steps.extract(ctx, None, None, datetime.now(timezone.utc), "asset_triggered", merged)
    loads = [steps.load(ctx, steps.transform(ctx, chunk)) for chunk in chunks]
    return ctx, steps.feedback(ctx, chunks, loads)


def extra(products=(), models=(), deleted=()) -> dict:
    return {"source": SOURCE, "connection": "akeneo_default", "events": [str(uuid.uuid4()) for _ in range(5)],
            "types": {}, "products": list(products), "product_models": list(models),
            "deleted": {"products": list(deleted), "product_models": []},
            "first_time": "2026-03-01T10:00:00Z", "last_time": "2026-03-01T10:00:04Z", "ignored": 0}


def test_an_events_run_syncs_exactly_the_named_products(connected, tmp_path):
    from pimflowdev.event_stack import channel_skus

    readable = set(channel_skus(connected.akeneo_url))  # in the ecommerce tree: the run's scope
    catalog = {f"PF-{n:06d}": akeneo_product(connected, f"PF-{n:06d}") for n in range(1, 41)}
    simple = [sku for sku, p in catalog.items() if not p.get("parent") and sku in readable][:2]
    model = next(p["parent"] for sku, p in catalog.items() if p.get("parent") and sku in readable)
    variants = sorted(sku for sku, p in catalog.items() if p.get("parent") == model and sku in readable)
    untouched = next(sku for sku, p in catalog.items() if sku not in simple and p.get("parent") != model)
    for sku in simple + variants:
        rename(connected.akeneo_url, sku, f"Renamed {sku}")
    gone = catalog[untouched]["uuid"]
    requests.delete(f"{connected.akeneo_url}/_sandbox/products/{untouched}", timeout=10).raise_for_status()
    never = str(uuid.uuid4())  # a UUID Akeneo never had
    requests.post(f"{connected.akeneo_url}/_sandbox/stats/reset", timeout=10).raise_for_status()

    ctx, summary = run(tmp_path, extra(products=[catalog[sku]["uuid"] for sku in simple] + [never],
                                       models=[model], deleted=[gone]))

    assert sorted(summary.events["handled"]) == sorted(simple + variants)
    assert summary.events["deleted"] == [gone] and summary.events["not_read"] == [never]
    assert summary.events["events"] == 5 and summary.written == len(simple + variants)
    for sku in simple + variants:
        assert linnworks_title(connected.linnworks_data_url, sku) == f"Renamed {sku}"
    others = [sku for sku in catalog if sku not in simple + variants][:5]
    assert all(linnworks_title(connected.linnworks_data_url, sku) is None for sku in others)  # nothing else was written
    # the named products by UUID (one call), the model's variants (one `parent IN` call): no search
    # over `updated`, no count, no product model listing
    calls = akeneo_calls(connected)
    assert calls.get("GET /api/rest/v1/products") == 2, calls
    assert not calls.get("GET /api/rest/v1/product-models"), calls
    # the watermark did not move: the scheduled runs stay the safety net
    state = steps.load_state(ctx)
    assert state.covered == () and state.last_window_end is None
    assert f"handled {len(simple + variants)}: " in "\n".join(summary.lines())
