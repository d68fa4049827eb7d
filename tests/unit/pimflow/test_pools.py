"""One writer per target account: the write tasks of a profile run in the pool of its target's
connection, `pimflow pools --create` makes the pools the profiles need (leaving a sized pool as it
is), and a run whose pool is missing is failed with a note saying which pool and how to create it.
(Under a real scheduler: tests/integration/stack/test_one_writer_per_account.py.)"""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from pimflow.factory import build_dag
from pimflow.loader import load_profiles
from pimflow.pools import connection_of, needed_pools, pool_name

ROOT = Path(__file__).resolve().parents[3]
WRITE_TASKS = {"load_parents", "load", "link"}

FEED_TO = """id: {id}
source: {{kind: feed, path: in.csv}}
target: {target}
"""


def profiles(folder: Path, **targets: str) -> list:
    for profile_id, target in targets.items():
        (folder / f"{profile_id}.yaml").write_text(FEED_TO.format(id=profile_id, target=target), encoding="utf-8")
    loaded, errors = load_profiles(folder)
    assert not errors, errors[0].describe()
    return loaded


def test_the_pool_is_named_after_the_connection_id():
    assert pool_name("linnworks_default") == "pimflow_linnworks_default"
    assert connection_of(pool_name("akeneo_eu-shop.2")) == "akeneo_eu-shop.2"
    assert connection_of("default_pool") is None


def test_every_shipped_profiles_write_tasks_take_turns_in_their_target_connections_pool():
    loaded, _ = load_profiles(ROOT / "include" / "profiles")
    seen = set()
    for item in loaded:
        dag = build_dag(item)
        connection = getattr(item.profile.target, "connection", None)
        for task in dag.tasks:
            if task.task_id in WRITE_TASKS and connection:
                assert (task.pool, task.pool_slots) == (f"pimflow_{connection}", 1), (dag.dag_id, task.task_id)
                seen.add(task.task_id)
            else:  # reading, mapping, feedback and a feed's writes: no turn to wait for
                assert task.pool == "default_pool", (dag.dag_id, task.task_id)
    assert seen == WRITE_TASKS  # the shipped profiles have all three


def test_needed_pools_list_each_target_connection_once_with_the_profiles_writing_to_it(tmp_path):
    loaded = profiles(tmp_path, shop_a="{kind: linnworks, connection: lw_eu}", shop_b="{kind: linnworks, connection: lw_eu}",
                      pim="{kind: akeneo, connection: pim_main}", out="{kind: feed, path: out.csv}")
    needs = needed_pools(item.profile for item in loaded)
    assert list(needs) == ["pimflow_lw_eu", "pimflow_pim_main"]
    assert (needs["pimflow_lw_eu"].connection, needs["pimflow_lw_eu"].profiles) == ("lw_eu", ["shop_a", "shop_b"])
    assert needs["pimflow_pim_main"].profiles == ["pim"]


# -- with the metadata database ------------------------------------------------------------------------

@pytest.fixture
def pools(airflow_db):
    """The pools of the test database by name (slots), and the pools a test made, removed after it."""
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session
    from sqlalchemy import delete, select

    made: list[str] = []

    def slots() -> dict[str, int]:
        with create_session() as session:
            return dict(session.execute(select(Pool.pool, Pool.slots)).all())

    slots.made = made
    yield slots
    with create_session() as session:
        session.execute(delete(Pool).where(Pool.pool.in_(made)))


def test_pools_create_makes_the_missing_pools_with_one_slot_and_leaves_a_sized_one_alone(tmp_path, pools, capsys):
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session

    from pimflow.cli import main

    tag = uuid.uuid4().hex[:8]
    linnworks, akeneo = f"lw_{tag}", f"pim_{tag}"
    profiles(tmp_path, shop="{kind: linnworks, connection: %s}" % linnworks,
             pim="{kind: akeneo, connection: %s}" % akeneo, out="{kind: feed, path: out.csv}")
    (tmp_path / "broken.yaml").write_text("id: [\n")  # never stops the others
    pools.made += [f"pimflow_{linnworks}", f"pimflow_{akeneo}"]
    with create_session() as session:  # a person sized the Akeneo pool already
        Pool.create_or_update_pool(f"pimflow_{akeneo}", 3, "sized by hand", False, session=session)

    assert main(["pools", "--create", *map(str, sorted(tmp_path.glob("*.yaml")))]) == 0
    out, err = capsys.readouterr()
    assert pools()[f"pimflow_{linnworks}"] == 1 and pools()[f"pimflow_{akeneo}"] == 3
    assert f"pimflow_{linnworks}" in out and "created" in out and f"connection {linnworks}: shop" in out
    assert "exists" in out and "skipped" in err and "broken.yaml" in err

    assert main(["pools", "--create", *map(str, sorted(tmp_path.glob("*.yaml")))]) == 0  # again: nothing changes
    assert "created" not in capsys.readouterr().out
    assert pools()[f"pimflow_{linnworks}"] == 1 and pools()[f"pimflow_{akeneo}"] == 3


class _Run:
    """What the check reads and changes of a DagRun."""

    def __init__(self, note: str | None = None):
        self.dag_id, self.run_id, self.note, self.state = "shop", "manual__1", note, "running"

    def set_state(self, state) -> None:
        self.state = state


def test_a_run_whose_write_pool_is_missing_is_failed_with_a_note_saying_how_to_create_it(tmp_path, pools):
    from airflow.utils.session import create_session

    from pimflow.pool_check import fail_if_pools_missing

    connection = f"lw_{uuid.uuid4().hex[:8]}"
    [item] = profiles(tmp_path, shop="{kind: linnworks, connection: %s}" % connection)
    dag = build_dag(item)
    run = _Run(note="checked by Ann")
    with create_session() as session:
        assert fail_if_pools_missing(run, dag, session) == [f"pimflow_{connection}"]
    assert run.state == "failed"
    assert run.note.startswith("checked by Ann\n\n")  # a person's note is kept
    assert f"pool pimflow_{connection} does not exist" in run.note
    assert f'airflow pools set pimflow_{connection} 1 "pimflow: one writer at a time to connection {connection}"' in run.note
    assert "pimflow pools --create" in run.note and len(run.note) <= 1000

    pools.made.append(f"pimflow_{connection}")
    with create_session() as session:
        from pimflow.pools import create_missing

        create_missing([f"pimflow_{connection}"], session)
    untouched = _Run()
    with create_session() as session:
        assert fail_if_pools_missing(untouched, dag, session) == []
    assert (untouched.state, untouched.note) == ("running", None)


def test_a_run_of_a_feed_profile_needs_no_pool(tmp_path, pools):
    from airflow.utils.session import create_session

    from pimflow.pool_check import fail_if_pools_missing, pools_of

    [item] = profiles(tmp_path, out="{kind: feed, path: out.csv}")
    run = _Run()
    with create_session() as session:
        assert fail_if_pools_missing(run, build_dag(item), session) == []
    assert pools_of(build_dag(item)) == set() and run.state == "running"


def test_the_check_is_a_plugin_listener_of_runs_starting(tmp_path):
    from airflow.plugins_manager import is_valid_plugin

    from pimflow.pool_check import MissingPoolCheck, PimflowPoolCheckPlugin

    assert is_valid_plugin(PimflowPoolCheckPlugin)
    [listener] = PimflowPoolCheckPlugin.listeners
    assert isinstance(listener, MissingPoolCheck)
    [item] = profiles(tmp_path, shop="{kind: linnworks, connection: lw_nowhere}")
    run = _Run()
    run.dag = build_dag(item)
    listener.on_dag_run_running(dag_run=run, msg="timed_out")  # only a run the scheduler starts is checked
    assert run.state == "running" and run.note is None
