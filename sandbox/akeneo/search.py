"""The `search` query parameter of products and product models: Akeneo's checks, then matching keys."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

from sandbox.akeneo.attribute_filters import Row, attribute_predicate, unsupported
from sandbox.akeneo.errors import php_type, unprocessable
from sandbox.akeneo.state import IDENTIFIER_ATTRIBUTE, AkeneoState
from sandbox.akeneo.structure import shown_categories

PRODUCT_FIELDS = {"family", "categories", "completeness", "identifier", "uuid", "created", "updated",
                  "enabled", "groups", "parent", "quality_score"}
MODEL_FIELDS = {"family", "categories", "completeness", "identifier", "created", "updated", "parent"}
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
Predicate = Callable[[Row], bool]


def parse_search(raw: Optional[str]) -> dict:
    """Decode and check the structure of `search` (messages of Akeneo's criterion validator)."""
    if raw is None:
        return {}
    try:
        search = json.loads(raw)
    except ValueError:
        search = None
    if isinstance(search, list) and not search:
        search = {}
    if not isinstance(search, dict):
        raise unprocessable("Search query parameter should be valid JSON.")
    for field, conditions in search.items():
        if not isinstance(conditions, list) or not conditions or not isinstance(conditions[0], dict):
            raise unprocessable(f'Structure of filter "{field}" should respect this structure: '
                                f'{{"{field}":[{{"operator": "my_operator", "value": "my_value"}}]}}')
        for condition in conditions:
            if not isinstance(condition, dict) or "operator" not in condition:
                raise unprocessable(f'Operator is missing for the property "{field}".')
            if not isinstance(condition["operator"], str):
                raise unprocessable(f'Operator has to be a string, "{php_type(condition["operator"])}" given.')
    return search


def _check_categories(state: AkeneoState, search: dict) -> None:
    unknown: list[str] = []
    for condition in search.get("categories", []):
        value = condition.get("value", [])
        for code in value if isinstance(value, list) else [value]:
            if str(code).strip() not in state.categories and str(code) not in unknown:
                unknown.append(str(code))
    if unknown:
        template = 'Categories "{}" do not exist.' if len(unknown) > 1 else 'Category "{}" does not exist.'
        raise unprocessable(template.format(", ".join(unknown)))


def _codes(field: str, value) -> list:
    if not isinstance(value, list):
        raise unprocessable(f'Property "{field}" expects an array as data, "{php_type(value)}" given.')
    return value


def _moment(field: str, value) -> datetime:
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        raise unprocessable(f'Property "{field}" expects a string with the format "yyyy-mm-dd H:i:s" as data, '
                            f'"{value}" given.')


def _date_predicate(field: str, operator: str, value, get: Callable[[Row], datetime]) -> Predicate:
    if operator == "SINCE LAST N DAYS":
        if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
            raise unprocessable(f'Property "{field}" expects a numeric as data, "{php_type(value)}" given.')
        since = datetime.now(timezone.utc) - timedelta(days=int(value))
        return lambda row: get(row) >= since
    if operator in ("BETWEEN", "NOT BETWEEN"):
        bounds = _codes(field, value)
        if len(bounds) != 2:
            raise unprocessable(f'Property "{field}" expects an array with valid data, "{php_type(value)}" given.')
        low, high = _moment(field, bounds[0]), _moment(field, bounds[1])
        if operator == "BETWEEN":
            return lambda row: low <= get(row) <= high
        return lambda row: not low <= get(row) <= high
    tests = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b, ">": lambda a, b: a > b}
    if operator not in tests:
        raise unsupported(field, operator)
    limit, test = _moment(field, value), tests[operator]
    return lambda row: test(get(row), limit)


def _membership(field: str, operator: str, value, get: Callable[[Row], object]) -> Predicate:
    """IN / NOT IN / EMPTY / NOT EMPTY on a single-valued property (family, parent...)."""
    if operator == "EMPTY":
        return lambda row: get(row) in (None, [])
    if operator == "NOT EMPTY":
        return lambda row: get(row) not in (None, [])
    if operator in ("IN", "NOT IN"):
        wanted = set(_codes(field, value))
        if operator == "IN":
            return lambda row: get(row) in wanted
        return lambda row: get(row) not in wanted
    raise unsupported(field, operator)


def _category_predicate(state: AkeneoState, operator: str, value) -> Predicate:
    def classified(row) -> list[str]:  # a variant or sub-model is also in its models' categories
        return shown_categories(state, row.record) if row.record.parent else row.record.categories

    if operator == "UNCLASSIFIED":
        return lambda row: not classified(row)
    codes = set(_codes("categories", value))
    if operator in ("IN CHILDREN", "NOT IN CHILDREN"):
        codes = set().union(*(state.category_with_descendants(code) for code in codes))
    if operator in ("IN", "IN CHILDREN"):
        return lambda row: not codes.isdisjoint(classified(row))
    if operator in ("NOT IN", "NOT IN CHILDREN"):
        return lambda row: codes.isdisjoint(classified(row))
    if operator == "IN OR UNCLASSIFIED":
        return lambda row: not classified(row) or not codes.isdisjoint(classified(row))
    raise unsupported("categories", operator)


class SearchPlan:
    """A checked search, ready to test records. `scope` adds Akeneo's implicit channel-tree filter."""

    def __init__(self, state: AkeneoState, search: dict, *, models: bool, scope: Optional[str],
                 search_locale: Optional[str], search_scope: Optional[str]) -> None:
        self.state = state
        self.models = models
        if scope is not None and "categories" not in search:
            search = dict(search, categories=[{"operator": "IN CHILDREN",
                                               "value": [state.channels[scope]["category_tree"]]}])
        _check_categories(state, search)
        fields = MODEL_FIELDS if models else PRODUCT_FIELDS
        for field, conditions in search.items():
            if field not in fields and field not in state.attributes:
                raise unsupported(field, conditions[0]["operator"])
        if search_locale is not None and search_locale not in state.activated_locales():
            raise unprocessable(f'Locale "{search_locale}" does not exist or is not activated.')
        self.predicates = [self._predicate(field, condition, search_locale, search_scope)
                           for field, conditions in search.items() for condition in conditions]
        since = any(c["operator"] == "SINCE LAST N DAYS" for cs in search.values() for c in cs)
        # SINCE LAST N DAYS moves with the clock: cache its results a minute at most.
        self.cache_key = (models, json.dumps(search, sort_keys=True), search_locale, search_scope,
                          int(time.time() // 60) if since else None)

    def _updated(self, row: Row) -> datetime:
        # A variant counts as updated when its product model was (Akeneo indexes the latest date).
        record, moment = row.record, row.record.updated
        while record.parent is not None and record.parent in self.state.product_models:
            record = self.state.product_models[record.parent]
            moment = max(moment, record.updated)
        return moment

    def _predicate(self, field: str, condition: dict, search_locale, search_scope) -> Predicate:
        operator, value = condition["operator"], condition.get("value")
        if field == "categories":
            return _category_predicate(self.state, operator, value)
        if field in ("created", "updated"):
            get = (lambda row: row.record.created) if field == "created" else self._updated
            return _date_predicate(field, operator, value, get)
        if field == "family":
            for code in value if operator in ("IN", "NOT IN") and isinstance(value, list) else []:
                if code not in self.state.families:
                    raise unprocessable(f'Property "family" expects a valid family code. The family does not '
                                        f'exist, "{code}" given.')
            return _membership(field, operator, value, lambda row: row.record.family)
        if field == "enabled" and operator in ("=", "!="):
            if not isinstance(value, bool):
                raise unprocessable(f'Property "enabled" expects a boolean as data, "{php_type(value)}" given.')
            return (lambda row: row.record.enabled is value) if operator == "=" \
                else (lambda row: row.record.enabled is not value)
        if field == "groups":
            if operator in ("IN", "NOT IN"):
                wanted = set(_codes(field, value))
                return (lambda row: not wanted.isdisjoint(row.record.groups)) if operator == "IN" \
                    else (lambda row: wanted.isdisjoint(row.record.groups))
            return _membership(field, operator, value, lambda row: row.record.groups)
        if field == "parent":
            return self._parent_predicate(operator, value)
        if field in ("identifier", "uuid") and not self.models or field == "identifier":
            return self._key_predicate(field, operator, value, models=self.models)
        if field in self.state.attributes:
            return attribute_predicate(self.state, field, condition, search_locale, search_scope)
        raise unsupported(field, operator)

    def _parent_predicate(self, operator: str, value) -> Predicate:
        """Products: `=` / `IN` a model code finds the variants below it at any depth (Akeneo
        searches their ancestor codes). Models: their direct parent (a root's sub-models)."""
        models = self.state.product_models
        if operator in ("=", "IN") and not self.models:
            wanted = set(_codes("parent", value)) if operator == "IN" else {value}

            def descends(row: Row) -> bool:
                parent = row.record.parent
                while parent is not None:
                    if parent in wanted:
                        return True
                    parent = models[parent].parent if parent in models else None
                return False
            return descends
        if operator == "=" and self.models:
            return lambda row: row.record.parent == value
        return _membership("parent", operator, value, lambda row: row.record.parent)

    @staticmethod
    def _key_predicate(field: str, operator: str, value, models: bool = False) -> Predicate:
        def get(row: Row):
            if models:
                return row.record.code
            return row.record.identifier if field == "identifier" else row.record.uuid
        if operator in ("IN", "NOT IN", "EMPTY", "NOT EMPTY"):
            return _membership(field, operator, value, get)
        text = str(value)
        tests = {"=": lambda key: key == text, "!=": lambda key: key != text,
                 "STARTS WITH": lambda key: key.startswith(text), "CONTAINS": lambda key: text in key,
                 "DOES NOT CONTAIN": lambda key: text not in key}
        if operator not in tests:
            raise unsupported(field, operator)
        test = tests[operator]
        return lambda row: get(row) is not None and test(get(row))

    def matches(self, record) -> bool:
        row = Row(record, None if self.models else IDENTIFIER_ATTRIBUTE)
        return all(predicate(row) for predicate in self.predicates)
