"""Akeneo extraction: a plain sequential client against pimflow's concurrent partitioned read.

Run: `python -m bench.akeneo_extract [--sizes 10000 50000] [--latency-ms 50]`.

The sandbox runs in a subprocess (`python -m sandbox.akeneo`), so the client's memory is not
mixed with the server's. Each client pass runs in a fresh child forked from this bench (so one
pass's leftover heap cannot hide the next one's growth) and streams every product to a JSONL
file, as a pipeline's extract step would. Two passes per client and size:
- a timed pass: seconds, products/s, API calls (from the sandbox's own stats) and the pass's RSS
  growth (peak RSS minus RSS at the start; it includes the C allocator's fragmentation);
- a memory pass under tracemalloc (its overhead would distort the timing) that only counts the
  products, with the sandbox's latency at 0 so pages arrive as fast as the server can make them.
A reference row ("ceiling") reads pimflow's 4 partitions with 4 separate processes (no shared
interpreter lock): what this server and machine allow at 4 calls in flight.
Targets: calls within 2% of ceil(N/100) + 1, pimflow's tracemalloc peak at 50k <= 1.3 x at 10k,
pimflow >= 3 x the sequential throughput.
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import msgspec
import requests

from akeneo.client import AkeneoClient
from akeneo.settings import AkeneoConnectionSettings

ROOT = Path(__file__).resolve().parents[1]
CREDENTIALS = {"username": "admin", "password": "admin", "client_id": "pimflow",
               "client_secret": "pimflow-secret"}
PRODUCTS_PATH = "/api/rest/v1/products-uuid"


@dataclass
class Pass:
    client: str
    products: int
    seconds: float
    calls: int
    rss_growth_mib: float = 0.0
    output: Path | None = None
    traced_peak_mib: float = 0.0
    reference: bool = False

    @property
    def per_second(self) -> float:
        return self.products / self.seconds if self.seconds else 0.0


class SandboxProcess:
    """`python -m sandbox.akeneo` on a free port, stopped on exit."""

    def __init__(self, products: int, latency_ms: float) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "plugins")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sandbox.akeneo", "--host", "127.0.0.1", "--port", str(self.port),
             "--products", str(products), "--seed", "42", "--latency-ms", str(latency_ms)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 180
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("the sandbox exited: " + self.process.stderr.read().decode()[-2000:])
            try:
                if requests.get(self.url + "/_sandbox/stats", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the sandbox did not start within 180 s")
            time.sleep(0.2)

    def configure(self, **switches) -> None:
        requests.patch(self.url + "/_sandbox/settings", json=switches, timeout=10).raise_for_status()

    def reset_stats(self) -> None:
        requests.post(self.url + "/_sandbox/stats/reset", timeout=10).raise_for_status()

    def calls(self) -> int:
        return requests.get(self.url + "/_sandbox/stats", timeout=10).json()["total"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def sequential_client(url: str, consume) -> int:
    """The baseline: one connection, one page after the other, with plain requests."""
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + _token(session, url)
    next_url = url + PRODUCTS_PATH + "?pagination_type=search_after&limit=100"
    count = 0
    while next_url:
        page = session.get(next_url, timeout=30)
        page.raise_for_status()
        body = page.json()
        for item in body["_embedded"]["items"]:
            item.pop("_links", None)
            consume(item)
            count += 1
        next_url = body["_links"].get("next", {}).get("href")
    return count


def pimflow_client(url: str, consume) -> int:
    """pimflow: partitions of the catalog read at once within the connection's cap (4), each product
    as the extract step reads it (`raw`: its fields, their values the JSON Akeneo sent, for staging)."""
    settings = AkeneoConnectionSettings.build(base_url=url, **CREDENTIALS)
    count = 0
    with AkeneoClient(settings) as client:
        for product in client.iter_products_concurrently(raw=True):
            consume(product)
            count += 1
    return count


def _token(session: requests.Session, url: str) -> str:
    answer = session.post(url + "/api/oauth/v1/token", auth=(CREDENTIALS["client_id"], CREDENTIALS["client_secret"]),
                          json={"grant_type": "password", "username": CREDENTIALS["username"],
                                "password": CREDENTIALS["password"]}, timeout=30)
    answer.raise_for_status()
    return answer.json()["access_token"]


def _read_partition(url: str, token: str, params: dict, out: str, counts, slot: int) -> None:
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + token
    next_url, count = url + PRODUCTS_PATH, 0
    with open(out, "w") as sink:
        while next_url:
            body = session.get(next_url, params=params, timeout=30).json()
            params = None
            for item in body["_embedded"]["items"]:
                item.pop("_links", None)
                sink.write(msgspec.json.encode(item).decode() + "\n")
                count += 1
            next_url = body["_links"].get("next", {}).get("href")
    counts[slot] = count


def ceiling_processes(url: str, consume) -> int:
    """Reference, not a client: pimflow's 4 partitions read by 4 separate processes (no shared
    interpreter lock), each writing its own JSONL file. What the server allows at 4 in flight."""
    from akeneo.search import ProductQuery

    session = requests.Session()
    token = _token(session, url)
    families = session.get(url + "/api/rest/v1/families", params={"limit": 100}, timeout=30,
                           headers={"Authorization": "Bearer " + token}).json()["_embedded"]["items"]
    partitions = ProductQuery().partitions([f["code"] for f in families], 4)
    context = multiprocessing.get_context("fork")
    counts = context.Array("i", len(partitions))
    with tempfile.TemporaryDirectory(prefix="akeneo-ceiling-") as tmp:
        workers = [context.Process(target=_read_partition, args=(
            url, token, p.request_params()[0], f"{tmp}/{i}.jsonl", counts, i)) for i, p in enumerate(partitions)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    return sum(counts)


CLIENTS = {"sequential (requests loop)": sequential_client, "pimflow concurrent": pimflow_client}
REFERENCES = {"ceiling: 4 processes": ceiling_processes}


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _pass_in_child(name: str, url: str, out: str, trace: bool, answer) -> None:
    try:
        if trace:
            tracemalloc.start()
        start_rss = _rss_mib()
        started = time.perf_counter()
        with open(out, "w") as sink:
            # The timed pass writes JSON lines; the traced pass only counts (the brief allows
            # either), which keeps tracemalloc's overhead on encoding out of the bench's time.
            # Encoding as pimflow's staging does (msgspec).
            consume = (lambda product: None) if trace else \
                (lambda product: sink.write(msgspec.json.encode(product).decode() + "\n"))
            count = {**CLIENTS, **REFERENCES}[name](url, consume)
        seconds = time.perf_counter() - started
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else 0.0
        answer.send((count, seconds, max(0.0, peak_rss - start_rss), traced, None))
    except BaseException as exc:  # reported by the parent
        answer.send((0, 0.0, 0.0, 0.0, f"{type(exc).__name__}: {exc}"))
    finally:
        answer.close()


def run_pass(sandbox: SandboxProcess, name: str, out: Path, trace: bool = False) -> Pass:
    sandbox.reset_stats()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_pass_in_child, args=(name, sandbox.url, str(out), trace, send))
    child.start()
    send.close()
    count, seconds, growth, traced, error = receive.recv()
    child.join()
    if error:
        raise RuntimeError(f"{name} failed: {error}")
    return Pass(name, count, seconds, sandbox.calls(), growth, out, traced)


def uuids_of(path: Path) -> list[str]:
    with path.open() as lines:
        return [json.loads(line)["uuid"] for line in lines]


def bench_size(products: int, latency_ms: float, workdir: Path) -> tuple[list[Pass], bool]:
    print(f"  starting the sandbox with {products:,} products...", file=sys.stderr, flush=True)
    sandbox = SandboxProcess(products, latency_ms)
    try:
        passes = []
        for name in CLIENTS:
            print(f"  {products:,}: {name}", file=sys.stderr, flush=True)
            passes.append(run_pass(sandbox, name, workdir / f"{products}-{len(passes)}.jsonl"))
        first, second = (uuids_of(p.output) for p in passes)
        identical = len(first) == len(second) == products and set(first) == set(second) \
            and len(set(first)) == products
        del first, second
        for name in REFERENCES:
            print(f"  {products:,}: {name}", file=sys.stderr, flush=True)
            reference = run_pass(sandbox, name, workdir / "reference.jsonl")
            reference.reference = True
            passes.append(reference)
        sandbox.configure(latency_ms=0)
        for result in passes[:len(CLIENTS)]:
            print(f"  {products:,}: {result.client}, under tracemalloc", file=sys.stderr, flush=True)
            traced = run_pass(sandbox, result.client, workdir / "memory.jsonl", trace=True)
            result.traced_peak_mib = traced.traced_peak_mib
            print(f"    {traced.seconds:.1f} s", file=sys.stderr, flush=True)
        return passes, identical
    finally:
        sandbox.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    rows: dict[int, list[Pass]] = {}
    identical: dict[int, bool] = {}
    with tempfile.TemporaryDirectory(prefix="akeneo-bench-") as tmp:
        for size in args.sizes:
            rows[size], identical[size] = bench_size(size, args.latency_ms, Path(tmp))

    print(f"\nAkeneo extraction, sandbox latency {args.latency_ms:g} ms per call; traced = tracemalloc "
          f"peak MiB (pass at 0 ms), RSS+ = RSS growth MiB of the timed pass; the ceiling row is a "
          f"reference (4 processes), not a client")
    header = (f"{'products':>9} | {'client':<27} | {'calls':>6} | {'bound':>5} | {'over':>6} | "
              f"{'seconds':>7} | {'products/s':>10} | {'traced':>6} | {'RSS+':>5} | same set")
    print(header)
    print("-" * len(header))
    for size, passes in rows.items():
        bound = math.ceil(size / 100) + 1
        for p in passes:
            over = (p.calls - bound) / bound * 100
            memory = f"{'-':>6} | {'-':>5}" if p.reference else \
                f"{p.traced_peak_mib:>6.1f} | {p.rss_growth_mib:>5.1f}"
            same = ("-" if p.products == size else "NO") if p.reference else \
                ("yes" if identical[size] else "NO")
            print(f"{p.products:>9,} | {p.client:<27} | {p.calls:>6} | {bound:>5} | {over:>5.1f}% | "
                  f"{p.seconds:>7.2f} | {p.per_second:>10,.0f} | {memory} | {same}")
    print()
    verdicts = []
    for size, passes in rows.items():
        bound = math.ceil(size / 100) + 1
        pimflow = passes[1]
        verdicts.append((f"calls within 2% of the bound at {size:,}",
                         pimflow.calls <= bound * 1.02, f"{pimflow.calls} vs {bound}"))
        speedup = pimflow.per_second / passes[0].per_second
        ceiling = [p for p in passes if p.reference]
        context = f"; 4 processes reach {ceiling[0].per_second / passes[0].per_second:.2f}x" \
            if ceiling else ""
        verdicts.append((f"throughput >= 3x sequential at {size:,}", speedup >= 3,
                         f"{speedup:.2f}x{context}"))
        verdicts.append((f"identical result sets at {size:,}", identical[size], ""))
    if len(rows) >= 2:
        small, large = min(rows), max(rows)
        ratio = rows[large][1].traced_peak_mib / rows[small][1].traced_peak_mib
        verdicts.append((f"pimflow peak memory (traced) {large:,} <= 1.3 x {small:,}", ratio <= 1.3,
                         f"{ratio:.2f}x"))
        rss = rows[large][1].rss_growth_mib / max(rows[small][1].rss_growth_mib, 0.1)
        verdicts.append((f"pimflow RSS growth {large:,} vs {small:,} (allocator included)", None,
                         f"{rss:.2f}x"))
    for label, ok, detail in verdicts:
        mark = "info" if ok is None else "ok" if ok else "MISSED"
        print(f"  [{mark}] {label}" + (f" ({detail})" if detail else ""))
    print(f"\nfinished in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
