"""Linnworks-shaped error answers (ASP.NET Web API style bodies)."""
from __future__ import annotations

from starlette.responses import JSONResponse

TOKEN_IS_WRONG = "Token is wrong."
REQUEST_INVALID = "The request is invalid."
NO_ITEMS_FOUND = "No items found with given filter"
STOCK_ITEM_ID_EMPTY = "StockItem StockItemId could not be empty"
GENERIC_5XX = "An error has occurred."


class ApiError(Exception):
    """An answer other than success: `status` and the `Message` Linnworks would send."""

    def __init__(self, status: int, message: str, code: str | None = None, extra: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict:
        body = {"Message": self.message}
        if self.code is not None:
            body = {"Code": self.code, **body}
        return {**body, **self.extra}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def bad_request(message: str, **extra) -> ApiError:
    return ApiError(400, message, extra=extra)


def invalid(param: str, detail: str) -> ApiError:
    """Model-binding failure: ASP.NET answers 'The request is invalid.' plus a ModelState map."""
    return ApiError(400, REQUEST_INVALID, extra={"ModelState": {param: [detail]}})


def token_is_wrong() -> ApiError:
    # Body seen from the real service for missing, wrong, Bearer-prefixed and expired tokens.
    return ApiError(401, TOKEN_IS_WRONG, code="-")


def missing_parameter(name: str) -> ApiError:
    # Linnworks' wording for an absent `request` wrapper; other names follow the second known form.
    if name == "request":
        return bad_request("request is empty")
    return bad_request(f"'{name}' parameter is missing")


def not_found(url: str) -> ApiError:
    return ApiError(404, f"No HTTP resource was found that matches the request URI '{url}'.")


def method_not_allowed(verb: str) -> ApiError:
    return ApiError(405, f"The requested resource does not support http method '{verb}'.")


def quota_exceeded(limit: int, retry_after: int | None) -> ApiError:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return ApiError(429, f"API calls quota exceeded! Maximum admitted {limit} per Minute.", headers=headers)


def primary_key_violation(table: str, key: str) -> ApiError:
    return bad_request(
        f"Violation of PRIMARY KEY constraint 'PK_{table}'. Cannot insert duplicate key in object "
        f"'dbo.{table}'. The duplicate key value is ({key}).\r\nThe statement has been terminated.")
