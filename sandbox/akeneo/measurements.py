"""Akeneo's standard measurement families (the ones the demo catalog uses and a few more).

Codes, symbols and conversions follow Akeneo's standard set: each unit converts from the family's
standard unit with a list of operations (`mul`, `div`, `add`, `sub`) whose values are strings.
"""
from __future__ import annotations

# family code -> (english label, standard unit, [(unit code, english label, symbol, operations)])
# where operations is a list of (operator, value) applied to a value in the standard unit.
_FAMILIES: dict[str, tuple[str, str, list[tuple[str, str, str, list[tuple[str, str]]]]]] = {
    "Area": ("Area", "SQUARE_METER", [
        ("SQUARE_MILLIMETER", "Square millimeter", "mm²", [("mul", "0.000001")]),
        ("SQUARE_CENTIMETER", "Square centimeter", "cm²", [("mul", "0.0001")]),
        ("SQUARE_DECIMETER", "Square decimeter", "dm²", [("mul", "0.01")]),
        ("SQUARE_METER", "Square meter", "m²", [("mul", "1")]),
        ("CENTIARE", "Centiare", "ca", [("mul", "1")]),
        ("SQUARE_DEKAMETER", "Square dekameter", "dam²", [("mul", "100")]),
        ("ARE", "Are", "a", [("mul", "100")]),
        ("SQUARE_HECTOMETER", "Square hectometer", "hm²", [("mul", "10000")]),
        ("HECTARE", "Hectare", "ha", [("mul", "10000")]),
        ("SQUARE_KILOMETER", "Square kilometer", "km²", [("mul", "1000000")]),
        ("SQUARE_INCH", "Square inch", "in²", [("mul", "0.00064516")]),
        ("SQUARE_FOOT", "Square foot", "ft²", [("mul", "0.09290304")]),
        ("SQUARE_YARD", "Square yard", "yd²", [("mul", "0.83612736")]),
        ("ACRE", "Acre", "A", [("mul", "4046.856422")]),
        ("SQUARE_MILE", "Square mile", "mi²", [("mul", "2589988.110336")]),
    ]),
    "Duration": ("Duration", "SECOND", [
        ("MILLISECOND", "Millisecond", "ms", [("mul", "0.001")]),
        ("SECOND", "Second", "s", [("mul", "1")]),
        ("MINUTE", "Minute", "m", [("mul", "60")]),
        ("HOUR", "Hour", "h", [("mul", "3600")]),
        ("DAY", "Day", "d", [("mul", "86400")]),
        ("WEEK", "Week", "week", [("mul", "604800")]),
        ("YEAR", "Year", "year", [("mul", "31536000")]),
    ]),
    "Length": ("Length", "METER", [
        ("MILLIMETER", "Millimeter", "mm", [("mul", "0.001")]),
        ("CENTIMETER", "Centimeter", "cm", [("mul", "0.01")]),
        ("DECIMETER", "Decimeter", "dm", [("mul", "0.1")]),
        ("METER", "Meter", "m", [("mul", "1")]),
        ("DEKAMETER", "Dekameter", "dam", [("mul", "10")]),
        ("HECTOMETER", "Hectometer", "hm", [("mul", "100")]),
        ("KILOMETER", "Kilometer", "km", [("mul", "1000")]),
        ("MIL", "Mil", "mil", [("mul", "0.0000254")]),
        ("INCH", "Inch", "in", [("mul", "0.0254")]),
        ("FEET", "Feet", "ft", [("mul", "0.3048")]),
        ("YARD", "Yard", "yd", [("mul", "0.9144")]),
        ("MILE", "Mile", "mi", [("mul", "1609.344")]),
    ]),
    "Power": ("Power", "WATT", [
        ("WATT", "Watt", "W", [("mul", "1")]),
        ("KILOWATT", "Kilowatt", "kW", [("mul", "1000")]),
        ("MEGAWATT", "Megawatt", "MW", [("mul", "1000000")]),
    ]),
    "Temperature": ("Temperature", "KELVIN", [
        ("CELSIUS", "Celsius", "°C", [("add", "273.15")]),
        ("FAHRENHEIT", "Fahrenheit", "°F", [("sub", "32"), ("div", "1.8"), ("add", "273.15")]),
        ("KELVIN", "Kelvin", "°K", [("mul", "1")]),
        ("RANKINE", "Rankine", "°R", [("div", "1.8")]),
        ("REAUMUR", "Réaumur", "°r", [("mul", "1.25"), ("add", "273.15")]),
    ]),
    "Volume": ("Volume", "CUBIC_METER", [
        ("CUBIC_MILLIMETER", "Cubic millimeter", "mm³", [("mul", "0.000000001")]),
        ("CUBIC_CENTIMETER", "Cubic centimeter", "cm³", [("mul", "0.000001")]),
        ("MILLILITER", "Milliliter", "ml", [("mul", "0.000001")]),
        ("CENTILITER", "Centiliter", "cl", [("mul", "0.00001")]),
        ("DECILITER", "Deciliter", "dl", [("mul", "0.0001")]),
        ("CUBIC_DECIMETER", "Cubic decimeter", "dm³", [("mul", "0.001")]),
        ("LITER", "Liter", "l", [("mul", "0.001")]),
        ("CUBIC_METER", "Cubic meter", "m³", [("mul", "1")]),
        ("OUNCE", "Ounce", "oz", [("mul", "0.00002841")]),
        ("PINT", "Pint", "pt", [("mul", "0.00056826125")]),
        ("GALLON", "Gallon", "gal", [("mul", "0.00454609")]),
        ("CUBIC_INCH", "Cubic inch", "in³", [("mul", "0.000016387064")]),
        ("CUBIC_FOOT", "Cubic foot", "ft³", [("mul", "0.028316846592")]),
    ]),
    "Weight": ("Weight", "KILOGRAM", [
        ("MILLIGRAM", "Milligram", "mg", [("mul", "0.000001")]),
        ("GRAM", "Gram", "g", [("mul", "0.001")]),
        ("KILOGRAM", "Kilogram", "kg", [("mul", "1")]),
        ("TON", "Ton", "t", [("mul", "1000")]),
        ("GRAIN", "Grain", "gr", [("mul", "0.00006479891")]),
        ("OUNCE", "Ounce", "oz", [("mul", "0.028349523125")]),
        ("POUND", "Pound", "lb", [("mul", "0.45359237")]),
    ]),
}


def standard_measurement_families() -> dict[str, dict]:
    """The families in the REST API's format, keyed by family code."""
    families = {}
    for code, (label, standard_unit, units) in _FAMILIES.items():
        families[code] = {
            "code": code,
            "labels": {"en_US": label},
            "standard_unit_code": standard_unit,
            "units": {
                unit: {
                    "code": unit,
                    "labels": {"en_US": unit_label},
                    "convert_from_standard": [{"operator": op, "value": value} for op, value in ops],
                    "symbol": symbol,
                }
                for unit, unit_label, symbol, ops in units
            },
        }
    return families
