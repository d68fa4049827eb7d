"""`make demo`'s last part: an event-started run of `demo_akeneo_events`.

pimflow's receiver is served in this process (uvicorn, as the API server mounts it) on the demo's
metadata database; `pimflow events subscribe` subscribes the Akeneo sandbox to it; a product is
renamed through the sandbox's control endpoint (a person's edit in the UI); the sandbox's Event
Platform delivers the signed event and the receiver records it as an asset event; then the DAG runs
for real, as an asset-triggered run that consumed that asset event (`dag.test()`, which only makes
manual runs, is given the run the scheduler would have made: `asset_triggered`, with
`consumed_asset_events`). Its summary names the product handled; the item's new title is read
back from the Linnworks sandbox.

    python -m pimflowdev.demo_events AKENEO_URL LINNWORKS_DATA_URL   (the demo's environment)
"""
from __future__ import annotations

import sys
import time
import warnings
from contextlib import contextmanager
from datetime import datetime, timezone

import requests

DAG_ID = "demo_akeneo_events"
SKU = "PF-000002"


def asset_event_ids(uri: str) -> list[int]:
    from sqlalchemy import select

    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        return list(session.scalars(select(AssetEvent.id).join(AssetModel, AssetEvent.asset_id == AssetModel.id)
                                    .where(AssetModel.uri == uri).order_by(AssetEvent.id)))


@contextmanager
def asset_triggered_runs(event_ids: list[int]):
    """While active, `dag.test()` makes its run as the scheduler makes an asset-triggered one."""
    from unittest import mock

    from sqlalchemy import select

    from airflow.models.asset import AssetEvent
    from airflow.models.dagrun import DagRun
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType

    def create(*, dag, run_after, conf, start_date, session, **_):
        run = dag.create_dagrun(
            run_id=DagRun.generate_run_id(run_type=DagRunType.ASSET_TRIGGERED, logical_date=None, run_after=run_after),
            logical_date=None, data_interval=None, run_after=run_after, conf=conf,
            run_type=DagRunType.ASSET_TRIGGERED, triggered_by=DagRunTriggeredByType.ASSET,
            state=DagRunState.RUNNING, start_date=start_date or run_after, session=session)
        run.consumed_asset_events.extend(session.scalars(select(AssetEvent).where(AssetEvent.id.in_(event_ids))))
        session.commit()
        return run

    with mock.patch("airflow.models.dagrun.get_or_create_dagrun", create):
        yield


def main(argv: list[str]) -> int:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    akeneo_url, linnworks_url = argv
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from pimflow.cli import main as pimflow_cli
    from pimflow.events.contract import asset_uri
    from pimflow.events.receiver import URL_PREFIX, create_app
    from pimflow.factory import build_dag
    from pimflow.loader import load_profile_for_dag
    from pimflowdev.event_stack import linnworks_title, rename, retry_at_once
    from sandbox.common.server import start_server

    [loaded] = load_profile_for_dag(DAG_ID)
    uri = asset_uri(loaded.profile.source.connection)
    receiver = start_server(Starlette(routes=[Mount(URL_PREFIX, app=create_app())]))
    try:
        if pimflow_cli(["events", "subscribe", DAG_ID, "--url", receiver.url]) != 0:
            return 1
        retry_at_once(akeneo_url)
        known = set(asset_event_ids(uri))
        title = f"Renamed in Akeneo at {datetime.now(timezone.utc):%H:%M:%S}"
        rename(akeneo_url, SKU, title)
        print(f"   {SKU} renamed in the Akeneo sandbox: {title!r}")
        drained = requests.post(f"{akeneo_url}/_sandbox/events/drain", params={"timeout": 30}, timeout=60).json()
        outcomes = [(d["outcome"], d["status"]) for d in drained["deliveries"][-1:]]
        new = [i for i in asset_event_ids(uri) if i not in known]
        print(f"   delivered to the receiver: {outcomes}; asset event(s) recorded on {uri}: {new}")
        if not new:
            print("   no asset event was recorded: see the log above", file=sys.stderr)
            return 1
        started = time.monotonic()
        with asset_triggered_runs(new):
            run = build_dag(loaded).test(logical_date=None)
        print(f"   run {run.run_id} ({run.run_type}): {run.state} in {time.monotonic() - started:.1f} s")
        written = linnworks_title(linnworks_url, SKU)
        print(f"   Linnworks sandbox item {SKU}: title {written!r}")
        return 0 if str(run.state) in ("success", "DagRunState.SUCCESS") and written == title else 1
    finally:
        pimflow_cli(["events", "unsubscribe", DAG_ID])
        receiver.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
