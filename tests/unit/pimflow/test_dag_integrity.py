"""DAG integrity: every shipped profile loads as a DAG with what every DAG must have, with no
network or database access; a task process builds only its own DAG. (Parse time is measured by
`python -m bench.dag_parse`, not here: timings on a shared machine are noise.)"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pimflow.factory import has_link_step, has_parents_step

ROOT = Path(__file__).resolve().parents[3]
DAGS = ROOT / "dags"


def dag_bag(profiles_dir: Path, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("PIMFLOW_PROFILES_DIR", str(profiles_dir))
    return DagBag(dag_folder=str(DAGS))


def test_every_shipped_profile_is_a_dag_with_no_import_errors(monkeypatch):
    from airflow.sdk import AssetOrTimeSchedule, CronDataIntervalTimetable
    from airflow.sdk.definitions.timetables.assets import AssetTriggeredTimetable

    from pimflow.loader import profile_files, load_profiles

    profiles_dir = ROOT / "include" / "profiles"
    loaded, errors = load_profiles(profiles_dir)
    assert not errors and len(loaded) == len(profile_files(profiles_dir)) >= 1
    bag = dag_bag(profiles_dir, monkeypatch)
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == {item.profile.id for item in loaded}
    for item in loaded:
        dag = bag.dags[item.profile.id]  # (get_dag would ask the metadata database first)
        assert "pimflow" in dag.tags and dag.description
        assert dag.max_active_runs == 1
        assert set(dag.params) == {"full_sync", "identifiers", "dry_run"}
        for name in dag.params:
            assert dag.params.get_param(name).schema.get("title"), name
            assert dag.params.get_param(name).description, name
        expected = ["wait_turn", "extract", "transform", *(["load_parents"] if has_parents_step(item.profile) else []),
                    "load", *(["link"] if has_link_step(item.profile) else []), "feedback"]
        assert [t.task_id for t in dag.topological_sort()] == expected
        for task in dag.tasks:
            assert task.owner and task.retries >= 1
        assert dag.get_task("transform").is_mapped and dag.get_task("load").is_mapped
        timetable = dag.timetable
        if getattr(item.profile.source, "asset", False) or getattr(item.profile.source, "events", False):
            assert isinstance(timetable, AssetOrTimeSchedule if item.profile.schedule else AssetTriggeredTimetable)
            timetable = getattr(timetable, "timetable", None)
        if item.profile.schedule:
            assert isinstance(timetable, CronDataIntervalTimetable)


def test_invalid_profile_shows_as_import_error_and_good_ones_still_load(tmp_path, monkeypatch):
    good = "id: {id}\nsource: {{kind: feed, path: a.csv}}\ntarget: {{kind: feed, path: b.csv}}\n"
    (tmp_path / "good.yaml").write_text(good.format(id="good_one"))
    (tmp_path / "typo.yaml").write_text(good.format(id="typo") + "chunk_sise: 10\n")
    (tmp_path / "broken.yaml").write_text("id: [\n")
    bag = dag_bag(tmp_path, monkeypatch)
    assert bag.dag_ids == ["good_one"]
    [(file, message)] = bag.import_errors.items()
    assert file.endswith("pimflow_profile_errors.py")
    assert f"{tmp_path / 'typo.yaml'}: invalid profile" in message
    assert "chunk_sise: unknown key" in message
    assert f"{tmp_path / 'broken.yaml'}: invalid profile" in message and "not valid YAML" in message


PROBE = textwrap.dedent("""
    import json, runpy, socket, sqlite3, sys
    import airflow.sdk  # Airflow itself is imported before the probe starts
    def refuse(*args, **kwargs):
        raise AssertionError("network or database access at DAG parse time")
    socket.socket.connect = refuse
    socket.create_connection = refuse
    sqlite3.connect = refuse
    namespace = runpy.run_path(sys.argv[1])
    from airflow.sdk import DAG
    print(json.dumps({"dags": sum(isinstance(v, DAG) for v in namespace.values())}))
""")


@pytest.mark.parametrize("copies", [1, 20])
def test_parse_touches_no_network_or_database(tmp_path, copies):
    source = next((ROOT / "include" / "profiles").glob("*.yaml")).read_text()
    for number in range(copies):
        text = source.replace("id: ", f"id: copy{number}_", 1)
        (tmp_path / f"p{number}.yaml").write_text(text)
    env = {**os.environ, "PIMFLOW_PROFILES_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", PROBE, str(DAGS / "pimflow_profiles.py")],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["dags"] == copies


def test_a_task_process_builds_only_its_dag_and_validates_only_its_profile(tmp_path, monkeypatch):
    from airflow.sdk import get_parsing_context

    import pimflow.loader

    source = (ROOT / "include" / "profiles" / "demo_feed_to_feed.yaml").read_text()
    for number in range(5):
        (tmp_path / f"p{number}.yaml").write_text(source.replace("id: ", f"id: copy{number}_", 1))
    (tmp_path / "broken.yaml").write_text("id: [\n")
    validated = []
    parse_profile = pimflow.loader.parse_profile
    monkeypatch.setattr(pimflow.loader, "parse_profile", lambda path: validated.append(path.name) or parse_profile(path))
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "copy3_demo_feed_to_feed")  # what a task runner sets
    assert get_parsing_context().dag_id == "copy3_demo_feed_to_feed"
    bag = dag_bag(tmp_path, monkeypatch)
    assert bag.dag_ids == ["copy3_demo_feed_to_feed"]
    assert bag.import_errors == {}  # the error report is the DAG processor's business, not a task's
    assert validated == ["p3.yaml"]
    assert [t.task_id for t in bag.dags["copy3_demo_feed_to_feed"].topological_sort()] == [
        "wait_turn", "extract", "transform", "load", "feedback"]


def test_profiles_are_read_by_libyaml(monkeypatch):
    import yaml

    import pimflow.loader

    assert yaml.__with_libyaml__ and issubclass(pimflow.loader.PROFILE_LOADER, yaml.CSafeLoader)
    loaders = []
    load = yaml.load
    monkeypatch.setattr(yaml, "load", lambda text, Loader: loaders.append(Loader) or load(text, Loader=Loader))
    for path in pimflow.loader.profile_files(ROOT / "include" / "profiles"):
        pimflow.loader.parse_profile(path)
    assert loaders and all(issubclass(loader, yaml.CSafeLoader) for loader in loaders)


def test_airflow_plugin_loader_imports_nothing_from_plugins():
    from airflow._shared.plugins_manager.plugins_manager import _load_plugins_from_plugin_directory

    before = set(sys.modules)
    plugins, errors = _load_plugins_from_plugin_directory(str(ROOT / "plugins"))
    assert plugins == [] and errors == {}
    assert not {name for name in set(sys.modules) - before if name.split(".")[0] in ("hook", "client", "feed")}


HEAVY_AT_PARSE = ("pandas", "numpy", "pyarrow")
LAZY_PROBE = textwrap.dedent("""
    import json, runpy, sys
    import airflow.sdk  # Airflow itself is imported before the probe starts
    from pimflow.factory import build_dag, extra_steps
    from pimflow.loader import load_profiles
    loaded, errors = load_profiles()
    assert loaded and not errors, errors
    built = [build_dag(item).dag_id for item in loaded]  # every shipped source and target kind
    for dag_file in sys.argv[1:]:  # and both DAG files, as the DAG processor runs them
        runpy.run_path(dag_file)
    print(json.dumps({"built": built, "steps": {i.profile.id: sorted(extra_steps(i.profile)) for i in loaded},
                      "heavy": sorted(m for m in %r if m in sys.modules)}))
""" % (HEAVY_AT_PARSE,))


def test_building_the_dags_imports_no_pandas():
    # A fresh interpreter: other tests of this session have long imported pandas.
    env = {**os.environ, "PIMFLOW_PROFILES_DIR": str(ROOT / "include" / "profiles")}
    for name in ("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "_AIRFLOW_PARSING_CONTEXT_TASK_ID"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, "-c", LAZY_PROBE, *(str(DAGS / name) for name in
                                                                 ("pimflow_profiles.py", "pimflow_profile_errors.py"))],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(report["built"]) == len(list((ROOT / "include" / "profiles").glob("*.yaml")))
    # the probe really built DAGs whose extra steps came from the kinds' declarations
    assert report["steps"]["demo_feed_to_akeneo"] == ["link", "parents"]
    assert report["steps"]["demo_feed_to_feed"] == []
    assert report["heavy"] == []
