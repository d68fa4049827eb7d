"""A record's history: looking one key up in a year of run history files, three ways.

Builds `--runs` run history files (default 365: a daily profile's year) of `--records` records each
(default 10,000: every run a full sync of the same catalog, most records unchanged, some updated,
created or refused with a message), written by pimflow's own `write_history`, then looks keys up:

- `msgspec scan` — pimflow's `find_history`: each JSON-lines file read once in blocks, a byte search
  for the line starting `{"key":"<KEY>",`, only those lines decoded (msgspec: a dependency already);
- `duckdb json` — DuckDB's `read_json` over the same files, `WHERE key = ?`;
- `duckdb parquet` — the same history as one Parquet file per run (sorted by key, written by DuckDB,
  so row-group statistics can skip most of each file), `read_parquet(...) WHERE key = ?`.

Each way runs in a fresh child process (as a CLI call or a task would): the table gives the first
lookup (files not yet opened by that process; the OS page cache is warm from writing them), the
mean of the next ones, the child's peak RSS above what its imports took, and checks the three found
the same entries. Also printed: writing cost per run and size on disk for JSON lines and Parquet.
DuckDB is not a dependency of pimflow: the DuckDB columns need `pip install duckdb` (the `bench`
extra: `pip install -e '.[bench]'`); without it they are skipped.

    .venv/bin/python -m bench.history [--runs 365] [--records 10000] [--lookups 4]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAG = "bench_history"
ENGINES = ("msgspec scan", "duckdb json", "duckdb parquet")
PLACES = ("local", "fsspec")
#: DuckDB reads the record lines with the schema given, not guessed from a sample (the run's line,
#: the first, reads as a row of nulls; `filename` says which run a line is of).
COLUMNS = {"key": "VARCHAR", "status": "VARCHAR", "step": "VARCHAR", "code": "VARCHAR", "message": "VARCHAR",
           "transient": "BOOLEAN", "target_id": "VARCHAR"}
REFUSAL = ("invalid_value", "color: 'fuchsia': unknown option 'fuchsia' of attribute 'color' (options: red, "
           "blue, green, black, white)")


def _rss(field: str) -> float:
    """The process's resident memory now (VmRSS) or at its peak (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    """From here on, VmHWM is the peak since now (Linux: writing 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def results(run: int, records: int):
    """One run's final results: the same catalog every run, most unchanged."""
    from pimflow.ledger import RecordResult, Status

    for n in range(records):
        roll = (n * 7919 + run * 104729) % 100
        if roll < 4:
            yield RecordResult.refused(n, *REFUSAL, key=f"SKU-{n:06d}", transient=roll == 0)
        elif roll < 14:
            yield RecordResult(n=n, status=Status.UPDATED, key=f"SKU-{n:06d}", step="load", target_id=f"id-{n}")
        else:
            yield RecordResult(n=n, status=Status.UNCHANGED, key=f"SKU-{n:06d}", step="load", target_id=f"id-{n}")


def build(base: Path, runs: int, records: int) -> dict:
    """Write the history files (JSON lines, and Parquet when DuckDB is installed); what it cost."""
    from pimflow.history import RunInfo, history_file, iso, read_run, record_lines, write_history
    from pimflow.staging import as_storage_path

    storage = as_storage_path(base)
    start = datetime(2026, 1, 1, 3, tzinfo=timezone.utc)
    began = time.perf_counter()
    for run in range(runs):
        run_id = f"scheduled__{(start + timedelta(days=run)).isoformat()}"
        info = RunInfo(dag_id=DAG, run_id=run_id, finished_at=iso(start + timedelta(days=run, minutes=7)),
                       run_type="scheduled", window="full sync", outcome="success")
        write_history(history_file(storage, DAG, run_id), info, record_lines(results(run, records)))
    folder = base / DAG / "history"
    built = {"jsonl_ms_per_run": (time.perf_counter() - began) * 1000 / runs,
             "jsonl_mib": sum(p.stat().st_size for p in folder.glob("*.jsonl")) / 2**20}
    try:
        import duckdb
    except ImportError:
        return built
    parquet = base / "parquet"
    parquet.mkdir()
    began = time.perf_counter()
    connection = duckdb.connect()
    for path in sorted(folder.glob("*.jsonl")):
        info = read_run(as_storage_path(path))
        connection.execute(
            f"COPY (SELECT *, {_quote(info.run_id)} AS run_id, {_quote(info.finished_at)} AS finished_at "
            f"FROM read_json({_quote(path)}, format='newline_delimited', columns={COLUMNS!r}) "
            f"WHERE key IS NOT NULL ORDER BY key) TO {_quote(parquet / (path.stem + '.parquet'))} (FORMAT parquet)")
    built["parquet_ms_per_run"] = (time.perf_counter() - began) * 1000 / runs
    built["parquet_mib"] = sum(p.stat().st_size for p in parquet.glob("*.parquet")) / 2**20
    return built


def _quote(path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def lookup_child(engine: str, place: str, base: Path, keys: list[str]) -> dict:
    """In a child process: import the engine, look each key up; times, entries found, memory.
    `place` "fsspec": the files are first copied to fsspec's in-memory store, read from there (by
    pimflow through ObjectStoragePath, by DuckDB through `register_filesystem`): what reading S3
    through fsspec costs on top of the bytes, without the network."""
    from pimflow.staging import as_storage_path, safe_name

    root = str(base)
    if place == "fsspec":
        import fsspec
        from airflow.sdk.io import attach

        memory = fsspec.filesystem("memory")
        attach("memory", fs=memory)
        for path in base.rglob("*"):
            if path.is_file():
                memory.pipe(f"/bench-history/{path.relative_to(base)}", path.read_bytes())
        root = "memory://bench-history"
    if engine == "msgspec scan":
        from pimflow.history import find_history

        storage = as_storage_path(root)

        def find(key):
            return [(safe_name(e.run_id), e.status, e.code) for e in find_history(storage, key, DAG)]
    else:
        import duckdb

        connection = duckdb.connect()
        if place == "fsspec":
            connection.register_filesystem(memory)
        if engine == "duckdb json":
            query = (f"SELECT parse_filename(filename, true), status, code FROM read_json("
                     f"{_quote(root + '/' + DAG + '/history/*.jsonl')}, format='newline_delimited', "
                     f"columns={COLUMNS!r}, filename=true) WHERE key = ?")
        else:
            query = (f"SELECT run_id, status, code FROM read_parquet({_quote(root + '/parquet/*.parquet')}) "
                     "WHERE key = ? ORDER BY finished_at DESC")

        def find(key):
            return [(safe_name(run), status, code or "")
                    for run, status, code in connection.execute(query, [key]).fetchall()]
    _reset_peak()
    before = _rss("VmRSS")
    timings, found = [], {}
    for key in keys:
        began = time.perf_counter()
        found[key] = find(key)
        timings.append(time.perf_counter() - began)
    return {"timings": timings, "found": found, "rss_before": before, "rss_peak": _rss("VmHWM")}


def run_child(engine: str, place: str, base: Path, keys: list[str]) -> dict:
    answer = subprocess.run([sys.executable, "-m", "bench.history", "--child", engine, "--place", place,
                             "--dir", str(base), "--keys", *keys], cwd=ROOT, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "PYTHONPATH": f"{ROOT / 'plugins'}{os.pathsep}{ROOT}"})
    if answer.returncode:
        raise RuntimeError(f"{engine}: {answer.stderr[-2000:]}")
    return json.loads(answer.stdout.strip().splitlines()[-1])


def installed_mib(module: str) -> float | None:
    """What a module's package takes on disk once installed (its folder and native library)."""
    try:
        imported = __import__(module)
    except ImportError:
        return None
    folder = Path(imported.__file__).parent
    files = list(folder.rglob("*")) + list(folder.parent.glob(f"_{module}*"))
    return sum(p.stat().st_size for p in files if p.is_file()) / 2**20


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.history")
    parser.add_argument("--runs", type=int, default=365)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--lookups", type=int, default=4, help="lookups per engine (the first is reported apart)")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--place", choices=PLACES, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keys", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(lookup_child(args.child, args.place, args.dir, args.keys)))
        return 0

    try:
        import duckdb
    except ImportError:
        duckdb = None
        print("duckdb is not installed: only the msgspec scan is measured (pip install -e '.[bench]')")
    base = Path(tempfile.mkdtemp(prefix="pimflow-bench-history-"))
    try:
        print(f"building {args.runs} run(s) × {args.records:,} record(s) of history in {base} ...", flush=True)
        built = build(base, args.runs, args.records)
        present = [f"SKU-{(args.records * (i + 1)) // (args.lookups + 1):06d}" for i in range(args.lookups - 1)]
        keys = [*present, "NOT-A-SKU"]  # the last one is in no run: every file is read for nothing
        measured = {(engine, place): run_child(engine, place, base, keys) for place in PLACES for engine in ENGINES
                    if engine == "msgspec scan" or duckdb is not None}
        reference = measured["msgspec scan", "local"]["found"]
        print()
        print(f"{args.runs} runs × {args.records:,} records = {args.runs * args.records:,} history lines; "
              f"lookups of {len(keys)} keys ({len(keys) - 1} in every run, 1 in none)")
        print(f"{'engine':<16} {'files in':<20} {'first lookup s':>15} {'next lookups s':>15} "
              f"{'peak MiB':>9} {'same entries':>13}")
        mismatched = []
        for (engine, place), result in measured.items():
            timings = result["timings"]
            later = sum(timings[1:]) / max(1, len(timings) - 1)
            same = all(sorted(map(tuple, result["found"][key])) == sorted(map(tuple, reference[key])) for key in keys)
            mismatched += [] if same else [engine]
            where = "a local folder" if place == "local" else "fsspec (in memory)"
            print(f"{engine:<16} {where:<20} {timings[0]:>15.2f} {later:>15.2f} "
                  f"{result['rss_peak'] - result['rss_before']:>9.0f} {'yes' if same else 'NO':>13}")
        print("(peak MiB: the lookups' peak resident memory above the process's before them)")
        found = len(reference[keys[0]])
        print(f"(each present key has {found} entries, one per run)")
        print()
        print(f"{'format':<16} {'write ms/run':>13} {'on disk MiB':>12} {'install MiB':>12}")
        print(f"{'JSON lines':<16} {built['jsonl_ms_per_run']:>13.0f} {built['jsonl_mib']:>12.0f} "
              f"{'0 (msgspec)':>12}")
        if "parquet_mib" in built:
            print(f"{'Parquet':<16} {built['parquet_ms_per_run']:>13.0f} {built['parquet_mib']:>12.0f} "
                  f"{installed_mib('duckdb') or 0:>12.0f}")
            print("(Parquet written by DuckDB from each run's JSON lines, sorted by key; install: the duckdb "
                  "package alone, no S3 extension: httpfs is a download DuckDB makes at run time)")
        return 1 if mismatched or found != args.runs else 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
