"""The receiver's settings for one Akeneo connection, read from the connection's extra (the Akeneo
connection type's other fields are the client's, `akeneo/settings.py`):

| extra | meaning |
| --- | --- |
| `events_secret` | the subscription's primary secret (`config.secret.primary`): required |
| `events_secret_secondary` | a second accepted secret, while rotating (`config.secret.secondary`) |
| `events_max_age_seconds` | how old an event's `time` may be (default 3600; 60 to 86400) |

Keys may also carry the form's `extra__akeneo__` prefix. Secrets are at least 16 characters.
"""
from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_MAX_AGE = 3600.0
MIN_SECRET = 16


class EventsConfigError(ValueError):
    """A connection that cannot receive events, with the connection and field named."""


@dataclass(frozen=True)
class ReceiverSettings:
    conn_id: str
    secrets: tuple[str, ...] = field(repr=False)
    max_age: float = DEFAULT_MAX_AGE


def settings_from_extra(conn_id: str, conn_type: str | None, extra: dict) -> ReceiverSettings:
    """Validated settings, or EventsConfigError saying what to fix."""
    where = f"connection {conn_id!r}"
    if conn_type != "akeneo":
        raise EventsConfigError(f"{where}: its type is {conn_type!r}, not 'akeneo'")

    def value(key: str):
        return extra.get(key, extra.get(f"extra__akeneo__{key}"))

    secrets = []
    for key, required in (("events_secret", True), ("events_secret_secondary", False)):
        secret = value(key)
        if secret in (None, "") and not required:
            continue
        if not isinstance(secret, str) or not secret:
            raise EventsConfigError(f"{where}: extra field {key!r} is missing: set it to the Event Platform "
                                    f"subscription's primary secret (config.secret.primary)")
        if len(secret) < MIN_SECRET:
            raise EventsConfigError(f"{where}: extra field {key!r} is shorter than {MIN_SECRET} characters")
        secrets.append(secret)
    max_age = value("events_max_age_seconds")
    if max_age in (None, ""):
        max_age = DEFAULT_MAX_AGE
    try:
        max_age = float(max_age)
    except (TypeError, ValueError):
        raise EventsConfigError(f"{where}: extra field 'events_max_age_seconds' is not a number: {max_age!r}") from None
    if not 60 <= max_age <= 86400:
        raise EventsConfigError(f"{where}: extra field 'events_max_age_seconds' must be from 60 to 86400, not {max_age:g}")
    return ReceiverSettings(conn_id, tuple(secrets), max_age)


def load_settings(conn_id: str) -> ReceiverSettings:
    """The settings of the Airflow connection `conn_id` (environment, secrets backends, metadata
    database: wherever Airflow finds connections). EventsConfigError when there is none or it is
    not set up for events."""
    return settings_from_extra(conn_id, *connection_extra(conn_id))


def connection_extra(conn_id: str) -> tuple[str | None, dict]:
    """(type, extra as a dict) of the Airflow connection `conn_id`; EventsConfigError when there is none."""
    from airflow.exceptions import AirflowNotFoundException
    from airflow.models.connection import Connection

    try:
        connection = Connection.get_connection_from_secrets(conn_id)
    except AirflowNotFoundException:
        raise EventsConfigError(f"connection {conn_id!r} does not exist") from None
    try:
        extra = connection.extra_dejson
    except Exception:
        extra = {}
    return connection.conn_type, extra if isinstance(extra, dict) else {}
