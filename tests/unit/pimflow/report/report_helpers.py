"""What the run report's tests share: a run staged with pimflow's own writers (run ledger, run summary,
marks, files), on a local folder or on S3, and a client of Airflow's API server app as a user."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

DAG_ID = "report_demo"
OTHER_DAG = "report_other"
RUN_ID = "manual__2026-03-01T10:00:00+00:00"
JWT_SECRET = "report-tests-secret-" + "x" * 64

#: The refused records of the standard run: (key, code, message, transient, step)
REFUSED = [
    ("A-3", "missing_value", "price: required value is empty (from price@EUR)", False, "transform"),
    ("A-5", "invalid_value", "price: 'forty' is not a valid decimal", False, "transform"),
    ("B-1", "503", "Akeneo answered 503 Service Unavailable; not settled within 3 tries", True, "load"),
    ("A-7", "422", "Property \"colour\" does not exist; check the attribute code", False, "load"),
    ("", "no_result", "no step reported a result for this record", False, "feedback"),
    ("C-9", "429", "quota still exhausted after waiting 60 s", True, "load"),
]
FEEDBACK = ("sku;name~en_US;price@EUR;code;message\n"
            "A-3;Bottle;;missing_value;price: required value is empty (from price@EUR)\n"
            "A-5;Stove;forty;invalid_value;price: 'forty' is not a valid decimal\n"
            "B-1;Brühl \"Lamp\";12.00;503;Akeneo answered 503 Service Unavailable\n").encode("utf-8") * 200


@dataclass
class StagedRun:
    dag_id: str
    run_id: str
    root: object  # ObjectStoragePath of the run's folder
    feedback: bytes
    output: dict  # name -> bytes
    dry_run: dict  # name -> bytes


def stage_run(base, dag_id: str = DAG_ID, run_id: str = RUN_ID, refused: list[tuple] | None = None,
              output: dict | None = None, dry_run_files: dict | None = None, dry_run: bool = False,
              started: datetime | None = None) -> StagedRun:
    """A finished run's staging folder as `feedback` leaves it, written with pimflow's writers: the
    final ledger (`ledger.write_final`), the summary (`RunSummary.to_dict`), the marks, the files."""
    from pimflow import ledger
    from pimflow.ledger import RecordResult, Status
    from pimflow.staging import RunStaging, write_json
    from pimflow.summary import RunSummary

    refused = REFUSED if refused is None else refused
    staging = RunStaging(base, dag_id, run_id)
    started = started or datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
    staging.mark_started(started)
    results = [RecordResult(n=n, status=status, key=f"W-{n}", step="load", chunk=0) for n, status in enumerate(
        [Status.CREATED, Status.CREATED, Status.UPDATED, Status.UNCHANGED, Status.UNCHANGED])]
    results += [RecordResult(n=5, status=Status.SKIPPED, key="S-1", code="not_in_linnworks", step="load", chunk=0,
                             message="S-1 is not in Linnworks and create_products is off")]
    for i, (key, code, message, transient, step) in enumerate(refused):
        results.append(RecordResult(n=i, status=Status.REFUSED, key=key, code=code, message=message,
                                    transient=transient, step=step, chunk=1 + i // 1000))
    ledger.write_final(staging, results)
    statuses = Counter(result.status.value for result in results)
    summary = RunSummary(dag_id, run_id, "manual: since the last successful run (2026-02-28T10:00:00+00:00 → "
                                         "2026-03-01T10:00:00+00:00)", dry_run, read=len(results),
                         statuses=dict(statuses),
                         refused_before_sending=sum(1 for r in refused if r[4] == "transform"),
                         refused_transient=sum(1 for r in refused if r[3]),
                         skipped_reasons={"not_in_linnworks": [1, "S-1 is not in Linnworks and create_products is off"]},
                         feedback=str(staging.feedback), extra={"output": "/srv/feeds/out/products.csv",
                                                                "output_rows": 5})
    write_json(staging.summary, summary.to_dict())
    with staging.feedback.open("wb") as handle:
        handle.write(FEEDBACK)
    output = {"part-00000.csv": b"sku,title\nW-0,Shoe\n"} if output is None else output
    for name, data in output.items():
        with staging.output(name).open("wb") as handle:
            handle.write(data)
    dry_run_files = dry_run_files or {}
    for name, data in dry_run_files.items():
        with staging.dry_run(name).open("wb") as handle:
            handle.write(data)
    staging.mark_finished("dry_run" if dry_run else "success", started + timedelta(minutes=5))
    return StagedRun(dag_id, run_id, staging.root, FEEDBACK, output, dry_run_files)


@dataclass
class Server:
    client: object
    tokens: dict

    def get(self, url: str, user: str | None = "admin", **kwargs):
        headers = kwargs.pop("headers", {})
        if user:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return self.client.get(url, headers=headers, **kwargs)


def run_url(dag_id: str = DAG_ID, run_id: str = RUN_ID) -> str:
    from urllib.parse import quote

    return f"/pimflow/api/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def page_url(dag_id: str = DAG_ID, run_id: str = RUN_ID) -> str:
    from urllib.parse import quote

    return f"/pimflow/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def staged_bytes(path) -> bytes:
    with path.open("rb") as handle:
        return handle.read()

