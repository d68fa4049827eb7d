"""PATCH of one product (by identifier or by uuid) with Akeneo's update rules.

Rules (content/rest-api/update.md): objects merge, other values replace, unspecified properties stay;
in `values`, each (attribute, locale, scope) sent replaces that one value and `data: null` erases it.
`updated` only moves when something changed.
"""
from __future__ import annotations

import uuid as uuid_module
from datetime import datetime, timezone
from typing import Optional

from sandbox.akeneo.associations import AssociationPatch
from sandbox.akeneo.errors import (API_REFERENCE, ApiError, payload_error, php_type as _php, unprocessable,
                                   validation_failed)
from sandbox.akeneo.state import IDENTIFIER_ATTRIBUTE, AkeneoState, ProductRecord, dump_values
from sandbox.akeneo.structure import levels_of, model_level, shown_categories
from sandbox.akeneo.variant_rules import axis_violations, unexpected_attributes
from sandbox.akeneo.value_rules import PayloadError, ValueChecker

NO_IDENTIFIER_MESSAGE = ("Validation failed. The identifier field is required for this endpoint. If you want to "
                         "manipulate products without identifiers, please use products-uuid endpoints.")
# Properties of the standard format; `created` and `updated` are read-only and silently ignored.
_FIELDS = {"identifier", "uuid", "enabled", "family", "categories", "groups", "parent", "values",
           "associations", "quantified_associations", "created", "updated"}


class ProductPatch:
    """Applies one PATCH payload. `by_uuid` selects the products-uuid flavour."""

    def __init__(self, state: AkeneoState, *, by_uuid: bool) -> None:
        self.state = state
        self.by_uuid = by_uuid
        self.anchor = "patch_products_uuid__uuid_" if by_uuid else "patch_products__code_"

    def apply(self, url_key: str, payload) -> tuple[ProductRecord, bool]:
        """Store the patched product; returns (record, created). Raises ApiError when refused."""
        if not isinstance(payload, dict):
            raise ApiError(400, "Invalid json message received")
        state = self.state
        existing = state.products.get(url_key) if self.by_uuid else state.product_by_identifier(url_key)
        for key in payload:
            if key not in _FIELDS:
                raise payload_error(f'Property "{key}" does not exist.', self.anchor)
        identifier, product_uuid = self._keys(url_key, payload, existing)
        self.checker = ValueChecker(state)
        self.links = AssociationPatch(state, by_uuid=self.by_uuid)
        try:
            changes = self._changes(payload, existing)
            variant = _Variant(state, existing, changes)
            values = variant.base
            given = changes.pop("values", {})
            for (code, locale, scope), data in given.items():
                if code == IDENTIFIER_ATTRIBUTE:
                    # /products takes the identifier from the URL; products-uuid from this value.
                    if self.by_uuid:
                        identifier = data
                    continue
                set_value(values, code, locale, scope, data)
        except PayloadError as error:
            raise payload_error(str(error), self.anchor)
        violations = self.checker.violations
        owner = state.identifiers.get(identifier) if identifier is not None else None
        if owner is not None and owner != product_uuid:
            violations.insert(0, {"property": "identifier",
                                  "message": "The same identifier is already set on another product"})
        violations += variant.violations(payload, {code for code, _, _ in given} - {IDENTIFIER_ATTRIBUTE},
                                         identifier if not self.by_uuid else None, product_uuid)
        violations += self.links.violations
        if violations:
            raise validation_failed(violations)
        values = variant.full(values)
        return self._store(existing, identifier, product_uuid, changes, values), existing is None

    def _keys(self, url_key: str, payload: dict, existing: Optional[ProductRecord]) -> tuple[Optional[str], str]:
        """(identifier, uuid) of the product after the PATCH."""
        if self.by_uuid:
            body_uuid = payload.get("uuid")
            if existing is None and body_uuid is not None and str(body_uuid).lower() != url_key.lower():
                raise unprocessable(f'The uuid "{body_uuid}" provided in the request body must match the uuid '
                                    f'"{url_key}" provided in the url.')
            if existing is None and uuid_module.UUID(url_key).version != 4:
                raise validation_failed([{"property": "uuid", "message": f'The version of the uuid "{url_key}" '
                                          f'should be 4, {uuid_module.UUID(url_key).version} given.'}])
            identifier = payload.get("identifier", existing.identifier if existing else None)
            if identifier is not None and not isinstance(identifier, str):
                raise payload_error(f'Property "identifier" expects a string as data, "{_php(identifier)}" given.',
                                    self.anchor)
            return identifier, existing.uuid if existing else url_key.lower()
        if "identifier" in payload and payload["identifier"] in (None, ""):
            raise ApiError(422, NO_IDENTIFIER_MESSAGE, documentation=API_REFERENCE + "patch_products_uuid__uuid_")
        identifier = payload.get("identifier", url_key)
        if not isinstance(identifier, str):
            raise payload_error(f'Property "identifier" expects a string as data, "{_php(identifier)}" given.',
                                self.anchor)
        if existing is None and identifier != url_key:
            raise unprocessable(f'The identifier "{identifier}" provided in the request body must match the '
                                f'identifier "{url_key}" provided in the url.')
        if existing is not None:
            return identifier, existing.uuid
        return identifier, self._new_uuid(payload.get("uuid"))

    @staticmethod
    def _new_uuid(given) -> str:
        try:
            if isinstance(given, str) and uuid_module.UUID(given).version == 4:
                return given.lower()
        except ValueError:
            pass
        return str(uuid_module.uuid4())

    def _changes(self, payload: dict, existing: Optional[ProductRecord]) -> dict:
        """Checked properties of the payload; `values` keyed by (attribute, locale, scope)."""
        state, changes = self.state, {}
        if "enabled" in payload:
            if not isinstance(payload["enabled"], bool):
                raise PayloadError(f'Property "enabled" expects a boolean as data, "{_php(payload["enabled"])}" given.')
            changes["enabled"] = payload["enabled"]
        if "family" in payload:
            family = payload["family"]
            if family is not None and not isinstance(family, str):
                raise PayloadError(f'Property "family" expects a scalar as data, "{_php(family)}" given.')
            if family is not None and family not in state.families:
                raise PayloadError(f'Property "family" expects a valid family code. The family does not exist, '
                                   f'"{family}" given.')
            changes["family"] = family
        for key in ("categories", "groups"):
            if key in payload:
                changes[key] = checked_codes(state, key, payload[key])
        if "parent" in payload:
            parent = payload["parent"]
            if parent is not None and parent not in state.product_models:
                raise PayloadError(f'Property "parent" expects a valid parent code. The parent product model does '
                                   f'not exist, "{parent}" given.')
            changes["parent"] = parent
        if "associations" in payload:
            changes["associations"] = self.links.associations(existing.associations if existing else {},
                                                              payload["associations"])
        if "quantified_associations" in payload:
            changes["quantified_associations"] = self.links.quantified(
                existing.quantified_associations if existing else {}, payload["quantified_associations"])
        if "values" in payload:
            changes["values"] = self._values(payload["values"])
        return changes

    def _values(self, values) -> dict:
        return check_values(self.state, self.checker, values)

    def _store(self, existing: Optional[ProductRecord], identifier: Optional[str], product_uuid: str,
               changes: dict, values: dict) -> ProductRecord:
        now = datetime.now(timezone.utc).replace(microsecond=0)
        values_json = dump_values(values)
        if existing is None:
            record = ProductRecord(uuid=product_uuid, identifier=identifier, enabled=changes.get("enabled", True),
                                   family=changes.get("family"), categories=changes.get("categories", []),
                                   groups=changes.get("groups", []), parent=changes.get("parent"),
                                   values_json=values_json, created=now, updated=now,
                                   associations=changes.get("associations", {}),
                                   quantified_associations=changes.get("quantified_associations", {}))
            self.state.put_product(record)
            return record
        # associations come merged already (AssociationPatch); other objects merge here
        merged = {key: value if key in ("associations", "quantified_associations") or not isinstance(value, dict)
                  else _merge(getattr(existing, key), value) for key, value in changes.items()}
        unchanged = (identifier == existing.identifier and values == existing.values()
                     and all(getattr(existing, key) == value for key, value in merged.items()))
        if unchanged:
            return existing
        previous_identifier = existing.identifier
        for key, value in merged.items():
            setattr(existing, key, value)
        existing.identifier = identifier
        existing.values_json = values_json
        existing.updated = now
        self.state.put_product(existing, previous_identifier=previous_identifier)
        return existing


def checked_codes(state: AkeneoState, key: str, codes) -> list[str]:
    """`categories` or `groups` of a payload (the sandbox has no product groups)."""
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise PayloadError(f'Property "{key}" expects an array as data, "{_php(codes)}" given.')
    for code in codes:
        if key == "categories" and code not in state.categories:
            raise PayloadError(f"The {code} category does not exist in your PIM.")
        if key == "groups":
            raise PayloadError(f'Property "groups" expects a valid group code. The group does not exist, '
                               f'"{code}" given.')
    return list(dict.fromkeys(codes))


def check_values(state: AkeneoState, checker: ValueChecker, values) -> dict:
    """Payload values checked and normalised, keyed by (attribute, locale, scope)."""
    if not isinstance(values, dict):
        raise PayloadError(f'Property "values" expects an array as data, "{_php(values)}" given.')
    checked = {}
    for code, entries in values.items():
        attribute = state.attributes.get(code)
        if attribute is None:
            raise PayloadError(f'Attribute "{code}" does not exist.')
        if not isinstance(entries, list):
            raise PayloadError(f'Property "{code}" expects an array as data, "{_php(entries)}" given.')
        for entry in entries:
            if not isinstance(entry, dict) or "data" not in entry:
                raise PayloadError(f'Property "{code}" expects an array with the key "data".')
            locale, scope = entry.get("locale"), entry.get("scope")
            checker.check_context(code, attribute, locale, scope)
            checked[(code, locale, scope)] = checker.normalize(code, attribute, entry["data"], locale, scope)
    return checked


def set_value(values: dict, code: str, locale, scope, data) -> None:
    """Replace (in place, so resending a value is no change), add, or erase (data null) one value."""
    entries = list(values.get(code, []))
    position = next((i for i, e in enumerate(entries) if (e["locale"], e["scope"]) == (locale, scope)), None)
    if data is None:
        if position is not None:
            del entries[position]
    elif position is None:
        entries.append({"locale": locale, "scope": scope, "data": data})
    else:
        entries[position] = {"locale": locale, "scope": scope, "data": data}
    if entries:
        values[code] = entries
    else:
        values.pop(code, None)


def _merge(old: dict, new: dict) -> dict:
    """Objects merge recursively (update rule 1)."""
    merged = dict(old)
    for key, value in new.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) \
            else value
    return merged


class _Variant:
    """The product-model side of a product PATCH: which model it ends up under, the own values the
    payload applies to, and Akeneo's variant checks. A product that gets a parent keeps only the
    values of the variant level (Akeneo's "keep only values for variation"); one whose parent is
    set to null keeps every value it showed."""

    def __init__(self, state: AkeneoState, existing: Optional[ProductRecord], changes: dict) -> None:
        self.state, self.existing, self.changes = state, existing, changes
        self.parent_code = changes["parent"] if "parent" in changes else (existing.parent if existing else None)
        self.model = state.product_models.get(self.parent_code) if self.parent_code else None
        self.levels = levels_of(state, self.model.family_variant) if self.model else None
        shown = existing.values() if existing else {}
        self.base = self.levels.own(shown, self.levels.depth) if self.levels else shown
        if self.model is not None:
            if "family" not in changes:
                changes["family"] = self.model.family
            if existing is None or existing.parent != self.parent_code:
                given = changes.get("categories", existing.categories if existing else [])
                changes["categories"] = sorted(set(given) | set(shown_categories(state, self.model)))

    def violations(self, payload: dict, codes: set[str], identifier: Optional[str], product_uuid: str) -> list[dict]:
        if self.model is None:
            return []
        levels, found = self.levels, []
        named = f' "{identifier}"' if identifier else ""
        if "parent" in payload and model_level(self.model) != levels.depth - 1:
            found.append({"property": "parent", "message": f'The variant product{named} cannot have product model '
                          f'"{self.model.code}" as parent, (this product model can only have other product models '
                          f'as children)'})
        family = self.changes.get("family")
        if family is None:
            found.append({"property": "family", "message": f'The family can\'t be "null" because your product with '
                          f'the identifier "{identifier or product_uuid}" is a variant product.'})
        elif family != self.model.family:
            found.append({"property": "family", "message": "The variant product family must be the same than its parent"})
        found += unexpected_attributes(levels, levels.depth, sorted(codes))
        if not found:
            existing = self.existing
            previous = levels.own(existing.values(), levels.depth) \
                if existing is not None and existing.parent == self.parent_code else None
            siblings = [(self.state.products[key].identifier or key,
                         levels.own(self.state.products[key].values(), levels.depth))
                        for key in self.state.children_of(self.parent_code)[1] if key != product_uuid]
            found += axis_violations(levels, levels.depth, self.base, kind="variant product",
                                     label=identifier or product_uuid, siblings=siblings, previous=previous)
        return found

    def full(self, own: dict) -> dict:
        """The values the product shows: its model levels' plus its own."""
        return {**self.model.values(), **own} if self.model is not None else own
