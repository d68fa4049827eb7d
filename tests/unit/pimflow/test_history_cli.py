"""`pimflow history KEY [--profile P] [--limit N] [--json]`: the table, the JSON, and the exit codes."""
from __future__ import annotations

import json

import pytest

from pimflow.cli import main
from pimflow.staging import as_storage_path

from pimflow.ledger import Status
from test_history import T0, result, three_runs, write_run


@pytest.fixture
def kept(staging_dir):
    base = as_storage_path(staging_dir)
    three_runs(base, "shop")
    write_run(base, "feed_export", "r9", T0.replace(day=9), [result("KIT-1", Status.WRITTEN)])
    return base


def test_the_table_has_one_line_per_run_newest_first(kept, capsys):
    assert main(["history", "KIT-1", "--profile", "shop"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "history of KIT-1: 3 run(s), newest first"
    assert lines[1].split() == ["time", "run", "status", "code", "message"]
    assert [line.split()[:5] for line in lines[2:]] == [
        ["2026-03-03", "09:00:00Z", "scheduled__3", "unchanged", "-"],
        ["2026-03-02", "09:00:00Z", "manual__2", "created", "-"],
        ["2026-03-01", "09:00:00Z", "scheduled__1", "refused", "invalid_value"],
    ]
    assert lines[-1].endswith("invalid_value  PACK-products 'MUG|two': the quantity 'two' is not a whole number")
    columns = lines[1].index("status")
    assert all(line[columns:].split()[0] in ("unchanged", "created", "refused") for line in lines[2:])  # aligned


def test_every_profile_adds_the_profile_column_and_limit_keeps_the_newest(kept, capsys):
    assert main(["history", "KIT-1", "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "history of KIT-1: 2 run(s), newest first"
    assert lines[1].split() == ["time", "profile", "run", "status", "code", "message"]
    assert [line.split()[2:4] for line in lines[2:]] == [["feed_export", "r9"], ["shop", "scheduled__3"]]


def test_json_gives_every_field(kept, capsys):
    assert main(["history", "KIT-1", "-p", "shop", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [(e["run_id"], e["status"], e["code"]) for e in entries] == [
        ("scheduled__3", "unchanged", ""), ("manual__2", "created", ""), ("scheduled__1", "refused", "invalid_value")]
    assert entries[0]["target_id"] == "stock-9" and entries[2]["transient"] is False
    assert entries[2]["finished_at"] == "2026-03-01T09:00:00.000000+00:00"


def test_no_history_exits_1(kept, capsys):
    assert main(["history", "NOPE"]) == 1
    assert capsys.readouterr().err.strip() == "no history for NOPE"
    assert main(["history", "MUG", "--profile", "feed_export"]) == 1
    assert capsys.readouterr().err.strip() == "no history for MUG in profile feed_export"


def test_an_unknown_profile_says_which_have_a_history(kept, capsys):
    assert main(["history", "KIT-1", "--profile", "shopp"]) == 1
    err = capsys.readouterr().err
    assert "no history kept for profile 'shopp'" in err and "(profiles with a history: feed_export, shop)" in err


def test_a_profile_file_names_its_profile(kept, tmp_path, capsys):
    profile = tmp_path / "profiles" / "shop.yaml"
    profile.parent.mkdir()
    profile.write_text("id: shop\nsource: {kind: feed, path: in.csv}\ntarget: {kind: feed, path: out.csv}\n")
    assert main(["history", "KIT-1", "--profile", str(profile)]) == 0
    assert "3 run(s)" in capsys.readouterr().out
    profile.write_text("id: shop\nsource: {kind: feed}\n")
    assert main(["history", "KIT-1", "--profile", str(profile)]) == 1
    err = capsys.readouterr().err
    assert f"{profile}: invalid profile" in err and "target" in err
    assert main(["history", "KIT-1", "--profile", str(tmp_path / "missing.yaml")]) == 1
    assert "missing.yaml: no such profile file" in capsys.readouterr().err


def test_a_limit_below_1_is_a_usage_error(kept, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["history", "KIT-1", "--limit", "0"])
    assert exit_.value.code == 2
    assert "'0' is not a whole number of at least 1" in capsys.readouterr().err
