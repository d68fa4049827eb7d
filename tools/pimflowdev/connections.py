"""Create or replace Airflow connections in the metadata database, read as JSON from stdin:
`{"conn_id": {"conn_type": ..., "host": ..., "login": ..., "password": ..., "extra": {...}}}`.

`airflow connections add --conn-json` would do the same, but the CLI writes its command line to
Airflow's audit log (the `log` table's `extra`), masking only top-level fields such as `password`:
the Akeneo client secret and the Linnworks installation token, inside `extra`, stayed there in
clear. Written here through the ORM, the connections are stored as Airflow stores any connection
(encrypted with the Fernet key when there is one) and no audit row holds them; stdin keeps them
out of the process list too. Run with the stack's environment: `python -m pimflowdev.connections`.
"""
from __future__ import annotations

import json
import sys


def replace_connections(connections: dict[str, dict]) -> None:
    from airflow.models import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import delete

    with create_session() as session:
        for conn_id, fields in connections.items():
            session.execute(delete(Connection).where(Connection.conn_id == conn_id))
            session.add(Connection(conn_id=conn_id, **fields))


def main() -> int:
    replace_connections(json.load(sys.stdin))
    return 0


if __name__ == "__main__":
    sys.exit(main())
