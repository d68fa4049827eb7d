"""PATCH (and POST) of one product model, with Akeneo's rules for models.

A root model holds the family's common attributes; a sub-model (two-level family variants only)
has a root model of the same family variant as parent and holds the level-1 attributes, with its
axis values set, unique among its siblings and never changed. `family_variant` is immutable and a
sub-model created without one takes its parent's. A change of values reaches every sub-model and
variant product below (their answers show the model's values); only the model's `updated` moves.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from sandbox.akeneo.associations import AssociationPatch
from sandbox.akeneo.errors import ApiError, payload_error, php_type, unprocessable, validation_failed
from sandbox.akeneo.patch import check_values, checked_codes, set_value
from sandbox.akeneo.state import AkeneoState, ProductModelRecord, dump_values
from sandbox.akeneo.structure import levels_of, refresh_descendants
from sandbox.akeneo.value_rules import PayloadError, ValueChecker
from sandbox.akeneo.variant_rules import axis_violations, unexpected_attributes

FIELDS = {"code", "family", "family_variant", "parent", "categories", "values", "associations",
          "quantified_associations", "created", "updated"}


class ProductModelPatch:
    def __init__(self, state: AkeneoState, *, anchor: str = "patch_product_models__code_") -> None:
        self.state = state
        self.anchor = anchor

    def apply(self, code: Optional[str], payload) -> tuple[ProductModelRecord, bool]:
        """Store the patched model; (record, created). `code` None: take it from the body (POST)."""
        if not isinstance(payload, dict):
            raise ApiError(400, "Invalid json message received")
        for key in payload:
            if key not in FIELDS:
                raise payload_error(f'Property "{key}" does not exist.', self.anchor)
        code = self._code(code, payload)
        existing = self.state.product_models.get(code)
        try:
            return self._apply(code, payload, existing)
        except PayloadError as error:
            raise payload_error(str(error), self.anchor)

    def _code(self, url_code: Optional[str], payload: dict) -> str:
        body_code = payload.get("code")
        if body_code is not None and not isinstance(body_code, str):
            raise payload_error(f'Property "code" expects a string as data, "{php_type(body_code)}" given.',
                                self.anchor)
        if url_code is None:
            if not body_code:
                raise validation_failed([{"property": "code", "message": "The product model code must not be empty."}])
            return body_code
        if body_code is not None and body_code != url_code and url_code not in self.state.product_models:
            raise unprocessable(f'The code "{body_code}" provided in the request body must match the code '
                                f'"{url_code}" provided in the url.')
        return url_code

    def _apply(self, code: str, payload: dict, existing: Optional[ProductModelRecord]) -> tuple[ProductModelRecord, bool]:
        state = self.state
        parent = self._parent(payload, existing)
        family_variant = self._family_variant(payload, existing, parent)
        levels = levels_of(state, family_variant)
        if "family" in payload and payload["family"] != levels.family:
            raise PayloadError(f'The family "{payload["family"]}" does not match the family of the variant '
                               f'"{family_variant}".')
        violations: list[dict] = []
        if parent is not None and levels.depth < 2:
            violations.append({"property": "parent", "message": f'The product model "{code}" cannot have a parent'})
        elif parent is not None and existing is not None and existing.parent is None and state.children_of(code)[0]:
            violations.append({"property": "parent", "message": f'The product model "{code}" cannot have the '
                                                                 f'product model "{parent.code}" as parent'})
        level = 0 if parent is None else 1
        checker = ValueChecker(state)
        shown = existing.values() if existing else {}
        own = levels.own(shown, level)
        given = check_values(state, checker, payload["values"]) if "values" in payload else {}
        for (attribute, locale, scope), data in given.items():
            set_value(own, attribute, locale, scope, data)
        violations += checker.violations
        violations += unexpected_attributes(levels, level, sorted({attribute for attribute, _, _ in given}))
        links = AssociationPatch(state, by_uuid=False)
        associations = links.associations(existing.associations if existing else {}, payload["associations"]) \
            if "associations" in payload else (existing.associations if existing else {})
        quantified = links.quantified(existing.quantified_associations if existing else {},
                                      payload["quantified_associations"]) \
            if "quantified_associations" in payload else (existing.quantified_associations if existing else {})
        violations += links.violations
        if level == 1 and not violations:
            previous = levels.own(shown, 1) if existing is not None and existing.parent == parent.code else None
            siblings = [(sibling, levels.own(state.product_models[sibling].values(), 1))
                        for sibling in state.children_of(parent.code)[0] if sibling != code]
            violations += axis_violations(levels, 1, own, kind="product model", label=code, siblings=siblings,
                                          previous=previous)
        if violations:
            raise validation_failed(violations)
        categories = checked_codes(state, "categories", payload["categories"]) if "categories" in payload \
            else (existing.categories if existing else [])
        values = {**(parent.values() if parent is not None else {}), **own}
        return self._store(code, existing, levels.family, family_variant, parent, categories, values,
                           associations, quantified)

    def _parent(self, payload: dict, existing: Optional[ProductModelRecord]) -> Optional[ProductModelRecord]:
        if "parent" not in payload:
            return self.state.product_models.get(existing.parent) if existing and existing.parent else None
        code = payload["parent"]
        if code is None:
            return None
        if not isinstance(code, str):
            raise PayloadError(f'Property "parent" expects a string as data, "{php_type(code)}" given.')
        parent = self.state.product_models.get(code)
        if parent is None:
            raise PayloadError(f'Property "parent" expects a valid parent code. The parent product model does not '
                               f'exist, "{code}" given.')
        if parent.parent is not None:
            raise PayloadError(f'Property "parent" expects a valid parent code. The new parent of the product '
                               f'model must be a root product model, "{code}" given.')
        return parent

    def _family_variant(self, payload: dict, existing: Optional[ProductModelRecord],
                        parent: Optional[ProductModelRecord]) -> str:
        if "family_variant" in payload:
            given = payload["family_variant"]
            if given is None or given == "":
                raise PayloadError('Property "family_variant" does not expect an empty value.')
            if not isinstance(given, str):
                raise PayloadError(f'Property "family_variant" expects a string as data, "{php_type(given)}" given.')
            if self.state.family_variant(given) is None:
                raise PayloadError(f'Property "family_variant" expects a valid family variant code. The family '
                                   f'variant does not exist, "{given}" given.')
            if existing is not None and given != existing.family_variant:
                raise PayloadError(f'Property "family_variant" cannot be modified, "{given}" given.')
        else:
            given = existing.family_variant if existing else (parent.family_variant if parent else None)
        if given is None:
            raise validation_failed([{"property": "family_variant",
                                      "message": "The product model family variant must not be empty."}])
        if parent is not None and parent.family_variant != given:
            raise PayloadError(f'The parent is not a product model of the family variant "{given}" but belongs to '
                               f'the family "{parent.family_variant}".')
        return given

    def _store(self, code: str, existing: Optional[ProductModelRecord], family: str, family_variant: str,
               parent: Optional[ProductModelRecord], categories: list[str], values: dict, associations: dict,
               quantified: dict) -> tuple[ProductModelRecord, bool]:
        now = datetime.now(timezone.utc).replace(microsecond=0)
        parent_code = parent.code if parent is not None else None
        if existing is None:
            record = ProductModelRecord(code=code, family=family, family_variant=family_variant, parent=parent_code,
                                        categories=categories, values_json=dump_values(values), created=now,
                                        updated=now, associations=associations, quantified_associations=quantified)
            self.state.put_model(record)
            return record, True
        changed = (existing.parent != parent_code or existing.categories != categories or existing.values() != values
                   or existing.associations != associations or existing.quantified_associations != quantified)
        if changed:
            values_changed = existing.values() != values or existing.parent != parent_code
            existing.parent, existing.categories, existing.values_json = parent_code, categories, dump_values(values)
            existing.associations, existing.quantified_associations = associations, quantified
            existing.updated = now
            self.state.put_model(existing)
            if values_changed:
                refresh_descendants(self.state, code)
        return existing, False
