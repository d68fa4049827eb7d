"""What the `/_sandbox/` controls show of an account's structure: groups, compositions, categories."""
from __future__ import annotations

from .store import ItemRecord, Store


def group_view(store: Store, parent_id: str) -> dict:
    group = store.groups[parent_id]
    return {"pkVariationItemId": group.id, "VariationSKU": store.items[group.id].sku,
            "VariationGroupName": group.name,
            "Items": [store.items[item_id].sku for item_id in group.members]}


def structure_of(store: Store, record: ItemRecord) -> dict:
    """An item's place in the structure: its group (as parent), the groups it is in, its composition
    ({component SKU: quantity}), the composites it is in, and its category."""
    return {
        "variation_group": group_view(store, record.id) if record.id in store.groups else None,
        "variation_of": [store.items[g.id].sku for g in store.groups.values() if record.id in g.members],
        "composition": {store.items[linked].sku: quantity
                        for linked, quantity in store.compositions.get(record.id, {}).items()},
        "component_of": {store.items[parent].sku: rows[record.id]
                         for parent, rows in store.compositions.items() if record.id in rows},
        "category": {"CategoryId": record.fields["CategoryId"], "CategoryName": record.fields["CategoryName"]},
    }


def all_groups(store: Store) -> list[dict]:
    return [group_view(store, parent_id) for parent_id in store.groups]


def all_compositions(store: Store) -> dict[str, dict[str, int]]:
    """{parent SKU: {component SKU: quantity}}."""
    return {store.items[parent].sku: {store.items[linked].sku: quantity for linked, quantity in rows.items()}
            for parent, rows in store.compositions.items() if rows}
