"""Event-driven profiles (`source.events: true`), without Airflow running: the profile field and its
errors, the DAG's schedule (the connection's asset or its cron), the window of a run started by
Akeneo's events (what it names, no watermark moved, nothing carried selected), the triggering
events' extras merged, and how the summary says what such a run handled."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from pimflow import carry_over
from pimflow.errors import ProfileError
from pimflow.event_runs import read_mark, run_extra, triggering_extras, write_mark
from pimflow.events.contract import SOURCE, asset_uri, products_asset
from pimflow.kinds import RunContext
from pimflow.ledger import RecordResult, Status
from pimflow.loader import LoadedProfile, parse_profile
from pimflow.profile import Incremental
from pimflow.staging import RunStaging, as_storage_path
from pimflow.summary import RunSummary
from pimflow.window import RunParams, SyncState, Window, events_window, resolve_window

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
U1, U2, U3 = (f"6a9f8486-2c36-4680-b87f-6f5f8f01b6c{n}" for n in (1, 2, 3))
EVENT_PROFILE = """
id: events_profile
schedule: "@hourly"
source: {kind: akeneo, connection: akeneo_shop, channel: ecommerce, locales: [en_US], events: true}
target: {kind: feed, path: out.csv}
"""


def extra(events: list[str], products=(), models=(), deleted_products=(), first="2026-03-01T10:00:00Z",
          last=None, source=SOURCE) -> dict:
    return {"source": source, "connection": "akeneo_shop", "events": events, "types": {}, "products": list(products),
            "product_models": list(models), "deleted": {"products": list(deleted_products), "product_models": []},
            "first_time": first, "last_time": last or first, "ignored": 0}


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# -- the profile field
def test_events_is_off_by_default_and_on_for_an_akeneo_source(tmp_path):
    profile = parse_profile(write(tmp_path, EVENT_PROFILE))
    assert profile.source.events is True
    plain = parse_profile(write(tmp_path, EVENT_PROFILE.replace(", events: true", ""), "plain.yaml"))
    assert plain.source.events is False


def test_events_on_a_feed_source_is_refused_naming_the_file_and_why(tmp_path):
    path = write(tmp_path, "id: f\nsource: {kind: feed, path: a.csv, events: true}\ntarget: {kind: feed, path: b.csv}\n")
    with pytest.raises(ProfileError) as caught:
        parse_profile(path)
    text = caught.value.describe()
    assert str(path) in text and "only an akeneo source can be event-driven" in text and "'feed'" in text


def test_events_on_a_category_source_is_refused(tmp_path):
    path = write(tmp_path, EVENT_PROFILE.replace("events: true", "events: true, read: categories"))
    with pytest.raises(ProfileError) as caught:
        parse_profile(path)
    assert "read: categories cannot be event-driven" in caught.value.describe()


def test_the_shipped_schema_knows_the_field():
    import json

    schema = json.loads((Path(__file__).resolve().parents[3] / "profile.schema.json").read_text())
    assert "events" in schema["$defs"]["AkeneoSource"]["properties"]


# -- the DAG's schedule
def test_the_dag_runs_on_the_connections_asset_and_its_cron(tmp_path):
    from airflow.sdk import AssetOrTimeSchedule, CronDataIntervalTimetable

    from pimflow.factory import timetable

    path = write(tmp_path, EVENT_PROFILE)
    schedule = timetable(LoadedProfile(path, parse_profile(path)))
    assert isinstance(schedule, AssetOrTimeSchedule)
    assert isinstance(schedule.timetable, CronDataIntervalTimetable)
    [asset] = schedule.asset_condition.objects
    assert asset.uri == asset_uri("akeneo_shop") == "akeneo://akeneo_shop/products"


def test_without_a_cron_the_asset_alone_schedules_it(tmp_path):
    from pimflow.factory import timetable

    path = write(tmp_path, EVENT_PROFILE.replace('schedule: "@hourly"\n', ""))
    [asset] = timetable(LoadedProfile(path, parse_profile(path)))
    assert asset.uri == "akeneo://akeneo_shop/products"


def test_the_dag_docs_say_events_start_runs(tmp_path):
    from pimflow.profile_docs import profile_doc

    path = write(tmp_path, EVENT_PROFILE)
    doc = profile_doc(LoadedProfile(path, parse_profile(path)))
    assert "**Akeneo events**" in doc and "`akeneo://akeneo_shop/products`" in doc
    assert "safety net" in doc


# -- the window
def test_an_asset_triggered_run_with_events_names_exactly_their_products():
    state = SyncState.synced_until(T0 - timedelta(hours=1), T0 - timedelta(days=1))
    merged = extra(["e1", "e2", "e3"], products=[U1, U2], models=["model_00001"], deleted_products=[U3],
                   last="2026-03-01T10:00:05Z")
    window = resolve_window(RunParams(), state, Incremental(full_every_runs=1), T0, T0 + timedelta(hours=1),
                            T0 + timedelta(hours=1), "asset_triggered", merged)
    # the reconcile policy (due at every run here) and the data interval do not apply
    assert window == Window("events", identifiers=(U1, U2), models=("model_00001",), deleted=(U3,), events=3,
                            reason="Akeneo events from 2026-03-01T10:00:00Z to 2026-03-01T10:00:05Z")
    assert window.describe() == ("events: 3 Akeneo event(s) naming 2 product(s), 1 product model(s) with their "
                                 "variants, 1 deleted")
    assert Window.from_dict(window.to_dict()) == window


def test_without_events_an_asset_triggered_run_keeps_its_old_window():
    state = SyncState.synced_until(T0, T0 - timedelta(days=1))
    window = resolve_window(RunParams(), state, Incremental(), None, None, T0 + timedelta(minutes=5),
                            "asset_triggered", None)
    assert (window.mode, window.start, window.end) == ("incremental", T0, T0 + timedelta(minutes=5))


def test_identifiers_from_the_form_still_win():
    window = resolve_window(RunParams(identifiers=("SKU-1",)), SyncState(), Incremental(), None, None, T0,
                            "asset_triggered", extra(["e1"], products=[U1]))
    assert window.mode == "manual" and window.identifiers == ("SKU-1",)


def test_an_events_run_moves_no_watermark_and_counts_for_no_reconcile():
    state = SyncState.synced_until(T0, T0 - timedelta(days=1), runs=2)
    after = state.advanced(events_window(extra(["e1"], products=[U1])), "run-events")
    assert after == state and after.last_window_end == T0 and after.runs_since_full == 2


def test_an_events_run_selects_no_carried_record_and_settles_only_what_it_read(tmp_path):
    profile = parse_profile(write(tmp_path, EVENT_PROFILE))

    def ctx(run_id):
        staging = RunStaging(as_storage_path(tmp_path / "staging"), profile.id, run_id)
        return RunContext(profile, tmp_path, staging, RunParams(), profile.id, run_id, log=logging.getLogger("t"))

    def refused(key):
        return RecordResult.refused(0, "HTTP 500", "boom", key=key, transient=True)

    incremental = Window("incremental", T0, T0 + timedelta(hours=1))
    carry_over.update(ctx("run-1"), incremental, [refused("SKU-X"), refused("SKU-Y")])
    events = events_window(extra(["e1"], products=[U1]))
    second = ctx("run-2")
    assert carry_over.select(second, events) == ()
    kept = carry_over.update(second, events, [RecordResult(n=0, status=Status.WRITTEN, key="SKU-X")])
    assert sorted(kept) == ["SKU-Y"]  # SKU-Y was not read by the events run: still carried


# -- the triggering events, and what an events run handles
def event(payload: dict, seconds: int, event_id: int | None = None):
    return SimpleNamespace(extra=payload, timestamp=T0 + timedelta(seconds=seconds), id=event_id)


OURS = products_asset("akeneo_shop")  # the context's mapping is keyed by Assets


def test_the_triggering_events_of_the_connection_merge_oldest_first():
    other = products_asset("akeneo_other")
    accessor = {
        # given newest first: the deletion (later) must win over the update (earlier)
        OURS: [event(extra(["e2"], deleted_products=[U1]), 20), event(extra(["e1"], products=[U1, U2]), 10),
               event({"note": "someone else's event"}, 15)],
        other: [event(extra(["x1"], products=[U3]), 5)],
    }
    triggering = triggering_extras(accessor, "akeneo_shop")
    assert [ts for ts, _ in triggering] == [(T0 + timedelta(seconds=20)).isoformat(), (T0 + timedelta(seconds=10)).isoformat()]
    merged = run_extra(triggering, None, None)  # no inlet to read: the triggering events alone
    assert merged["events"] == ["e1", "e2"] and merged["asset_events"] == 2
    assert merged["products"] == [U2] and merged["deleted"]["products"] == [U1]
    assert "through" not in merged


def test_an_events_run_reads_every_event_since_the_mark_not_only_its_triggering_ones():
    """Airflow hands a run the events up to the first one queued while the previous run was busy:
    the rest of a burst is read through the inlet, from the mark on."""
    stored = [event(extra(["e1"], products=[U1]), 1, 11), event(extra(["e2"], products=[U2]), 2, 12),
              event({"note": "not the receiver's"}, 3, 13), event(extra(["e3"], products=[U3]), 4, 14)]
    asked = []

    def since(timestamp):
        asked.append(timestamp)
        return [e for e in stored if e.timestamp.isoformat() >= timestamp]

    mark = {"id": 11, "timestamp": stored[0].timestamp.isoformat()}
    triggering = triggering_extras({OURS: [stored[1]]}, "akeneo_shop")
    merged = run_extra(triggering, since, mark)
    assert asked == [mark["timestamp"]]
    assert merged["events"] == ["e2", "e3"] and merged["products"] == [U2, U3]  # e1: read by an earlier run
    assert merged["through"] == [14, stored[3].timestamp.isoformat()]
    window = events_window(merged)
    assert window.through == (14, stored[3].timestamp.isoformat()) and window.events == 2


def test_a_first_events_run_reads_from_its_oldest_triggering_event():
    stored = [event(extra(["old"], products=[U3]), -60, 5), event(extra(["e1"], products=[U1]), 1, 6)]
    triggering = triggering_extras({OURS: [stored[1]]}, "akeneo_shop")
    merged = run_extra(triggering, lambda ts: [e for e in stored if e.timestamp.isoformat() >= ts], None)
    assert merged["events"] == ["e1"]  # the backlog before the DAG's first events run is not replayed


def test_a_run_whose_events_an_earlier_run_read_syncs_nothing_and_an_unrelated_one_is_not_an_events_run():
    stored = [event(extra(["e1"], products=[U1]), 1, 6)]
    mark = {"id": 6, "timestamp": stored[0].timestamp.isoformat()}
    triggering = triggering_extras({OURS: stored}, "akeneo_shop")
    merged = run_extra(triggering, lambda ts: stored, mark)
    window = events_window(merged)
    assert (window.mode, window.identifiers, window.events) == ("events", (), 0)
    assert window.reason == "Akeneo events, all synced by an earlier run"
    assert run_extra(triggering_extras({OURS: [event({"note": "by hand"}, 1)]}, "akeneo_shop"), None, None) is None
    assert triggering_extras({}, "akeneo_shop") == [] and triggering_extras(None, "akeneo_shop") == []


def test_the_mark_only_moves_forward(tmp_path):
    staging = RunStaging(as_storage_path(tmp_path / "staging"), "d", "r")
    staging.dag_root.mkdir(parents=True)
    assert read_mark(staging) is None
    write_mark(staging, (12, "2026-03-01T10:00:02+00:00"))
    write_mark(staging, (9, "2026-03-01T09:00:00+00:00"))  # a run that read less, finishing later
    assert read_mark(staging) == {"id": 12, "timestamp": "2026-03-01T10:00:02+00:00"}


# -- the summary
def test_the_summary_says_which_identifiers_an_events_run_handled():
    summary = RunSummary("d", "r", "events: 3 Akeneo event(s) naming 2 product(s)", False, read=2,
                         events={"events": 3, "handled": ["SKU-1", "SKU-2"], "deleted": [U3], "not_read": [U2]})
    lines = "\n".join(summary.lines())
    assert "events     3 Akeneo event(s); handled 2: SKU-1, SKU-2; deleted in Akeneo 1: " + U3 in lines
    assert f"not read 1: {U2} (deleted since, or outside the profile's selection)" in lines
    assert summary.line().endswith("events 3")
    assert summary.to_dict()["events"]["handled"] == ["SKU-1", "SKU-2"]
