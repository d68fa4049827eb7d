"""The `linnworks` target's image ledger in the profile's staging (`pimflow.kinds.linnworks_images`):
what loads record is seen by later loads and runs, loads never write one file, the feedback's fold
keeps the latest entries, and a lost or unreadable ledger deletes nothing (an empty ledger)."""
from __future__ import annotations

import json
from pathlib import Path

from linnworks.items.image_ledger import LedgerEntry
from pimflow.kinds.linnworks_images import CHANGES_DIR, LEDGER_FILE, StagingImageLedger, fold
from pimflow.staging import RunStaging, as_storage_path

DAG = "akeneo_to_linnworks"


def staging(tmp_path: Path, run_id: str) -> RunStaging:
    return RunStaging(as_storage_path(tmp_path / "staging"), DAG, run_id)


def entry(key: str, image_id: str, attached: bool = True) -> LedgerEntry:
    return LedgerEntry(key, image_id, attached)


def changes(tmp_path: Path) -> list[str]:
    folder = tmp_path / "staging" / DAG / CHANGES_DIR
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_what_parallel_loads_record_is_seen_by_the_next_loads_each_in_a_file_of_its_own(tmp_path):
    run = staging(tmp_path, "run_1")
    first, second = StagingImageLedger(run, 0), StagingImageLedger(run, 1)
    first.save({"ITEM-A": [entry("k1", "img-1"), entry("k2", "img-2", attached=False)]})
    second.save({"item-b": [entry("k3", "img-3")]})
    assert changes(tmp_path) == ["run_1-00000.json", "run_1-00001.json"]
    later = StagingImageLedger(staging(tmp_path, "run_2"), 0)
    assert later.entries(["item-a", "ITEM-B", "item-c"]) == {
        "item-a": [entry("k1", "img-1"), entry("k2", "img-2", attached=False)], "item-b": [entry("k3", "img-3")]}


def test_a_retried_load_keeps_what_its_first_attempt_recorded(tmp_path):
    run = staging(tmp_path, "run_1")
    StagingImageLedger(run, 0).save({"item-a": [entry("k1", "img-1")]})
    StagingImageLedger(run, 0).save({"item-b": [entry("k2", "img-2")]})  # the retry: another process
    assert StagingImageLedger(staging(tmp_path, "run_2"), 0).entries(["item-a", "item-b"]) == {
        "item-a": [entry("k1", "img-1")], "item-b": [entry("k2", "img-2")]}


def test_the_fold_keeps_each_items_latest_entries_and_removes_the_change_files(tmp_path):
    StagingImageLedger(staging(tmp_path, "run_b"), 0).save({"item-a": [entry("k1", "img-old")],
                                                           "item-b": [entry("k2", "img-2")]})
    # run_a sorts before run_b by name, but was written after it: its entries win
    StagingImageLedger(staging(tmp_path, "run_a"), 0).save({"item-a": [entry("k1", "img-new")], "item-b": []})
    assert fold(staging(tmp_path, "run_a")) == 1
    assert changes(tmp_path) == []
    folded = json.loads((tmp_path / "staging" / DAG / LEDGER_FILE).read_text())
    assert folded["items"] == {"item-a": [{"key": "k1", "image": "img-new", "attached": True}]}
    assert StagingImageLedger(staging(tmp_path, "run_c"), 0).entries(["item-a", "item-b"]) == {
        "item-a": [entry("k1", "img-new")]}
    StagingImageLedger(staging(tmp_path, "run_c"), 0).save({"item-a": [entry("k1", "img-newer")]})
    assert StagingImageLedger(staging(tmp_path, "run_d"), 0).entries(["item-a"]) == {
        "item-a": [entry("k1", "img-newer")]}  # a change after the fold wins over the folded file


def test_a_missing_or_unreadable_ledger_is_an_empty_one(tmp_path):
    assert StagingImageLedger(staging(tmp_path, "run_1"), 0).entries(["item-a"]) == {}
    root = tmp_path / "staging" / DAG
    root.mkdir(parents=True, exist_ok=True)
    (root / LEDGER_FILE).write_text("{not json")
    (root / CHANGES_DIR).mkdir()
    (root / CHANGES_DIR / "run_0-00000.json").write_text(json.dumps({"items": {"item-a": [{"key": "k"}]}}))
    assert StagingImageLedger(staging(tmp_path, "run_1"), 0).entries(["item-a"]) == {}
