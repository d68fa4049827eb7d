"""Which records a run asks for: a full sync, an incremental window, a manual list of identifiers, or
the products named by the Akeneo events that started the run.

Incremental state is explicit: the windows that succeeded (merged into spans) and the last full sync
are kept in the DAG's `state.json` in staging (written only by runs that succeeded and wrote for real).
The watermark a scheduled run starts from is the end of the span that reaches back to a full sync:
everything before it was synced with no gap. A window that succeeded beyond a gap (a backfill of
days the profile never synced, a run finishing before an earlier one) is kept as its own span and
never moves the watermark, forwards or back; the span joins the watermark's once the gap is synced.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Literal, Optional, Tuple

from pimflow.profile import Incremental

Mode = Literal["full", "incremental", "manual", "events"]
#: [start, end): a stretch of `updated` that a successful run synced; start None = from the very
#: beginning (a full sync covers everything up to its end).
Span = Tuple[Optional[datetime], datetime]
#: Runs whose success the state remembers by id, so that counting one run twice (a retried step,
#: a success record folded in again) changes nothing.
REMEMBERED_RUNS = 1000


@dataclass(frozen=True)
class RunParams:
    """The trigger form's options."""

    full_sync: bool = False
    identifiers: tuple[str, ...] = ()
    dry_run: bool = False

    @classmethod
    def from_params(cls, params: dict | None) -> "RunParams":
        params = params or {}
        raw = params.get("identifiers") or []
        if isinstance(raw, str):
            raw = raw.replace(",", "\n").splitlines()
        identifiers = tuple(dict.fromkeys(str(i).strip() for i in raw if str(i).strip()))
        return cls(bool(params.get("full_sync")), identifiers, bool(params.get("dry_run")))


@dataclass(frozen=True)
class Window:
    """What to extract. `start`/`end` bound `updated` for incremental runs ([start, end)).

    An `events` window (a run started by Akeneo's events, `events_window`) names its products by
    UUID in `identifiers`, the product models whose variants it reads in `models`, what the events
    deleted in `deleted` (UUIDs and model codes: reported, never read) and how many events it
    carries in `events`. Like a manual window it moves no watermark: the scheduled runs stay the
    safety net for events that never arrived."""

    mode: Mode
    start: datetime | None = None
    end: datetime | None = None
    identifiers: tuple[str, ...] = ()
    reason: str = ""
    models: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    events: int = 0
    through: tuple = ()  # an events run: (id, timestamp) of the newest asset event it read (`pimflow.event_runs`)

    @property
    def names_records(self) -> bool:
        """Whether the window is a list of records (manual or events), not a stretch of time: such a
        run moves no watermark and selects no record carried over from earlier runs."""
        return self.mode in ("manual", "events")

    def to_dict(self) -> dict:
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        for name in ("identifiers", "models", "deleted", "through"):
            data[name] = list(getattr(self, name))
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Window":
        return cls(
            mode=data["mode"],
            start=datetime.fromisoformat(data["start"]) if data.get("start") else None,
            end=datetime.fromisoformat(data["end"]) if data.get("end") else None,
            identifiers=tuple(data.get("identifiers") or ()),
            reason=data.get("reason", ""),
            models=tuple(data.get("models") or ()),
            deleted=tuple(data.get("deleted") or ()),
            events=int(data.get("events") or 0),
            through=tuple(data.get("through") or ()),
        )

    def describe(self) -> str:
        if self.mode == "manual":
            return f"manual: {len(self.identifiers)} identifier(s)"
        if self.mode == "events":
            parts = [f"{len(self.identifiers)} product(s)"]
            if self.models:
                parts.append(f"{len(self.models)} product model(s) with their variants")
            if self.deleted:
                parts.append(f"{len(self.deleted)} deleted")
            return f"events: {self.events} Akeneo event(s) naming " + ", ".join(parts)
        if self.mode == "full":
            return f"full sync ({self.reason})" if self.reason else "full sync"
        return f"incremental {self.start.isoformat()} → {self.end.isoformat()} ({self.reason})"


@dataclass(frozen=True)
class SyncState:
    """What the profile's successful runs synced. `covered`: merged, sorted spans; `applied`: the
    latest runs folded in (so the same run's success counts once). Merging successes gives the same
    state whatever order the runs finish in (the reconcile counter aside: see `advanced`)."""

    covered: tuple[Span, ...] = ()
    last_full_sync: datetime | None = None
    runs_since_full: int = 0
    applied: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)

    @classmethod
    def synced_until(cls, end: datetime | None, full: datetime | None = None, runs: int = 0) -> "SyncState":
        """Everything synced up to `end` with no gap (the state of a profile that always succeeded)."""
        return cls(((None, end),) if end else (), full, runs)

    @property
    def last_window_end(self) -> datetime | None:
        """The watermark: the end of the span that reaches back to a full sync (everything before it
        was synced with no gap); None before the first full sync."""
        if self.covered and self.covered[0][0] is None:
            return self.covered[0][1]
        return None

    def to_dict(self) -> dict:
        return {
            "version": 2,
            "last_window_end": _iso(self.last_window_end),  # for people and older readers
            "covered": [[_iso(start), _iso(end)] for start, end in self.covered],
            "last_full_sync": _iso(self.last_full_sync),
            "runs_since_full": self.runs_since_full,
            "applied": list(self.applied),
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "SyncState":
        data = data or {}
        if "covered" in data:
            covered = tuple((_parse(start), _parse(end)) for start, end in data["covered"] if end)
        else:  # written before spans: its last window end was the watermark
            end = _parse(data.get("last_window_end"))
            covered = ((None, end),) if end else ()
        return cls(merge_spans(covered), _parse(data.get("last_full_sync")), int(data.get("runs_since_full") or 0),
                   tuple(data.get("applied") or ()), dict(data.get("extra") or {}))

    def advanced(self, window: Window, run_id: str | None = None) -> "SyncState":
        """The state after `window` was synced successfully (by `run_id`: once only).

        A full sync covers everything up to its end and restarts the reconcile counter; an
        incremental window adds its span (an older one, or one beyond a gap, moves no watermark) and
        counts towards the next reconcile unless a later full sync already covers it."""
        if window.names_records or window.end is None or (run_id is not None and run_id in self.applied):
            return self
        if window.mode == "incremental" and window.start is not None and window.start >= window.end:
            return self  # an empty window synced nothing: no span, and no run towards the reconcile
        applied = (*self.applied, run_id)[-REMEMBERED_RUNS:] if run_id is not None else self.applied
        if window.mode == "full":
            latest = max(filter(None, (self.last_full_sync, window.end)))
            runs = 0 if latest == window.end else self.runs_since_full
            return SyncState(merge_spans((*self.covered, (None, window.end))), latest, runs, applied, self.extra)
        counts = self.last_full_sync is None or window.end > self.last_full_sync
        return SyncState(merge_spans((*self.covered, (window.start, window.end))), self.last_full_sync,
                         self.runs_since_full + counts, applied, self.extra)

    def merged(self, records: Iterable[dict]) -> "SyncState":
        """This state with the success records of single runs folded in (see `success_record`)."""
        state = self
        for record in sorted(records, key=lambda r: str(r.get("finished_at") or "")):
            state = state.advanced(Window.from_dict(record["window"]), record.get("run_id"))
        return state


def success_record(run_id: str, window: Window, finished_at: datetime) -> dict:
    """What one successful run adds to the state, written once to a file of its own, so that runs
    finishing together never overwrite each other's success."""
    return {"run_id": run_id, "window": window.to_dict(), "finished_at": finished_at.isoformat()}


def merge_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Sorted spans, overlapping or touching ones joined."""
    merged: list[list] = []
    for start, end in sorted(spans, key=lambda span: (span[0] is not None, span[0] or span[1], span[1])):
        if merged and (start is None or start <= merged[-1][1]):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def resolve_window(
    params: RunParams,
    state: SyncState,
    policy: Incremental,
    interval_start: datetime | None,
    interval_end: datetime | None,
    now: datetime,
    run_type: str = "scheduled",
    events: dict | None = None,
) -> Window:
    """Choose the run's window. `run_type` is Airflow's `DagRun.run_type` (scheduled, manual,
    backfill, asset_triggered, operator_triggered...); `events`: the merged `extra` of the Akeneo
    events that started an asset-triggered run (`pimflow.events.contract.merge_extras`), None when
    the run was not started by them.

    - identifiers from the trigger form → manual;
    - a run started by Akeneo's events → exactly the products they name (`events_window`);
    - a backfill run → exactly its data interval (so a replay gives the same result);
    - `full_sync`, the first run ever, or the profile's reconcile policy → full (up to now);
    - a manual run (Trigger) → from the end of the last successful window to `now` (when it was
      asked for), whatever data interval Airflow inferred from the form's Logical Date: Airflow 3
      pre-fills that date, and its interval (the last complete one of the schedule) would leave
      out everything changed since. It counts towards `full_every_runs` as a scheduled run does,
      and takes the reconcile when one is due;
    - a scheduled (or asset-triggered) run → its data interval, started earlier if the last
      successful window ended before it (runs skipped or failed in between must not leave a gap);
      without a real interval, as a manual run.
    """
    if params.identifiers:
        return Window("manual", identifiers=params.identifiers, reason="identifiers from the trigger form")
    if run_type == "asset_triggered" and events is not None:
        return events_window(events)
    manual = run_type == "manual"
    has_interval = (not manual and interval_start is not None and interval_end is not None
                    and interval_start < interval_end)
    if run_type == "backfill" and has_interval:
        return Window("incremental", interval_start, interval_end, reason="backfill interval")
    end = interval_end if has_interval else now
    if params.full_sync:
        return Window("full", end=end, reason="requested in the trigger form")
    if state.last_window_end is None:
        return Window("full", end=end, reason="no earlier successful run")
    if policy.full_every_runs and state.runs_since_full + 1 >= policy.full_every_runs:
        return Window("full", end=end, reason=f"reconcile every {policy.full_every_runs} runs")
    if policy.full_every_days and (
        state.last_full_sync is None or now - state.last_full_sync >= timedelta(days=policy.full_every_days)
    ):
        return Window("full", end=end, reason=f"reconcile every {policy.full_every_days:g} days")
    if has_interval:
        start = min(interval_start, state.last_window_end)
        reason = "data interval" if start == interval_start else "data interval, extended back to the last successful run"
        return Window("incremental", start, interval_end, reason=reason)
    start = state.last_window_end
    # a cleared manual run asked for before a later run succeeded: nothing new up to its time
    end = max(now, start)
    reason = "manual run: since the last successful run" if manual else "since the last successful run"
    return Window("incremental", start, end, reason=reason)


def events_window(extra: dict) -> Window:
    """The window of a run started by Akeneo's events: `extra` is their asset events' extras merged
    (`pimflow.events.contract.merge_extras`). Products by UUID, models by code (their variants come
    along), deleted entities listed apart: Akeneo has nothing left to read for them."""
    deleted = extra.get("deleted") or {}
    first, last = extra.get("first_time"), extra.get("last_time")
    when = f" from {first} to {last}" if first and last and first != last else f" at {first}" if first else ""
    events = len(extra.get("events") or ())
    return Window("events", identifiers=tuple(extra.get("products") or ()),
                  models=tuple(extra.get("product_models") or ()),
                  deleted=(*(deleted.get("products") or ()), *(deleted.get("product_models") or ())),
                  events=events, through=tuple(extra.get("through") or ()),
                  reason=f"Akeneo events{when}" if events else "Akeneo events, all synced by an earlier run")
