"""Typed settings from an Airflow connection: `settings_from_connection(Model, conn, ...)`.

An Airflow connection keeps a client's options in its JSON `extra`. Connection forms of Airflow 2
stored them as `extra__<conn_type>__<name>`, Airflow 3 forms as bare `<name>`; both are read (the
prefixed key wins), empty form values are dropped so the model's defaults apply, and the model
validates once. Works on anything with `extra_dejson` or `extra` (no Airflow import).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

Settings = TypeVar("Settings", bound=BaseModel)


def connection_extras(conn: Any, conn_type: str, *, error: type[Exception]) -> dict[str, Any]:
    """The connection's extras with the `extra__<conn_type>__` prefix removed and empty values
    (None, "") dropped; `error` is raised when `extra` is not a JSON object."""
    extra = getattr(conn, "extra_dejson", None)
    if extra is None:
        raw = getattr(conn, "extra", None) or "{}"
        try:
            extra = json.loads(raw) if isinstance(raw, str) else dict(raw)
        except (TypeError, ValueError):
            extra = None
        if not isinstance(extra, Mapping):
            raise error(f"The extra field of {_describe(conn)} is not a JSON object") from None
    prefix = f"extra__{conn_type}__"
    bare = {key: value for key, value in extra.items() if not key.startswith(prefix)}
    prefixed = {key[len(prefix):]: value for key, value in extra.items() if key.startswith(prefix)}
    return {key: value for key, value in {**bare, **prefixed}.items() if value is not None and value != ""}


def build_settings(model: type[Settings], values: Mapping[str, Any], *, error: type[Exception],
                   service: str, conn_id: str | None = None) -> Settings:
    """`model(**values)`, or `error` naming the connection, each wrong field and why, but never a
    value (an input may be a secret)."""
    try:
        return model(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'settings'}: {problem['msg']}"
            for problem in exc.errors(include_input=False, include_url=False)
        )
        where = f" (connection {conn_id!r})" if conn_id else ""
        raise error(f"Invalid {service} connection settings{where}: {problems}") from None


def settings_from_connection(model: type[Settings], conn: Any, *, conn_type: str, service: str,
                             error: type[Exception], standard: Mapping[str, Any] | None = None) -> Settings:
    """Validate the connection's extras merged with `standard` (values taken from its host, login,
    password... which win over extras of the same name) into `model`."""
    values = {**connection_extras(conn, conn_type, error=error), **(standard or {})}
    return build_settings(model, values, error=error, service=service, conn_id=getattr(conn, "conn_id", None))


def _describe(conn: Any) -> str:
    conn_id = getattr(conn, "conn_id", None)
    return f"the connection {conn_id!r}" if conn_id else "the connection"
