"""UN/CEFACT Recommendation 20 common codes ⇄ Akeneo unit codes, per measurement family.

Every unit of Akeneo's standard measurement families is listed (as installed by Akeneo PIM 7),
with its Rec. 20 common code (revision 14) or None when Rec. 20 has no code for it. Choices:
- units are matched by name; the binary units follow Rec. 20's names (KILOBYTE → 2P "kilobyte")
  although Akeneo counts 1024 bytes per kilobyte;
- Akeneo's YEAR and MONTH (365-day based) take ANN and MON (365.25-day based), the usual codes;
- deprecated ("D") Rec. 20 codes are used only where no current code exists: ARE, HAR, UA (torr),
  HN (mm Hg), D35 (thermochemical calorie);
- Akeneo's Weight DENIER (an old French mass) is not Rec. 20's denier (a yarn density): no code.
A catalog may add families and units: `FamilyUnits` combines the catalog's units with this table.
"""
from __future__ import annotations

from typing import Iterable

STANDARD_FAMILIES: dict[str, dict[str, str | None]] = {
    "Angle": {
        "RADIAN": "C81", "MILLIRADIAN": "C25", "MICRORADIAN": "B97", "DEGREE": "DD", "MINUTE": "D61",
        "SECOND": "D62", "GON": "A91", "MIL": "M43", "REVOLUTION": "M44",
    },
    "Area": {
        "SQUARE_MILLIMETER": "MMK", "SQUARE_CENTIMETER": "CMK", "SQUARE_DECIMETER": "DMK",
        "SQUARE_METER": "MTK", "CENTIARE": None, "SQUARE_DEKAMETER": "H16", "ARE": "ARE",
        "SQUARE_HECTOMETER": "H18", "HECTARE": "HAR", "SQUARE_KILOMETER": "KMK", "SQUARE_MIL": None,
        "SQUARE_INCH": "INK", "SQUARE_FOOT": "FTK", "SQUARE_YARD": "YDK", "ARPENT": None,
        "ACRE": "ACR", "SQUARE_FURLONG": None, "SQUARE_MILE": "MIK",
    },
    "Binary": {
        "CHAR": None, "KILOBIT": "C37", "MEGABIT": "D36", "GIGABIT": "B68", "BIT": "A99", "BYTE": "AD",
        "KILOBYTE": "2P", "MEGABYTE": "4L", "GIGABYTE": "E34", "TERABYTE": "E35",
    },
    "Brightness": {"LUMEN": "LUM", "NIT": "A24"},
    "Capacitance": {
        "ATTOFARAD": "H48", "PICOFARAD": "4T", "NANOFARAD": "C41", "MICROFARAD": "4O",
        "MILLIFARAD": "C10", "FARAD": "FAR", "KILOFARAD": "N90",
    },
    "CaseBox": {"PIECE": "H87", "DOZEN": "DZN"},
    "Decibel": {"DECIBEL": "2N"},
    "Duration": {
        "MILLISECOND": "C26", "SECOND": "SEC", "MINUTE": "MIN", "HOUR": "HUR", "DAY": "DAY",
        "WEEK": "WEE", "MONTH": "MON", "YEAR": "ANN",
    },
    "ElectricCharge": {
        "MILLIAMPEREHOUR": "E09", "AMPEREHOUR": "AMH", "MILLICOULOMB": "D86", "CENTICOULOMB": None,
        "DECICOULOMB": None, "COULOMB": "COU", "DEKACOULOMB": None, "HECTOCOULOMB": None,
        "KILOCOULOMB": "B26",
    },
    "Energy": {"JOULE": "JOU", "CALORIE": "D35", "KILOCALORIE": "K53", "KILOJOULE": "KJO"},
    "Force": {"MILLINEWTON": "C20", "NEWTON": "NEW", "KILONEWTON": "B47", "MEGANEWTON": "B73"},
    "Frequency": {"HERTZ": "HTZ", "KILOHERTZ": "KHZ", "MEGAHERTZ": "MHZ", "GIGAHERTZ": "A86", "TERAHERTZ": "D29"},
    "Intensity": {
        "MILLIAMPERE": "4K", "CENTIAMPERE": None, "DECIAMPERE": None, "AMPERE": "AMP",
        "DEKAMPERE": None, "HECTOAMPERE": None, "KILOAMPERE": "B22",
    },
    "Length": {
        "MILLIMETER": "MMT", "CENTIMETER": "CMT", "DECIMETER": "DMT", "METER": "MTR", "DEKAMETER": "A45",
        "HECTOMETER": "HMT", "KILOMETER": "KMT", "MICROMETER": "4H", "MIL": "77", "INCH": "INH",
        "FEET": "FOT", "YARD": "YRD", "CHAIN": "X1", "FURLONG": "M50", "MILE": "SMI", "NAUTICAL_MILE": "NMI",
    },
    "Power": {"WATT": "WTT", "KILOWATT": "KWT", "MEGAWATT": "MAW", "GIGAWATT": "A90", "TERAWATT": "D31"},
    "Pressure": {
        "BAR": "BAR", "MILLIBAR": "MBR", "PASCAL": "PAL", "HECTOPASCAL": "A97", "KILOPASCAL": "KPA",
        "MEGAPASCAL": "MPA", "GIGAPASCAL": "A89", "CENTIBAR": None, "DECIBAR": None, "KILOBAR": "KBA",
        "MEGABAR": None, "ATM": "ATM", "PSI": "PS", "TORR": "UA", "MMHG": "HN",
    },
    "Resistance": {
        "MILLIOHM": "E45", "CENTIOHM": None, "DECIOHM": None, "OHM": "OHM", "DEKAOHM": None,
        "HECTOHM": None, "KILOHM": "B49", "MEGOHM": "B75",
    },
    "Speed": {
        "METER_PER_SECOND": "MTS", "METER_PER_MINUTE": "2X", "METER_PER_HOUR": "M60",
        "KILOMETER_PER_HOUR": "KMH", "FOOT_PER_SECOND": "FS", "FOOT_PER_HOUR": "K14",
        "YARD_PER_HOUR": "M66", "MILE_PER_HOUR": "HM",
    },
    "Temperature": {"CELSIUS": "CEL", "FAHRENHEIT": "FAH", "KELVIN": "KEL", "RANKINE": "A48", "REAUMUR": None},
    "Voltage": {
        "MILLIVOLT": "2Z", "CENTIVOLT": None, "DECIVOLT": None, "VOLT": "VLT", "DEKAVOLT": None,
        "HECTOVOLT": None, "KILOVOLT": "KVT",
    },
    "Volume": {
        "MILLILITER": "MLT", "CENTILITER": "CLT", "DECILITER": "DLT", "LITER": "LTR", "HECTOLITER": "HLT",
        "MICROLITER": "4G", "CUBIC_MILLIMETER": "MMQ", "CUBIC_CENTIMETER": "CMQ", "CUBIC_DECIMETER": "DMQ",
        "CUBIC_METER": "MTQ", "OUNCE": "OZI", "PINT": "PTI", "BARREL": "B4", "GALLON": "GLI",
        "CUBIC_FOOT": "FTQ", "CUBIC_INCH": "INQ", "CUBIC_YARD": "YDQ",
    },
    "VolumeFlow": {
        "CUBIC_METER_PER_SECOND": "MQS", "CUBIC_METER_PER_MINUTE": "G53", "CUBIC_METER_PER_HOUR": "MQH",
        "CUBIC_METER_PER_DAY": "G52", "MILLILITER_PER_SECOND": "40", "MILLILITER_PER_MINUTE": "41",
        "MILLILITER_PER_HOUR": "G55", "MILLILITER_PER_DAY": "G54", "CUBIC_CENTIMETER_PER_SECOND": "2J",
        "CUBIC_CENTIMETER_PER_MINUTE": "G49", "CUBIC_CENTIMETER_PER_HOUR": "G48",
        "CUBIC_CENTIMETER_PER_DAY": "G47", "CUBIC_DECIMETER_PER_MINUTE": "J92",
        "CUBIC_DECIMETER_PER_HOUR": "E92", "LITER_PER_SECOND": "G51", "LITER_PER_MINUTE": "L2",
        "LITER_PER_HOUR": "E32", "LITER_PER_DAY": "LD", "KILOLITER_PER_HOUR": "4X",
    },
    "Weight": {
        "MICROGRAM": "MC", "MILLIGRAM": "MGM", "GRAM": "GRM", "KILOGRAM": "KGM", "TON": "TNE",
        "GRAIN": "GRN", "DENIER": None, "ONCE": None, "MARC": None, "LIVRE": None, "OUNCE": "ONZ",
        "POUND": "LBR",
    },
}


def common_code(family: str, unit: str) -> str | None:
    """The Rec. 20 common code of an Akeneo unit of a standard family, or None."""
    return STANDARD_FAMILIES.get(family, {}).get(unit)


class FamilyUnits:
    """The units one measurement family accepts: Akeneo codes and, where known, common codes."""

    __slots__ = ("family", "units", "_to_common", "tokens")

    def __init__(self, family: str, units: Iterable[str] | None = None):
        standard = STANDARD_FAMILIES.get(family, {})
        self.family = family
        # None means "the family is unknown": any unit is let through (Akeneo will judge).
        self.units: frozenset[str] | None = frozenset(units if units is not None else standard) or None
        known = self.units or frozenset()
        self._to_common = {unit: code for unit, code in standard.items() if code and unit in known}
        tokens: dict[str, str] = {unit: unit for unit in known}
        for unit, code in self._to_common.items():
            tokens.setdefault(code, unit)  # an Akeneo code wins over an equal common code
        self.tokens = tokens  # exact spelling → Akeneo unit code

    def resolve(self, token: str) -> str | None:
        """The Akeneo unit code for a common or Akeneo code (case-insensitive), or None if foreign."""
        unit = self.tokens.get(token)
        if unit is None:
            unit = self.tokens.get(token.upper())
        if unit is None and self.units is None:
            return token
        return unit

    def to_common(self, unit: str) -> str:
        """The common code when there is one, else the Akeneo code."""
        return self._to_common.get(unit, unit)

    def describe(self, limit: int = 10) -> str:
        """A short list of accepted codes for messages."""
        if self.units is None:
            return "any unit"
        order = list(STANDARD_FAMILIES.get(self.family, ())) + sorted(self.units)
        codes = list(dict.fromkeys(self.to_common(u) for u in order if u in self.units))
        more = f", ... ({len(codes)} in all)" if len(codes) > limit else ""
        return ", ".join(codes[:limit]) + more
