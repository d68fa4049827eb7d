"""`/_sandbox/` controls on the data host (not Linnworks API, no auth): stats, settings, seed, stock, items,
variation groups, compositions, categories."""
from __future__ import annotations

from fastapi import APIRouter, Body
from pydantic import ValidationError
from starlette.responses import JSONResponse, RedirectResponse, Response

from .params import ZERO_GUID, to_guid
from .registry import find
from .seed import seed
from .settings import SandboxSettings
from .state import SandboxState
from .store import now_iso
from .views import (description_row, ext_prop_row, image_row, levels, price_row, sorted_images, stock_item_inv,
                    title_row)
from .views_structure import all_compositions, all_groups, structure_of


AUTH_METHOD = "Auth/AuthorizeByApplication"


def _error(status: int, message: str, **extra) -> JSONResponse:
    return JSONResponse({"Message": message, **extra}, status_code=status)


def _known_method(name: str) -> bool:
    controller, _, method = name.partition("/")
    return name.lower() == AUTH_METHOD.lower() or find(controller, method) is not None


def control_router(state: SandboxState, settings: SandboxSettings) -> APIRouter:
    router = APIRouter(prefix="/_sandbox")
    store = state.store

    @router.get("/stats")
    async def stats():
        return state.stats.snapshot()

    @router.post("/stats/reset")
    async def stats_reset():
        state.stats.reset()
        return state.stats.snapshot()

    @router.get("/settings")
    async def get_settings():
        return settings.model_dump()

    @router.patch("/settings")
    async def patch_settings(changes: dict = Body(...)):
        unknown = [f.get("method") for f in changes.get("fail_next") or [] if isinstance(f, dict)
                   and not _known_method(str(f.get("method", "")))]
        if unknown:  # a typo would otherwise never fire
            return _error(400, f"fail_next names unknown methods: {unknown}")
        try:
            settings.apply(changes)
        except ValidationError as error:
            return _error(400, "Invalid settings", errors=error.errors(include_url=False, include_context=False))
        if "quota_window_seconds" in changes or "quotas_enabled" in changes or "quota_overrides" in changes:
            state.quotas.reset()
        if "fault_seed" in changes:
            state.reseed_faults(settings.fault_seed)
        return settings.model_dump()

    @router.post("/seed")
    async def reseed(body: dict = Body(default={})):
        items, seed_value = body.get("items", 100), body.get("seed", 42)
        if not isinstance(items, int) or items < 0 or not isinstance(seed_value, int):
            return _error(400, "items must be an integer >= 0 and seed an integer")
        seed(store, items, seed_value)
        store.uploads.clear()
        state.quotas.reset()
        return {"items": items, "seed": seed_value, "locations": [loc["StockLocationId"] for loc in store.locations],
                "channels": [{"Source": c["Source"], "SubSource": c["SubSource"]} for c in store.channels]}

    @router.post("/sessions/expire")
    async def expire_sessions():
        store.expire_sessions()
        return {"sessions": 0}

    @router.put("/stock")
    async def put_stock(rows: list = Body(...)):
        staged = []
        for row in rows:
            if not isinstance(row, dict):
                return _error(400, "Each row must be an object")
            record = store.any_by_sku(row.get("SKU"))
            if record is None:
                return _error(404, f"Unknown SKU {row.get('SKU')!r}")
            location_id = to_guid(row.get("LocationId") or ZERO_GUID)
            if store.location(location_id) is None:
                return _error(400, f"Unknown location {location_id}")
            staged.append((record, location_id, row))
        for record, location_id, row in staged:
            level = store.level(record, location_id)
            for key in ("StockLevel", "InOrderBook", "Due", "MinimumLevel"):
                if row.get(key) is not None:
                    level[key] = int(row[key])
            level["LastUpdateDate"] = now_iso()
        return {"updated": len(staged)}

    @router.get("/items/{sku}")
    async def item(sku: str):
        record = store.any_by_sku(sku) or store.items.get(store.deleted_skus.get(sku, ""))
        if record is None:
            return _error(404, f"Unknown SKU {sku!r}")
        return {
            "status": record.status, "item": stock_item_inv(store, record),
            "prices": [price_row(record, r) for r in record.prices.values()],
            "titles": [title_row(record, r) for r in record.titles.values()],
            "descriptions": [description_row(record, r) for r in record.descriptions.values()],
            "extended_properties": [ext_prop_row(record, r) for r in record.ext_props.values()],
            "images": [{**image_row(record, i), "Origin": i["Origin"]} for i in sorted_images(record)],
            "stock_levels": levels(store, record),
            **structure_of(store, record),
        }

    @router.get("/variation-groups")
    async def variation_groups():
        return all_groups(store)

    @router.get("/compositions")
    async def compositions():
        return all_compositions(store)

    @router.get("/categories")
    async def categories():
        return list(store.categories.values())

    @router.get("/images/{image_id}")
    async def image(image_id: str):
        record = store.row_owner("images", image_id)
        if record is None:
            return _error(404, "Unknown image")
        origin = record.images[image_id]["Origin"]
        if origin.startswith("upload:"):
            upload = store.uploads.get(origin.split(":", 1)[1])
            if upload is not None:
                return Response(upload.content, media_type=upload.content_type)
            return _error(410, "Uploaded file is gone")
        return RedirectResponse(origin)

    return router
