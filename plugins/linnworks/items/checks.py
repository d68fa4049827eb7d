"""What the item writer settles before planning: SKUs an item requires, and the categories items name.

Required SKUs are looked up together with the items' own SKUs (no call of their own unless they
overflow a batch). Categories are read once per write (GetCategories) and the missing ones created,
one call each (Linnworks has no bulk create), with deterministic ids (`ids.category_id`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from linnworks.api import ids
from linnworks.api.client import LinnworksClient
from linnworks.common.lanes import DATA_ERRORS
from linnworks.common.report import Tally
from linnworks.items.desired import DesiredItem

GET_CATEGORIES = "Inventory/GetCategories"
CREATE_CATEGORY = "Inventory/CreateCategory"
MISSING_REQUIRED = "required SKUs missing (neither in Linnworks nor in this write)"


def required_extra(items: Mapping[str, DesiredItem]) -> list[str]:
    """SKUs items require that are not written here themselves: to look up with the items' own."""
    written = {sku.casefold() for sku in items}
    extra: dict[str, str] = {}
    for item in items.values():
        for skus in item.required_skus.values():
            for sku in skus:
                if sku.casefold() not in written:
                    extra.setdefault(sku.casefold(), sku)
    return list(extra.values())


def refuse_missing_required(items: Mapping[str, DesiredItem], found: Iterable[str], unchecked: Iterable[str],
                            create_products: bool, tally: Tally) -> None:
    """Refuse, before anything is written for it, each item one of whose required SKUs will not exist.

    A SKU of this write counts as existing when it is in Linnworks or the write creates products.
    """
    existing = {sku.casefold() for sku in found}
    if create_products:
        existing |= {sku.casefold() for sku in items}
    unknown = {sku.casefold() for sku in unchecked}
    for sku, item in items.items():
        if not item.required_skus or sku in tally.refusals:
            continue
        missing, not_checked = [], []
        for label, skus in item.required_skus.items():
            gone = [s for s in skus if s.casefold() not in existing and s.casefold() not in unknown]
            not_checked += [s for s in skus if s.casefold() in unknown]
            if gone:
                missing.append(f"{label}: {', '.join(gone)}")
        if missing:
            tally.refuse([sku], None, f"{MISSING_REQUIRED}: {'; '.join(missing)}", {sku: dict(item.required_skus)})
        elif not_checked:
            tally.refuse([sku], "Inventory/GetStockItemIdsBySKU",
                         f"could not check required SKUs {', '.join(not_checked)}: their lookup failed")


class CategoryResolver:
    """Category name -> CategoryId for one write; creates the missing ones (not in dry runs)."""

    def __init__(self, client: LinnworksClient, tally: Tally, dry_run: bool):
        self.client = client
        self.tally = tally
        self.dry_run = dry_run
        self.created: list[str] = []  # names created (in a dry run: that would be created)

    def resolve(self, items: Mapping[str, DesiredItem]) -> dict[str, str]:
        wanted = {sku: item.category for sku, item in items.items()
                  if item.category is not None and sku not in self.tally.refusals}
        if not wanted:
            return {}
        self.tally.called(GET_CATEGORIES)
        try:
            existing = self.client.get_categories()
        except DATA_ERRORS as exc:
            self.tally.refuse_error(list(wanted), GET_CATEGORIES, exc)
            return {}
        exact = {c.category_name: c.category_id for c in existing}
        folded = {c.category_name.casefold(): c.category_id for c in existing}
        resolved: dict[str, str] = {}
        for name in dict.fromkeys(wanted.values()):
            category_id = exact.get(name) or folded.get(name.casefold())
            if category_id is None:
                category_id = self._create(name, [sku for sku, wants in wanted.items() if wants == name])
            if category_id is not None:
                resolved[name] = category_id
        return resolved

    def _create(self, name: str, skus: list[str]) -> str | None:
        self.created.append(name)
        if self.dry_run:
            return ids.category_id(name)
        self.tally.called(CREATE_CATEGORY)
        self.tally.needs(CREATE_CATEGORY, 1)
        try:
            return self.client.create_category(name).category_id
        except DATA_ERRORS as exc:
            self.created.remove(name)
            self.tally.refuse_error(skus, CREATE_CATEGORY, exc, {sku: {"categoryName": name} for sku in skus})
            return None
