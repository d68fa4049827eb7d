"""Images at the speed the API allows: the load's wall time against the quota-bound time.

Both sandboxes run as processes with 50 ms of latency on every answer; the Linnworks one plays its
per-minute quotas in a window of `--window` seconds (real: 60). N new items, each with an image
uploaded from Akeneo (`images.mode: upload`: download from Akeneo, `Uploader/UploadFile`, then
`UploadImagesToInventoryItem`), are written by the Linnworks writer in loads of `--chunk` items,
as the DAG's load tasks do.

The quota-bound time is what the busiest method needs under its documented quota at this window
(calls / per-minute quota × window): no writer can be faster. Target: the wall time within 1.2 × of
it (the load is quota-bound, not latency-bound). The image calls per image are printed against the
minimum: one Uploader call per item (it takes an item's files in one multipart call) and one attach
per item (Linnworks documents no call that attaches to several items).

    .venv/bin/python -m bench.linnworks_images [--items 10000] [--latency-ms 50] [--window 2.5] [--chunk 2500]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter

TARGET = 1.2


def media_codes(akeneo, limit: int = 50) -> list[str]:
    from akeneo.search import ProductQuery

    codes = []
    for product in akeneo.iter_products(ProductQuery()):
        for entry in (product.get("values") or {}).get("image_1") or ():
            if entry.get("data"):
                codes.append(entry["data"])
        if len(codes) >= limit:
            break
    return codes


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--window", type=float, default=2.5)
    parser.add_argument("--chunk", type=int, default=2500)
    args = parser.parse_args(argv)

    from linnworks.api.endpoints import ENDPOINTS
    from linnworks.items.desired import DesiredItem, ImageMode, ImageRef, WriteOptions
    from linnworks.items.writer import LinnworksWriter

    from pimflowdev.sandboxes import start_sandboxes

    with start_sandboxes(products=60, latency_ms=args.latency_ms, quota_window_seconds=args.window) as sandboxes:
        os.environ.update(sandboxes.connection_env())
        from pimflow.kinds.akeneo import akeneo_client
        from pimflow.kinds.linnworks import linnworks_client

        akeneo = akeneo_client("akeneo_default")  # the sandbox connection: by identifier
        client = linnworks_client("linnworks_default")
        codes = media_codes(akeneo)
        if not codes:
            print("the Akeneo sandbox has no product image to download", file=sys.stderr)
            return 1
        items = [DesiredItem(sku=f"IMG-{n:06d}", title=f"Image bench {n}",
                             images=(ImageRef(codes[n % len(codes)],
                                              fetch=lambda code=codes[n % len(codes)]: akeneo.download_media(code)),))
                 for n in range(args.items)]
        calls: Counter = Counter()
        statuses: Counter = Counter()
        writer = LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD))
        started = time.perf_counter()
        for start in range(0, len(items), args.chunk):
            report = writer.write(items[start:start + args.chunk])
            calls.update(report.calls)
            statuses.update(result.status.value for result in report.results)
        wall = time.perf_counter() - started

    bound = {method: n / ENDPOINTS[method].per_minute * args.window for method, n in calls.items() if method in ENDPOINTS}
    busiest = max(bound, key=bound.get)
    print(f"\nLinnworks images: {args.items} new items, one uploaded image each, {args.latency_ms:g} ms latency, "
          f"quota window {args.window:g} s (real: 60 s), loads of {args.chunk}")
    print(f"{'method':<44}{'calls':>8}{'minimum':>9}{'quota/min':>11}{'quota-bound s':>15}")
    minimum = {"Uploader/UploadFile": args.items, "Inventory/UploadImagesToInventoryItem": args.items}
    for method in sorted(calls):
        if method in ENDPOINTS:
            print(f"{method:<44}{calls[method]:>8}{minimum.get(method, ''):>9}{ENDPOINTS[method].per_minute:>11}"
                  f"{bound[method]:>15.1f}")
    ratio = wall / bound[busiest]
    print(f"\nstatuses {dict(statuses)}")
    print(f"wall time of the loads {wall:.1f} s; quota-bound time {bound[busiest]:.1f} s ({busiest}); "
          f"ratio {ratio:.2f} (target ≤ {TARGET})")
    image_calls = calls["Uploader/UploadFile"] + calls["Inventory/UploadImagesToInventoryItem"]
    print(f"image calls per item {image_calls / args.items:.2f} (minimum 2.00: one upload, one attach per item)")
    ok = ratio <= TARGET and statuses.get("created", 0) == args.items and all(
        calls[m] == n for m, n in minimum.items())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
