"""Flat-format codec and mapping throughput: 100,000 products of 40 mixed values, one core.

Run: `python -m bench.codec [--products N] [--chunk N]`. Products are generated in chunks (as a
run stages them) and only the codec calls are timed, in CPU seconds of this process (so other
work on the machine does not count). Encoding turns products into flat rows (dicts of strings);
decoding turns those rows back into products with every cell checked. Target ≥ 20,000 products/s.
The mapping step turns the encoded rows into a Linnworks-like target table (a pandas frame per
chunk): renames, bare codes resolved to locale and channel, a constant, a template, a currency
picked from a price cell, metrics converted to cm and kg with rounding, a boolean check.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

import pandas as pd  # noqa: E402

from pimflow.mapping import Mapping, MappingContext, apply_mapping  # noqa: E402
from productsup.codec import FlatCodec  # noqa: E402
from productsup.convert import UnitConverter  # noqa: E402
from productsup.metadata import CatalogMeta  # noqa: E402

MEASUREMENT_FAMILIES = [
    {"code": "Length", "units": {u: {"code": u, "convert_from_standard": [{"operator": "mul", "value": f}]}
                                 for u, f in (("MILLIMETER", "0.001"), ("CENTIMETER", "0.01"), ("METER", "1"))}},
    {"code": "Weight", "units": {u: {"code": u, "convert_from_standard": [{"operator": "mul", "value": f}]}
                                 for u, f in (("GRAM", "0.001"), ("KILOGRAM", "1"))}},
]
MAPPING = Mapping.model_validate({"columns": [
    {"name": "sku", "required": True},
    {"name": "title", "from": "name", "required": True},
    {"name": "description", "from": "description"},
    {"name": "retail_price", "from": "price", "currency": "EUR", "round": 2},
    {"name": "purchase_price", "from": "cost", "currency": "USD", "round": 2},
    {"name": "weight_kg", "from": "weight", "unit": "KGM", "round": 3},
    {"name": "depth_cm", "from": "length", "unit": "CMT", "round": 1},
    {"name": "width_cm", "from": "width", "unit": "CMT", "round": 1},
    {"name": "height_cm", "from": "height", "unit": "CMT", "round": 1},
    {"name": "color", "from": "color"},
    {"name": "flag", "from": "flag_0", "type": "boolean"},
    {"name": "brand_name", "value": "ACME"},
    {"name": "url", "template": "https://shop.example.com/p/{sku}"},
]})


def mapping_context() -> MappingContext:
    from pimflow.kinds.akeneo import attribute_resolver

    return MappingContext("<###>", UnitConverter.from_akeneo(MEASUREMENT_FAMILIES),
                          attribute_resolver(bench_catalog(), "en_US", "ecommerce"))

LOCALES = ["en_US", "de_DE", "fr_FR"]
COLORS = [f"color_{i}" for i in range(40)]
TAGS = [f"tag_{i}" for i in range(60)]
WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()


def bench_catalog() -> CatalogMeta:
    """A catalog whose products carry 40 values: text, numbers, prices, metrics, selects, media..."""
    attrs = [{"code": "sku", "type": "pim_catalog_identifier", "is_main_identifier": True},
             {"code": "name", "type": "pim_catalog_text", "localizable": True},
             {"code": "description", "type": "pim_catalog_textarea", "localizable": True, "scopable": True}]
    attrs += [{"code": f"text_{i}", "type": "pim_catalog_text"} for i in range(8)]
    attrs += [{"code": f"decimal_{i}", "type": "pim_catalog_number", "decimals_allowed": True} for i in range(3)]
    attrs += [{"code": f"count_{i}", "type": "pim_catalog_number", "decimals_allowed": False,
               "negative_allowed": False} for i in range(3)]
    attrs += [{"code": c, "type": "pim_catalog_price_collection", "decimals_allowed": True} for c in ("price", "cost")]
    attrs += [{"code": c, "type": "pim_catalog_metric", "metric_family": f, "decimals_allowed": True,
               "negative_allowed": False}
              for c, f in (("weight", "Weight"), ("length", "Length"), ("width", "Length"), ("height", "Length"))]
    attrs += [{"code": f"flag_{i}", "type": "pim_catalog_boolean"} for i in range(4)]
    attrs += [{"code": f"date_{i}", "type": "pim_catalog_date"} for i in range(2)]
    attrs += [{"code": c, "type": "pim_catalog_simpleselect"} for c in ("color", "size", "material")]
    attrs += [{"code": c, "type": "pim_catalog_multiselect"} for c in ("tags", "features")]
    attrs += [{"code": f"image_{i}", "type": "pim_catalog_image"} for i in range(2)]
    attrs += [{"code": "brand", "type": "akeneo_reference_entity"},
              {"code": "assets", "type": "pim_catalog_asset_collection"}]
    options = {c: [{"code": o} for o in COLORS] for c in ("color", "size", "material")}
    options |= {c: [{"code": o} for o in TAGS] for c in ("tags", "features")}
    return CatalogMeta.from_akeneo(
        attributes=attrs, attribute_options=options,
        channels=[{"code": "ecommerce", "locales": LOCALES, "currencies": ["EUR", "USD"]},
                  {"code": "print", "locales": ["en_US"], "currencies": ["EUR"]}],
        locales=[{"code": code, "enabled": True} for code in LOCALES],
        currencies=[{"code": "EUR", "enabled": True}, {"code": "USD", "enabled": True}],
    )


def _v(data, locale=None, scope=None):
    return [{"locale": locale, "scope": scope, "data": data}]


def make_products(start: int, count: int, rng: random.Random) -> list[dict]:
    products = []
    for n in range(start, start + count):
        words = " ".join(rng.sample(WORDS, 5))
        values = {
            "name": [{"locale": loc, "scope": None, "data": f"Product {n} {loc}"} for loc in LOCALES],
            "description": [{"locale": loc, "scope": "ecommerce", "data": f"<p>{words}</p>"} for loc in LOCALES[:2]],
            "price": _v([{"amount": f"{n % 997}.{n % 100:02d}", "currency": "EUR"},
                         {"amount": f"{n % 991}.99", "currency": "USD"}]),
            "cost": _v([{"amount": f"{n % 500}.50", "currency": "EUR"}]),
            "weight": _v({"amount": f"{n % 50}.2500", "unit": "KILOGRAM"}),
            "length": _v({"amount": f"{n % 3000}.0000", "unit": "MILLIMETER"}),
            "width": _v({"amount": f"{n % 300}.5000", "unit": "CENTIMETER"}),
            "height": _v({"amount": f"{n % 30}", "unit": "METER"}),
            "color": _v(COLORS[n % 40]), "size": _v(COLORS[(n * 7) % 40]), "material": _v(COLORS[(n * 3) % 40]),
            "tags": _v(rng.sample(TAGS, 3)), "features": _v(rng.sample(TAGS, 2)),
            "image_0": _v(f"a/b/c/d/{n:08x}_front.jpg"), "image_1": _v(f"e/f/0/1/{n:08x}_back.jpg"),
            "brand": _v(f"brand_{n % 13}"), "assets": _v([f"asset_{n}", f"asset_{n + 1}"]),
        }
        for i in range(8):
            values[f"text_{i}"] = _v(f"{WORDS[(n + i) % len(WORDS)]} {n} \"quoted\" ~@")
        for i in range(3):
            values[f"decimal_{i}"] = _v(f"{n % 1000}.{i}5")
            values[f"count_{i}"] = _v(n % (100 + i))
        for i in range(4):
            values[f"flag_{i}"] = _v((n + i) % 2 == 0)
        for i in range(2):
            values[f"date_{i}"] = _v(f"20{10 + n % 20}-{1 + n % 12:02d}-{1 + n % 28:02d}T00:00:00+00:00")
        products.append({"identifier": f"SKU-{n:07d}", "family": "bench", "enabled": n % 5 != 0,
                         "categories": ["master", f"cat_{n % 20}"], "values": values})
    return products


def run(total: int, chunk: int) -> tuple[list[tuple[str, float]], int]:
    """CPU seconds spent encoding and decoding, and the number of values handled."""
    codec = FlatCodec(bench_catalog())
    context = mapping_context()
    rng = random.Random(7)
    encode_s = decode_s = map_s = 0.0
    values = 0
    for start in range(0, total, chunk):
        products = make_products(start, min(chunk, total - start), rng)
        values += sum(len(entries) for p in products for entries in p["values"].values())
        t0 = time.process_time()
        rows = codec.encode_many(products)
        t1 = time.process_time()
        decoded = codec.decode_many(rows)
        t2 = time.process_time()
        frame = pd.DataFrame(rows, columns=codec.columns_of(rows), dtype="str").fillna("")
        mapped = apply_mapping(MAPPING, frame, context)
        t3 = time.process_time()
        encode_s, decode_s, map_s = encode_s + t1 - t0, decode_s + t2 - t1, map_s + t3 - t2
        if start == 0:  # the bench measures a codec and a mapping that work
            assert all(d.ok for d in decoded), decoded[0].problems
            assert [d.product for d in decoded] == products
            assert len(mapped.rows) + len(mapped.problems) == len(rows)
            assert mapped.rows["weight_kg"].str.fullmatch(r"\d+\.\d{3}|").all()
        del products, rows, decoded, frame, mapped  # freeing a chunk is not the measured time
    return [("encode", encode_s), ("decode", decode_s), ("mapping", map_s)], values


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=5_000)
    args = parser.parse_args(argv)
    timings, values = run(args.products, args.chunk)
    print(f"flat codec and mapping, {args.products:,} products, {values / args.products:.0f} values each, one core "
          f"(Python {sys.version.split()[0]})")
    print(f"{'step':<8} {'cpu s':>8} {'products/s':>12} {'values/s':>12}")
    for step, seconds in timings:
        print(f"{step:<8} {seconds:>8.2f} {args.products / seconds:>12,.0f} {values / seconds:>12,.0f}")
    missed = [step for step, seconds in timings[:2] if args.products / seconds < 20_000]
    print("target ≥ 20,000 products/s for encode and decode:", "MISSED " + ", ".join(missed) if missed else "met")
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
