"""A `linnworks` target's image ledger, in the profile's staging: which images pimflow put on which
item, so that images removed in the source leave Linnworks and no other image does (the rules and
why: `linnworks.items.image_ledger`).

    {base}/{dag_id}/linnworks_images.json                    every item's entries, folded
    {base}/{dag_id}/linnworks_images.d/{run}-{chunk}.json     what one load changed, until folded

A load reads the folded file and the changes not folded yet (in the order they were written: each
file carries a sequence number one above every file its writer had read) and writes its own changes
to a file of its own (its retry merges into that file), so loads running side by side never write
one file. The target's commit (at feedback, after every load of the run; a profile's runs take
turns) folds the changes in. The ledger is the profile's, like its incremental state: it names only
the images this profile put there. Lost (a fresh Airflow home, another staging base), it costs no
image a person added: see `image_ledger`.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

from linnworks.items.image_ledger import LedgerEntry
from pimflow.staging import read_json, safe_name, write_json_atomic

LEDGER_FILE = "linnworks_images.json"
CHANGES_DIR = "linnworks_images.d"


class StagingImageLedger:
    """The profile's image ledger for one load (`chunk`) of a run; `ImageLedger` for the writer."""

    def __init__(self, staging, chunk: int | None = None):
        self.root = staging.dag_root
        self.changes_file = self.root / CHANGES_DIR / f"{safe_name(staging.root.name)}-{chunk or 0:05d}.json"
        self._lock = threading.Lock()
        self._items: dict[str, list[LedgerEntry]] | None = None
        self._sequence = 0  # the highest sequence number read

    def entries(self, stock_item_ids: Iterable[str]) -> dict[str, list[LedgerEntry]]:
        with self._lock:
            items = self._load()
            return {key: list(items[key]) for key in (i.lower() for i in stock_item_ids) if items.get(key)}

    def save(self, entries: Mapping[str, list[LedgerEntry]]) -> None:
        changes = {item_id.lower(): [entry.to_json() for entry in item_entries]
                   for item_id, item_entries in entries.items()}
        with self._lock:
            items = self._load()
            mine = _items_of(_read(self.changes_file)) if self.changes_file.exists() else {}
            mine.update(changes)
            self.changes_file.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(self.changes_file, {"sequence": self._sequence + 1, "items": mine})
            items.update((item_id.lower(), list(item_entries)) for item_id, item_entries in entries.items())

    def _load(self) -> dict[str, list[LedgerEntry]]:
        if self._items is None:
            merged, _, self._sequence = _merged(self.root)
            self._items = {item_id: _entries(raw) for item_id, raw in merged.items()}
        return self._items


def fold(staging) -> int:
    """Fold the changes the loads wrote into the profile's ledger file; returns the items it holds.
    Called once the run's loads are done (not on a dry run: it writes no changes)."""
    items, folded, sequence = _merged(staging.dag_root)
    if folded:
        write_json_atomic(staging.dag_root / LEDGER_FILE, {
            "sequence": sequence, "items": {key: value for key, value in sorted(items.items()) if value}})
        for path in folded:
            path.unlink(missing_ok=True)
    return sum(1 for value in items.values() if value)


def _merged(root) -> tuple[dict[str, list], list, int]:
    """The folded file with the pending changes applied in sequence, the change files read, and the
    highest sequence number seen."""
    ledger = root / LEDGER_FILE
    folded = _read(ledger) if ledger.exists() else {}
    items, sequence = _items_of(folded), _sequence(folded)
    changes_dir = root / CHANGES_DIR
    pending = []
    if changes_dir.exists():
        for path in changes_dir.iterdir():
            if path.name.endswith(".json") and not path.name.startswith("."):
                data = _read(path)
                pending.append((_sequence(data), path.name, path, data))
    pending.sort(key=lambda change: change[:2])
    for _, _, _, data in pending:
        items.update(_items_of(data))
    return items, [path for _, _, path, _ in pending], max([sequence, *(change[0] for change in pending)])


def _sequence(data) -> int:
    value = data.get("sequence") if isinstance(data, dict) else None
    return value if isinstance(value, int) else 0


def _read(path):
    try:
        return read_json(path)
    except (FileNotFoundError, ValueError):  # unreadable: as if empty (nothing is deleted for want of it)
        return {}


def _items_of(data) -> dict[str, list]:
    items = data.get("items") if isinstance(data, dict) else None
    return {str(key).lower(): value for key, value in items.items() if isinstance(value, list)} \
        if isinstance(items, dict) else {}


def _entries(raw: list) -> list[LedgerEntry]:
    return [entry for entry in map(LedgerEntry.from_json, raw) if entry is not None]
