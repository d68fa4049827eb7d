"""The whole-column fast paths give exactly what the careful per-cell decoders give."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from productsup.codec import FlatCodec
from productsup_catalog import catalog

HEADER = ["sku", "quantity", "rating", "waterproof", "release_date", "color", "materials", "brand", "picture",
          "weight", "temperature", "length~en_US", "price@EUR", "msrp~de_DE@USD", "name~en_US", "categories"]
SAMPLES = ["", " ", "\t", "12", "0012", "12.50", "12.00", "-3", "-3.5", "1e3", "１２", "12\n13", "true", "TRUE",
           "1", "0", "yes", "2026-01-31", "2026-02-30", "0999-12-31", "2026-1-31", "red", "RED", "Navy_Blue",
           "green", " red ", "leather<###>cotton", "leather<###>", "leather\\<###>", "leather<###>wood",
           "3 KGM", "3 kgm", "3.5 GRM", "-1 KGM", "3", "3  KGM", "3 MMT", "2 MARC", "-18 CEL", "21.5 CEL",
           "3000.0000 MMT", "12 INCH", "740.00 EUR", "740.00", "740 USD", " 740.00 EUR", "740,00 EUR",
           "740.00 USD", "a/b/c.jpg", "a\\b", "x<###>y"]
cells = st.one_of(st.sampled_from(SAMPLES), st.text(max_size=6))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)), min_size=1, max_size=12),
       st.sampled_from(["no_change", "clear"]))
def test_fast_paths_agree_with_the_careful_decoders(rows, empty_cell):
    codec = FlatCodec(catalog(), empty_cell=empty_cell)
    fast = codec.decode_many(rows, columns=HEADER)
    plan = codec._plan(tuple(HEADER))
    saved = [step.fast for step in plan.steps]
    try:
        for step in plan.steps:
            step.fast = None
        careful = codec.decode_many(rows, columns=HEADER)
    finally:
        for step, fast_path in zip(plan.steps, saved):
            step.fast = fast_path
    assert fast == careful
