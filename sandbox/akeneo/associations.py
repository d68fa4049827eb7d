"""Associations and quantified associations: how they are stored, answered and patched.

Stored form (independent of the endpoint): `{type: {"products": [uuid], "product_models": [code],
"groups": [code]}}` and `{type: {"products": [{"uuid", "quantity"}], "product_models":
[{"identifier", "quantity"}]}}`. Answers follow Akeneo: every non-quantified association type is
listed (empty lists included), products by identifier on /products and by uuid on /products-uuid;
quantified ones list only the types in use, each with both `products` and `product_models`.
PATCH merges per type and per list (update rule: objects merge, lists replace).
"""
from __future__ import annotations

import uuid as uuid_module
from typing import Optional

import msgspec

from sandbox.akeneo.errors import php_type
from sandbox.akeneo.state import AkeneoState
from sandbox.akeneo.value_rules import PayloadError

LINK_LISTS = ("products", "product_models", "groups")
MAX_QUANTITY = 9999  # Akeneo accepts quantities from 1 to 9999


def associations_body(state: AkeneoState, stored: dict, *, by_uuid: bool):
    if not stored:
        # Most products have no association: answer the all-empty listing pre-encoded.
        empty = state.answer_cache.get("empty_associations")
        if empty is None:
            empty = state.answer_cache["empty_associations"] = msgspec.Raw(
                msgspec.json.encode(_listing(state, {}, by_uuid)))
        return empty
    return _listing(state, stored, by_uuid)


def _listing(state: AkeneoState, stored: dict, by_uuid: bool) -> dict:
    body = {}
    for code, association_type in sorted(state.association_types.items()):
        if association_type["is_quantified"]:
            continue
        links = stored.get(code, {})
        body[code] = {"products": _product_keys(state, links.get("products", ()), by_uuid),
                      "product_models": list(links.get("product_models", ())),
                      "groups": list(links.get("groups", ()))}
    return body


def quantified_body(state: AkeneoState, stored: dict, *, by_uuid: bool) -> dict:
    body = {}
    for code, links in sorted(stored.items()):
        products = []
        for link in links.get("products", ()):
            product = state.products.get(link["uuid"])
            if by_uuid:
                products.append({"uuid": link["uuid"], "quantity": link["quantity"]})
            elif product is not None and product.identifier is not None:
                products.append({"identifier": product.identifier, "quantity": link["quantity"]})
        body[code] = {"products": products,
                      "product_models": [dict(link) for link in links.get("product_models", ())]}
    return body


def with_inherited(state: AkeneoState, record) -> dict:
    """A variant's (or sub-model's) associations shown with those of its models, like Akeneo.
    Quantified associations stay the entity's own."""
    chain, parent = [], record.parent
    while parent is not None and parent in state.product_models:
        model = state.product_models[parent]
        if model.associations:
            chain.append(model.associations)
        parent = model.parent
    if not chain:
        return record.associations
    merged: dict = {}
    for associations in [*reversed(chain), record.associations]:  # root first
        for code, links in associations.items():
            entry = merged.setdefault(code, {})
            for kind in LINK_LISTS:
                entry[kind] = list(dict.fromkeys([*entry.get(kind, []), *links.get(kind, [])]))
    return merged


def _product_keys(state: AkeneoState, uuids, by_uuid: bool) -> list[str]:
    if by_uuid:
        return list(uuids)
    keys = []
    for key in uuids:
        product = state.products.get(key)
        if product is not None and product.identifier is not None:
            keys.append(product.identifier)
    return keys


class AssociationPatch:
    """Checks the `associations` / `quantified_associations` of a payload against the catalog and
    merges them into the stored form. Payload errors raise `PayloadError`; quantified-association
    violations are collected in `violations` (Akeneo validates those after the update)."""

    def __init__(self, state: AkeneoState, *, by_uuid: bool) -> None:
        self.state = state
        self.by_uuid = by_uuid
        self.violations: list[dict] = []

    def associations(self, current: dict, given) -> dict:
        if not isinstance(given, dict):
            raise PayloadError(f'Property "associations" expects an array as data, "{php_type(given)}" given.')
        merged = {code: dict(links) for code, links in current.items()}
        for code, links in given.items():
            association_type = self.state.association_types.get(code)
            if association_type is None or association_type["is_quantified"]:
                raise PayloadError(f'Property "associations" expects a valid association type code. The '
                                   f'association type does not exist or is quantified, "{code}" given.')
            if not isinstance(links, dict):
                raise PayloadError(f'Property "associations" expects an array as data, "{php_type(links)}" given.')
            entry = merged.setdefault(code, {})
            for kind, codes in links.items():
                if kind not in LINK_LISTS:
                    raise PayloadError(f'Property "associations" expects a valid association format, '
                                       f'"{kind}" is not one of "products", "product_models", "groups".')
                if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                    raise PayloadError(f'Property "associations" expects an array of strings as data for '
                                       f'"{kind}", "{php_type(codes)}" given.')
                entry[kind] = self._resolve(kind, list(dict.fromkeys(codes)))
        return {code: links for code, links in merged.items() if any(links.get(k) for k in LINK_LISTS)}

    def _resolve(self, kind: str, codes: list[str]) -> list[str]:
        if kind == "groups":
            for code in codes:
                raise PayloadError(f'Property "associations" expects a valid group code. The group does not '
                                   f'exist, "{code}" given.')
            return []
        if kind == "product_models":
            for code in codes:
                if code not in self.state.product_models:
                    raise PayloadError(f'Property "associations" expects a valid Product model identifier. The '
                                       f'product model does not exist, "{code}" given.')
            return codes
        resolved = []
        for key in codes:
            product_uuid = self._product_uuid(key)
            if product_uuid is None:
                label = "uuid" if self.by_uuid else "identifier"
                raise PayloadError(f'Property "associations" expects a valid product {label}. The product does '
                                   f'not exist, "{key}" given.')
            resolved.append(product_uuid)
        return resolved

    def _product_uuid(self, key: str) -> Optional[str]:
        if self.by_uuid:
            try:
                canonical = str(uuid_module.UUID(key))
            except ValueError:
                return None
            return canonical if canonical in self.state.products else None
        return self.state.identifiers.get(key)

    def quantified(self, current: dict, given) -> dict:
        if not isinstance(given, dict):
            raise PayloadError('Property "quantified_associations" expects an array with valid data, association '
                               'type code should be a string.')
        merged = {code: dict(links) for code, links in current.items()}
        for code, links in given.items():
            if not isinstance(links, dict):
                raise PayloadError(f'Property "quantified_associations" expects an array as data, '
                                   f'"{php_type(links)}" given.')
            association_type = self.state.association_types.get(code)
            path = f"quantifiedAssociations.{code}"
            if association_type is None:
                self._violate(path, "This association type doesn't exist. Please make sure it hasn't been "
                                    "deleted in the meantime.")
            elif not association_type["is_quantified"]:
                self._violate(path, "This association type is not a quantified association type.")
            entry = merged.setdefault(code, {"products": [], "product_models": []})
            for kind, items in links.items():
                if kind not in ("products", "product_models"):
                    raise PayloadError(f'Property "quantified_associations" expects a valid quantified link type, '
                                       f'"{kind}" given.')
                entry[kind] = self._quantified_links(f"{path}.{kind}", kind, items)
        return {code: links for code, links in merged.items() if links.get("products") or links.get("product_models")}

    def _quantified_links(self, path: str, kind: str, items) -> list[dict]:
        if not isinstance(items, list):
            raise PayloadError(f'Property "quantified_associations" expects an array as data, "{php_type(items)}" given.')
        key_name = "uuid" if kind == "products" and self.by_uuid else "identifier"
        links, missing = [], []
        for position, item in enumerate(items):
            if not isinstance(item, dict) or key_name not in item or "quantity" not in item:
                raise PayloadError(f'Property "quantified_associations" expects an array with the keys '
                                   f'"{key_name}" and "quantity".')
            quantity = item["quantity"]
            if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
                self._violate(f"{path}[{position}].quantity",
                              f"The quantity must be a positive integer lower than {MAX_QUANTITY + 1}.")
            key = str(item[key_name])
            if kind == "products":
                product_uuid = self._product_uuid(key)
                if product_uuid is None:
                    missing.append(key)
                else:
                    links.append({"uuid": product_uuid, "quantity": quantity})
            elif key not in self.state.product_models:
                missing.append(key)
            else:
                links.append({"identifier": key, "quantity": quantity})
        if missing:
            what = "products" if kind == "products" else "product models"
            self._violate(path, f'The following {what} don\'t exist: {", ".join(missing)}. Please make sure '
                                f'they haven\'t been deleted in the meantime.')
        return links

    def _violate(self, path: str, message: str) -> None:
        self.violations.append({"property": path, "message": message})
