"""Feed → feed on wide and heavy feeds: time and peak memory against the number of columns and the cell size.

Issue 17: a 0.9 MB feed of 100,000 columns was still in its feedback step after 10 minutes (each
column was looked up in a list of the others), and a 10 MB cell stopped the whole run. This runs
one feed → feed profile (no mapping: every column passes through) over generated feeds, each run in
a fresh child process (as Airflow runs each task), the DAG's steps as plain functions of a
RunContext, as `bench.step_cpu` runs them (its `run_steps` and `StepClock`: wall and CPU seconds
per step). Sizes:

- columns: 1,000 / 10,000 / 100,000 columns, 10 lines of one-character cells;
- cell size: 10 lines of 3 columns whose `description` cell holds 1 KB / 1 MB / 10 MB. A cell
  over the reader's limit (1 MiB) refuses its line: the 10 MB lines are refused, not published.

Prints, per feed: its size, lines written and refused, seconds per step (wall) and in all, seconds
per MB of feed (flat when the run is linear in its input), the child's peak RSS and its RSS once
the modules were imported (the difference is what the run itself held). It prints; it checks
nothing (exit 0): the counting test `tests/unit/pimflow/test_wide_feed_is_linear.py` is what
fails when header handling turns quadratic again.

    .venv/bin/python -m bench.wide_feed [--columns 1000 10000 100000] [--cells 1000 1000000 10000000] [--lines 10]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("extract", "transform", "load", "feedback")
PROFILE = """
id: bench_wide_feed
source: {kind: feed, path: in.csv, delimiter: ";"}
target: {kind: feed, path: out.csv}
chunk_size: 5000
"""


def write_feed(path: Path, columns: int, cell: int, lines: int) -> None:
    """`columns` columns (sku first) of one-character cells, or 3 columns whose description holds
    `cell` characters, `lines` lines."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        if cell:
            handle.write("sku;name;description\n")
            body = "d" * cell
            for n in range(lines):
                handle.write(f"SKU-{n};Item {n};{body}\n")
        else:
            handle.write(";".join(["sku", *(f"attribute_{i}~en_US" for i in range(columns - 1))]) + "\n")
            cells = ";".join("v" for _ in range(columns - 1))
            for n in range(lines):
                handle.write(f"SKU-{n};{cells}\n")


def _rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _current_rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_one(columns: int, cell: int, lines: int) -> dict:
    """One feed → feed run in this process (the child)."""
    import logging
    import os

    for name in (None, "pimflow"):  # the bench prints its own table
        logging.getLogger(name).setLevel(logging.WARNING)
    import pandas  # noqa: F401  (a per-process cost: imported before the steps are timed)

    from bench.step_cpu import StepClock, run_steps
    from pimflow.kinds import RunContext
    from pimflow.loader import parse_profile
    from pimflow.staging import RunStaging, as_storage_path
    from pimflow.window import RunParams

    with tempfile.TemporaryDirectory() as temp:
        workdir = Path(temp)
        os.environ["AIRFLOW__PIMFLOW__DATA_ROOTS"] = str(workdir)
        (workdir / "profile.yaml").write_text(PROFILE, encoding="utf-8")
        write_feed(workdir / "in.csv", columns, cell, lines)
        size = (workdir / "in.csv").stat().st_size
        profile = parse_profile(workdir / "profile.yaml")
        ctx = RunContext(profile, workdir, RunStaging(as_storage_path(workdir / "staging"), profile.id, "run"),
                         RunParams(), profile.id, "run")
        rss_start = _current_rss_mib()
        clock = StepClock()
        records, summary = run_steps(ctx, clock)
        return {"columns": columns, "cell": cell, "lines": lines, "bytes": size, "records": records,
                "written": summary.get("written", 0), "refused": summary.get("refused", 0),
                "wall": {step: round(clock.wall.get(step, 0.0), 3) for step in STEPS},
                "cpu": {step: round(clock.cpu.get(step, 0.0), 3) for step in STEPS},
                "rss_start_mib": round(rss_start, 1), "peak_rss_mib": round(_rss_mib(), 1)}


def measure(columns: int, cell: int, lines: int) -> dict:
    with tempfile.TemporaryDirectory() as temp:
        out = Path(temp) / "result.json"
        subprocess.run([sys.executable, "-m", "bench.wide_feed", "--run-one", str(columns), str(cell),
                        "--lines", str(lines), "--result", str(out)], cwd=ROOT, check=True)
        return json.loads(out.read_text(encoding="utf-8"))


def print_table(results: list[dict]) -> None:
    header = (f"{'feed':<22} {'MB':>7} {'written':>8} {'refused':>8} "
              + " ".join(f"{step + ' s':>12}" for step in STEPS)
              + f" {'total s':>8} {'s per MB':>9} {'peak RSS MiB':>13} {'run RSS MiB':>12}")
    print(f"\n{header}\n{'-' * len(header)}")
    for r in results:
        label = f"{r['columns']:,} columns" if not r["cell"] else f"cells of {_size(r['cell'])}"
        total = sum(r["wall"].values())
        mb = r["bytes"] / 1e6
        print(f"{label:<22} {mb:>7.2f} {r['written']:>8,} {r['refused']:>8,} "
              + " ".join(f"{r['wall'][step]:>12.3f}" for step in STEPS)
              + f" {total:>8.2f} {total / mb:>9.3f} {r['peak_rss_mib']:>13.0f} "
                f"{r['peak_rss_mib'] - r['rss_start_mib']:>12.0f}")
    print("\nseconds: wall time of each step in the child; peak RSS: the child's, imports included; run RSS: "
          "peak minus the RSS once pimflow, pandas and Airflow's modules were imported")


def _size(chars: int) -> str:
    return f"{chars / 1e6:g} MB" if chars >= 1_000_000 else f"{chars / 1e3:g} KB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    parser.add_argument("--cells", type=int, nargs="*", default=[1_000, 1_000_000, 10_000_000],
                        help="characters of the description cell")
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--run-one", type=int, nargs=2, metavar=("COLUMNS", "CELL"), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        result = run_one(*args.run_one, lines=args.lines)
        args.result.write_text(json.dumps(result), encoding="utf-8")
        return 0
    results = []
    for columns in args.columns:
        print(f"{columns:,} columns x {args.lines} lines ...", flush=True)
        results.append(measure(columns, 0, args.lines))
    for cell in args.cells:
        print(f"{args.lines} lines with a cell of {_size(cell)} ...", flush=True)
        results.append(measure(3, cell, args.lines))
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
