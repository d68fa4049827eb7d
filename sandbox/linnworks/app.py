"""The two FastAPI apps: the auth host (AuthorizeByApplication) and the data host (everything else)."""
from __future__ import annotations

import json
import logging

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from . import (handlers_categories, handlers_compositions, handlers_images, handlers_items,  # noqa: F401
               handlers_rows, handlers_stock, handlers_variations)  # (they register methods)
from .control import AUTH_METHOD, control_router
from .errors import (GENERIC_5XX, REQUEST_INVALID, ApiError, bad_request, method_not_allowed, not_found,
                     quota_exceeded, token_is_wrong)
from .params import Params
from .quota import retry_after_header
from .registry import Call, Method, NoContent, Text, changes_the_account, find
from .settings import FailNext, SandboxSettings
from .state import SandboxState

log = logging.getLogger(__name__)

AUTH_LIMIT = 150
ALL_VERBS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _respond(result) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, NoContent):
        return Response(status_code=204)
    if isinstance(result, Text):
        return PlainTextResponse(str(result))
    return JSONResponse(result)


def _take_quota(state: SandboxState, settings: SandboxSettings, name: str, limit: int) -> None:
    if not settings.quotas_enabled:
        return
    limit = settings.quota_overrides.get(name, limit)
    wait = state.quotas.take(name, limit, settings.quota_window_seconds)
    if wait is not None:
        raise quota_exceeded(limit, retry_after_header(wait) if settings.retry_after_header else None)


def _pop_fault(settings: SandboxSettings, name: str, named=None) -> FailNext | None:
    """The first fault for this call (`named(skus)`: does the call name one of these items), used once."""
    for i, fault in enumerate(settings.fail_next):
        if fault.method.lower() == name.lower() and (not fault.skus or (named is not None and named(fault.skus))):
            if fault.times > 1:
                fault.times -= 1
            else:
                settings.fail_next.pop(i)
            return fault
    return None


async def _named_items(state: SandboxState, settings: SandboxSettings, request: Request, name: str):
    """For faults limited to some SKUs: whether the call's parameters name one of them, by SKU or
    StockItemId (None when no such fault waits for this method: the body is not read early)."""
    if not any(fault.skus and fault.method.lower() == name.lower() for fault in settings.fail_next):
        return None
    found, pending = set(), [(await Params.from_request(request)).values.original]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str) and value.strip()[:1] in ("{", "[", '"'):  # form and query values are JSON
            try:
                pending.append(json.loads(value))
            except ValueError:
                found.add(value.lower())
        elif isinstance(value, str):
            found.add(value.lower())

    def named(skus: list[str]) -> bool:
        for sku in skus:
            record = state.store.any_by_sku(sku)
            if sku.lower() in found or (record is not None and record.id.lower() in found):
                return True
        return False
    return named


def _fault_error(fault: FailNext, limit: int) -> ApiError:
    if fault.status == 429:
        return quota_exceeded(limit, None)
    if fault.status == 401:
        return token_is_wrong()
    return ApiError(fault.status, GENERIC_5XX if fault.status >= 500 else REQUEST_INVALID)


def _unexpected(error: Exception) -> Response:
    log.exception("Linnworks sandbox handler failed")
    return JSONResponse({"Message": GENERIC_5XX, "ExceptionMessage": str(error),
                         "ExceptionType": type(error).__name__}, status_code=500)


async def _call_method(state: SandboxState, settings: SandboxSettings, request: Request, method: Method):
    store = state.store
    if request.method not in method.verbs:
        raise method_not_allowed(request.method)
    if settings.latency_ms:
        await state.sleep(settings.latency_ms / 1000)
    token = request.query_params.get("token") if method.token_in_query else None
    token = (token or request.headers.get("authorization") or "").strip()
    # The raw session GUID only: "Bearer <token>" or the installation token are refused like a stale one.
    if not token or not store.touch_session(token, settings.session_idle_seconds):
        raise token_is_wrong()
    _take_quota(state, settings, method.name, method.limit)
    fault = _pop_fault(settings, method.name, await _named_items(state, settings, request, method.name))
    if fault is not None and not fault.after_commit:
        raise _fault_error(fault, method.limit)
    writes = changes_the_account(method.name)
    if settings.error_rate_5xx and (writes or settings.faults_on == "all") \
            and state.fault_roll() < settings.error_rate_5xx:
        raise ApiError(500, GENERIC_5XX)
    params = await Params.from_request(request)
    result = await method.handler(Call(store, settings, params, request))
    if fault is not None:  # applied, then the answer is lost: a retry must not duplicate anything
        state.stats.lost(method.name)
        raise _fault_error(fault, method.limit)
    if writes and settings.lost_answer_rate and state.fault_roll() < settings.lost_answer_rate:
        state.stats.lost(method.name)
        raise ApiError(500, GENERIC_5XX)  # applied, then the answer is lost (random)
    return _respond(result)


def create_data_app(state: SandboxState, settings: SandboxSettings) -> FastAPI:
    """Data host: `/api/{Controller}/{Method}` for the session's Server, plus `/_sandbox/` controls."""
    app = FastAPI(title="Linnworks sandbox: data host", docs_url=None, redoc_url=None, openapi_url=None)
    state.reseed_faults(settings.fault_seed)
    app.include_router(control_router(state, settings))

    @app.api_route("/api/{controller}/{name}", methods=ALL_VERBS)
    async def api_method(controller: str, name: str, request: Request):
        if not state.store.server_url:
            state.store.server_url = str(request.base_url).rstrip("/")
        method = find(controller, name)
        response = None
        try:
            if method is None:
                raise not_found(str(request.url))
            response = await _call_method(state, settings, request, method)
        except ApiError as error:
            response = error.response()
        except Exception as error:  # noqa: BLE001 - a sandbox bug must still answer like a server
            response = _unexpected(error)
        finally:
            state.stats.record(method.name if method else None, response.status_code if response else 500)
        return response

    @app.api_route("/{path:path}", methods=ALL_VERBS)
    async def unknown(path: str, request: Request):
        if not path.startswith("_sandbox"):
            state.stats.record(None, 404)
        return not_found(str(request.url)).response()

    return app


def _session_answer(session, settings: SandboxSettings, server: str) -> dict:
    """BaseSession. TTL's meaning is undocumented; the sandbox sends the idle lifetime in seconds."""
    return {
        "Id": session.user_id, "EntityId": "6f1a0c3e-0000-4000-8000-0000000e0001",
        "DatabaseName": "sandbox", "DatabaseServer": "", "PrivateDatabaseServer": "", "DatabaseUser": "",
        "DatabasePassword": "", "AppName": "pimflow sandbox", "sid_registration": session.user_id,
        "UserName": "sandbox@example.com", "Md5Hash": "", "Locality": "EU", "SuperAdmin": True,
        "TTL": int(settings.session_idle_seconds), "Token": session.token, "AccessToken": session.token,
        "GroupName": "", "Device": "", "DeviceType": "", "UserType": "API",
        "Status": {"State": "AVAILABLE", "Reason": "", "Parameters": {}}, "UserId": session.user_id,
        "Properties": {}, "Email": "sandbox@example.com", "Server": server, "PushServer": server,
    }


async def _authorize(state: SandboxState, settings: SandboxSettings, request: Request) -> Response:
    if request.method not in ("GET", "POST"):
        raise method_not_allowed(request.method)
    if settings.latency_ms:
        await state.sleep(settings.latency_ms / 1000)
    _take_quota(state, settings, AUTH_METHOD, AUTH_LIMIT)
    fault = _pop_fault(settings, AUTH_METHOD)
    if fault is not None:
        raise _fault_error(fault, AUTH_LIMIT)
    params = await Params.from_request(request)
    # Accepted: JSON {ApplicationId, ApplicationSecret, Token}, form fields, or request={...} (legacy docs).
    credentials = params.obj("request", required=False) or params.values
    app_id, secret, token = (str(credentials.get(k) or "").strip().lower()
                             for k in ("ApplicationId", "ApplicationSecret", "Token"))
    if not (app_id and secret and token):
        raise bad_request("ApplicationId, ApplicationSecret and Token are required")
    if app_id != settings.application_id.lower() or secret != settings.application_secret.lower():
        raise ApiError(401, "Invalid application id or application secret.")
    if token != settings.installation_token.lower():
        raise ApiError(401, "Invalid token: the application is not installed with this token.")
    session = state.store.open_session()
    return JSONResponse(_session_answer(session, settings, state.store.server_url))


def create_auth_app(state: SandboxState, settings: SandboxSettings) -> FastAPI:
    """Auth host (api.linnworks.net): only `/api/Auth/AuthorizeByApplication`."""
    app = FastAPI(title="Linnworks sandbox: auth host", docs_url=None, redoc_url=None, openapi_url=None)

    @app.api_route("/{path:path}", methods=ALL_VERBS)
    async def any_path(path: str, request: Request):
        response = None
        try:
            if path.strip("/").lower() != f"api/{AUTH_METHOD}".lower():
                raise not_found(str(request.url))
            response = await _authorize(state, settings, request)
        except ApiError as error:
            response = error.response()
        except Exception as error:  # noqa: BLE001
            response = _unexpected(error)
        finally:
            state.stats.record(AUTH_METHOD, response.status_code if response else 500, auth=True)
        return response

    return app
