"""Which records a run asks for: a full sync, an incremental window, or a manual list of identifiers.

Incremental state is explicit: the end of the last successful window and the last full sync are
kept in the DAG's `state.json` in staging (written only by runs that succeeded and wrote for real).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from pimflow.profile import Incremental

Mode = Literal["full", "incremental", "manual"]


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
    """What to extract. `start`/`end` bound `updated` for incremental runs ([start, end))."""

    mode: Mode
    start: datetime | None = None
    end: datetime | None = None
    identifiers: tuple[str, ...] = ()
    reason: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        data["identifiers"] = list(self.identifiers)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Window":
        return cls(
            mode=data["mode"],
            start=datetime.fromisoformat(data["start"]) if data.get("start") else None,
            end=datetime.fromisoformat(data["end"]) if data.get("end") else None,
            identifiers=tuple(data.get("identifiers") or ()),
            reason=data.get("reason", ""),
        )

    def describe(self) -> str:
        if self.mode == "manual":
            return f"manual: {len(self.identifiers)} identifier(s)"
        if self.mode == "full":
            return f"full sync ({self.reason})" if self.reason else "full sync"
        return f"incremental {self.start.isoformat()} → {self.end.isoformat()} ({self.reason})"


@dataclass
class SyncState:
    last_window_end: datetime | None = None
    last_full_sync: datetime | None = None
    runs_since_full: int = 0
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "last_window_end": self.last_window_end.isoformat() if self.last_window_end else None,
            "last_full_sync": self.last_full_sync.isoformat() if self.last_full_sync else None,
            "runs_since_full": self.runs_since_full,
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "SyncState":
        data = data or {}
        parse = lambda v: datetime.fromisoformat(v) if v else None  # noqa: E731
        return cls(parse(data.get("last_window_end")), parse(data.get("last_full_sync")),
                   int(data.get("runs_since_full") or 0), dict(data.get("extra") or {}))

    def advanced(self, window: Window) -> "SyncState":
        """The state after `window` was synced successfully."""
        if window.mode == "manual":
            return self
        end = window.end
        last_end = max(filter(None, (self.last_window_end, end)), default=None)
        if window.mode == "full":
            return SyncState(last_end, end, 0, self.extra)
        return SyncState(last_end, self.last_full_sync, self.runs_since_full + 1, self.extra)


def resolve_window(
    params: RunParams,
    state: SyncState,
    policy: Incremental,
    interval_start: datetime | None,
    interval_end: datetime | None,
    now: datetime,
    backfill: bool = False,
) -> Window:
    """Choose the run's window.

    - identifiers from the trigger form → manual;
    - `full_sync`, the first run ever, or the profile's reconcile policy → full (up to now);
    - a backfill run → exactly its data interval (so a replay gives the same result);
    - a scheduled run → its data interval, started earlier if the last successful window ended
      before it (runs skipped or failed in between must not leave a gap);
    - a manual run without a real interval → from the end of the last successful window to now.
    """
    if params.identifiers:
        return Window("manual", identifiers=params.identifiers, reason="identifiers from the trigger form")
    has_interval = interval_start is not None and interval_end is not None and interval_start < interval_end
    if backfill and has_interval:
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
    return Window("incremental", state.last_window_end, now, reason="since the last successful run")
