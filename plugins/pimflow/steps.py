"""The four steps of every profile's DAG, as plain functions of a RunContext (testable without Airflow)."""
from __future__ import annotations

from datetime import datetime, timedelta

from pimflow import carry_over, history, ledger
from pimflow.errors import ErrorThresholdExceeded, NotRetried
from pimflow.kinds import RunContext, source_kind, target_kind
from pimflow.ledger import RecordResult
from pimflow.mapping import apply_mapping, unknown_references
from pimflow.originals import ChunkOriginals, stage_originals
from pimflow.staging import as_storage_path, read_json, utcnow, write_json, write_json_atomic
from pimflow.summary import RunSummary, gather_feedback
from pimflow.window import SyncState, Window, resolve_window, success_record
from productsup.codec import gc_paused

#: A run's success record is removed once state.json holds it and it is older than this: long
#: enough that no run still writing state.json read it before the record existed.
STATE_RECORD_KEEP = timedelta(hours=1)


def load_state(ctx: RunContext) -> SyncState:
    """state.json, with the success records state.json may not hold yet folded in."""
    return _stored_state(ctx).merged(record for _, record in _success_records(ctx))


def commit_state(ctx: RunContext, window: Window, now: datetime | None = None) -> SyncState:
    """Record that this run synced `window`: first the run's own success record (a file of its
    own: runs finishing together never overwrite each other's), then state.json with every record
    folded in; records it holds that are old enough go. Returns the state written."""
    now = now or utcnow()
    write_json_atomic(ctx.staging.success_record(ctx.run_id), success_record(ctx.run_id, window, now))
    records = _success_records(ctx)
    state = _stored_state(ctx).merged(record for _, record in records)
    write_json_atomic(ctx.staging.state, state.to_dict())
    for path, record in records:
        finished = datetime.fromisoformat(record["finished_at"])
        if record.get("run_id") in state.applied and finished < now - STATE_RECORD_KEEP:
            path.unlink(missing_ok=True)
    return state


def _stored_state(ctx: RunContext) -> SyncState:
    path = ctx.staging.state
    return SyncState.from_dict(read_json(path)) if path.exists() else SyncState()


def _success_records(ctx: RunContext) -> list[tuple[object, dict]]:
    folder = ctx.staging.success_records
    if not folder.exists():
        return []
    records = []
    for path in folder.iterdir():
        if path.name.startswith(".") or not path.name.endswith(".json"):
            continue  # a file being written
        try:
            records.append((path, read_json(path)))
        except (FileNotFoundError, ValueError):  # removed meanwhile by another run
            continue
    return records


def extract(ctx: RunContext, interval_start: datetime | None, interval_end: datetime | None,
            now: datetime, run_type: str = "scheduled", events: dict | None = None) -> list[dict]:
    """Choose the window (kept in staging), stream source records into chunks; return the chunk refs.
    `run_type` is Airflow's (a manual run ignores the interval: see `resolve_window`); `events`: the
    merged extras of the Akeneo events that started the run, if they did."""
    ctx.staging.mark_started()  # the wall clock: `now` is when the run was asked for (its logical time)
    history.history_retention_days()  # a bad setting fails the run here, before any work, not at its end
    ctx.staging.reset_step("extract")
    window = resolve_window(ctx.params, load_state(ctx), ctx.profile.incremental,
                            interval_start, interval_end, now, run_type, events)
    ctx.window = window
    write_json(ctx.staging.window, {**window.to_dict(), "run_type": run_type})  # run_type: for the history
    ctx.log.info("extract: %s", window.describe())
    carry_over.select(ctx, window)
    source = source_kind(ctx.profile)
    source.prepare(ctx)
    target_kind(ctx.profile).prepare(ctx)
    chunks = source.extract(ctx)
    total = sum(chunk["records"] for chunk in chunks)
    ctx.log.info("extract: %d record(s) in %d chunk(s)", total, len(chunks))
    return chunks


def event_report(ctx: RunContext) -> dict:
    """What an events run handled (`pimflow.kinds.akeneo_source` writes it at extract): the events,
    the identifiers read, and what the events named that was not read (deleted, or outside the
    profile's selection)."""
    path = ctx.staging.root / EVENTS_REPORT
    return read_json(path) if path.exists() else {}


#: The file in a run's staging folder where an events run's source says what it handled.
EVENTS_REPORT = "events.json"


class MappingReferenceError(NotRetried):
    """The mapping reads a column the input does not have (a typo in `from` or a template)."""


def transform(ctx: RunContext, chunk: dict, chunks_total: int | None = None) -> dict:
    """Map one chunk and turn it into the target's records, staged for load; refuse what cannot be
    mapped. The chunk's records as they came in are kept for the feedback file, so no later step
    decodes them again."""
    with gc_paused():  # local batch work, no cycles to collect (see gc_paused)
        return _transform(ctx, chunk, chunks_total)


def _transform(ctx: RunContext, chunk: dict, chunks_total: int | None) -> dict:
    source_impl, target = source_kind(ctx.profile), target_kind(ctx.profile)
    source = source_impl.read_chunk(ctx, chunk)
    index = chunk["index"]
    originals = ChunkOriginals(source.original_header, source.originals, source.origin,
                               source_impl.key_column(ctx, source.original_header))
    stage_originals(ctx.staging, index, originals)
    context = source_impl.mapping_context(ctx) or target.mapping_context(ctx)
    unknown = unknown_references(ctx.profile.mapping, source.frame.columns, context,
                                 source_impl.known_names(ctx, source.frame.columns))
    if unknown:  # every row would map to an empty value: fail before anything is staged for the target
        raise MappingReferenceError(f"{source.origin or 'the input'}: " + "; ".join(unknown))
    mapped = apply_mapping(ctx.profile.mapping, source.frame, context)
    results = [RecordResult.refused(n, code, message) for n, (code, message) in source.refused.items()]
    results += source.settled.values()
    for n, problems in mapped.problems.items():
        results.append(RecordResult.refused(
            n, problems[0][1], "; ".join(f"{column}: {reason}" for column, _, reason in problems)))
    staged = target.stage_records(ctx, index, mapped.rows)
    results = ledger.record(ctx.staging, "transform", index, [*results, *staged.results], keys=originals.keys())
    of = f"/{chunks_total}" if chunks_total else ""
    refused = sum(1 for r in results if r.is_refused)
    ctx.log.info("transform chunk %d%s: %d record(s), %d staged for the target, %d refused, %d settled",
                 index + 1, of, chunk["records"], staged.staged, refused, len(results) - refused)
    return {"index": index, "path": staged.path, "records": chunk["records"],
            "mapped": staged.staged, "refused": refused}


def load(ctx: RunContext, transformed: dict) -> dict:
    """Write one transformed chunk to the target (or prepare it only, on a dry run)."""
    index = transformed["index"]
    counts = target_kind(ctx.profile).load(ctx, index, as_storage_path(transformed["path"]))
    result = {"index": index, "records": transformed["records"], **counts}
    ctx.log.info("load chunk %d: %s", index + 1,
                 ", ".join(f"{k} {v}" for k, v in counts.items() if isinstance(v, int)))
    return result


def load_parents(ctx: RunContext, transformed: list[dict]) -> dict:
    """Before the chunk loads: write the records others depend on (product models, parents first)."""
    counts = target_kind(ctx.profile).load_parents(ctx, transformed)
    ctx.log.info("load parents: %s", ", ".join(f"{k} {v}" for k, v in counts.items() if isinstance(v, int)) or "none")
    return counts


def link(ctx: RunContext, transformed: list[dict], loads: list[dict]) -> dict:
    """After the chunk loads: write what joins records (variation groups, compositions, related products)."""
    ctx.window = Window.from_dict(read_json(ctx.staging.window))
    counts = target_kind(ctx.profile).link(ctx, transformed, loads)
    write_json(ctx.staging.link_report, counts)
    ctx.log.info("link: %s", ", ".join(f"{k} {v}" for k, v in counts.items() if isinstance(v, int)) or "nothing to link")
    return counts


def feedback(ctx: RunContext, chunks: list[dict], loads: list[dict]) -> RunSummary:
    """Gather refused records into the feedback file, publish the target, log the run summary."""
    ctx.staging.summary.unlink(missing_ok=True)  # an earlier attempt's summary is not this one's (run notes)
    window = ctx.window = Window.from_dict(read_json(ctx.staging.window))
    source, target = source_kind(ctx.profile), target_kind(ctx.profile)
    summary = RunSummary.start(ctx, window, sum(chunk["records"] for chunk in chunks))
    with gc_paused():  # every record's result read back: batch work, no cycles to collect
        # with every record's final result: carry-over and the record history take it from here
        feedback_path, final = gather_feedback(ctx, source.feedback_dialect(), target.feedback_columns, chunks,
                                               summary)
    summary.feedback = str(feedback_path) if feedback_path else None
    if window.mode == "events":
        summary.events = event_report(ctx)
    summary.carried_in = len(carry_over.carried_in(ctx))
    if not ctx.params.dry_run:
        summary.carried_over = len(carry_over.update(ctx, window, final))
    failure = summary.threshold_failure(ctx.profile.feedback)
    if failure is None:
        summary.extra.update(target.commit(ctx, loads, dry_run=ctx.params.dry_run))
    summary.conclude(ctx, failure)
    write_json(ctx.staging.summary, summary.to_dict())
    summary.log(ctx.log)
    history.keep_run_history(ctx, "failed" if failure is not None else "dry_run" if ctx.params.dry_run else "success",
                             final)
    if failure is not None:
        ctx.staging.mark_finished("failed")
        raise ErrorThresholdExceeded(summary.threshold)
    if not ctx.params.dry_run:
        commit_state(ctx, window)
        if window.mode == "events" and window.through:
            from pimflow.event_runs import write_mark

            write_mark(ctx.staging, window.through)  # the next events run starts after what this one read
    ctx.staging.mark_finished("dry_run" if ctx.params.dry_run else "success")
    return summary
