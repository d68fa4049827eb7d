"""The local stack's SQLite engine (pimflowdev.sqlite_settings): a SAVEPOINT that begins a
transaction holds the write lock from its first read, so another process writing in between can no
longer make its write fail at once with "database is locked" (what `airflow backfill create` met
while the scheduler wrote). Checked with two connections and no waiting: the other connection asks
for the lock with a zero timeout."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from pimflowdev.sqlite_settings import BUSY_TIMEOUT_SECONDS, LOCAL_SETTINGS, create_metadata_engine


def database(tmp_path) -> str:
    path = tmp_path / "airflow.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE dag_run (id INTEGER PRIMARY KEY, run_id TEXT)")
    return f"sqlite:///{path}"


def other_writer_can_lock(url: str) -> bool:
    other = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        assert "database is locked" in str(error)
        return False
    other.execute("INSERT INTO dag_run (run_id) VALUES ('scheduler')")
    other.execute("COMMIT")
    return True


def test_a_savepoint_that_begins_a_transaction_holds_the_write_lock_from_its_first_read(tmp_path):
    url = database(tmp_path)
    engine = create_metadata_engine(url, engine_args={}, connect_args={})
    with Session(engine) as session:
        with session.begin_nested():  # as backfill creates a run: read, then insert
            session.execute(text("SELECT count(*) FROM dag_run")).scalar()
            assert not other_writer_can_lock(url)  # the scheduler waits (up to the busy timeout)
            session.execute(text("INSERT INTO dag_run (run_id) VALUES ('backfill')"))
        session.commit()
    assert other_writer_can_lock(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT run_id FROM dag_run ORDER BY id")).scalars().all() == [
            "backfill", "scheduler"]


def test_without_it_the_write_fails_at_once(tmp_path):
    url = database(tmp_path)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})  # Airflow's own engine
    with Session(engine) as session:
        with pytest.raises(Exception, match="database is locked"):
            with session.begin_nested():
                session.execute(text("SELECT count(*) FROM dag_run")).scalar()
                assert other_writer_can_lock(url)  # another process writes meanwhile
                session.execute(text("INSERT INTO dag_run (run_id) VALUES ('backfill')"))


def test_other_transactions_and_databases_are_left_as_airflow_makes_them(tmp_path, monkeypatch):
    import pimflowdev.sqlite_settings as settings

    url = database(tmp_path)
    engine = create_metadata_engine(url, engine_args={}, connect_args={})
    with Session(engine) as session:
        session.execute(text("SELECT count(*) FROM dag_run")).scalar()  # a read takes no lock
        assert other_writer_can_lock(url)
    made = []
    monkeypatch.setattr(settings, "create_engine", lambda url, **kwargs: made.append((url, kwargs)))
    create_metadata_engine("postgresql://u:p@db/airflow", engine_args={"pool_size": 5}, connect_args={"a": 1})
    assert made == [("postgresql://u:p@db/airflow", {"connect_args": {"a": 1}, "pool_size": 5})]
    assert "from pimflowdev.sqlite_settings import create_metadata_engine" in LOCAL_SETTINGS


def test_a_task_waits_for_the_api_server_longer_than_the_api_server_waits_for_the_write_lock(monkeypatch):
    from pimflowdev import stack

    monkeypatch.delenv("AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT", raising=False)
    env = stack.stack_env(41000, (41001, 41002))
    assert float(env["AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT"]) > BUSY_TIMEOUT_SECONDS
    monkeypatch.setenv("AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT", "7")  # a person's own setting stays
    assert stack.stack_env(41000, (41001, 41002))["AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT"] == "7"
