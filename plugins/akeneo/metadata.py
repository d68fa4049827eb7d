"""`CatalogMetadata`: the reference data a run reads once (raw JSON lists, as Akeneo sent them)."""
from __future__ import annotations

from dataclasses import dataclass, field

SELECT_TYPES = frozenset({"pim_catalog_simpleselect", "pim_catalog_multiselect"})
REFERENCE_ENTITY_TYPES = frozenset({"akeneo_reference_entity", "akeneo_reference_entity_collection"})

# Listing endpoints read with `limit=100`, following next links.
LISTINGS = {
    "attributes": "/api/rest/v1/attributes",
    "families": "/api/rest/v1/families",
    "channels": "/api/rest/v1/channels",
    "locales": "/api/rest/v1/locales",
    "currencies": "/api/rest/v1/currencies",
    "categories": "/api/rest/v1/categories",
    "association_types": "/api/rest/v1/association-types",
}
# Not paginated: the answer is a plain JSON list.
MEASUREMENT_FAMILIES_PATH = "/api/rest/v1/measurement-families"
ATTRIBUTE_OPTIONS_PATH = "/api/rest/v1/attributes/{code}/options"
FAMILY_VARIANTS_PATH = "/api/rest/v1/families/{code}/variants"
REFERENCE_ENTITY_ATTRIBUTES_PATH = "/api/rest/v1/reference-entities/{code}/attributes"


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
    association_types: list[dict] = field(default_factory=list)
    # family code -> its family variants; reference entity code -> its attributes
    family_variants: dict[str, list[dict]] = field(default_factory=dict)
    reference_entity_attributes: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def attribute_codes(self) -> frozenset[str]:
        return frozenset(a["code"] for a in self.attributes if "code" in a)

    @property
    def family_codes(self) -> list[str]:
        return [f["code"] for f in self.families if "code" in f]

    @property
    def select_attribute_codes(self) -> list[str]:
        return [a["code"] for a in self.attributes if a.get("type") in SELECT_TYPES and "code" in a]

    @property
    def reference_entity_codes(self) -> list[str]:
        """Reference entities that product attributes link to (`reference_data_name`)."""
        return sorted({a["reference_data_name"] for a in self.attributes
                       if a.get("type") in REFERENCE_ENTITY_TYPES and a.get("reference_data_name")})

    @property
    def quantified_association_types(self) -> frozenset[str]:
        return frozenset(t["code"] for t in self.association_types if t.get("is_quantified"))

    def family_variant(self, code: str) -> dict | None:
        return next((v for variants in self.family_variants.values() for v in variants if v.get("code") == code),
                    None)

    def variant_levels(self, family_variant: str) -> dict[str, int]:
        """attribute code -> the level that holds its values: 0 the root model (the family's common
        attributes), 1 and 2 the variant attribute sets (variant products hold the last one)."""
        variant = self.family_variant(family_variant)
        if variant is None:
            raise KeyError(f"unknown family variant {family_variant!r}")
        family = next((f for f, variants in self.family_variants.items() if variant in variants), None)
        attributes = next((f.get("attributes", []) for f in self.families if f.get("code") == family), [])
        levels = {code: 0 for code in attributes}
        for attribute_set in variant.get("variant_attribute_sets", []):
            for code in list(attribute_set.get("attributes", [])) + list(attribute_set.get("axes", [])):
                levels[code] = attribute_set["level"]
        return levels
