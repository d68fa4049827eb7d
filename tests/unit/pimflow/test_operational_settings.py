"""Operational settings in profiles: timeouts, notifiers, queue, priority and pool are validated
with the profile (a mistake names the file, the field and why) and land on the built DAG and its
tasks. (A real run calling the notifiers: tests/integration/pipelines/test_operational_notifiers.py.)"""
from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from pimflow.errors import ProfileError
from pimflow.factory import build_dag
from pimflow.loader import load_profiles, parse_profile
from pimflow.notifiers import ProfileNotifier, neutralised
from pimflow.operations import parse_duration
from tests.notify_probe import ALLOWED, calls

HEAD = """
id: ops
source: {kind: feed, path: in.csv}
target: {kind: linnworks}
"""
PROBE = "tests.notify_probe.FileNotifier"
SMTP = "airflow.providers.smtp.notifications.smtp.SmtpNotifier"


@pytest.fixture(autouse=True)
def probe_allowed(monkeypatch):
    monkeypatch.setenv("AIRFLOW__PIMFLOW__NOTIFIERS", ALLOWED)


def write(folder: Path, text: str, name: str = "p.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> dict[str, str]:
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        parse_profile(path)
    assert caught.value.file == str(path)
    return dict(caught.value.problems)


# -- timeouts ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("90s", timedelta(seconds=90)), ("15m", timedelta(minutes=15)), ("2h", timedelta(hours=2)),
    ("1d", timedelta(days=1)), ("1h30m", timedelta(minutes=90)), ("1d2h3m4s", timedelta(days=1, seconds=7384)),
])
def test_durations_are_numbers_with_units(text, expected):
    assert parse_duration(text) == expected


def test_a_duration_without_unit_or_in_words_names_the_field_and_the_form(tmp_path):
    found = problems(tmp_path, HEAD + "timeouts: {run: 3600, task: 2 hours, load: 0s, extract: 99999999d}\n")
    assert found["timeouts.run"].startswith("3600 has no unit: write a number with a unit: 90s, 15m, 2h, 1d, 1h30m")
    assert found["timeouts.task"].startswith("'2 hours' is not a duration: write a number with a unit")
    assert found["timeouts.load"] == "'0s' is no time at all: a timeout is at least 1s"
    assert found["timeouts.extract"] == "'99999999d' is longer than 36500 days"


def test_an_unknown_step_in_timeouts_is_refused(tmp_path):
    assert problems(tmp_path, HEAD + "timeouts: {laod: 1h}\n") == {
        "timeouts.laod": "unknown key (check the spelling; see `pimflow schema`)"}


def test_timeouts_land_on_the_dag_and_its_tasks(tmp_path):
    path = write(tmp_path, HEAD + "timeouts: {run: 6h, task: 30m, load: 2h, feedback: 5m, wait_turn: 1d}\n")
    dag = build_dag(load_profiles(files=[path])[0][0])
    assert dag.dagrun_timeout == timedelta(hours=6)
    timeouts = {task.task_id: task.execution_timeout for task in dag.tasks}
    assert timeouts == {"wait_turn": None, "extract": timedelta(minutes=30), "transform": timedelta(minutes=30),
                        "load": timedelta(hours=2), "link": timedelta(minutes=30), "feedback": timedelta(minutes=5)}
    sensor = dag.get_task("wait_turn")  # a reschedule sensor: its timeout bounds the whole wait
    assert (sensor.mode, sensor.timeout) == ("reschedule", timedelta(days=1).total_seconds())


def test_without_timeouts_nothing_is_limited_but_the_wait_for_the_turn(tmp_path):
    dag = build_dag(load_profiles(files=[write(tmp_path, HEAD)])[0][0])
    assert dag.dagrun_timeout is None
    assert {task.execution_timeout for task in dag.tasks} == {None}
    assert dag.get_task("wait_turn").timeout == timedelta(days=7).total_seconds()


# -- queue, priority, pool -----------------------------------------------------------------------------

def test_queue_priority_and_weight_rule_apply_to_every_task(tmp_path):
    path = write(tmp_path, HEAD + "queue: pim_heavy\npriority_weight: 7\nweight_rule: absolute\n")
    dag = build_dag(load_profiles(files=[path])[0][0])
    assert {(task.queue, task.priority_weight, task.weight_rule) for task in dag.tasks} == {("pim_heavy", 7, "absolute")}


def test_the_profile_pool_takes_extract_transform_and_feedback_and_writes_keep_their_account_pool(tmp_path):
    path = write(tmp_path, HEAD + "pool: pim_reads\n")
    dag = build_dag(load_profiles(files=[path])[0][0])
    pools = {task.task_id: task.pool for task in dag.tasks}
    assert pools == {"wait_turn": "default_pool", "extract": "pim_reads", "transform": "pim_reads",
                     "feedback": "pim_reads", "load": "pimflow_linnworks_default", "link": "pimflow_linnworks_default"}


def test_a_feed_profiles_pool_takes_its_load_too_since_a_feed_has_no_account_pool(tmp_path):
    path = write(tmp_path, "id: f\nsource: {kind: feed, path: in.csv}\ntarget: {kind: feed, path: out.csv}\n"
                           "pool: feeds\n")
    dag = build_dag(load_profiles(files=[path])[0][0])
    assert {task.task_id: task.pool for task in dag.tasks} == {
        "wait_turn": "default_pool", "extract": "feeds", "transform": "feeds", "load": "feeds", "feedback": "feeds"}


def test_bad_queue_priority_weight_rule_and_pool_name_the_field(tmp_path):
    found = problems(tmp_path, HEAD + "queue: ''\npriority_weight: 3000000000\nweight_rule: sideways\n"
                                      "pool: pimflow_linnworks_default\n")
    assert set(found) == {"queue", "priority_weight", "weight_rule", "pool"}
    assert "at least 1 character" in found["queue"]
    assert "less than or equal to 2147483647" in found["priority_weight"]
    assert "'downstream', 'upstream' or 'absolute'" in found["weight_rule"]
    assert found["pool"] == ("'pimflow_linnworks_default': pools named pimflow_... are the account pools of the write "
                             "tasks (one writer per account, see `pimflow pools`); choose another name")
    assert problems(tmp_path, HEAD + "pool: 'my pool'\n") == {
        "pool": "'my pool' is not a pool name (letters, digits, '_', '-' or '.')"}


# -- notifiers: validated when the profile is parsed ---------------------------------------------------

def notify(event: str, class_path: str, arguments: str = "") -> str:
    return HEAD + f"notify:\n  {event}:\n    - class: {class_path}\n" + (f"      with: {arguments}\n" if arguments else "")


def test_notifiers_are_made_when_the_profile_is_parsed(tmp_path):
    profile = parse_profile(write(tmp_path, notify("on_failure", SMTP, "{to: ops@example.com, subject: '{dag_id} failed'}")))
    [spec] = profile.notify.on_failure
    assert (spec.class_path, spec.arguments) == (SMTP, {"to": "ops@example.com", "subject": "{dag_id} failed"})


@pytest.mark.parametrize("class_path, reason", [
    ("os.path.join", "'os.path.join' is not under the modules profiles may take notifiers from (airflow.providers, "
                     "tests.notify_probe); an administrator adds it to [pimflow] notifiers (env AIRFLOW__PIMFLOW__NOTIFIERS)"),
    ("airflow.providers.slack.notifications.slack.SlackNotifier",
     "'airflow.providers.slack.notifications.slack.SlackNotifier' cannot be imported: No module named "
     "'airflow.providers.slack' (is its provider package installed?)"),
    ("airflow.providers.smtp.notifications.smtp.SmtpHook",
     "'airflow.providers.smtp.notifications.smtp.SmtpHook' is not a notifier (a subclass of "
     "airflow.sdk.bases.notifier.BaseNotifier)"),
    ("tests.notify_probe.NoSuchNotifier", "'tests.notify_probe.NoSuchNotifier': module 'tests.notify_probe' has no "
                                          "'NoSuchNotifier'"),
    ("SmtpNotifier", "'SmtpNotifier' is not an import path (module.Class)"),
])
def test_a_class_that_is_no_usable_notifier_names_the_field_and_why(tmp_path, class_path, reason):
    assert problems(tmp_path, notify("on_threshold", class_path)) == {"notify.on_threshold[0].class": reason}


def test_arguments_the_notifier_does_not_take_are_refused_with_what_it_takes(tmp_path):
    [(field, reason)] = problems(tmp_path, notify("on_failure", PROBE, "{path: /tmp/x, mesage: hi}")).items()
    assert field == "notify.on_failure[0].with"
    assert reason.startswith("FileNotifier does not take these arguments: got an unexpected keyword argument 'mesage'")
    assert reason.endswith("(it takes: path, message, tags)")
    [(_, reason)] = problems(tmp_path, notify("on_failure", PROBE, "{message: hi}")).items()
    assert "missing a required argument: 'path'" in reason


def test_jinja_templates_are_refused_since_they_could_read_connections(tmp_path):
    found = problems(tmp_path, notify("on_failure", PROBE, "{path: /tmp/x, tags: [ok, '{{ conn.akeneo_default.password }}']}"))
    assert found["notify.on_failure[0].with"].startswith(
        "tags[1]: '{{ conn.akeneo_default.password }}' holds a Jinja template ({{ }}, {% %} or {# #}); a profile may "
        "not use them (they can read Airflow's connections and variables): write the placeholders {dag_id}, "
        "{run_id}, {reason}, {summary} instead")
    assert "Jinja" in problems(tmp_path, notify("on_failure", PROBE, "{path: '{% include x %}'}"))["notify.on_failure[0].with"]


def test_an_unknown_placeholder_is_refused(tmp_path):
    assert problems(tmp_path, notify("on_failure", PROBE, "{path: /tmp/x, message: '{dag} failed'}")) == {
        "notify.on_failure[0].with": "message: unknown placeholder {dag} (known: {dag_id}, {run_id}, {reason}, {summary})"}


def test_with_the_default_setting_only_providers_notifiers_may_be_named(tmp_path, monkeypatch):
    monkeypatch.delenv("AIRFLOW__PIMFLOW__NOTIFIERS")
    found = problems(tmp_path, notify("on_failure", PROBE, "{path: /tmp/x}"))
    assert "is not under the modules profiles may take notifiers from (airflow.providers)" in found["notify.on_failure[0].class"]
    parse_profile(write(tmp_path, notify("on_failure", SMTP, "{to: ops@example.com}")))


def test_a_profile_with_a_bad_notifier_never_stops_the_other_profiles(tmp_path):
    write(tmp_path, HEAD.replace("id: ops", "id: good") + "notify: {on_failure: [{class: %s, with: {to: a@b.c}}]}\n" % SMTP,
          "good.yaml")
    write(tmp_path, notify("on_failure", "tests.notify_probe.Missing"), "bad.yaml")
    loaded, errors = load_profiles(tmp_path)
    assert [item.profile.id for item in loaded] == ["good"]
    assert [error.file for error in errors] == [str(tmp_path / "bad.yaml")]


def test_notifiers_become_the_dags_and_the_tasks_failure_callbacks(tmp_path):
    text = (HEAD + "notify:\n"
            "  on_failure: [{class: %s, with: {path: /tmp/a}}, {class: %s, with: {path: /tmp/b}}]\n"
            "  on_task_failure: [{class: %s, with: {path: /tmp/c}}]\n") % (PROBE, PROBE, PROBE)
    dag = build_dag(load_profiles(files=[write(tmp_path, text)])[0][0])
    assert [(c.event, c.spec.arguments["path"]) for c in dag.on_failure_callback] == [
        ("on_failure", "/tmp/a"), ("on_failure", "/tmp/b")]
    for task in dag.tasks:
        assert [(c.event, c.spec.arguments["path"]) for c in task.on_failure_callback] == [("on_task_failure", "/tmp/c")]


def test_without_notifiers_the_dag_has_no_callbacks(tmp_path):
    dag = build_dag(load_profiles(files=[write(tmp_path, HEAD)])[0][0])
    assert dag.on_failure_callback is None and not dag.has_on_failure_callback
    assert all(task.on_failure_callback in (None, []) for task in dag.tasks)


# -- notifiers: called -----------------------------------------------------------------------------------

def test_a_call_fills_the_placeholders_and_no_filled_in_value_becomes_a_template(tmp_path):
    out = tmp_path / "calls.jsonl"
    text = HEAD + "notify: {on_task_failure: [{class: %s, with: {path: '%s', message: '{dag_id}/{run_id}: {reason}'}}]}\n" % (
        PROBE, out)
    profile = parse_profile(write(tmp_path, text))
    callback = ProfileNotifier(profile.notify.on_task_failure[0], "on_task_failure", profile.id)

    class Ti:
        task_id = "extract"

    # an error message quoting a feed's header: a template there must reach the notifier as text
    error = ValueError("the header is one column, '{{ 7 * 7 }}{% if 1 %}x{% endif %}{# c #}'")
    callback({"run_id": "manual__1", "ti": Ti(), "exception": error, "summary": None})
    [call] = calls(out)
    assert call["message"] == ("ops/manual__1: task extract failed: the header is one column, "
                               "'{ { 7 * 7 }}{ % if 1 %}x{ % endif %}{ # c #}'")


def test_a_notifier_that_fails_is_logged_and_never_raised(tmp_path, caplog):
    text = HEAD + "notify: {on_failure: [{class: tests.notify_probe.FailingNotifier}]}\n"
    profile = parse_profile(write(tmp_path, text))
    callback = ProfileNotifier(profile.notify.on_failure[0], "on_failure", profile.id)
    with caplog.at_level(logging.ERROR, logger="pimflow"):
        callback({"run_id": "manual__1", "reason": "task_failure", "summary": None})
    assert ("on_failure notifier tests.notify_probe.FailingNotifier of ops failed: RuntimeError: the mail server "
            "is down") in caplog.text


def test_neutralised_leaves_no_jinja_opening():
    assert neutralised("{{{%%{##}") == "{ { { %%{ ##}"
    assert neutralised("a {b} {{") == "a {b} { {"
    assert neutralised("{{ x }}") == "{ { x }}"


# -- the DAG's docs ------------------------------------------------------------------------------------

def test_the_dags_docs_show_the_operational_settings(tmp_path):
    text = (HEAD + "timeouts: {run: 6h, task: 30m, load: 2h}\nqueue: pim\npriority_weight: 9\npool: reads\n"
            "notify: {on_threshold: [{class: %s, with: {to: data@example.com}}]}\n") % SMTP
    doc = build_dag(load_profiles(files=[write(tmp_path, text)])[0][0]).doc_md
    section = doc.split("#### Operational settings\n\n")[1].split("\n\n####")[0]
    assert section.splitlines() == [
        "- **Timeouts**: the run fails when it takes longer than 6h from its start (waiting for its turn included); "
        "each try of a task may take 30m (load 2h); a run waits at most 7d for its turn.",
        "- **Notifiers**: when the error threshold is crossed: `SmtpNotifier`.",
        "- **Tasks**: queue `pim`, priority weight 9; the tasks run in pool `reads`, but the write tasks, which take "
        "turns in `pimflow_linnworks_default` (one writer per account), and wait_turn (a run waiting for its turn "
        "takes no slot from the runs that work)."]
    assert "data@example.com" in doc.split("#### Profile file")[1]  # the file itself, whole


def test_the_docs_of_a_profile_without_settings_say_there_are_no_limits(tmp_path):
    doc = build_dag(load_profiles(files=[write(tmp_path, HEAD)])[0][0]).doc_md
    section = doc.split("#### Operational settings\n\n")[1].split("\n\n####")[0]
    assert section.startswith("- **Timeouts**: the run has no time limit; tasks have no time limit; a run waits at "
                              "most 7d for its turn.\n- **Notifiers**: none.\n- **Tasks**: Airflow’s default queue")
