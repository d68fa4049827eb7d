"""A profile's local paths stay under its data roots and out of code folders (issue 17).

Seen before: a profile read /etc/os-release as a feed and wrote a valid .py file into the DAGs
folder. Each escape is a validation error in the loader's format: `file: field.path: reason`.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from pimflow.errors import ProfileError
from pimflow.kinds.feed import FeedSourceKind
from pimflow.loader import load_profiles, parse_profile
from pimflow.paths import PathNotAllowed
from pimflow.profile import FeedSource

ROOT = Path(__file__).resolve().parents[3]
HINT = "(set [pimflow] data_roots to add folders)"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project like the shipped one: include/profiles, include/feeds, and a DAGs folder beside."""
    monkeypatch.delenv("AIRFLOW__PIMFLOW__DATA_ROOTS", raising=False)
    (tmp_path / "include" / "profiles").mkdir(parents=True)
    (tmp_path / "include" / "feeds").mkdir()
    (tmp_path / "dags").mkdir()
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(tmp_path / "dags"))
    return tmp_path


def profile(project: Path, source: str = "../feeds/in.csv", target: str = "../output/{dag_id}/out.csv",
            extra: str = "") -> Path:
    path = project / "include" / "profiles" / "p.yaml"
    path.write_text(f"id: paths\nsource: {{kind: feed, path: '{source}'}}\n"
                    f"target: {{kind: feed, path: '{target}'}}\n{extra}", encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(ProfileError) as caught:
        parse_profile(path)
    return caught.value.problems


def test_shipped_profiles_validate_with_the_default_data_roots(monkeypatch):
    monkeypatch.delenv("AIRFLOW__PIMFLOW__DATA_ROOTS", raising=False)
    loaded, errors = load_profiles(ROOT / "include" / "profiles")
    assert [str(error) for error in errors] == []
    assert sorted(item.profile.id for item in loaded) == [
        "demo_akeneo_events", "demo_akeneo_to_linnworks", "demo_feed_to_akeneo", "demo_feed_to_feed",
        "demo_stock_to_akeneo"]


def test_paths_under_the_profile_folders_parent_are_accepted(project):
    parsed = parse_profile(profile(project, extra="feedback: {path: '../feedback/{run_id}.csv'}\n"))
    assert parsed.target.path == "../output/{dag_id}/out.csv"


def test_reading_a_system_file_names_file_field_and_why(project):
    path = profile(project, source="/etc/passwd")
    with pytest.raises(ProfileError) as caught:
        parse_profile(path)
    assert str(caught.value) == (
        f"{path}: invalid profile\n"
        f"  source.path: '/etc/passwd' is outside the data roots (/etc/passwd); "
        f"allowed: {project / 'include'} {HINT}")


def test_dot_dot_out_of_the_roots_is_refused(project):
    assert problems(profile(project, target="../../../elsewhere/{dag_id}.csv")) == [
        ("target.path", f"'../../../elsewhere/paths.csv' is outside the data roots "
                        f"({project.parent / 'elsewhere' / 'paths.csv'}); allowed: {project / 'include'} {HINT}")]


def test_writing_into_the_dags_folder_is_refused_even_inside_the_roots(project, monkeypatch):
    monkeypatch.setenv("AIRFLOW__PIMFLOW__DATA_ROOTS", str(project))
    path = profile(project, target="../../dags/evil.py", extra="feedback: {path: '../../dags/fb.py'}\n")
    assert problems(path) == [
        ("target.path", f"'../../dags/evil.py' is in {project / 'dags'}, a code folder: "
                        "profiles never read or write there"),
        ("feedback.path", f"'../../dags/fb.py' is in {project / 'dags'}, a code folder: "
                          "profiles never read or write there")]


def test_pimflows_own_plugins_folder_is_refused(project, monkeypatch):
    monkeypatch.setenv("AIRFLOW__PIMFLOW__DATA_ROOTS", "/")
    target = str(ROOT / "plugins" / "pimflow" / "evil.py")
    assert problems(profile(project, target=target)) == [
        ("target.path", f"{target!r} is in {ROOT / 'plugins'}, a code folder: profiles never read or write there")]


def test_a_symlink_that_leaves_the_roots_is_refused(project):
    (project / "include" / "feeds" / "system").symlink_to("/etc")
    assert problems(profile(project, source="../feeds/system/passwd")) == [
        ("source.path", "'../feeds/system/passwd' is outside the data roots (through a symlink: "
                        f"/etc/passwd); allowed: {project / 'include'} {HINT}")]


def test_file_urls_are_local_paths_and_remote_urls_stay_allowed(project):
    assert problems(profile(project, source="file:///etc/passwd")) == [
        ("source.path", f"'file:///etc/passwd' is outside the data roots (/etc/passwd); "
                        f"allowed: {project / 'include'} {HINT}")]
    assert problems(profile(project, source="file://feeds/in.csv")) == [  # fsspec: from the worker's cwd
        ("source.path", "'file://feeds/in.csv': a file:// URL needs an absolute path (file:///...); "
                        "write a path relative to the profile without file://")]
    assert problems(profile(project, source="simplecache::file:///etc/passwd")) == [
        ("source.path", "a chained URL that reaches local files is not allowed (use a plain path)")]
    parsed = parse_profile(profile(project, source="s3://bucket/feeds/*.csv", target="s3://bucket/out/{ds}.csv"))
    assert parsed.source.path == "s3://bucket/feeds/*.csv"


def test_a_glob_cannot_climb_out_after_its_pattern(project):
    assert problems(profile(project, source="../feeds/*/../../../../etc/*")) == [
        ("source.path", "'..' after a glob pattern is not allowed")]


def test_an_unknown_placeholder_is_named(project):
    assert problems(profile(project, target="../output/{dag_id.__class__}.csv")) == [
        ("target.path", "unknown placeholder {dag_id.__class__} (available: {dag_id}, {run_id}, {ds}, {ts_nodash})")]


def test_configured_data_roots_replace_the_default(project, monkeypatch, tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("AIRFLOW__PIMFLOW__DATA_ROOTS", f"{data}, .")
    parse_profile(profile(project, source=str(data / "in.csv"), target="out/{dag_id}.csv"))
    assert problems(profile(project)) == [
        ("source.path", f"'../feeds/in.csv' is outside the data roots ({project / 'include' / 'feeds' / 'in.csv'}); "
                        f"allowed: {data}, {project / 'include' / 'profiles'} {HINT}"),
        ("target.path", f"'../output/paths/out.csv' is outside the data roots "
                        f"({project / 'include' / 'output' / 'paths' / 'out.csv'}); "
                        f"allowed: {data}, {project / 'include' / 'profiles'} {HINT}")]


def test_a_file_a_glob_finds_is_checked_when_the_run_reads_it(project):
    feeds = project / "include" / "feeds"
    (feeds / "good.csv").write_text("sku\nA\n")
    (feeds / "leak.csv").symlink_to("/etc/passwd")
    kind = FeedSourceKind(FeedSource(kind="feed", path="../feeds/*.csv"))
    with pytest.raises(PathNotAllowed) as caught:
        kind.files(SimpleNamespace(profile_dir=project / "include" / "profiles"))
    assert str(caught.value) == (
        f"{str(feeds / 'leak.csv')!r} is outside the data roots (through a symlink: /etc/passwd); "
        f"allowed: {project / 'include'} {HINT}")


def test_airflows_own_files_are_refused_even_inside_the_roots(project, monkeypatch):
    home = project / "home"
    monkeypatch.setenv("AIRFLOW_HOME", str(home))
    monkeypatch.setenv("AIRFLOW__PIMFLOW__DATA_ROOTS", str(project))
    path = profile(project, target="../../home/webserver_config.py",
                   extra="feedback: {path: '../../home/config/airflow_local_settings.py'}\n")
    assert problems(path) == [
        ("target.path", f"'../../home/webserver_config.py' is a file at the top of AIRFLOW_HOME ({home}): "
                        "profiles never read or write Airflow's own files"),
        ("feedback.path", f"'../../home/config/airflow_local_settings.py' is in {home / 'config'}, a code folder: "
                          "profiles never read or write there")]
