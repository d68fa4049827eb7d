"""Inventory categories: a flat list of names (a path such as "Master/Clothing/T-shirts" is one name).

CreateCategory takes an optional client `categoryId`: pimflow sends `ids.category_id(name)`, so after
a lost answer the client looks that id up before sending again (`Retry.VERIFY`).
UpdateCategory replaces the whole category. Items without a category are in "Default".
"""
from __future__ import annotations

from pydantic import Field

from httpkit.verify import Landed, NotLanded
from linnworks.api import ids
from linnworks.api.models import Wire

DEFAULT_CATEGORY_ID = "00000000-0000-0000-0000-000000000000"


class Category(Wire):
    category_id: str = Field(alias="CategoryId")
    category_name: str = Field(alias="CategoryName")
    structure_category_id: int | None = Field(None, alias="StructureCategoryId")
    product_category_id: int | None = Field(None, alias="ProductCategoryId")


class CategoryCalls:
    """Mixed into `LinnworksClient`, which provides `_call` and `_call_verified`."""

    def get_categories(self) -> list[Category]:
        return [Category.model_validate(row) for row in self._call("Inventory/GetCategories") or []]

    def create_category(self, name: str, category_id: str | None = None) -> Category:
        category_id = category_id or ids.category_id(name)
        body = {"categoryName": name, "categoryId": category_id}

        def send(body: dict) -> Category:
            answer = self._call("Inventory/CreateCategory", json=body)
            if isinstance(answer, dict) and answer.get("CategoryId"):
                return Category.model_validate(answer)
            return Category(category_id=category_id, category_name=name)

        def verify(body: dict) -> Landed[Category] | NotLanded[dict]:
            landed = next((category for category in self.get_categories()
                           if category.category_id.lower() == category_id.lower()), None)
            return NotLanded(body) if landed is None else Landed(landed)

        return self._call_verified("Inventory/CreateCategory", body, send, verify)

    def update_category(self, category: Category) -> None:
        """A full replace: send the category as read, with what changes."""
        self._call("Inventory/UpdateCategory", json={"category": category.model_dump(by_alias=True)})

    def delete_category(self, category_id: str) -> None:
        """Refused with "Category is in use" while items are in it."""
        self._call("Inventory/DeleteCategoryById", json={"categoryId": category_id})
