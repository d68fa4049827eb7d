"""Checking and normalising one product value, the way Akeneo's updater and validator do.

Two kinds of refusal, as in Akeneo: the updater stops at the first payload error (wrong type,
missing locale, unknown code → `payload_error`), the validator then lists every violation
(unknown option, inactive locale, bad unit... → entries of "Validation failed.").
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Optional

from sandbox.akeneo.errors import php_type, value_error
from sandbox.akeneo.state import AkeneoState


class PayloadError(Exception):
    """The updater's refusal: the message of Akeneo's PropertyException."""


def _decimal(data) -> Optional[Decimal]:
    if isinstance(data, bool) or not isinstance(data, (int, float, str)):
        return None
    try:
        number = Decimal(str(data).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _format_number(number: Decimal, decimals_allowed: bool, places: int):
    if not decimals_allowed:
        return int(number)
    return str(number.quantize(Decimal(1).scaleb(-places)))


class ValueChecker:
    """Checks values of one payload; collects violations in `violations`."""

    def __init__(self, state: AkeneoState) -> None:
        self.state = state
        self.violations: list[dict] = []
        self._active_locales = state.activated_locales()
        self._active_currencies = state.activated_currencies()

    def _violate(self, message: str, code: str, locale, scope) -> None:
        self.violations.append(value_error(message, code, locale, scope))

    def check_context(self, code: str, attribute: dict, locale, scope) -> None:
        if attribute["localizable"] and locale is None:
            raise PayloadError(f"The {code} attribute requires a locale.")
        if not attribute["localizable"] and locale is not None:
            raise PayloadError(f"The {code} attribute is not localisable.")
        if attribute["scopable"] and scope is None:
            raise PayloadError(f"The {code} attribute requires a value per channel.")
        if not attribute["scopable"] and scope is not None:
            raise PayloadError(f"The {code} attribute does not require a value per channel.")
        if not isinstance(locale, (str, type(None))) or not isinstance(scope, (str, type(None))):
            raise PayloadError(f'Property "{code}" expects a string as locale and scope.')
        if scope is not None and scope not in self.state.channels:
            self._violate(f'Value "{code}" expects an existing channel, "{scope}" given', code, locale, scope)
        if locale is None:
            return
        if locale not in self._active_locales:
            self._violate(f"The {code} attribute requires a valid locale. The {locale} locale does not exist.",
                          code, locale, scope)
        elif scope in self.state.channels and locale not in self.state.channels[scope]["locales"]:
            self._violate(f"The {code} attribute requires a valid locale. The {locale} locale is not bound to "
                          f"the {scope} channel or does not exist.", code, locale, scope)
        elif attribute["available_locales"] and locale not in attribute["available_locales"]:
            self._violate(f'"{locale}" is not part of the available locales for the locale specific attribute '
                          f'"{code}".', code, locale, scope)

    def normalize(self, code: str, attribute: dict, data, locale, scope):
        """The stored form of `data` (None erases the value)."""
        if data is None:
            return None
        kind = attribute["type"]
        if kind in ("pim_catalog_text", "pim_catalog_textarea", "pim_catalog_identifier"):
            if not isinstance(data, str):
                raise PayloadError(f"The {code} attribute requires a string, a {php_type(data)} was detected.")
            limit = attribute.get("max_characters")
            if limit and len(data) > limit:
                self._violate(f"The {code} attribute must not contain more than {limit} characters. The submitted "
                              "value is too long.", code, locale, scope)
            return data
        if kind == "pim_catalog_number":
            if not isinstance(data, (int, float, str)) or isinstance(data, bool):
                raise PayloadError(f'Property "{code}" expects a numeric as data, "{php_type(data)}" given.')
            return self._number(code, attribute, data, locale, scope, places=4)
        if kind == "pim_catalog_boolean":
            if not isinstance(data, bool):
                raise PayloadError(f'Property "{code}" expects a boolean as data, "{php_type(data)}" given.')
            return data
        if kind == "pim_catalog_date":
            return self._date(code, data)
        if kind == "pim_catalog_simpleselect":
            if not isinstance(data, str):
                raise PayloadError(f'Property "{code}" expects a string as data, "{php_type(data)}" given.')
            return self._options(code, [data], locale, scope)[0]
        if kind == "pim_catalog_multiselect":
            if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
                raise PayloadError(f'Property "{code}" expects an array as data, "{php_type(data)}" given.')
            return self._options(code, data, locale, scope)
        if kind == "pim_catalog_price_collection":
            return self._prices(code, attribute, data, locale, scope)
        if kind == "pim_catalog_metric":
            return self._metric(code, attribute, data, locale, scope)
        if kind in ("pim_catalog_image", "pim_catalog_file"):
            if not isinstance(data, str):
                raise PayloadError(f'Property "{code}" expects a string as data, "{php_type(data)}" given.')
            if data not in self.state.media_files:
                raise PayloadError(f'Property "{code}" expects a valid fileinfo key. The media does not exist, '
                                   f'"{data}" given.')
            return data
        if kind in ("akeneo_reference_entity", "akeneo_reference_entity_collection"):
            return self._records(code, attribute, data, locale, scope)
        raise PayloadError(f'Property "{code}" is not supported by the sandbox.')

    def _records(self, code: str, attribute: dict, data, locale, scope):
        """Record codes of the attribute's reference entity (case-insensitive, like Akeneo's codes)."""
        single = attribute["type"] == "akeneo_reference_entity"
        if single and not isinstance(data, str) or not single and (
                not isinstance(data, list) or not all(isinstance(item, str) for item in data)):
            expected = "a string" if single else "an array"
            raise PayloadError(f'Property "{code}" expects {expected} as data, "{php_type(data)}" given.')
        entity = attribute["reference_data_name"]
        known = {record.lower(): record for record in self.state.reference_entity_records.get(entity, {})}
        chosen = []
        for item in [data] if single else data:
            if item.lower() not in known:
                self._violate(f'The record "{item}" does not exist for the reference entity "{entity}".',
                              code, locale, scope)
            record = known.get(item.lower(), item)
            if record not in chosen:
                chosen.append(record)
        return chosen[0] if single else chosen

    def _number(self, code: str, attribute: dict, data, locale, scope, *, places: int):
        number = _decimal(data)
        if number is None:
            self._violate(f"The {code} attribute requires a number, and the submitted {data} value is not.",
                          code, locale, scope)
            return data
        decimals_allowed = bool(attribute.get("decimals_allowed"))
        if not decimals_allowed and number != number.to_integral_value():
            self._violate(f"The {code} attribute requires a non-decimal value, and {data} is not a valid value.",
                          code, locale, scope)
            return data
        if attribute.get("negative_allowed") is False and number < 0:
            self._violate(f"The {code} attribute requires an equal or greater than 0 value.", code, locale, scope)
        for bound, below in (("number_min", True), ("number_max", False)):
            limit = _decimal(attribute.get(bound)) if attribute.get(bound) is not None else None
            if limit is not None and (number < limit if below else number > limit):
                shown = _format_number(limit, True, 4)
                self._violate(f"This value should be {shown} or {'more' if below else 'less'}.", code, locale, scope)
        return _format_number(number, decimals_allowed, places)

    @staticmethod
    def _date(code: str, data) -> str:
        try:
            if not isinstance(data, str):
                raise ValueError(data)
            day = date.fromisoformat(data) if len(data) == 10 else datetime.fromisoformat(data).date()
        except ValueError:
            raise PayloadError(f"The {code} attribute requires a valid date. Please use the following format "
                               "yyyy-mm-dd for dates.")
        return f"{day.isoformat()}T00:00:00+00:00"

    def _options(self, code: str, given: list[str], locale, scope) -> list[str]:
        # Option codes are case-insensitive in Akeneo; the stored code is the option's own.
        known = {option.lower(): option for option in self.state.attribute_options.get(code, {})}
        unknown = [item for item in given if item.lower() not in known]
        if len(unknown) == 1:
            self._violate(f"The {unknown[0]} value is not in the {code} attribute option list.", code, locale, scope)
        elif unknown:
            self._violate(f"The {', '.join(unknown)} values are not in the {code} attribute option list.",
                          code, locale, scope)
        chosen: list[str] = []
        for item in given:
            option = known.get(item.lower(), item)
            if option not in chosen:
                chosen.append(option)
        return chosen

    def _prices(self, code: str, attribute: dict, data, locale, scope) -> list[dict]:
        if not isinstance(data, list):
            raise PayloadError(f'Property "{code}" expects an array as data, "{php_type(data)}" given.')
        prices: dict[str, dict] = {}
        for price in data:
            if not isinstance(price, dict):
                raise PayloadError(f'Property "{code}" expects an array as data, "{php_type(price)}" given.')
            for key in ("amount", "currency"):
                if key not in price:
                    raise PayloadError(f'Property "{code}" expects an array with the key "{key}".')
            currency = price["currency"]
            if currency not in self._active_currencies:
                self._violate("Please specify a valid currency", code, locale, scope)
            amount = price["amount"]
            if amount is not None:
                amount = self._number(code, {"decimals_allowed": attribute.get("decimals_allowed")}, amount,
                                      locale, scope, places=2)
                amount = str(amount)
            prices[str(currency)] = {"amount": amount, "currency": currency}
        return [prices[currency] for currency in sorted(prices)]

    def _metric(self, code: str, attribute: dict, data, locale, scope) -> dict:
        if not isinstance(data, dict):
            raise PayloadError(f'Property "{code}" expects an array as data, "{php_type(data)}" given.')
        for key in ("amount", "unit"):
            if key not in data:
                raise PayloadError(f'Property "{code}" expects an array with the key "{key}".')
        family = self.state.measurement_families.get(attribute["metric_family"], {"units": {}})
        if data["unit"] not in family["units"]:
            self._violate("Please specify a valid metric unit", code, locale, scope)
        amount = data["amount"]
        if amount is not None:
            amount = self._number(code, attribute, amount, locale, scope, places=4)
        return {"amount": amount, "unit": data["unit"]}
