"""Akeneo's error answers: `{"code", "message"}`, plus `errors` or `_links.documentation`."""
from __future__ import annotations

from typing import Optional

API_REFERENCE = "http://api.akeneo.com/api-reference.html#"
DOCUMENTATION = "http://api.akeneo.com/documentation/"
# Akeneo appends this to the messages of payload errors found while applying a PATCH.
FORMAT_HINT = " Check the expected format on the API documentation."


class ApiError(Exception):
    """An error answered in Akeneo's shape. `errors` is the list of a "Validation failed." answer."""

    def __init__(self, status: int, message: str, *, errors: Optional[list[dict]] = None,
                 documentation: Optional[str] = None, headers: Optional[dict[str, str]] = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.documentation = documentation
        self.headers = headers or {}

    def body(self) -> dict:
        body: dict = {"code": self.status, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        if self.documentation is not None:
            body["_links"] = {"documentation": {"href": self.documentation}}
        return body


def settings_error(error) -> ApiError:
    """A control endpoint's settings that fail their model (a pydantic ValidationError): 422, each
    field and why."""
    return ApiError(422, "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors()))


def unprocessable(message: str) -> ApiError:
    return ApiError(422, message)


def payload_error(message: str, anchor: str) -> ApiError:
    """An error of the updater (wrong type, unknown code...): 422 with a link to the reference."""
    return ApiError(422, message + FORMAT_HINT, documentation=API_REFERENCE + anchor)


def validation_failed(errors: list[dict]) -> ApiError:
    return ApiError(422, "Validation failed.", errors=errors)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def value_error(message: str, attribute: str, locale: Optional[str], scope: Optional[str]) -> dict:
    """One entry of `errors` for a product value."""
    return {"property": "values", "message": message, "attribute": attribute,
            "locale": locale, "scope": scope}


def php_type(value) -> str:
    """The type name PHP's gettype() gives, which Akeneo's messages quote."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    return "array"
