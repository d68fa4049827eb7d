"""The UN/CEFACT Rec. 20 ⇄ Akeneo unit table."""
from __future__ import annotations

import pytest
from productsup.units import STANDARD_FAMILIES, FamilyUnits, common_code

ASKED_FAMILIES = ("Length", "Area", "Volume", "Weight", "Temperature", "Duration", "Frequency", "Power",
                  "Voltage", "Intensity", "Resistance", "Speed", "Energy", "Pressure")


@pytest.mark.parametrize(
    ("family", "unit", "code"),
    [
        ("Length", "MILLIMETER", "MMT"), ("Length", "CENTIMETER", "CMT"), ("Length", "METER", "MTR"),
        ("Length", "INCH", "INH"), ("Length", "FEET", "FOT"), ("Weight", "GRAM", "GRM"),
        ("Weight", "KILOGRAM", "KGM"), ("Weight", "POUND", "LBR"), ("Volume", "LITER", "LTR"),
        ("Volume", "MILLILITER", "MLT"), ("Area", "SQUARE_METER", "MTK"), ("Temperature", "CELSIUS", "CEL"),
        ("Duration", "HOUR", "HUR"), ("Frequency", "MEGAHERTZ", "MHZ"), ("Power", "KILOWATT", "KWT"),
        ("Voltage", "VOLT", "VLT"), ("Intensity", "MILLIAMPERE", "4K"), ("Resistance", "OHM", "OHM"),
        ("Speed", "KILOMETER_PER_HOUR", "KMH"), ("Energy", "KILOJOULE", "KJO"), ("Pressure", "BAR", "BAR"),
    ],
)
def test_well_known_units_map_to_their_rec20_common_codes(family, unit, code):
    assert common_code(family, unit) == code
    assert FamilyUnits(family).resolve(code) == unit


def test_every_family_the_issue_names_is_in_the_table_with_codes():
    for family in ASKED_FAMILIES:
        assert any(STANDARD_FAMILIES[family].values()), family


def test_common_codes_are_unique_within_a_family_so_decoding_is_unambiguous():
    for family, units in STANDARD_FAMILIES.items():
        codes = [code for code in units.values() if code]
        assert len(codes) == len(set(codes)), family


def test_no_common_code_names_a_different_akeneo_unit_of_the_same_family():
    for family, units in STANDARD_FAMILIES.items():
        for unit, code in units.items():
            assert code is None or code not in units or code == unit, (family, unit, code)


def test_units_without_a_common_code_are_written_with_their_akeneo_code():
    units = FamilyUnits("Weight")
    assert units.to_common("MARC") == "MARC"
    assert units.to_common("KILOGRAM") == "KGM"
    assert units.resolve("MARC") == "MARC"


def test_codes_are_matched_case_insensitively():
    assert FamilyUnits("Length").resolve("mmt") == "MILLIMETER"
    assert FamilyUnits("Length").resolve("millimeter") == "MILLIMETER"


def test_a_unit_of_another_family_is_refused():
    assert FamilyUnits("Length").resolve("KGM") is None
    assert FamilyUnits("Length").resolve("KILOGRAM") is None


def test_the_catalog_decides_which_units_a_family_has():
    units = FamilyUnits("Length", ["MILLIMETER", "CUSTOM_UNIT"])
    assert units.resolve("CUSTOM_UNIT") == "CUSTOM_UNIT"
    assert units.resolve("MTR") is None  # a standard unit this catalog does not have
    assert units.to_common("MILLIMETER") == "MMT"


def test_a_family_nobody_knows_lets_any_unit_through():
    assert FamilyUnits("Radioactivity").resolve("BECQUEREL") == "BECQUEREL"
    assert FamilyUnits("Radioactivity").describe() == "any unit"
