"""A profile's own pool (`pool:`): listed and created by `pimflow pools` like the account pools, and
a run whose profile pool is missing fails at its start with a note, instead of waiting forever.
(The account pools: test_pools.py.)"""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from pimflow.factory import build_dag
from pimflow.loader import load_profiles
from pimflow.pools import needed_pools

PROFILE = "id: {id}\nsource: {{kind: feed, path: in.csv}}\ntarget: {target}\npool: {pool}\n"


def profiles(folder: Path, pool: str, **targets: str) -> list:
    for profile_id, target in targets.items():
        (folder / f"{profile_id}.yaml").write_text(PROFILE.format(id=profile_id, target=target, pool=pool))
    loaded, errors = load_profiles(folder)
    assert not errors, errors[0].describe()
    return loaded


def test_needed_pools_list_a_profile_pool_with_the_profiles_naming_it(tmp_path):
    loaded = profiles(tmp_path, "reads", shop="{kind: linnworks, connection: lw_eu}", out="{kind: feed, path: o.csv}")
    needs = needed_pools(item.profile for item in loaded)
    assert list(needs) == ["pimflow_lw_eu", "reads"]
    assert (needs["reads"].connection, needs["reads"].profiles) == (None, ["out", "shop"])
    assert (needs["pimflow_lw_eu"].connection, needs["pimflow_lw_eu"].profiles) == ("lw_eu", ["shop"])


@pytest.fixture
def made_pools(airflow_db):
    """The pools a test creates, removed after it."""
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session
    from sqlalchemy import delete

    made: list[str] = []
    yield made
    with create_session() as session:
        session.execute(delete(Pool).where(Pool.pool.in_(made)))


def test_pools_create_makes_a_missing_profile_pool_with_one_slot(tmp_path, made_pools, capsys):
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from pimflow.cli import main

    pool = f"reads_{uuid.uuid4().hex[:8]}"
    made_pools.append(pool)
    profiles(tmp_path, pool, a="{kind: feed, path: a.csv}", b="{kind: feed, path: b.csv}")
    assert main(["pools", "--create", *map(str, sorted(tmp_path.glob("*.yaml")))]) == 0
    assert capsys.readouterr().out.split() == [pool, "created", "profile", "pool:", "a,", "b"]
    with create_session() as session:
        created = session.scalar(select(Pool).where(Pool.pool == pool))
        assert (created.slots, created.description) == (
            1, "pimflow: the tasks (but writes to an account and wait_turn) of the profiles that name this pool")


class _Run:
    def __init__(self):
        self.dag_id, self.run_id, self.note, self.state = "shop", "manual__1", None, "running"

    def set_state(self, state) -> None:
        self.state = state


def test_a_run_whose_profile_pool_is_missing_is_failed_with_a_note_saying_how_to_create_it(tmp_path, made_pools):
    from airflow.utils.session import create_session

    from pimflow.pool_check import fail_if_pools_missing, pools_of
    from pimflow.pools import create_missing

    pool = f"reads_{uuid.uuid4().hex[:8]}"
    [item] = profiles(tmp_path, pool, out="{kind: feed, path: o.csv}")
    dag = build_dag(item)
    assert pools_of(dag) == {pool}
    run = _Run()
    with create_session() as session:
        assert fail_if_pools_missing(run, dag, session) == [pool]
    assert run.state == "failed"
    assert run.note == (f"pimflow: pool {pool} does not exist, so the tasks of the profile's pool ({pool}) would "
                        "wait for it forever; the run was failed at its start. Create it (1 slot): airflow pools set "
                        f'{pool} 1 "pimflow: the tasks (but writes to an account and wait_turn) of the profiles that '
                        'name this pool" (or every pool the profiles need: pimflow pools --create), then run again.')
    made_pools.append(pool)
    with create_session() as session:
        create_missing([pool], session)
    untouched = _Run()
    with create_session() as session:
        assert fail_if_pools_missing(untouched, dag, session) == []
    assert untouched.state == "running"


def test_a_dag_that_is_not_pimflows_is_not_checked_for_its_own_pools(tmp_path):
    from airflow.sdk import DAG
    from airflow.providers.standard.operators.empty import EmptyOperator

    from pimflow.pool_check import pools_of

    with DAG("other", schedule=None) as dag:
        EmptyOperator(task_id="t", pool="somewhere")
    assert pools_of(dag) == set()
