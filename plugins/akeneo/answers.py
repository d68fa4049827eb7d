"""The shapes of Akeneo's answers, checked where they are read: a body of another shape (a proxy's
page, another API version) raises `AkeneoAnswerError` naming the endpoint and what came instead,
never an AttributeError deep inside a caller."""
from __future__ import annotations

from typing import Any

from akeneo.errors import AkeneoAnswerError


def json_body(response, endpoint: str) -> Any:
    """The answer's JSON; `endpoint` is "METHOD /path"."""
    try:
        return response.json()
    except ValueError:
        raise AkeneoAnswerError("Akeneo's answer is not JSON (a proxy's error page?)", endpoint=endpoint,
                                status=response.status_code) from None


def object_answer(response, endpoint: str) -> dict:
    """An answer that must be one JSON object."""
    body = json_body(response, endpoint)
    if not isinstance(body, dict):
        raise AkeneoAnswerError(f"Akeneo answered {describe(body)} where a JSON object was expected",
                                endpoint=endpoint, status=response.status_code)
    return body


def list_answer(response, endpoint: str) -> list[dict]:
    """An answer that must be a JSON list of objects (the endpoints Akeneo does not paginate)."""
    return objects(json_body(response, endpoint), endpoint, "answer", status=response.status_code)


def objects(value: Any, endpoint: str, what: str, status: int | None = None) -> list[dict]:
    """`value` when it is a list of objects; else an error saying what `what` held instead."""
    if not isinstance(value, list):
        raise AkeneoAnswerError(f"Akeneo's {what} is {describe(value)} where a JSON list was expected",
                                endpoint=endpoint, status=status)
    for item in value:
        if not isinstance(item, dict):
            raise AkeneoAnswerError(f"Akeneo's {what} holds {describe(item)} where each entry should be a JSON "
                                    "object", endpoint=endpoint, status=status)
    return value


def describe(value: Any) -> str:
    """A few words on a JSON value, for messages (never the whole of it)."""
    kind = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")
    shown = repr(value)
    return f"{kind} ({shown[:60]}{'...' if len(shown) > 60 else ''})"
