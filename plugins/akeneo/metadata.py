"""`CatalogMetadata`: the reference data a run reads once (raw JSON lists, as Akeneo sent them)."""
from __future__ import annotations

from dataclasses import dataclass, field

SELECT_TYPES = frozenset({"pim_catalog_simpleselect", "pim_catalog_multiselect"})

# Listing endpoints read with `limit=100`, following next links.
LISTINGS = {
    "attributes": "/api/rest/v1/attributes",
    "families": "/api/rest/v1/families",
    "channels": "/api/rest/v1/channels",
    "locales": "/api/rest/v1/locales",
    "currencies": "/api/rest/v1/currencies",
    "categories": "/api/rest/v1/categories",
}
# Not paginated: the answer is a plain JSON list.
MEASUREMENT_FAMILIES_PATH = "/api/rest/v1/measurement-families"
ATTRIBUTE_OPTIONS_PATH = "/api/rest/v1/attributes/{code}/options"


@dataclass
class CatalogMetadata:
    attributes: list[dict] = field(default_factory=list)
    attribute_options: dict[str, list[dict]] = field(default_factory=dict)
    families: list[dict] = field(default_factory=list)
    channels: list[dict] = field(default_factory=list)
    locales: list[dict] = field(default_factory=list)
    currencies: list[dict] = field(default_factory=list)
    measurement_families: list[dict] = field(default_factory=list)
    categories: list[dict] = field(default_factory=list)

    @property
    def attribute_codes(self) -> frozenset[str]:
        return frozenset(a["code"] for a in self.attributes if "code" in a)

    @property
    def family_codes(self) -> list[str]:
        return [f["code"] for f in self.families if "code" in f]

    @property
    def select_attribute_codes(self) -> list[str]:
        return [a["code"] for a in self.attributes if a.get("type") in SELECT_TYPES and "code" in a]
