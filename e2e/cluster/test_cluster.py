"""A profile on Airflow with the CeleryExecutor: PostgreSQL, Redis, a scheduler, an API server, a DAG
processor, a triggerer and two Celery workers, run staging on S3. Its mapped tasks spread over both
workers and Linnworks ends as after the same profile on the embedded default; with a second profile
on the same Linnworks account started at the same moment, their write tasks take turns (the
account's pool): Linnworks never answers 429 and Akeneo never has more than 4 calls in flight; a
worker killed in the middle of a load: the load is retried on the other worker, and no item is lost
or duplicated."""
from __future__ import annotations

import csv
import io
import math
import time
from collections import Counter
from dataclasses import dataclass

import json
from datetime import datetime

import pytest
import requests

from e2e.cluster.airflow_cluster import WORKERS, alive
from e2e.cluster.linnworks_state import differences
from e2e.cluster.suite import CHUNK_SIZE, DAG_ID, FEED, FEED_DAG_ID
from pimflow.pools import pool_name
from pimflow.staging import safe_name

pytestmark = pytest.mark.integration

RUN_TIMEOUT = 300
KILL_LATENCY_MS = 150  # per Linnworks call in the killed-worker run: a load lasts long enough to be caught
AKENEO_LATENCY_MS = 50  # per Akeneo call in the two-profile run: concurrent image downloads overlap
AKENEO_CAP = 4  # concurrent calls Akeneo allows per API connection
WRITE_TASKS = ("load_parents", "load", "link")


def hostname_table(api, run_id: str, dag_id: str = DAG_ID) -> list[str]:
    """One line per try of every mapped task: task, map index, chunk, try, hostname, state."""
    lines = [f"{'task':<10} {'map_index':>9}  {'chunk':<9} {'try':>3}  {'hostname':<10} state"]
    mapped = sorted(mapped_instances(api, run_id, dag_id), key=lambda ti: (ti["task_id"] != "transform", ti["map_index"]))
    for ti in mapped:
        for attempt in api.tries(dag_id, run_id, ti["task_id"], ti["map_index"]):
            lines.append(f"{ti['task_id']:<10} {ti['map_index']:>9}  {ti['rendered_map_index'] or '':<9} "
                         f"{attempt['try_number']:>3}  {attempt['hostname'] or '-':<10} {attempt['state']}")
    return lines


def mapped_instances(api, run_id: str, dag_id: str = DAG_ID) -> list[dict]:
    return [ti for ti in api.task_instances(dag_id, run_id) if ti["map_index"] >= 0]


def run_prefix(run_id: str, dag_id: str = DAG_ID) -> str:
    return f"staging/{dag_id}/runs/{safe_name(run_id)}/"


def without_images(snapshot: dict[str, dict]) -> dict[str, dict]:
    return {sku: {part: value for part, value in item.items() if part != "images"} for sku, item in snapshot.items()}


def test_mapped_tasks_run_on_both_workers_and_linnworks_ends_as_on_the_embedded_default(
        cluster, api, s3, linnworks, embedded, report):
    linnworks.reset()
    run_id = api.trigger(DAG_ID)
    state = api.wait_for_run(DAG_ID, run_id, RUN_TIMEOUT, check=cluster.check_alive)
    report(f"\nRun {run_id} on the cluster ({embedded.summary['read']} products):")
    for line in hostname_table(api, run_id):
        report("  " + line)
    report(f"  Linnworks answered (status: calls) {dict(sorted(linnworks.status_codes().items()))}")
    assert state == "success"

    mapped = mapped_instances(api, run_id)
    chunks = math.ceil(embedded.summary["read"] / CHUNK_SIZE)
    assert chunks >= 4 and Counter(ti["task_id"] for ti in mapped) == {"transform": chunks, "load": chunks}
    assert {ti["state"] for ti in mapped} == {"success"}
    assert {ti["hostname"] for ti in mapped} == set(WORKERS), "the mapped tasks did not spread over both workers"

    assert sorted(linnworks.skus()) == embedded.skus and linnworks.item_count() == len(embedded.skus)
    assert not differences(linnworks.snapshot(), embedded.items)

    # staging went through the object store: every step's files are there, nothing in a local folder
    names = {key.rsplit("/", 1)[-1] for key in s3.keys(run_prefix(run_id))}
    last = f"{chunks - 1:05d}"
    for expected in ("run.json", "window.json", "summary.json", f"chunk-{last}.jsonl", f"chunk-{last}.csv",
                     f"load-{last}.jsonl"):
        assert expected in names, (expected, sorted(names))
    assert not (cluster.home / "pimflow" / "staging").exists()


# -- two profiles on one Linnworks account ----------------------------------------------------------------

def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def feed_skus() -> list[str]:
    with FEED.open(newline="", encoding="utf-8") as handle:
        return sorted(row["sku"] for row in csv.DictReader(handle, delimiter=";"))


def test_two_profiles_on_one_linnworks_account_take_turns_to_write(cluster, api, s3, sandboxes, linnworks,
                                                                    embedded, report):
    akeneo = f"{sandboxes.akeneo_url}/_sandbox"
    linnworks.reset()
    requests.patch(f"{akeneo}/settings", json={"latency_ms": AKENEO_LATENCY_MS}, timeout=10).raise_for_status()
    requests.post(f"{akeneo}/stats/reset", timeout=10).raise_for_status()
    try:  # started at the same moment (the Akeneo profile ran before: a full sync again)
        runs = {DAG_ID: api.trigger(DAG_ID, conf={"full_sync": True}), FEED_DAG_ID: api.trigger(FEED_DAG_ID)}
        states = {dag_id: api.wait_for_run(dag_id, run_id, RUN_TIMEOUT, check=cluster.check_alive)
                  for dag_id, run_id in runs.items()}
        akeneo_stats = requests.get(f"{akeneo}/stats", timeout=10).json()
    finally:
        requests.patch(f"{akeneo}/settings", json={"latency_ms": 0}, timeout=10).raise_for_status()
    codes = linnworks.status_codes()
    instances = {dag_id: api.task_instances(dag_id, run_id) for dag_id, run_id in runs.items()}
    writes = sorted((when(ti["start_date"]), when(ti["end_date"]), dag_id, ti["task_id"], ti["map_index"], ti["hostname"])
                    for dag_id, tis in instances.items() for ti in tis if ti["task_id"] in WRITE_TASKS)
    report(f"\nRuns {runs[DAG_ID]} ({DAG_ID}) and {runs[FEED_DAG_ID]} ({FEED_DAG_ID}), started together on one "
           f"Linnworks account; write tasks in the order they ran (pool {pool_name('linnworks_default')}):")
    for start, end, dag_id, task_id, map_index, hostname in writes:
        report(f"  {start:%H:%M:%S.%f}-{end:%H:%M:%S.%f}  {dag_id:<28} {task_id:<5} {map_index:>3}  {hostname}")
    report(f"  Linnworks answered (status: calls) {dict(sorted(codes.items()))}; Akeneo: at most "
           f"{akeneo_stats['max_in_flight']} call(s) in flight, answers {akeneo_stats['status_codes']}")
    assert states == {DAG_ID: "success", FEED_DAG_ID: "success"}

    assert {ti["pool"] for tis in instances.values() for ti in tis if ti["task_id"] in WRITE_TASKS} == \
        {pool_name("linnworks_default")}
    assert {dag_id for _, _, dag_id, *_ in writes} == set(runs)
    for earlier, later in zip(writes, writes[1:]):  # one writer at a time, whichever worker
        assert later[0] >= earlier[1], f"{later[2:]} started while {earlier[2:]} was writing"
    assert "429" not in codes, codes  # each load paced to the whole quota: no other load shared it
    # the image downloads (4 at a time in a load) overlapped, and no two loads ever added theirs up
    assert 2 <= akeneo_stats["max_in_flight"] <= AKENEO_CAP, akeneo_stats
    assert "429" not in akeneo_stats["status_codes"], akeneo_stats

    feed = feed_skus()
    assert sorted(linnworks.skus()) == sorted(embedded.skus + feed)
    assert linnworks.item_count() == len(embedded.skus) + len(feed)  # every item once
    snapshot = linnworks.snapshot()
    assert not differences({sku: snapshot[sku] for sku in embedded.skus}, embedded.items)
    body = s3.client().get_object(Bucket=s3.bucket, Key=f"{run_prefix(runs[FEED_DAG_ID], FEED_DAG_ID)}summary.json")
    summary = json.loads(body["Body"].read())
    assert summary["refused"] == 0 and summary["statuses"] == {"created": len(feed)}, summary


# -- a worker killed in the middle of a load ------------------------------------------------------------

@dataclass
class KilledRun:
    run_id: str
    state: str
    victim: str
    survivor: str
    map_index: int
    tries: list[dict]
    mapped: list[dict]
    skus: list[str]
    item_count: int
    snapshot: dict[str, dict]


def chunk_skus(s3, run_id: str, map_index: int) -> list[str]:
    """The SKUs of one transformed chunk, read from the run's staging on S3."""
    body = s3.client().get_object(Bucket=s3.bucket, Key=f"{run_prefix(run_id)}transform/chunk-{map_index:05d}.csv")
    rows = csv.reader(io.StringIO(body["Body"].read().decode("utf-8")))
    column = next(rows).index("sku")
    return [row[column] for row in rows]


def load_halfway_through_images(api, s3, linnworks, embedded, run_id: str, cluster) -> tuple[dict, int, int]:
    """A load running on a worker that has attached some of its chunk's images and not all yet: its
    writes are half done (images go before the extended properties), so killing it now leaves
    Linnworks half-written. Returns the task instance, the items with images so far, and how many
    should have images."""
    expected_images = {sku for sku, item in embedded.items.items() if item["images"]}
    skus_of: dict[int, list[str]] = {}
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        cluster.check_alive()
        for ti in api.task_instances(DAG_ID, run_id):
            if ti["task_id"] != "load" or ti["state"] != "running" or ti["hostname"] not in WORKERS:
                continue
            if ti["map_index"] not in skus_of:
                skus_of[ti["map_index"]] = [sku for sku in chunk_skus(s3, run_id, ti["map_index"])
                                            if sku in expected_images]
            wanted = skus_of[ti["map_index"]]
            done = sum(1 for sku in wanted if linnworks.image_count(sku))
            if 0 < done < len(wanted):
                return ti, done, len(wanted)
        time.sleep(0.3)
    raise AssertionError("no load was caught writing images")


@pytest.fixture(scope="module")
def killed_run(cluster, s3, linnworks, embedded, report) -> KilledRun:
    api = cluster.api()
    linnworks.reset(latency_ms=KILL_LATENCY_MS)
    run_id = api.trigger(DAG_ID, conf={"full_sync": True})
    victim_ti, done, wanted = load_halfway_through_images(api, s3, linnworks, embedded, run_id, cluster)
    victim = victim_ti["hostname"]
    items_at_kill = linnworks.item_count()
    killed = cluster.kill_worker(victim)
    assert not alive(killed), f"still running after SIGKILL: {alive(killed)}"
    linnworks.settings(latency_ms=0)

    state = api.wait_for_run(DAG_ID, run_id, RUN_TIMEOUT, check=lambda: cluster.check_alive(killed=(victim,)))
    report(f"\nRun {run_id}: SIGKILLed {victim} ({len(killed)} processes) during load map_index "
           f"{victim_ti['map_index']} (chunk {victim_ti['map_index'] + 1}), "
           f"when {done} of its {wanted} items with images had images; "
           f"Linnworks held {items_at_kill} of {len(embedded.skus)} items")
    for line in hostname_table(api, run_id):
        report("  " + line)
    return KilledRun(run_id=run_id, state=state, victim=victim,
                     survivor=next(name for name in WORKERS if name != victim), map_index=victim_ti["map_index"],
                     tries=api.tries(DAG_ID, run_id, "load", victim_ti["map_index"]),
                     mapped=mapped_instances(api, run_id), skus=linnworks.skus(), item_count=linnworks.item_count(),
                     snapshot=linnworks.snapshot())


def test_a_load_whose_worker_is_killed_is_retried_on_the_other_worker(killed_run):
    assert killed_run.state == "success"
    tries = killed_run.tries
    assert [attempt["hostname"] for attempt in tries] == [killed_run.victim, killed_run.survivor], tries
    assert tries[0]["state"] != "success" and tries[-1]["state"] == "success"
    assert {ti["state"] for ti in killed_run.mapped} == {"success"}


def test_after_the_killed_worker_no_item_is_lost_or_duplicated(killed_run, embedded):
    assert len(killed_run.skus) == len(set(killed_run.skus)), "an item was created twice"
    assert sorted(killed_run.skus) == embedded.skus, "items are missing"
    assert killed_run.item_count == len(embedded.skus)
    # every field, price, title, description and extended property as on the embedded run
    assert not differences(without_images(killed_run.snapshot), without_images(embedded.items))


def test_after_the_killed_worker_no_image_is_duplicated(killed_run, embedded):
    # the retry adopts the images the killed try attached before writing its image ledger
    assert not differences(killed_run.snapshot, embedded.items)
