"""Filters on product values (`search={"name":[{"operator":"CONTAINS","value":"x","locale":"en_US"}]}`)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Callable, Optional

from sandbox.akeneo.errors import unprocessable
from sandbox.akeneo.state import AkeneoState

Predicate = Callable[["Row"], bool]

TEXT_TYPES = ("pim_catalog_text", "pim_catalog_textarea", "pim_catalog_identifier")
SELECT_TYPES = ("pim_catalog_simpleselect", "pim_catalog_multiselect")


class Row:
    """A record under test; decodes its values at most once."""

    __slots__ = ("record", "_values", "identifier_attribute")

    def __init__(self, record, identifier_attribute: Optional[str] = None) -> None:
        self.record = record
        self._values: Optional[dict] = None
        self.identifier_attribute = identifier_attribute

    def data(self, attribute: str, locale: Optional[str], scope: Optional[str]):
        if attribute == self.identifier_attribute:
            return getattr(self.record, "identifier", None)
        if self._values is None:
            self._values = self.record.values()
        for value in self._values.get(attribute, ()):
            if value["locale"] == locale and value["scope"] == scope:
                return value["data"]
        return None


def unsupported(field: str, operator) -> Exception:
    return unprocessable(f'Filter on property "{field}" is not supported or does not support operator "{operator}"')


def _context(state: AkeneoState, code: str, attribute: dict, condition: dict,
             search_locale: Optional[str], search_scope: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """Resolve and check the locale and scope of a value filter (messages of Akeneo's validator)."""
    locale = condition.get("locale") or (search_locale if attribute["localizable"] else None)
    scope = condition.get("scope") or (search_scope if attribute["scopable"] else None)
    if attribute["localizable"] and locale is None:
        raise unprocessable(f'Attribute "{code}" expects a locale, none given.')
    if not attribute["localizable"] and locale is not None:
        raise unprocessable(f'Attribute "{code}" does not expect a locale, "{locale}" given.')
    if locale is not None and locale not in state.activated_locales():
        raise unprocessable(f'Attribute "{code}" expects an existing and activated locale, "{locale}" given.')
    if attribute["scopable"] and scope is None:
        raise unprocessable(f'Attribute "{code}" expects a scope, none given.')
    if not attribute["scopable"] and scope is not None:
        raise unprocessable(f'Attribute "{code}" does not expect a scope, "{scope}" given.')
    if scope is not None and scope not in state.channels:
        raise unprocessable(f'Attribute "{code}" expects an existing scope, "{scope}" given.')
    return locale, scope


def _number(code: str, value) -> Decimal:
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise unprocessable(f'Property "{code}" expects a numeric as data, "{value}" given.')


def _day(code: str, value) -> date:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return date.fromisoformat(value[:10])
    except ValueError:
        raise unprocessable(f'Property "{code}" expects a string with the format "yyyy-mm-dd" as data, '
                            f'"{value}" given.')


def _emptiness(operator: str, get: Callable[[Row], object]) -> Optional[Predicate]:
    if operator == "EMPTY":
        return lambda row: get(row) in (None, "", [])
    if operator == "NOT EMPTY":
        return lambda row: get(row) not in (None, "", [])
    return None


def attribute_predicate(state: AkeneoState, code: str, condition: dict,
                        search_locale: Optional[str], search_scope: Optional[str]) -> Predicate:
    attribute = state.attributes[code]
    kind, operator, value = attribute["type"], condition["operator"], condition.get("value")
    locale, scope = _context(state, code, attribute, condition, search_locale, search_scope)

    def get(row: Row):
        return row.data(code, locale, scope)

    empty = _emptiness(operator, get)
    if empty is not None:
        return empty
    if kind in TEXT_TYPES:
        needle = str(value).lower()
        tests = {"STARTS WITH": lambda text: text.startswith(needle), "CONTAINS": lambda text: needle in text,
                 "DOES NOT CONTAIN": lambda text: needle not in text, "=": lambda text: text == needle,
                 "!=": lambda text: text != needle}
        if operator in tests:
            test = tests[operator]
            return lambda row: (text := get(row)) is not None and test(str(text).lower())
    elif kind == "pim_catalog_number":
        compare = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "=": lambda a, b: a == b,
                   "!=": lambda a, b: a != b, ">=": lambda a, b: a >= b, ">": lambda a, b: a > b}
        if operator in compare:
            limit, test = _number(code, value), compare[operator]
            return lambda row: (number := get(row)) is not None and test(Decimal(str(number)), limit)
    elif kind in SELECT_TYPES and operator in ("IN", "NOT IN"):
        if not isinstance(value, list):
            raise unprocessable(f'Property "{code}" expects an array as data, "{value}" given.')
        wanted = {str(option).lower() for option in value}

        def chosen(row: Row) -> set:
            data = get(row)
            return {str(item).lower() for item in (data if isinstance(data, list) else [data])} - {"none"}
        if operator == "IN":
            return lambda row: bool(chosen(row) & wanted)
        return lambda row: bool(chosen(row)) and not chosen(row) & wanted
    elif kind == "pim_catalog_boolean" and operator in ("=", "!="):
        if not isinstance(value, bool):
            raise unprocessable(f'Property "{code}" expects a boolean as data, "{value}" given.')
        if operator == "=":
            return lambda row: get(row) is value
        return lambda row: get(row) is not None and get(row) is not value
    elif kind == "pim_catalog_date":
        return _date_predicate(code, operator, value, get)
    raise unsupported(code, operator)


def _date_predicate(code: str, operator: str, value, get: Callable[[Row], object]) -> Predicate:
    def day(row: Row) -> Optional[date]:
        data = get(row)
        return date.fromisoformat(data[:10]) if isinstance(data, str) else None
    if operator in ("BETWEEN", "NOT BETWEEN"):
        if not isinstance(value, list) or len(value) != 2:
            raise unprocessable(f'Property "{code}" expects an array with valid data, "{value}" given.')
        low, high = _day(code, value[0]), _day(code, value[1])
        if operator == "BETWEEN":
            return lambda row: (d := day(row)) is not None and low <= d <= high
        return lambda row: (d := day(row)) is not None and not low <= d <= high
    tests = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, "=": lambda a, b: a == b, "!=": lambda a, b: a != b}
    if operator not in tests:
        raise unsupported(code, operator)
    limit, test = _day(code, value), tests[operator]
    return lambda row: (d := day(row)) is not None and test(d, limit)
