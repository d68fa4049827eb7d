"""How the local stack's Airflow processes use their SQLite database (`make airflow`).

SQLite lets one writer in at a time. Two things made the stack fall over when many runs start at
once (a backfill's runs on two cores):

- a process waits for the write lock only 5 seconds (the driver's default), then fails with
  "database is locked"; a DAG processor or scheduler meeting that error stops;
- a transaction that reads before it writes (Airflow's SAVEPOINTs do: `airflow backfill create`
  creates each run so) asks for the write lock only at its first write, and SQLite refuses it at
  once, without waiting, when another process wrote since the transaction's first read.

So every process waits up to BUSY_TIMEOUT_SECONDS for the lock, and a SAVEPOINT that would begin a
transaction begins it with `BEGIN IMMEDIATE` (the write lock first, waited for). Other transactions
begin as Airflow begins them: taking the write lock up front in all of them makes processes that
hold two connections wait for themselves (`airflow db migrate` does).

The stack writes `$AIRFLOW_HOME/config/airflow_local_settings.py`, which imports
`create_metadata_engine` from here: Airflow calls it to make its database engine, in the stack's
components and in any `airflow` command run with that Airflow home (`airflow backfill create`...).
The async engine (some API server routes) only gets the longer timeout, through the environment
(`ASYNC_CONNECT_ARGS`). This module imports only SQLAlchemy.
"""
from __future__ import annotations

from sqlalchemy import create_engine, event

#: Seconds a process waits for SQLite's write lock before giving up.
BUSY_TIMEOUT_SECONDS = 60

ASYNC_CONNECT_ARGS = {"timeout": BUSY_TIMEOUT_SECONDS}

#: What the stack writes to `$AIRFLOW_HOME/config/airflow_local_settings.py` (its first line says who).
LOCAL_SETTINGS = '''"""Written by pimflow's local stack (`make airflow`): see tools/pimflowdev/sqlite_settings.py."""
from pimflowdev.sqlite_settings import create_metadata_engine  # noqa: F401
'''


def create_metadata_engine(sql_alchemy_conn: str, *, engine_args: dict, connect_args: dict):
    """Airflow's engine; on SQLite with the longer wait for the write lock, and SAVEPOINTs that begin
    a transaction taking the write lock first. Any other database: Airflow's engine as it makes it."""
    if not sql_alchemy_conn.startswith("sqlite"):
        return create_engine(sql_alchemy_conn, connect_args=connect_args, **engine_args)
    engine = create_engine(sql_alchemy_conn, connect_args={**connect_args, "timeout": BUSY_TIMEOUT_SECONDS},
                           **engine_args)

    @event.listens_for(engine, "savepoint")
    def _write_lock_first(connection, name):
        dbapi_connection = connection.connection.dbapi_connection
        if not dbapi_connection.in_transaction:  # the SAVEPOINT would begin a deferred transaction
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
