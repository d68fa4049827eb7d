"""The defaults file of a profiles folder (`_defaults.yaml`): merged under every profile of the
folder (the profile wins; mappings merge, lists and other values are replaced), never a profile nor
a stray file, checked by `pimflow validate`, and when invalid, reported by every profile it would
have given settings to."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
import yaml

from pimflow.cli import main as pimflow_cli
from pimflow.defaults import defaults_json_schema, from_defaults, merge
from pimflow.errors import ProfileError
from pimflow.factory import build_dag
from pimflow.loader import load_profile_for_dag, load_profiles, parse_profile, profile_files, stray_files
from tests.notify_probe import ALLOWED

ROOT = Path(__file__).resolve().parents[3]
PROFILE = "id: {id}\nsource: {{kind: feed, path: in.csv}}\ntarget: {{kind: {target}}}\n"
SMTP = "airflow.providers.smtp.notifications.smtp.SmtpNotifier"


def folder(tmp_path: Path, defaults: str | None, **profiles: str) -> Path:
    """A profiles folder: the defaults file (when given) and profiles `id → extra YAML lines`."""
    if defaults is not None:
        (tmp_path / "_defaults.yaml").write_text(defaults, encoding="utf-8")
    for profile_id, extra in profiles.items():
        target = "linnworks" if profile_id.startswith("lw") else "feed, path: out.csv"
        (tmp_path / f"{profile_id}.yaml").write_text(PROFILE.format(id=profile_id, target=target) + extra,
                                                     encoding="utf-8")
    return tmp_path


def loaded_by_id(path: Path) -> dict:
    loaded, errors = load_profiles(path)
    assert not errors, errors[0].describe()
    return {item.profile.id: item for item in loaded}


def test_merge_deep_merges_mappings_and_replaces_everything_else():
    defaults = {"retries": 1, "tags": ["shop"], "timeouts": {"run": "6h", "task": "1h"}, "pool": "reads",
                "notify": {"on_failure": [{"class": "a.B"}], "on_threshold": [{"class": "c.D"}]}}
    profile = {"id": "p", "tags": ["eu"], "timeouts": {"task": "2h", "load": "3h"}, "pool": None,
               "notify": {"on_failure": []}}
    assert merge(defaults, profile) == {
        "id": "p", "retries": 1, "tags": ["eu"], "timeouts": {"run": "6h", "task": "2h", "load": "3h"}, "pool": None,
        "notify": {"on_failure": [], "on_threshold": [{"class": "c.D"}]}}
    assert defaults["timeouts"] == {"run": "6h", "task": "1h"}  # the defaults are left as they were


def test_from_defaults_tells_which_file_a_value_came_from():
    defaults, profile = {"timeouts": {"run": "x"}, "retries": 1}, {"timeouts": {"task": "y"}, "tags": ["a"]}
    assert from_defaults(("timeouts", "run"), profile, defaults)
    assert from_defaults(("retries",), profile, defaults)
    assert not from_defaults(("timeouts", "task"), profile, defaults)
    assert not from_defaults(("tags", 0), profile, defaults)
    assert not from_defaults(("id",), profile, defaults)  # neither gives it: a missing key is the profile's


def test_every_profile_of_the_folder_takes_the_defaults_and_its_own_values_win(tmp_path):
    defaults = ("retries: 4\nowner: data-team\ntags: [shop]\nqueue: pim\npriority_weight: 3\npool: reads\n"
                "timeouts: {run: 6h, task: 1h}\nfeedback: {max_error_rate: 0.2}\n")
    items = loaded_by_id(folder(tmp_path, defaults, plain="",
                                own="retries: 1\ntags: [eu]\ntimeouts: {task: 2h, load: 3h}\npool: null\n"
                                    "feedback: {max_errors: 5}\n"))
    plain, own = items["plain"].profile, items["own"].profile
    assert (plain.retries, plain.owner, plain.tags, plain.queue, plain.priority_weight, plain.pool) == (
        4, "data-team", ["shop"], "pim", 3, "reads")
    assert (plain.timeouts.run, plain.timeouts.task, plain.feedback.max_error_rate) == (
        timedelta(hours=6), timedelta(hours=1), 0.2)
    assert (own.retries, own.owner, own.tags, own.pool) == (1, "data-team", ["eu"], None)  # a list is replaced whole
    assert (own.timeouts.run, own.timeouts.task, own.timeouts.load) == (timedelta(hours=6), timedelta(hours=2),
                                                                        timedelta(hours=3))  # mappings merge
    assert (own.feedback.max_error_rate, own.feedback.max_errors) == (0.2, 5)
    assert items["plain"].defaults == tmp_path / "_defaults.yaml"


def test_the_defaults_reach_the_built_dag(tmp_path):
    items = loaded_by_id(folder(tmp_path, "timeouts: {run: 2h, task: 20m}\nqueue: pim\n", lw_shop=""))
    dag = build_dag(items["lw_shop"])
    assert dag.dagrun_timeout == timedelta(hours=2)
    assert {(t.queue, t.execution_timeout) for t in dag.tasks if t.task_id != "wait_turn"} == {("pim", timedelta(minutes=20))}
    assert "#### Defaults file" in dag.doc_md and "queue: pim" in dag.doc_md


def test_a_task_process_building_its_one_dag_takes_the_defaults_too(tmp_path):
    folder(tmp_path, "retries: 5\n", one="", two="")
    [item] = load_profile_for_dag("two", tmp_path)
    assert item.profile.retries == 5 and item.defaults == tmp_path / "_defaults.yaml"


def test_the_defaults_file_is_neither_a_profile_nor_a_stray_file_and_a_copy_of_it_is_a_stray(tmp_path):
    folder(tmp_path, "retries: 1\n", one="")
    (tmp_path / "_defaults.yaml.bak").write_text("retries: 2\n")
    assert profile_files(tmp_path) == [tmp_path / "one.yaml"]
    assert stray_files(tmp_path) == [tmp_path / "_defaults.yaml.bak"]
    with pytest.raises(ProfileError) as caught:
        parse_profile(tmp_path / "_defaults.yaml")
    assert "this is the defaults file of the profiles in its folder, not a profile" in caught.value.describe()


def test_a_yml_defaults_file_in_any_case_works_and_two_defaults_files_are_refused(tmp_path):
    folder(tmp_path, None, one="")
    (tmp_path / "_Defaults.YML").write_text("retries: 7\n")
    assert loaded_by_id(tmp_path)["one"].profile.retries == 7
    (tmp_path / "_defaults.yaml").write_text("retries: 8\n")
    loaded, errors = load_profiles(tmp_path)
    assert loaded == []
    assert [error.file for error in errors] == [str(tmp_path / "_Defaults.YML"), str(tmp_path / "one.yaml")]
    assert "more than one defaults file (_Defaults.YML, _defaults.yaml): keep one" in errors[1].describe()


def test_an_invalid_defaults_file_is_named_by_itself_and_by_every_profile_it_would_have_given_settings(tmp_path):
    folder(tmp_path, "retries: -1\nid: shared\ntimeouts: {run: soon}\n", one="", two="")
    loaded, errors = load_profiles(tmp_path)
    assert loaded == []  # no DAG is built without the settings its folder gives it
    defaults = str(tmp_path / "_defaults.yaml")
    own, *per_profile = errors
    assert own.file == defaults and own.describe().splitlines()[0] == f"{defaults}: invalid defaults file"
    assert dict(own.problems) == {
        "id": "only a profile itself says this (a defaults file holds what every profile of the folder shares; "
              "not id, description, source, target, mapping)",
        "retries": "Input should be greater than or equal to 0 (got -1)",
        "timeouts.run": "'soon' is not a duration: write a number with a unit: 90s, 15m, 2h, 1d, 1h30m (d days, h "
                        "hours, m minutes, s seconds)"}
    assert [error.file for error in per_profile] == [str(tmp_path / "one.yaml"), str(tmp_path / "two.yaml")]
    for error in per_profile:
        assert [reason for _, reason in error.problems] == [
            f"its defaults file {defaults} is invalid: {field}: {reason}" for field, reason in own.problems]


def test_a_defaults_file_that_is_not_yaml_or_not_a_mapping_is_named(tmp_path):
    folder(tmp_path, "retries: [1\n", one="")
    errors = load_profiles(tmp_path)[1]
    assert errors[0].problems[0][1].startswith("not valid YAML") and "line 2" in errors[0].problems[0][1]
    (tmp_path / "_defaults.yaml").write_text("- retries\n")
    assert load_profiles(tmp_path)[1][0].problems == [
        ("", "a defaults file is a YAML mapping (key: value lines), like a profile")]
    (tmp_path / "_defaults.yaml").write_text("# nothing shared yet\n")
    assert loaded_by_id(tmp_path)["one"].profile.retries == 2  # an empty file: no defaults


def test_a_default_that_one_profile_cannot_take_is_an_error_of_that_profile_naming_the_defaults_file(tmp_path):
    # batch_size 500 suits a feed target; Akeneo takes at most 100 products per request
    folder(tmp_path, "batch_size: 500\n", feed_one="")
    (tmp_path / "pim.yaml").write_text("id: pim\nsource: {kind: feed, path: in.csv}\ntarget: {kind: akeneo}\n")
    loaded, [error] = load_profiles(tmp_path)
    assert [item.profile.id for item in loaded] == ["feed_one"]
    assert error.file == str(tmp_path / "pim.yaml")
    assert error.problems == [("", "batch_size: Akeneo accepts at most 100 products per request (set in the "
                                   f"defaults file {tmp_path / '_defaults.yaml'})")]


def test_a_profile_error_of_its_own_does_not_blame_the_defaults_file(tmp_path):
    folder(tmp_path, "retries: 1\n", one="retries: -2\n")
    [error] = load_profiles(tmp_path)[1]
    assert error.problems == [("retries", "Input should be greater than or equal to 0 (got -2)")]


def test_a_notifier_in_the_defaults_file_is_checked_there(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__PIMFLOW__NOTIFIERS", ALLOWED)
    folder(tmp_path, "notify: {on_failure: [{class: tests.notify_probe.FileNotifier, with: {path: /tmp/x, to: ops}}]}\n",
           one="")
    own, profile_error = load_profiles(tmp_path)[1]
    [(field, reason)] = own.problems
    assert field == "notify.on_failure[0].with" and "unexpected keyword argument 'to'" in reason
    assert profile_error.problems[0][1].startswith(f"its defaults file {tmp_path / '_defaults.yaml'} is invalid: "
                                                   "notify.on_failure[0].with: FileNotifier does not take")


def test_pimflow_validate_checks_the_defaults_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PIMFLOW_PROFILES_DIR", str(tmp_path))
    folder(tmp_path, "retries: 3\n", one="")
    assert pimflow_cli(["validate"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"ok    {tmp_path / '_defaults.yaml'}  (defaults of the profiles in its folder)",
                   f"ok    {tmp_path / 'one.yaml'}  (one: feed → feed)", "1 valid, 0 invalid"]

    (tmp_path / "_defaults.yaml").write_text("retries: lots\n")
    assert pimflow_cli(["validate", str(tmp_path / "_defaults.yaml")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [
        f"{tmp_path / '_defaults.yaml'}: invalid defaults file",
        "  retries: Input should be a valid integer, unable to parse string as an integer (got 'lots')",
        "0 valid, 1 invalid"]


def test_the_defaults_schema_is_the_profile_schema_without_per_profile_keys_and_the_committed_one_is_current():
    schema = defaults_json_schema()
    assert "required" not in schema
    assert not {"id", "description", "source", "target", "mapping"} & set(schema["properties"])
    assert {"timeouts", "notify", "queue", "priority_weight", "weight_rule", "pool", "retries"} <= set(schema["properties"])
    example = yaml.safe_load("timeouts: {run: 6h, load: 1h30m}\nqueue: pim\npool: reads\nnotify:\n"
                             f"  on_failure: [{{class: {SMTP}, with: {{to: ops@example.com}}}}]\n")
    jsonschema.validate(example, schema)
    for wrong in ({"id": "x"}, {"timeouts": {"run": "2 hours"}}, {"notify": {"on_failure": [{"with": {}}]}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(wrong, schema)
    committed = json.loads((ROOT / "profile-defaults.schema.json").read_text())
    assert committed == json.loads(json.dumps(schema)), "run: pimflow schema --defaults -o profile-defaults.schema.json"


def test_the_profile_schema_knows_the_operational_keys():
    from pimflow.profile import profile_json_schema

    schema = profile_json_schema()
    profile = yaml.safe_load(PROFILE.format(id="x", target="linnworks") + "timeouts: {run: 1d, wait_turn: 2h}\n"
                             "priority_weight: 5\nweight_rule: upstream\n")
    jsonschema.validate(profile, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**profile, "weight_rule": "sideways"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**profile, "timeouts": {"run": "90"}}, schema)


def test_an_invalid_defaults_file_shows_in_airflows_import_errors_for_each_profile(tmp_path, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    folder(tmp_path, "timeouts: {run: soon}\n", one="", two="")
    monkeypatch.setenv("PIMFLOW_PROFILES_DIR", str(tmp_path))
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.dag_ids == []
    [(file, message)] = bag.import_errors.items()
    assert file.endswith("pimflow_profile_errors.py")
    for name in ("_defaults.yaml", "one.yaml", "two.yaml"):
        assert f"{tmp_path / name}: invalid" in message
    assert message.count(f"its defaults file {tmp_path / '_defaults.yaml'} is invalid: timeouts.run: 'soon'") == 2
