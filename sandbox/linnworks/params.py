"""Method parameters as Linnworks binds them: query string, JSON body, or form fields holding JSON strings."""
from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from .errors import bad_request, invalid, missing_parameter

ZERO_GUID = "00000000-0000-0000-0000-000000000000"


class Fields(dict):
    """A JSON object read the way Newtonsoft binds it: property names are case-insensitive."""

    def __init__(self, data: dict):
        super().__init__({str(k).lower(): v for k, v in data.items()})
        self.original = data

    def __getitem__(self, key):
        return super().__getitem__(key.lower())

    def __contains__(self, key):
        return super().__contains__(str(key).lower())

    def get(self, key, default=None):
        return super().get(key.lower(), default)


class Params:
    """Named parameters of one call; names are case-insensitive like ASP.NET's binder."""

    def __init__(self, values: dict[str, Any]):
        self.values = Fields(values)

    @classmethod
    async def from_request(cls, request: Request) -> "Params":
        values: dict[str, Any] = dict(request.query_params)
        body = await request.body()
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if body and content_type == "application/x-www-form-urlencoded":
            values.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        elif body and content_type != "multipart/form-data":
            try:
                decoded = json.loads(body)
            except ValueError:
                raise bad_request("The request is invalid.") from None
            # Top-level keys of a JSON body are the method's parameter names; anything else binds nothing.
            if isinstance(decoded, dict):
                values.update(decoded)
        return cls(values)

    def _decoded(self, name: str):
        value = self.values.get(name)
        # Form and query values are JSON strings (`request={"SKUS":[...]}`), JSON bodies carry real objects.
        if isinstance(value, str):
            text = value.strip()
            if text[:1] in ("{", "[", '"') or text in ("null", "true", "false"):
                try:
                    return json.loads(text)
                except ValueError:
                    raise invalid(name, f"Could not parse '{name}' as JSON.") from None
        return value

    def obj(self, name: str, required: bool = True) -> Fields | None:
        value = self._decoded(name)
        if value in (None, "", {}):
            if required:
                raise missing_parameter(name)
            return None
        if not isinstance(value, dict):
            raise invalid(name, f"'{name}' must be a JSON object.")
        return Fields(value)

    def list(self, name: str, required: bool = True) -> list:
        value = self._decoded(name)
        if value in (None, ""):
            if required:
                raise missing_parameter(name)
            return []
        if not isinstance(value, list):
            raise invalid(name, f"'{name}' must be a JSON array.")
        return value

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self._decoded(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self._decoded(name)
        if value in (None, ""):
            return default
        return to_int(value, name)

    def bool(self, name: str, default: bool = False) -> bool:
        value = self._decoded(name)
        if value in (None, ""):
            return default
        return to_bool(value, name)

    def guid(self, name: str, required: bool = True) -> str | None:
        value = self._decoded(name)
        if value in (None, ""):
            if required:
                raise missing_parameter(name)
            return None
        return to_guid(value, name)


def to_guid(value, name: str = "value") -> str:
    """Canonical lowercase GUID text, or a 400 the way Newtonsoft reports a bad GUID."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise invalid(name, f"Error converting value \"{value}\" to type 'System.Guid'.") from None


def optional_guid(value, name: str = "value") -> str | None:
    return None if value in (None, "") else to_guid(value, name)


def to_float(value, name: str = "value") -> float:
    if isinstance(value, bool):
        raise invalid(name, f"Could not convert '{value}' to Double.")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise bad_request("Input string was not in a correct format.") from None


def to_int(value, name: str = "value") -> int:
    if isinstance(value, bool):
        raise invalid(name, f"Could not convert '{value}' to Int32.")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise bad_request("Input string was not in a correct format.") from None


def to_bool(value, name: str = "value") -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise bad_request(f"String '{value}' was not recognized as a valid Boolean.")


def fields_list(items: list, name: str) -> list[Fields]:
    """Each element of a JSON array parameter must be an object."""
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise invalid(name, f"'{name}' must hold JSON objects.")
        out.append(Fields(item))
    return out
