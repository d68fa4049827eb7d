"""Every class of profile mistake gives an error naming the file, the field path and the reason."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from pimflow.cli import main as pimflow_cli
from pimflow.errors import ProfileError
from pimflow.loader import load_profiles, parse_profile, profile_files
from pimflow.profile import profile_json_schema

ROOT = Path(__file__).resolve().parents[3]

GOOD = """
id: good
source: {kind: feed, path: in.csv}
target: {kind: feed, path: out.csv}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path, text: str) -> list[tuple[str, str]]:
    path = write(tmp_path, "p.yaml", text)
    with pytest.raises(ProfileError) as caught:
        parse_profile(path)
    assert caught.value.file == str(path)
    assert str(path) in str(caught.value)
    return caught.value.problems


def test_good_profile_parses_with_defaults(tmp_path):
    profile = parse_profile(write(tmp_path, "p.yaml", GOOD))
    assert profile.id == "good" and profile.schedule is None and profile.catchup is False
    assert profile.source.delimiter == "," and profile.source.value_separator == "<###>"
    assert profile.feedback.max_error_rate == 1.0 and profile.batch_size == 100


def test_bad_yaml_names_line_and_column(tmp_path):
    [(field, reason)] = problems(tmp_path, "id: x\nsource: [unclosed\n")
    assert field == ""
    assert "not valid YAML" in reason and "line 3" in reason


def test_a_key_given_twice_is_refused(tmp_path):
    [(_, reason)] = problems(tmp_path, GOOD + "id: again\n")
    assert "'id' appears twice" in reason


def test_unknown_key_is_named_with_its_path(tmp_path):
    found = problems(tmp_path, GOOD.replace("path: in.csv", "path: in.csv, delimeter: ';'"))
    assert found == [("source.delimeter", "unknown key (check the spelling; see `pimflow schema`)")]


def test_wrong_type_names_field_and_value(tmp_path):
    [(field, reason)] = problems(tmp_path, GOOD + "chunk_size: lots\n")
    assert field == "chunk_size"
    assert "integer" in reason and "'lots'" in reason


def test_kind_that_is_not_implemented_yet_is_a_validation_error():
    # every kind of DESIGN.md is implemented now; the rule still holds for a planned one
    from pydantic import TypeAdapter, ValidationError

    from pimflow.profile import FeedSource, _union

    adapter = TypeAdapter(_union((FeedSource,), ("feed", "ftp"), "source"))
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python({"kind": "ftp", "host": "x"})
    assert "source kind 'ftp' is not implemented yet (available: feed)" in str(caught.value)


def test_unknown_kind_lists_the_available_ones(tmp_path):
    [(field, reason)] = problems(tmp_path, GOOD.replace("target: {kind: feed", "target: {kind: ftp"))
    assert field == "target" and reason == "unknown target kind 'ftp' (available: feed, akeneo, linnworks)"


def test_missing_required_key(tmp_path):
    [(field, reason)] = problems(tmp_path, GOOD.replace("source: {kind: feed, path: in.csv}\n", ""))
    assert (field, reason) == ("source", "required key is missing")


def test_bad_schedule_and_bad_id_are_both_reported(tmp_path):
    found = dict(problems(tmp_path, GOOD.replace("id: good", "id: 'bad id!'") + "schedule: every hour\n"))
    assert "becomes the DAG id" in found["id"]
    assert "neither a cron expression nor one of" in found["schedule"]


def test_mapping_column_defined_twice(tmp_path):
    text = GOOD + "mapping:\n  columns:\n    - {name: sku}\n    - {name: sku, value: x}\n"
    [(field, reason)] = problems(tmp_path, text)
    assert field == "mapping" and "'sku' is defined twice" in reason


def test_mapping_column_with_two_origins(tmp_path):
    text = GOOD + "mapping:\n  columns:\n    - {name: sku, from: id, value: x}\n"
    [(field, reason)] = problems(tmp_path, text)
    assert field == "mapping.columns[0]" and "give only one of from, value" in reason


def test_not_a_mapping(tmp_path):
    assert problems(tmp_path, "- just\n- a list\n") == [("", "a profile is a YAML mapping (key: value lines)")]


@pytest.mark.parametrize("written", ["2026-02-30", "'2026-02-30'"])  # a YAML date, or quoted text
def test_an_impossible_start_date_names_file_field_and_reason(tmp_path, written):
    path = write(tmp_path, "p.yaml", GOOD + f"start_date: {written}\n")
    loaded, errors = load_profiles(files=[path])  # a ProfileError like any other, no traceback
    assert loaded == [] and len(errors) == 1
    message = errors[0].describe()
    assert message.startswith(f"{path}: invalid profile")
    assert errors[0].problems == [("start_date", "'2026-02-30' is not a valid date: day is out of range for month")]


@pytest.mark.parametrize("written, reason", [
    ("2026-02-28 25:00:00", "hour must be in 0..23"),
    ("2026-13-01", "month must be in 1..12"),
    ("0000-01-01", "year 0 is out of range"),
    ("2026-01-01T00:00:00+99:00", "offset must be a timedelta strictly between"),
])
def test_other_impossible_timestamps_are_profile_errors_too(tmp_path, written, reason):
    [(field, message)] = problems(tmp_path, GOOD + f"start_date: {written}\n")
    assert field == "start_date" and message.startswith(f"'{written}' is not a valid date: {reason}")


def test_a_text_field_takes_a_date_shaped_impossible_value_as_written(tmp_path):
    profile = parse_profile(write(tmp_path, "p.yaml", GOOD + "description: 2026-02-30\n"))
    assert profile.description == "2026-02-30" and type(profile.description) is str


@pytest.mark.parametrize("line, field", [
    ("incremental: {full_every_days: .inf}", "incremental.full_every_days"),
    ("incremental: {full_every_days: 1e12}", "incremental.full_every_days"),
    ("retries: 1000000000000000000000", "retries"),
])
def test_numbers_that_would_overflow_at_run_time_are_refused_here(tmp_path, line, field):
    [(found, reason)] = problems(tmp_path, GOOD + line + "\n")
    assert found == field and "less than or equal to" in reason


def test_variant_search_days_that_would_overflow_a_window_are_refused(tmp_path):
    text = GOOD.replace("source: {kind: feed, path: in.csv}", "source: {kind: akeneo, variant_search_days: 99999999}")
    [(found, reason)] = problems(tmp_path, text)
    assert found == "source.variant_search_days" and "less than or equal to 36500" in reason


def test_an_unhashable_key_is_a_yaml_error_with_its_place(tmp_path):
    [(field, reason)] = problems(tmp_path, GOOD + "? [a, b]\n: 1\n")
    assert field == "" and reason == "not valid YAML: found unhashable key (line 5, column 3)"


def test_a_runaway_nesting_is_a_profile_error(tmp_path):
    found = dict(problems(tmp_path, GOOD + "tags: " + "[" * 3000 + "]" * 3000 + "\n"))
    assert "nested too deeply" in found["tags[0]"]


def test_duplicate_ids_keep_the_first_and_report_the_second(tmp_path):
    first = write(tmp_path, "a.yaml", GOOD)
    second = write(tmp_path, "b.yaml", GOOD)
    loaded, errors = load_profiles(files=[first, second])
    assert [item.path for item in loaded] == [first]
    assert errors[0].file == str(second)
    assert errors[0].problems == [("id", f"'good' is already the id of {first}")]


def test_bad_profile_does_not_stop_good_ones(tmp_path):
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", "id: [")
    loaded, errors = load_profiles(tmp_path)
    assert [item.profile.id for item in loaded] == ["good"] and len(errors) == 1


def test_validate_command_exits_1_and_prints_file_field_reason(tmp_path, capsys):
    good = write(tmp_path, "good.yaml", GOOD)
    bad = write(tmp_path, "bad.yaml", GOOD.replace("id: good", "id: other").replace(
        "path: in.csv", "path: in.csv, delimeter: ';'") + "chunk_size: -1\n")
    assert pimflow_cli(["validate", str(good), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"ok    {good}  (good: feed → feed)"]
    # The bad file, then each mistake as `  field.path: reason`, then the count.
    lines = err.splitlines()
    assert lines[0] == f"{bad}: invalid profile"
    assert sorted(lines[1:-1]) == [
        "  chunk_size: Input should be greater than or equal to 1 (got -1)",
        "  source.delimeter: unknown key (check the spelling; see `pimflow schema`)",
    ]
    assert lines[-1] == "1 valid, 1 invalid"


def test_validate_command_names_a_file_that_is_not_yaml(tmp_path, capsys):
    broken = write(tmp_path, "broken.yaml", "id: x\nsource: [unclosed\n")
    assert pimflow_cli(["validate", str(broken)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    first, reason, count = err.splitlines()
    assert first == f"{broken}: invalid profile"
    assert reason.startswith("  (file): ") and "not valid YAML" in reason
    assert count == "0 valid, 1 invalid"


def test_validate_command_exits_0_on_shipped_profiles(capsys):
    files = profile_files(ROOT / "include" / "profiles")
    assert pimflow_cli(["validate"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    expected = []
    for path in files:
        profile = parse_profile(path)
        expected.append(f"ok    {path}  ({profile.id}: {profile.source.kind} → {profile.target.kind})")
    assert out.splitlines() == expected + [f"{len(files)} valid, 0 invalid"]
    assert len(files) == len(list((ROOT / "include" / "profiles").glob("*.yaml")))


def test_schema_command_output_validates_every_shipped_profile():
    output = subprocess.run([sys.executable, "-m", "pimflow.cli", "schema"], capture_output=True, text=True, check=True)
    schema = json.loads(output.stdout)
    assert schema == json.loads(json.dumps(profile_json_schema()))
    files = profile_files(ROOT / "include" / "profiles")
    assert files
    for path in files:
        as_typed_in_an_editor = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
        jsonschema.validate(as_typed_in_an_editor, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"id": "x", "source": {"kind": "feed", "path": "a", "nope": 1},
                             "target": {"kind": "feed", "path": "b"}}, schema)


def test_committed_schema_file_is_current():
    committed = json.loads((ROOT / "profile.schema.json").read_text())
    assert committed == json.loads(json.dumps(profile_json_schema())), "run: pimflow schema -o profile.schema.json"


def test_akeneo_to_linnworks_needs_channel_and_locale(tmp_path):
    text = "id: x\nsource: {kind: akeneo}\ntarget: {kind: linnworks}\n"
    [(field, reason)] = problems(tmp_path, text)
    assert reason == "source: an akeneo → linnworks profile needs the channel (scope) and the locales to read"
    parse_profile(write(tmp_path, "ok.yaml", text.replace("{kind: akeneo}", "{kind: akeneo, channel: ecommerce, locales: [en_US]}")))


@pytest.mark.parametrize("schedule", ["0 0 * * * *", "*/5 * * * * 0"])
def test_a_six_field_cron_is_refused_since_airflow_would_read_seconds(tmp_path, schedule):
    [(field, reason)] = problems(tmp_path, GOOD + f"schedule: '{schedule}'\n")
    assert (field, reason) == ("schedule", f"{schedule!r} has 6 fields; a cron expression has 5 (minute hour "
                                           "day-of-month month day-of-week), and Airflow would read a 6th as seconds")


def test_a_five_field_cron_and_a_preset_are_kept(tmp_path):
    assert parse_profile(write(tmp_path, "p.yaml", GOOD + "schedule: '30 2 * * 1-5'\n")).cron == "30 2 * * 1-5"
    assert parse_profile(write(tmp_path, "p.yaml", GOOD + "schedule: '@daily'\n")).cron == "0 0 * * *"


def test_profile_files_in_any_case_are_loaded_and_near_misses_are_reported(tmp_path):
    write(tmp_path, "upper.YAML", GOOD.replace("id: good", "id: upper"))
    write(tmp_path, "mixed.Yml", GOOD.replace("id: good", "id: mixed"))
    write(tmp_path, "old.yaml.bak", GOOD.replace("id: good", "id: old"))
    write(tmp_path, "draft.yaml~", GOOD.replace("id: good", "id: draft"))
    write(tmp_path, "feed.csv", "sku\n1\n")  # a feed beside its profile is not a profile
    write(tmp_path, ".hidden.yaml.swp", "")  # an editor's swap file

    loaded, errors = load_profiles(tmp_path)

    assert sorted(item.profile.id for item in loaded) == ["mixed", "upper"]
    assert [(error.file, error.problems) for error in errors] == [
        (str(tmp_path / name), [("", "not read: a profile file's name ends in .yaml or .yml "
                                     "(rename it, or move it out of the profiles folder)")])
        for name in ("draft.yaml~", "old.yaml.bak")]


def test_pimflow_validate_reports_a_near_miss_file_name(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PIMFLOW_PROFILES_DIR", str(tmp_path))
    write(tmp_path, "good.yaml", GOOD)
    write(tmp_path, "copy.yml.txt", GOOD)
    assert pimflow_cli(["validate"]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'copy.yml.txt'}: invalid profile\n  (file): not read: a profile file's name ends in .yaml" in err
    assert "1 valid, 1 invalid" in err


def test_a_linnworks_precision_out_of_range_names_the_field_and_the_range(tmp_path):
    text = ("id: x\nsource: {kind: feed, path: in.csv}\n"
            "target: {kind: linnworks, precision: {weight: 7, price: 2}}\n")
    [(field, reason)] = problems(tmp_path, text)
    assert (field, reason) == ("target.precision.weight", "7 is not a number of decimals from 0 to 4 "
                                                          "(Linnworks numbers are compared to 4 decimals)")
    parse_profile(write(tmp_path, "ok.yaml", text.replace("weight: 7", "weight: 4")))
