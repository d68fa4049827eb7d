"""What the top of a run's report says, from its `summary.json` (`pimflow.summary.RunSummary.to_dict`)
and its marks (`run.json`): the window, the counts, why records were skipped, the refusals split into
data and transient ones, and the files there are to download."""
from __future__ import annotations

from pimflow.report.store import RunFolder, StagedFile


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def overview(run: RunFolder, summary: dict, files: list[StagedFile]) -> dict:
    statuses = summary.get("statuses") if isinstance(summary.get("statuses"), dict) else {}
    dry_run = bool(summary.get("dry_run"))
    written = _int(summary.get("written"))
    refused = _int(summary.get("refused", statuses.get("refused")))
    transient = _int(summary.get("refused_transient"))
    before = _int(summary.get("refused_before_sending"))
    marks = run.marks() or {}
    reasons = summary.get("skipped_reasons") if isinstance(summary.get("skipped_reasons"), dict) else {}
    extra = summary.get("extra") if isinstance(summary.get("extra"), dict) else {}
    return {
        "dag_id": run.dag_id,
        "run_id": run.run_id,
        "dry_run": dry_run,
        "window": summary.get("window") or "",
        "line": summary.get("line") or "",
        "outcome": marks.get("outcome") or ("failed" if summary.get("threshold") else None),
        "started_at": marks.get("started_at"),
        "finished_at": marks.get("finished_at"),
        "counts": {
            "read": _int(summary.get("read")),
            "written": 0 if dry_run else written,
            "created": _int(statuses.get("created")),
            "updated": _int(statuses.get("updated")),
            "would_write": _int(statuses.get("would_write")) + (written if dry_run else 0),
            "unchanged": _int(statuses.get("unchanged")),
            "skipped": _int(statuses.get("skipped")),
            "refused": refused,
            "warned": _int(summary.get("warned")),
        },
        "skipped_reasons": [{"code": code, "count": _int(value[0]) if isinstance(value, list) and value else 0,
                             "message": value[1] if isinstance(value, list) and len(value) > 1 else ""}
                            for code, value in reasons.items()],
        "refused": {"total": refused, "data": refused - transient, "transient": transient,
                    "before_sending": before, "by_target": refused - before},
        "not_found": list(summary.get("not_found") or []),
        "carried_in": _int(summary.get("carried_in")),
        "carried_over": _int(summary.get("carried_over")),
        "threshold": summary.get("threshold"),
        "output_location": extra.get("output"),
        "extra": {key: value for key, value in extra.items() if isinstance(value, (str, int, float, bool))},
        "files": [{"area": staged.area, "name": staged.name, "size": staged.size} for staged in files],
    }
