"""Categories: Inventory/GetCategories, CreateCategory, UpdateCategory, DeleteCategoryById.

LinnworksCategory {CategoryId, CategoryName, StructureCategoryId, ProductCategoryId} (generated
client). CreateCategory takes `categoryName` and an optional client `categoryId`; UpdateCategory
replaces the whole `category` (omitted fields are cleared, reference §11.2); deleting a category
that items use is refused with "Category is in use" (reference §8). Items without one are in
"Default" (zero GUID, a guess), which can not be changed.
"""
from __future__ import annotations

from .errors import bad_request, primary_key_violation
from .params import ZERO_GUID, optional_guid, to_int
from .registry import NO_CONTENT, READ, Call, api
from .store import new_guid


def _name(value) -> str:
    name = (value or "").strip() if isinstance(value, str) else ""
    if not name:
        raise bad_request("Category name could not be empty")
    return name


def _name_taken(call: Call, name: str, except_id: str | None = None) -> bool:
    return any(c["CategoryName"].lower() == name.lower() and c["CategoryId"] != except_id
               for c in call.store.categories.values())


@api("Inventory/GetCategories", 150, READ)
async def get_categories(call: Call):
    return list(call.store.categories.values())


@api("Inventory/CreateCategory", 150)
async def create_category(call: Call):
    name = _name(call.params.str("categoryName"))
    category_id = optional_guid(call.params.str("categoryId"), "categoryId")
    store = call.store
    if category_id in store.categories:  # checked before the name, like a database insert would
        raise primary_key_violation("ProductCategories", category_id)
    if _name_taken(call, name):
        raise bad_request(f"Category '{name}' already exists")  # GUESS: wording undocumented
    category_id = category_id if category_id not in (None, ZERO_GUID) else None
    row = {"CategoryId": category_id or new_guid(), "CategoryName": name,
           "StructureCategoryId": 0, "ProductCategoryId": len(store.categories)}
    store.categories[row["CategoryId"]] = row
    return row


@api("Inventory/UpdateCategory", 150)
async def update_category(call: Call):
    category = call.params.obj("category")
    category_id = optional_guid(category.get("CategoryId"), "CategoryId")
    store = call.store
    if category_id == ZERO_GUID:
        raise bad_request("The Default category can not be changed")
    if category_id not in store.categories:
        raise bad_request(f"Category '{category.get('CategoryId')}' not found")
    name = _name(category.get("CategoryName"))
    if _name_taken(call, name, except_id=category_id):
        raise bad_request(f"Category '{name}' already exists")
    store.categories[category_id] = {
        "CategoryId": category_id, "CategoryName": name,
        "StructureCategoryId": to_int(category.get("StructureCategoryId") or 0, "StructureCategoryId"),
        "ProductCategoryId": to_int(category.get("ProductCategoryId") or 0, "ProductCategoryId")}
    for record in store.items.values():
        if record.fields["CategoryId"] == category_id:
            record.fields["CategoryName"] = name
    return NO_CONTENT


@api("Inventory/DeleteCategoryById", 150)
async def delete_category_by_id(call: Call):
    category_id = call.params.guid("categoryId")
    store = call.store
    if category_id == ZERO_GUID:
        raise bad_request("The Default category can not be deleted")
    if category_id in store.categories:
        if any(r.fields["CategoryId"] == category_id and r.status != "deleted" for r in store.items.values()):
            raise bad_request("Category is in use")
        del store.categories[category_id]
    return NO_CONTENT
