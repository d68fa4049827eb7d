"""Flat-format codec throughput: encode and decode 100,000 products of 40 mixed values, one core.

Run: `python -m bench.codec [--products N] [--chunk N]`. Products are generated in chunks (as a
run stages them) and only the codec calls are timed, in CPU seconds of this process (so other
work on the machine does not count). Encoding turns products into flat rows (dicts of strings);
decoding turns those rows back into products with every cell checked. Target ≥ 20,000 products/s.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

from productsup.codec import FlatCodec  # noqa: E402
from productsup.metadata import CatalogMeta  # noqa: E402

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
    rng = random.Random(7)
    encode_s = decode_s = 0.0
    values = 0
    for start in range(0, total, chunk):
        products = make_products(start, min(chunk, total - start), rng)
        values += sum(len(entries) for p in products for entries in p["values"].values())
        t0 = time.process_time()
        rows = codec.encode_many(products)
        t1 = time.process_time()
        decoded = codec.decode_many(rows)
        t2 = time.process_time()
        encode_s, decode_s = encode_s + t1 - t0, decode_s + t2 - t1
        if start == 0:  # the bench measures a codec that works
            assert all(d.ok for d in decoded), decoded[0].problems
            assert [d.product for d in decoded] == products
        del products, rows, decoded  # freeing a chunk is not the codec's time
    return [("encode", encode_s), ("decode", decode_s)], values


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=5_000)
    args = parser.parse_args(argv)
    timings, values = run(args.products, args.chunk)
    print(f"flat codec, {args.products:,} products, {values / args.products:.0f} values each, one core "
          f"(Python {sys.version.split()[0]})")
    print(f"{'step':<8} {'cpu s':>8} {'products/s':>12} {'values/s':>12}")
    for step, seconds in timings:
        print(f"{step:<8} {seconds:>8.2f} {args.products / seconds:>12,.0f} {values / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
