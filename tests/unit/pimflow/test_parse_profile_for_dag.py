"""A task process validates only the profile file(s) that can hold its DAG id, and keeps the very
profile `load_profiles` would keep for that id."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest

import pimflow.loader
from pimflow.loader import load_profile_for_dag, load_profiles

GOOD = "id: {id}\nsource: {{kind: feed, path: {path}}}\ntarget: {{kind: feed, path: out.csv}}\n"


@pytest.fixture
def validated(monkeypatch) -> list[str]:
    """The names of the files `parse_profile` validates."""
    names: list[str] = []
    parse_profile = pimflow.loader.parse_profile
    monkeypatch.setattr(pimflow.loader, "parse_profile", lambda path: names.append(path.name) or parse_profile(path))
    return names


def write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_only_the_file_naming_the_id_is_validated(tmp_path, validated):
    for number in range(10):
        write(tmp_path, f"p{number}.yaml", GOOD.format(id=f"sync{number}", path=f"in{number}.csv"))
    write(tmp_path, "broken.yaml", "id: [\n")
    [item] = load_profile_for_dag("sync1", tmp_path)
    assert item.profile.id == "sync1" and item.path == tmp_path / "p1.yaml"
    assert validated == ["p1.yaml"]  # not sync10...sync19 lookalikes, not the broken file


def test_a_duplicate_id_keeps_the_profile_load_profiles_keeps(tmp_path, validated):
    write(tmp_path, "a.yaml", GOOD.format(id="sync", path="bad.csv") + "chunk_size: lots\n")  # invalid: skipped
    write(tmp_path, "b.yaml", GOOD.format(id="sync", path="first.csv"))
    write(tmp_path, "c.yaml", GOOD.format(id="sync", path="second.csv"))
    write(tmp_path, "d.yaml", GOOD.format(id="other", path="other.csv"))
    [item] = load_profile_for_dag("sync", tmp_path)
    assert validated == ["a.yaml", "b.yaml", "c.yaml"]
    everything, _ = load_profiles(tmp_path)
    assert item == next(loaded for loaded in everything if loaded.profile.id == "sync")
    assert item.profile.source.path == "first.csv"


@pytest.mark.parametrize("spelled", [
    '"sy\\x6ec"',                                           # an escape
    f"!!binary {base64.b64encode(b'sync').decode()}",       # base64 (pydantic takes bytes for a str)
    "'sync'",                                               # quoted
    "&name sync",                                           # an anchor
])
def test_an_id_however_spelled_is_found_before_a_later_plain_one(tmp_path, spelled, validated):
    write(tmp_path, "a.yaml", GOOD.format(id=spelled, path="spelled.csv"))
    write(tmp_path, "b.yaml", GOOD.format(id="sync", path="plain.csv"))
    [item] = load_profile_for_dag("sync", tmp_path)
    assert item.profile.source.path == "spelled.csv"  # the first one, as load_profiles keeps it


def test_an_id_in_no_file_validates_every_file_and_finds_nothing(tmp_path, validated):
    write(tmp_path, "a.yaml", GOOD.format(id="one", path="a.csv"))
    write(tmp_path, "b.yaml", GOOD.format(id="two", path="b.csv") + "description: sync\n")  # a candidate, not it
    assert load_profile_for_dag("sync", tmp_path) == []
    assert validated == ["b.yaml", "a.yaml", "b.yaml"]  # the candidate, then everything


def test_an_unreadable_file_is_a_candidate(tmp_path, validated):
    (tmp_path / "a.yaml").write_bytes(b"id: \xff\xfe\n")
    write(tmp_path, "b.yaml", GOOD.format(id="sync", path="b.csv"))
    [item] = load_profile_for_dag("sync", tmp_path)
    assert item.path == tmp_path / "b.yaml" and validated == ["a.yaml", "b.yaml"]
