"""`pimflow history KEY [--profile P] [--limit N] [--json]`: what happened to one record in each run.

Reads the run history files (`pimflow.history`) under the staging base: a table, newest first, one
line per run the record appeared in (time, run, status, code, message; the profile too when the
search spans every profile), or the entries as JSON. Exit 1 with "no history for KEY" when none.
"""
from __future__ import annotations

import argparse
import json
import sys

import msgspec

#: A message longer than this is cut in the table (`--json` gives it as kept).
TABLE_MESSAGE_CHARS = 160


def add_parser(commands) -> None:
    history = commands.add_parser(
        "history", help="what happened to one record (SKU, identifier, code) in each run, newest first")
    history.add_argument("key", help="the record's key: a SKU, an identifier, a model or category code")
    history.add_argument("--profile", "-p", help="only this profile: its id (the DAG id) or its YAML file")
    history.add_argument("--limit", "-n", type=_positive, help="only the newest N runs")
    history.add_argument("--json", action="store_true", help="print the entries as JSON (every field, whole messages)")
    history.set_defaults(run=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def run(args) -> int:
    from pimflow.history import find_history, history_dir
    from pimflow.staging import staging_base

    base = staging_base()
    dag_id = None
    if args.profile:
        dag_id = profile_id(args.profile)
        if dag_id is None:
            return 1
        if not history_dir(base, dag_id).exists():
            known = sorted(path.parent.name for path in _history_folders(base))
            print(f"no history kept for profile {dag_id!r} under {base}"
                  + (f" (profiles with a history: {', '.join(known)})" if known else " (no profile has one yet)"),
                  file=sys.stderr)
            return 1
    key = args.key.strip()
    if not key:
        print("pimflow history: the key is empty", file=sys.stderr)
        return 1
    entries = find_history(base, key, dag_id, args.limit)
    if not entries:
        print(f"no history for {key}" + (f" in profile {dag_id}" if dag_id else ""), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(msgspec.to_builtins(entries), indent=2, ensure_ascii=False))
        return 0
    for line in table(key, entries, with_profile=dag_id is None):
        print(line)
    return 0


def profile_id(profile: str) -> str | None:
    """The DAG id a `--profile` names: a YAML file's `id` (the file is validated: an invalid one is
    reported, file, field and reason, and gives None), or the text itself as an id."""
    from pimflow.loader import profile_argument

    try:
        parsed = profile_argument(profile)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return None
    return parsed.id if parsed is not None else profile


def _history_folders(base):
    from pimflow.history import HISTORY_DIR

    if not base.exists():
        return []
    return [dag / HISTORY_DIR for dag in base.iterdir() if (dag / HISTORY_DIR).exists()]


def table(key: str, entries, with_profile: bool) -> list[str]:
    """The entries as aligned columns for a terminal, after a line saying what they are."""
    runs = len({(entry.dag_id, entry.run_id) for entry in entries})
    rows = [["time", *(["profile"] if with_profile else []), "run", "status", "code", "message"]]
    for entry in entries:
        status = entry.status + (" (transient)" if entry.transient else "")
        message = entry.message if len(entry.message) <= TABLE_MESSAGE_CHARS else (
            entry.message[:TABLE_MESSAGE_CHARS] + "…")
        rows.append([_time(entry.finished_at), *([entry.dag_id] if with_profile else []), entry.run_id,
                     status, entry.code or "-", message or "-"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [f"history of {key}: {runs} run(s), newest first"]
    lines += ["  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[-1]]).rstrip()
              for row in rows]
    return lines


def _time(finished_at: str) -> str:
    """`2026-11-03 14:05:12Z` from the ISO time kept (UTC)."""
    text = finished_at.replace("T", " ")
    return text[:19] + "Z" if text.endswith("+00:00") and len(text) >= 19 else text
