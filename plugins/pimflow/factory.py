"""Builds one Airflow DAG per profile: wait_turn → extract → transform (mapped) → load (mapped) → feedback.

Nothing here touches the network, the database or large files: the DAG is built from the validated
profile alone, and the tasks do the work when they run.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from airflow.sdk import (Asset, AssetOrTimeSchedule, BaseSensorOperator, CronDataIntervalTimetable, Param, dag,
                         get_current_context, task)

from pimflow import steps
from pimflow.errors import ErrorThresholdExceeded
from pimflow.event_runs import events_asset, is_event_driven
from pimflow.kinds import RunContext, source_kind, target_kind
from pimflow.loader import LoadedProfile
from pimflow.notifiers import callbacks, notify_threshold
from pimflow.pools import write_pool
from pimflow.profile_docs import profile_doc, trigger_in_brief
from pimflow.staging import RunStaging, retention_days, safe_name, staging_base
from pimflow.turns import Turn
from pimflow.window import RunParams

log = logging.getLogger("pimflow")

#: How often a run waiting for its profile's turn looks again; in between the task is rescheduled,
#: holding no worker slot.
TURN_POKE_SECONDS = 15


class WaitTurnSensor(BaseSensorOperator):
    """A run's first task: wait until the run has its profile's turn, so that no two runs of one
    profile (scheduled, manual or backfill) ever work at the same time (`pimflow.turns`). The
    `feedback` task gives the turn back; a run that fails gives it back by no longer running."""

    ui_color = "#e8e4f4"

    def poke(self, context) -> bool:
        ti, dag_run = context["ti"], context["dag_run"]
        staging = RunStaging(staging_base(), self.dag_id, dag_run.run_id)
        turn = Turn(staging.dag_root, dag_run.run_id, ti.try_number)
        check = turn.poke(
            running=lambda run_id: ti.get_dr_count(dag_id=self.dag_id, run_ids=[run_id], states=["running"]) > 0,
            earlier_running=lambda: _earlier_running(ti, dag_run))
        self.log.info("%s", check.reason)
        return check.granted


@contextmanager
def fails_at_once():
    """A task's work: an error that retrying cannot fix (`pimflow.errors.deterministic_errors`: a
    whole-file problem, a profile setting the systems refuse, invalid connection settings) fails
    the task at once, with the same message, rather than after every retry has failed the same way.
    Anything else (a server's 5xx, a lost connection) keeps the task's retries."""
    try:
        yield
    except Exception as exc:
        from pimflow.errors import deterministic_errors

        if not isinstance(exc, deterministic_errors()):
            raise
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(f"{exc} (not retried: another try would fail the same way)") from exc


def _earlier_running(ti, dag_run) -> str | None:
    """A running run of this DAG with an earlier logical date (so a backfill's runs go in date order)."""
    if getattr(dag_run, "logical_date", None) is None:
        return None
    previous = ti.get_previous_dagrun(state="running")
    return previous.run_id if previous is not None else None


def give_turn_back(ctx: RunContext) -> None:
    Turn(ctx.staging.dag_root, ctx.run_id).release()


def trigger_params() -> dict:
    """The trigger form: every kind honours these options. Each type allows null: Airflow's form marks a
    non-nullable field required and refuses an emptied one (null reads as false / no identifiers).
    Left as the form opens, a run syncs what changed since the last successful run: Airflow 3.3
    pre-fills the form's Logical Date, which a manual run does not use (`pimflow.window.resolve_window`)."""
    return {
        "full_sync": Param(False, type=["boolean", "null"], title="Full sync",
                           description="Off, as the form opens: the run syncs what changed since the end of the "
                                       "last successful run, up to the moment you press Trigger; the Logical Date "
                                       "is not used (a feed, stock or category source is read whole anyway). "
                                       "On: every record the profile selects."),
        "identifiers": Param([], type=["array", "null"], items={"type": "string"}, title="Identifiers",
                             description="Only these SKUs or UUIDs (one per line); those the source does not have "
                                         "are reported as not found. Empty = the normal selection."),
        "dry_run": Param(False, type=["boolean", "null"], title="Dry run",
                         description="Prepare everything and write what a real run would write to the run's "
                                     "staging folder (dry_run/); write nothing to the target."),
    }


def timetable(loaded: LoadedProfile):
    """A data-interval timetable, so scheduled runs and backfills get real [start, end) windows;
    with an asset-triggered feed, asset events start runs too, and so do Akeneo's events for an
    event-driven akeneo source (`source.events`, `pimflow.event_runs`): the cron run stays the
    safety net for events that never arrive."""
    profile = loaded.profile
    cron = CronDataIntervalTimetable(profile.cron, timezone="UTC") if profile.cron else None
    if getattr(profile.source, "asset", False):
        asset = feed_asset(loaded)
    elif is_event_driven(profile):
        asset = events_asset(profile)
    else:
        return cron
    return AssetOrTimeSchedule(timetable=cron, assets=[asset]) if cron else [asset]


def feed_asset(loaded: LoadedProfile) -> Asset:
    """The Asset a producer updates when a new feed file arrives: its URI is the feed's location
    (the folder, for a glob). Computed from the profile alone: nothing is touched at parse time."""
    path = loaded.profile.source.path
    glob_at = min((path.find(c) for c in "*?[" if c in path), default=-1)
    if glob_at >= 0:
        path = path[:glob_at].rsplit("/", 1)[0] or "."
    if "://" not in path:
        path = (loaded.directory / path).resolve().as_uri()
    return Asset(path.rstrip("/"))


def _doc(loaded: LoadedProfile) -> str:
    """The DAG's docs: the profile in words, and its file (`pimflow.profile_docs`)."""
    return profile_doc(loaded)


def _description(profile) -> str:
    """The DAG's description: the profile's, and what an untouched Trigger covers."""
    return f"{profile.description or f'{profile.source.kind} → {profile.target.kind}'} — {trigger_in_brief(profile)}"


def run_context(loaded: LoadedProfile, context) -> RunContext:
    dag_run = context["dag_run"]
    run_id = dag_run.run_id
    run_after = _run_time(context)
    template_vars = {"dag_id": loaded.profile.id, "run_id": safe_name(run_id),
                     "ds": run_after.strftime("%Y-%m-%d"), "ts_nodash": run_after.strftime("%Y%m%dT%H%M%S")}
    return RunContext(
        profile=loaded.profile,
        profile_dir=loaded.directory,
        staging=RunStaging(staging_base(), loaded.profile.id, run_id),
        params=RunParams.from_params(context.get("params")),
        dag_id=loaded.profile.id,
        run_id=run_id,
        template_vars=template_vars,
        log=log,
    )


def run_type_of(dag_run) -> str:
    """How the run came about: scheduled, manual (Trigger), backfill, asset_triggered... (Airflow's
    `DagRun.run_type`, as text); it decides the run's window (`pimflow.window.resolve_window`)."""
    run_type = getattr(dag_run, "run_type", None)
    return str(getattr(run_type, "value", run_type) or "scheduled")


def run_events(profile, context, staging) -> dict | None:
    """What a run started by Akeneo's events handles (`pimflow.event_runs.run_extra`): its triggering
    events and every receiver event recorded since the DAG's events mark, read through the extract
    task's inlet. None: the profile is not event-driven, or the run was not started by the receiver."""
    from pimflow import event_runs

    if not is_event_driven(profile) or run_type_of(context["dag_run"]) != "asset_triggered":
        return None
    triggering = event_runs.triggering_extras(context.get("triggering_asset_events"), profile.source.connection)
    asset = events_asset(profile)

    def since(timestamp: str) -> list | None:
        try:
            return list(context["inlet_events"][asset].after(timestamp))
        except Exception as exc:  # the inlet could not be read: the triggering events still are
            log.warning("reading the asset events of %s since %s failed (%s): this run handles its "
                        "triggering events only", asset.uri, timestamp, exc)
            return None

    return event_runs.run_extra(triggering, since, event_runs.read_mark(staging))


def is_backfill(dag_run) -> bool:
    """Runs made by `airflow backfill create` replay exactly their data interval."""
    return run_type_of(dag_run) == "backfill"


def _run_time(context) -> datetime:
    """When the run was asked for: stable across task retries (unlike 'now')."""
    dag_run = context["dag_run"]
    for value in (getattr(dag_run, "run_after", None), context.get("data_interval_end"),
                  getattr(dag_run, "logical_date", None)):
        if value is not None:
            return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def extra_steps(profile) -> frozenset[str]:
    """The steps the profile's target needs around the chunk loads, as its kind declares them. The
    source is only described (what its records carry): its module is not imported to build a DAG."""
    return target_kind(profile).extra_steps(source_kind(profile))


def has_parents_step(profile) -> bool:
    return "parents" in extra_steps(profile)


def has_link_step(profile) -> bool:
    return "link" in extra_steps(profile)


def task_defaults(profile) -> dict:
    """What every task of the profile gets (Airflow's default_args): owner, retries, and the
    operational settings that apply to every task (queue, priority, the task failure notifiers)."""
    args = {"owner": profile.owner, "retries": profile.retries,
            "retry_delay": timedelta(seconds=20), "retry_exponential_backoff": True}
    if profile.queue is not None:
        args["queue"] = profile.queue
    if profile.priority_weight is not None:
        args["priority_weight"] = profile.priority_weight
    if profile.weight_rule is not None:
        args["weight_rule"] = profile.weight_rule
    on_task_failure = callbacks(profile.notify.on_task_failure, "on_task_failure", profile.id)
    if on_task_failure:
        args["on_failure_callback"] = on_task_failure
    return args


def step_settings(profile, step: str) -> dict:
    """A step's own task settings: its execution timeout (`timeouts.<step>`, else `timeouts.task`),
    and its pool: the steps that write to an Akeneo or Linnworks account take turns in its account
    pool (one writer per account, `pimflow.pools`, which a task could not keep in two pools); the
    other steps run in the profile's `pool` when it names one. (wait_turn is in neither: a run
    waiting for its turn must not take a slot from the runs that work.)"""
    settings: dict = {}
    timeout = profile.timeouts.for_step(step)
    if timeout is not None:
        settings["execution_timeout"] = timeout
    account_pool = write_pool(profile) if step in WRITE_STEPS else None  # a feed target has none
    if account_pool:
        settings.update(pool=account_pool, pool_slots=1)
    elif profile.pool is not None:
        settings["pool"] = profile.pool
    return settings


#: The steps that write to the target, each in the account pool of the target's connection.
WRITE_STEPS = ("load_parents", "load", "link")


def build_dag(loaded: LoadedProfile):
    profile = loaded.profile

    @dag(
        dag_id=profile.id,
        description=_description(profile),
        doc_md=_doc(loaded),
        schedule=timetable(loaded),
        start_date=profile.start_date,
        catchup=profile.catchup,
        tags=sorted({"pimflow", *profile.tags}),
        max_active_runs=1,
        params=trigger_params(),
        default_args=task_defaults(profile),
        dagrun_timeout=profile.timeouts.run,
        on_failure_callback=callbacks(profile.notify.on_failure, "on_failure", profile.id),
    )
    def pipeline():
        # a reschedule sensor: each look is a short try, `timeout` bounds the whole wait
        wait_turn = WaitTurnSensor(task_id="wait_turn", mode="reschedule", poke_interval=TURN_POKE_SECONDS,
                                   timeout=profile.timeouts.wait_turn.total_seconds())

        # an event-driven profile's extract reads the events recorded since the last events run
        inlets = {"inlets": [events_asset(profile)]} if is_event_driven(profile) else {}

        @task(**step_settings(profile, "extract"), **inlets)
        def extract() -> list[dict]:
            context = get_current_context()
            ctx = run_context(loaded, context)
            with fails_at_once():
                return steps.extract(ctx, context.get("data_interval_start"), context.get("data_interval_end"),
                                     _run_time(context), run_type_of(context["dag_run"]),
                                     run_events(profile, context, ctx.staging))

        @task(map_index_template="{{ chunk_label }}", **step_settings(profile, "transform"))
        def transform(chunk: dict) -> dict:
            context = get_current_context()
            context["chunk_label"] = f"chunk {chunk['index'] + 1}"
            with fails_at_once():
                return steps.transform(run_context(loaded, context), chunk)

        @task(map_index_template="{{ chunk_label }}", **step_settings(profile, "load"))
        def load(transformed: dict) -> dict:
            context = get_current_context()
            context["chunk_label"] = f"chunk {transformed['index'] + 1}"
            with fails_at_once():
                return steps.load(run_context(loaded, context), transformed)

        @task(**step_settings(profile, "load_parents"))
        def load_parents(transformed: list) -> dict:
            with fails_at_once():
                return steps.load_parents(run_context(loaded, get_current_context()), _as_list(transformed))

        @task(**step_settings(profile, "link"))
        def link(transformed: list, loads: list) -> dict:
            with fails_at_once():
                return steps.link(run_context(loaded, get_current_context()), _as_list(transformed),
                                  _as_list(loads))

        @task(trigger_rule="none_failed", **step_settings(profile, "feedback"))
        def feedback(chunks: list, loads: list) -> dict:
            from airflow.sdk.exceptions import AirflowFailException

            context = get_current_context()
            ctx = run_context(loaded, context)
            try:
                with fails_at_once():
                    summary = steps.feedback(ctx, _as_list(chunks), _as_list(loads))
            except ErrorThresholdExceeded as exc:
                give_turn_back(ctx)
                notify_threshold(profile, context, _summary_written(ctx))
                raise AirflowFailException(str(exc)) from None  # retrying would refuse the same records
            try:
                removed = ctx.staging.purge_older_runs(retention_days(), datetime.now(timezone.utc))
            except OSError as exc:  # a cleanup that failed never fails a run that succeeded
                log.warning("staging retention: %s", exc)
            else:
                if removed:
                    log.info("staging retention: removed %d old run folder(s)", len(removed))
            give_turn_back(ctx)
            return summary.to_dict()

        chunks = extract()
        wait_turn >> chunks
        transformed = transform.expand(chunk=chunks)
        loads = load.expand(transformed=transformed)
        steps_around_loads = extra_steps(profile)
        if "parents" in steps_around_loads:
            load_parents(transformed) >> loads
        summary = feedback(chunks, loads)
        if "link" in steps_around_loads:
            link(transformed, loads) >> summary

    built = pipeline()
    for callback in built.on_failure_callback or ():
        callback.bind(built)
    return built


def _summary_written(ctx: RunContext) -> dict | None:
    """The run summary the feedback step wrote before the threshold failed the run (`summary.json`)."""
    from pimflow.staging import read_json

    try:
        return read_json(ctx.staging.summary)
    except (OSError, ValueError):
        return None


def _as_list(values) -> list:
    """Materialise a (lazy) XCom sequence by index: iterating probes past its end and logs an error."""
    if values is None:
        return []
    return [values[i] for i in range(len(values))]


def build_dags(loaded_profiles: list[LoadedProfile]) -> dict:
    return {item.profile.id: build_dag(item) for item in loaded_profiles}
