"""The real extract task of an Akeneo source: CPU per product and peak RSS, at 1,000 / 10,000 / 50,000 products.

`bench.akeneo_extract` measures the client; this measures the task around it: `steps.extract` (the
DAG's extract task as a plain function of a RunContext: the window, the source's `prepare`, which
reads and stages the catalog's metadata and checks the profile, the target's `prepare`, then the
source's `extract`, which pages the products and stages them in chunks with the run's keys).

The profile is the Akeneo → Linnworks one of `bench.akeneo_to_linnworks` (chunks of 2,500, reading
concurrently), without images (they do not touch extract), with product_models on, on a catalog
half of whose products are variants of one- and two-level models (`--simple`: product_models off,
a catalog without models). That is where the issue measured 1.2 ms of CPU per product: with product
models, extract also reads every model the variants need and stages them.
The sandboxes are started by this process (`pimflowdev.sandboxes`, latency 0): their CPU and memory
are not counted. Each run is a fresh child process (as Airflow runs each task) that reports the
CPU of the extract call (user + system of the whole child, every thread: `time.process_time()`)
and the child's peak RSS (`ru_maxrss`, imports included), then digests what it staged (every
record and every JSON file beside the chunks, decoded, order-independent) so two trees can be
compared on the same result set. CPU per product divides by the catalog's products (the staged
records also count the models, and leave out products the profile's filter does not select).

    .venv/bin/python -m bench.extract_task [--sizes 1000 10000 50000] [--repeat 1] [--simple]
        [--tree DIR] [--save FILE] [--baseline FILE] [--cprofile] [--tracemalloc]

`--tree DIR` runs the children with DIR's venv and DIR/plugins (e.g. a worktree of an older commit,
for a "before" figure saved with --save); the sandboxes are still this tree's, so both trees read
the same catalog. With `--baseline` the table shows the baseline's figures beside this run's.
Checks ([ok]/[FAIL], exit 1 on a FAIL): CPU per product at most half the baseline's (without a
baseline: half of 1.2 ms at 10,000 products and more, the figure the issue measured before the
rebuild), peak RSS at the largest size at most 1.3 x the peak RSS at the second largest, the
products staged, and (with a baseline) the same result set as the baseline's. `--cprofile` prints
the child's top functions (main thread and the reading threads, in CPU time) and `--tracemalloc`
what is allocated when extract returns; both inflate CPU: do not --save their figures.

Only the standard library is imported at module level: the child imports the measured tree's modules.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

from bench.profiling import profiled

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (1_000, 10_000, 50_000)
BEFORE_MS_PER_PRODUCT = 1.2  # the figure for the extract task before the rebuild (61.6 s for 50,000)
CPU_CUT = 0.5  # at least halved
RSS_GROWTH = 1.3  # peak RSS at the largest size at most 1.3 x at the one below
VARIANT_SHARE = 0.5


def profile_config(product_models: bool) -> dict:
    from bench.akeneo_to_linnworks import PROFILE, STRUCTURE

    config = json.loads(json.dumps(PROFILE))
    config["id"] = "bench_extract_task"
    config["target"].pop("images", None)  # not read by extract
    if product_models:
        config["source"].update(STRUCTURE)
    return config


# -- the child: one extract task in a fresh process ---------------------------------------------

def _rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _canonical_hash(value) -> bytes:
    return hashlib.sha1(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).digest()


def _digest(chunks: list[dict], staging_root) -> dict:
    """What the task staged, independent of order and of how it was encoded: a hash over the sorted
    hashes of every record (decoded, re-encoded canonically); one per JSON file beside the chunks
    (the run's keys, the models, the metadata), decoded likewise. Which record lands in which chunk
    depends on the order the concurrent reads finish, so the per-chunk model files are not hashed
    but checked: each must hold exactly the lineages of its records' parents, as the run's models."""
    record_hashes = []
    parents_by_chunk: dict[int, set[str]] = {}
    for chunk in chunks:
        with open(chunk["path"].removeprefix("file://"), "rb") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    record_hashes.append(_canonical_hash(record))
                    if record.get("parent"):
                        parents_by_chunk.setdefault(chunk["index"], set()).add(record["parent"])
    record_hashes.sort()
    root = Path(str(staging_root).removeprefix("file://"))
    chunk_files = sorted(root.glob("akeneo-models-*.json"))
    files = {path.name: _canonical_hash(json.loads(path.read_bytes())).hex()[:16]
             for path in sorted(root.glob("*.json"))
             if path.name not in ("run.json", "window.json") and path not in chunk_files}
    digest = {"records": hashlib.sha256(b"".join(record_hashes)).hexdigest()[:16],
              "record_count": len(record_hashes), "files": files}
    if chunk_files:
        models = json.loads((root / "akeneo-models.json").read_bytes())
        wrong = []
        for chunk in chunks:
            expected: set[str] = set()
            for code in parents_by_chunk.get(chunk["index"], ()):
                while code and code in models and code not in expected:
                    expected.add(code)
                    code = models[code].get("parent")
            path = root / f"akeneo-models-{chunk['index']:05d}.json"
            got = json.loads(path.read_bytes()) if path.exists() else {}
            if set(got) != expected or any(got[code] != models[code] for code in got):
                wrong.append(chunk["index"])
        digest["chunk_model_files"] = {"files": len(chunk_files), "wrong": wrong}
    return digest


def _traced() -> str:
    """tracemalloc's peak and what is still allocated when extract returns, by line (with --tracemalloc)."""
    current, peak = tracemalloc.get_traced_memory()
    lines = [f"traced: {current / 2**20:.1f} MiB at the end of extract, peak {peak / 2**20:.1f} MiB; alive, by line:"]
    for stat in tracemalloc.take_snapshot().statistics("lineno")[:15]:
        lines.append(f"  {stat.size / 2**20:8.2f} MiB {stat.count:>9,} blocks  {stat.traceback[0]}")
    return "\n".join(lines)


def run_one(config: dict, cprofile: bool) -> dict:
    """prepare + extract of the profile's source (steps.extract) in this process; the sandboxes'
    connections come from the environment."""
    import logging
    import resource

    for name in (None, "pimflow", "akeneo", "linnworks"):  # the bench prints its own table
        logging.getLogger(name).setLevel(logging.WARNING)
    from pimflow import steps
    from pimflow.kinds import RunContext
    from pimflow.profile import Profile
    from pimflow.staging import RunStaging, as_storage_path
    from pimflow.window import RunParams

    profile = Profile.model_validate(config)
    rss_before = _rss_mib()
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    profiles: list = []
    with tempfile.TemporaryDirectory() as tmp:
        staging = RunStaging(as_storage_path(tmp), profile.id, "run0")
        ctx = RunContext(profile, Path("."), staging, RunParams(), profile.id, "run0")
        stop = profiled(profiles) if cprofile else None
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            chunks = steps.extract(ctx, None, None, datetime.now(timezone.utc))
        finally:
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if stop:
                stop()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        traced = _traced() if tracemalloc.is_tracing() else None
        result = {
            "cpu_s": round(cpu, 4), "wall_s": round(wall, 3),
            "user_s": round(usage.ru_utime - usage_before.ru_utime, 4),
            "sys_s": round(usage.ru_stime - usage_before.ru_stime, 4),
            "child_cpu_s": round(usage.ru_utime + usage.ru_stime, 3),  # imports included
            "rss_start_mib": round(rss_before, 1), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            "records": sum(chunk["records"] for chunk in chunks), "chunks": len(chunks),
            "pimflow": str(Path(steps.__file__).resolve().parents[1]),
        }
        result["digest"] = _digest(chunks, staging.root)
        if traced:
            result["tracemalloc"] = traced
    if cprofile:
        import io
        import pstats

        out = io.StringIO()
        pstats.Stats(*profiles, stream=out).sort_stats("cumulative").print_stats(30)
        out.write("\n--- by own time\n")
        pstats.Stats(*profiles, stream=out).sort_stats("tottime").print_stats(25)
        result["cprofile"] = out.getvalue()
    return result


# -- the parent: sandboxes, children, table -------------------------------------------------------

def tree_python(tree: Path) -> str:
    python = tree / ".venv" / "bin" / "python"
    return str(python) if python.exists() else sys.executable


def measure(size: int, config: dict, tree: Path, product_models: bool, cprofile: bool, traced: bool = False) -> dict:
    """One extract task against fresh sandboxes of `size` products, in a child process of `tree`."""
    from pimflowdev.sandboxes import start_sandboxes

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, \
            start_sandboxes(products=size, latency_ms=0,
                            variant_share=VARIANT_SHARE if product_models else None) as sandboxes:
        env = dict(os.environ)
        for conn_id, conn in sandboxes.connections().items():
            env[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(conn)
        # the measured tree's modules first (its venv may also know another checkout's)
        env["PYTHONPATH"] = os.pathsep.join([str(tree / "plugins"), *filter(None, [env.get("PYTHONPATH")])])
        env.setdefault("AIRFLOW_HOME", str(Path(tmp) / "airflow"))
        if traced:
            env["PYTHONTRACEMALLOC"] = "1"
        out = Path(tmp) / "result.json"
        (Path(tmp) / "profile.json").write_text(json.dumps(config), encoding="utf-8")
        command = [tree_python(tree), str(Path(__file__).resolve()), "--run-one", str(Path(tmp) / "profile.json"),
                   "--result", str(out), *(["--cprofile"] if cprofile else [])]
        subprocess.run(command, cwd=tmp, env=env, check=True)
        result = json.loads(out.read_text(encoding="utf-8"))
    result["size"] = size
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def ms_per_product(result: dict) -> float:
    """CPU milliseconds per product of the catalog."""
    return result["cpu_s"] * 1000 / result["size"]


def git_commit(tree: Path) -> str | None:
    try:
        return subprocess.run(["git", "-C", str(tree), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def differences(result: dict, before: dict) -> tuple[list[str], list[str]]:
    """What the two runs staged differently (the chunks' records, JSON files both staged), and the
    files only one of them stages (a tree may stage files the other does not know of)."""
    mine, theirs = result["digest"], before.get("digest") or {}
    files, their_files = mine["files"], theirs.get("files") or {}
    differ = [name for name in sorted(set(files) & set(their_files)) if files[name] != their_files[name]]
    return ((["the chunks' records"] if mine["records"] != theirs.get("records") else []) + differ,
            sorted(set(files) ^ set(their_files)))


def print_table(results: dict[int, dict], baseline: dict | None) -> None:
    base = {int(size): r for size, r in (baseline or {}).get("sizes", {}).items()}
    header = (f"{'products':>9} {'CPU s':>8} {'CPU ms/product':>15} {'peak RSS MiB':>13} {'staged records':>15} "
              f"{'chunks':>7} {'RSS before':>11}")
    if baseline is not None:
        header += f"  {'before ms/prod':>14} {'before RSS':>11} {'CPU change':>11} {'same set':>9}"
    print(f"\n{header}\n{'-' * len(header)}")
    for size, result in results.items():
        line = (f"{size:>9,} {result['cpu_s']:>8.2f} {ms_per_product(result):>15.3f} {result['peak_rss_mib']:>13.0f}"
                f" {result['records']:>15,} {result['chunks']:>7} {result['rss_start_mib']:>11.0f}")
        if baseline is not None:
            before = base.get(size)
            if before is None:
                line += f"  {'-':>14} {'-':>11} {'-':>11} {'-':>9}"
            else:
                same = not differences(result, before)[0]
                line += (f"  {ms_per_product(before):>14.3f} {before['peak_rss_mib']:>11.0f}"
                         f" {ms_per_product(result) / ms_per_product(before) - 1:>+10.0%} {'yes' if same else 'NO':>9}")
        print(line)
    print("(CPU: user + system of the child during steps.extract, all threads, per product of the catalog; peak RSS: "
          "the child's ru_maxrss, imports included; RSS before: its peak before extract, after the imports)")


def checks(results: dict[int, dict], baseline: dict | None) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = []
    base = {int(size): r for size, r in (baseline or {}).get("sizes", {}).items()}
    for size, result in results.items():
        chunk_models = result["digest"].get("chunk_model_files")
        if chunk_models:
            out.append((not chunk_models["wrong"],
                        f"{size:,}: {chunk_models['files']} per-chunk model file(s), each the lineages of its chunk's "
                        f"records' parents" + (f"; wrong in chunk(s) {chunk_models['wrong']}" if chunk_models["wrong"] else "")))
        # the sandbox's catalog has products outside the profile's filter (disabled, off the channel's tree)
        out.append((0.98 * size <= result["records"] == result["digest"]["record_count"],
                    f"{size:,}: {result['records']:,} product(s) staged in {result['chunks']} chunk(s)"))
        before = base.get(size)
        limit = (ms_per_product(before) if before else BEFORE_MS_PER_PRODUCT) * CPU_CUT
        source = f"half the baseline's {ms_per_product(before):.3f}" if before else \
            f"half the issue's {BEFORE_MS_PER_PRODUCT} ms"
        if size >= 10_000 or before:
            out.append((ms_per_product(result) <= limit,
                        f"{size:,}: {ms_per_product(result):.3f} CPU ms per product <= {limit:.3f} ({source})"))
        if before:
            differ, one_side = differences(result, before)
            compared = len(set(result["digest"]["files"]) & set((before.get("digest") or {}).get("files") or {}))
            out.append((not differ, f"{size:,}: the same staged records and JSON files as the baseline"
                        + (f"; differ: {', '.join(differ)} (or the sandbox's catalog changed since the baseline)"
                           if differ else f" (records {result['digest']['records']}, {compared} file(s))")
                        + (f"; staged by one side only: {', '.join(one_side)}" if one_side else "")))
    sizes = sorted(results)
    if len(sizes) >= 2:
        big, small = results[sizes[-1]], results[sizes[-2]]
        out.append((big["peak_rss_mib"] <= RSS_GROWTH * small["peak_rss_mib"],
                    f"peak RSS at {sizes[-1]:,} {big['peak_rss_mib']:.0f} MiB <= {RSS_GROWTH} x at {sizes[-2]:,} "
                    f"({RSS_GROWTH * small['peak_rss_mib']:.0f} MiB): {big['peak_rss_mib'] / small['peak_rss_mib']:.2f} x"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--repeat", type=int, default=1, help="runs per size, the least CPU kept")
    parser.add_argument("--simple", dest="product_models", action="store_false",
                        help=f"a catalog without models, product_models off (default: {VARIANT_SHARE * 100:.0f}%% of the "
                             "products variants of one- and two-level models, product_models on)")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to measure (its .venv and plugins/)")
    parser.add_argument("--baseline", type=Path, help="JSON of an earlier run (--save), e.g. of the tree before")
    parser.add_argument("--save", type=Path, help="write this run's numbers as JSON")
    parser.add_argument("--cprofile", action="store_true", help="print the child's top functions (inflates CPU)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="trace the child's allocations: peak, and what is alive when extract returns (slow)")
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)  # the child: the profile's JSON
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        result = run_one(json.loads(args.run_one.read_text(encoding="utf-8")), args.cprofile)
        args.result.write_text(json.dumps(result), encoding="utf-8")
        return 0
    tree = args.tree.resolve()
    config = profile_config(args.product_models)
    baseline = json.loads(args.baseline.read_text(encoding="utf-8")) if args.baseline else None
    if baseline is not None and bool(baseline.get("product_models")) != args.product_models:
        print(f"note: {args.baseline} was measured with product_models={baseline.get('product_models')}")
    print(f"extract task of {tree} ({git_commit(tree) or '?'}), product_models "
          f"{'on' if args.product_models else 'off'}; load average {os.getloadavg()[0]:.2f}", flush=True)
    results: dict[int, dict] = {}
    for size in args.sizes:
        runs = []
        for n in range(args.repeat):
            runs.append(measure(size, config, tree, args.product_models, args.cprofile, args.tracemalloc))
            print(f"{size:,} products, run {n + 1}/{args.repeat} ({runs[-1]['pimflow']}): {runs[-1]['cpu_s']:.2f} CPU s, "
                  f"{ms_per_product(runs[-1]):.3f} ms per product, peak RSS {runs[-1]['peak_rss_mib']:.0f} MiB "
                  f"({runs[-1]['seconds']:.0f} s with the sandboxes' start)", flush=True)
        best = min(runs, key=lambda r: r["cpu_s"])
        best["runs_cpu_s"] = [r["cpu_s"] for r in runs]
        best["runs_peak_rss_mib"] = [r["peak_rss_mib"] for r in runs]
        results[size] = best
    print_table(results, baseline)
    if args.cprofile:
        for size, result in results.items():
            print(f"\n--- {size:,} products: cProfile of the child (CPU time per thread)\n{result['cprofile']}")
    if args.tracemalloc:
        for size, result in results.items():
            print(f"\n--- {size:,} products: {result.get('tracemalloc')}")
    failed = False
    print()
    for ok, text in checks(results, baseline):
        failed |= not ok
        print(f"[{'ok' if ok else 'FAIL'}] {text}")
    if args.cprofile or args.tracemalloc:
        print("note: under cProfile or tracemalloc: CPU (and with tracemalloc memory) figures inflated")
    if args.save:
        saved = {"bench": "extract_task", "version": 1, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 "tree": str(tree), "commit": git_commit(tree), "python": platform.python_version(),
                 "cpus": os.cpu_count(), "cprofile": args.cprofile, "product_models": args.product_models,
                 "sizes": {str(size): {k: v for k, v in r.items() if k != "cprofile"} for size, r in results.items()}}
        args.save.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
        print(f"\nsaved to {args.save}")
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]  # run by path (the child): the bench's modules are not top-level modules
    sys.exit(main())
