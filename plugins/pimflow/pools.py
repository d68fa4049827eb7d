"""One writer per target account: the Airflow pool of each Akeneo or Linnworks connection.

A profile's write tasks (load_parents, load, link) run in the pool named after its target's
connection id (`pimflow_<connection id>`). With 1 slot, the pool lets one of them write at a time,
whatever the profile, run or worker, so the connection's quotas and concurrency cap, which each
task's client uses in full, hold for the account. Pools are created by `pimflow pools --create`
(the local stack, the compose init, the cluster suite); a run whose pool is missing fails when it
starts (`pimflow.pool_check`), rather than waiting forever.

A profile may also name a pool of its own (`pool:`) for its other tasks (extract, transform,
feedback, and a feed target's load; never wait_turn):
`pimflow pools` lists it with the profiles naming it, `--create` creates it when missing (1 slot:
resize it with `airflow pools set`), and a run whose pool is missing fails at its start the same way.

Naming and listing need no database; `create_missing` and `missing` read the metadata database
(a CLI or a scheduler), never a DAG file or a task.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

POOL_PREFIX = "pimflow_"
#: One writer at a time: the size `pimflow pools --create` gives a new pool.
DEFAULT_SLOTS = 1


def pool_name(connection_id: str) -> str:
    """The pool of the tasks that write to `connection_id`: `pimflow_` + the connection id."""
    return POOL_PREFIX + connection_id


def connection_of(pool: str) -> str | None:
    """The connection id a pimflow pool is named after (None for another pool)."""
    return pool[len(POOL_PREFIX):] if pool.startswith(POOL_PREFIX) else None


def write_pool(profile) -> str | None:
    """The pool of the profile's write tasks; None for a target without a connection (a feed)."""
    connection = getattr(profile.target, "connection", None)
    return pool_name(connection) if connection else None


def profile_pool(profile) -> str | None:
    """The pool a profile names for its tasks that write to no account (None: Airflow's default)."""
    return getattr(profile, "pool", None)


def describe(pool: str) -> str:
    connection = connection_of(pool)
    if connection is None:
        return "pimflow: the tasks (but writes to an account and wait_turn) of the profiles that name this pool"
    return f"pimflow: one writer at a time to connection {connection}"


def create_command(pool: str) -> str:
    """The command that creates `pool` by hand, as a person would paste it."""
    return f'airflow pools set {pool} {DEFAULT_SLOTS} "{describe(pool)}"'


@dataclass
class PoolNeed:
    """A pool the profiles need: the connection it guards and the profiles that write to it, or, for
    a profile pool (`connection` None), the profiles that name it."""

    name: str
    connection: str | None
    profiles: list[str] = field(default_factory=list)


def needed_pools(profiles: Iterable) -> dict[str, PoolNeed]:
    """name → PoolNeed for every pool the profiles' tasks use (write pools and profile pools), sorted by name."""
    needs: dict[str, PoolNeed] = {}
    for profile in profiles:
        for name in dict.fromkeys(filter(None, (write_pool(profile), profile_pool(profile)))):
            needs.setdefault(name, PoolNeed(name, connection_of(name))).profiles.append(profile.id)
    return dict(sorted(needs.items()))


def missing(names: Iterable[str], session) -> list[str]:
    """The pools among `names` that the metadata database does not hold."""
    from airflow.models.pool import Pool
    from sqlalchemy import select

    wanted = sorted(set(names))
    if not wanted:
        return []
    existing = set(session.scalars(select(Pool.pool).where(Pool.pool.in_(wanted))))
    return [name for name in wanted if name not in existing]


def create_missing(names: Iterable[str], session) -> tuple[list[str], list[str]]:
    """Create the pools among `names` that do not exist yet, with DEFAULT_SLOTS; an existing pool
    keeps its slots (a person may have sized it). Returns (created, already there)."""
    from airflow.models.pool import Pool

    wanted = sorted(set(names))
    absent = missing(wanted, session)
    for name in absent:
        session.add(Pool(pool=name, slots=DEFAULT_SLOTS, description=describe(name), include_deferred=False))
    session.flush()
    return absent, [name for name in wanted if name not in absent]


def missing_pool_message(pools: list[str]) -> str:
    """What a run whose pools are missing says: which, and how to create them."""
    listed = ", ".join(pools)
    commands = "; ".join(create_command(pool) for pool in pools)
    writes = [connection_of(p) for p in pools if connection_of(p)]
    own = [p for p in pools if not connection_of(p)]
    users = " and ".join(filter(None, (f"the tasks that write to {', '.join(writes)}" if writes else "",
                                       f"the tasks of the profile's pool ({', '.join(own)})"
                                       if own else "")))
    return (f"pimflow: pool {listed} does not exist, so {users} would wait for it forever; the run was "
            f"failed at its start. Create it ({DEFAULT_SLOTS} slot" + (": one writer at a time" if writes else "")
            + f"): {commands} (or every pool the profiles need: pimflow pools --create), then run again.")
