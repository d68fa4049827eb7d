"""The Akeneo-compatible FastAPI app: create_app(state, settings)."""
from __future__ import annotations

from typing import Optional

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from sandbox.akeneo.auth import token_answer
from sandbox.akeneo.catalog import generate_catalog
from sandbox.akeneo.errors import ApiError
from sandbox.akeneo.routes_category_writes import router as category_writes_router
from sandbox.akeneo.routes_control import router as control_router
from sandbox.akeneo.routes_events import control as events_control_router
from sandbox.akeneo.routes_events import router as event_platform_router
from sandbox.akeneo.routes_models import router as models_router
from sandbox.akeneo.routes_products import router as products_router
from sandbox.akeneo.routes_reference import router as reference_router
from sandbox.akeneo.routes_structure import router as structure_router
from sandbox.akeneo.routes_user_edits import router as user_edits_router
from sandbox.akeneo.settings import SandboxSettings
from sandbox.akeneo.state import AkeneoState
from sandbox.akeneo.web import Runtime, json_response, runtime

DEFAULT_PRODUCTS = 100


class SandboxApp(FastAPI):
    """FastAPI with the fault injector in front of everything under /api/.

    It sits here, before Starlette's middleware stack, because dropping a connection needs the
    server's own `send` (the stack wraps it).
    """

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await super().__call__(scope, receive, send)
            return
        faults = self.state.sandbox.faults
        await faults.handle(scope, receive, send, self._route_key(scope), super().__call__)

    def _route_key(self, scope: dict) -> str:
        """`METHOD /route/template` for the stats, e.g. `GET /api/rest/v1/products/{code}`."""
        fallback = None
        for route in self.router.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return f"{scope['method']} {getattr(route, 'path_format', scope['path'])}"
            if match == Match.PARTIAL and fallback is None:
                fallback = route
        return f"{scope['method']} {getattr(fallback, 'path_format', scope['path'])}"


def create_app(state: Optional[AkeneoState] = None, settings: Optional[SandboxSettings] = None) -> FastAPI:
    """A sandbox serving `state` (default: a generated catalog of 100 products, seed 42)."""
    app = SandboxApp(title="Akeneo sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sandbox = Runtime(state=state if state is not None else generate_catalog(DEFAULT_PRODUCTS),
                                settings=settings if settings is not None else SandboxSettings())

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> Response:
        return json_response(error.body(), status=error.status, headers=error.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = f'No route found for "{request.method} {request.url.path}"'
        if error.status_code == 405:
            allowed = sorted({method for route in app.router.routes
                              if route.matches(request.scope)[0] != Match.NONE
                              for method in getattr(route, "methods", ()) if method != "HEAD"})
            message += f": Method Not Allowed (Allow: {', '.join(allowed)})"
        return json_response({"code": error.status_code, "message": message}, status=error.status_code)

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> Response:
        return json_response({"code": 500, "message": "Internal Server Error"}, status=500)

    @app.post("/api/oauth/v1/token")
    async def token(request: Request) -> Response:
        sandbox = runtime(request)
        return json_response(await token_answer(request, sandbox.tokens, sandbox.settings))

    @app.get("/api/rest/v1")
    async def api_root(request: Request) -> Response:
        # The only REST route without authentication: the list of endpoints.
        routes = {route.name: {"route": route.path, "methods": sorted(route.methods)}
                  for route in app.routes if getattr(route, "path", "").startswith("/api/rest/v1/")}
        return json_response({"host": str(request.base_url).rstrip("/"), "authentication": {
            "fos_oauth_server_token": {"route": "/api/oauth/v1/token", "methods": ["POST"]}}, "routes": routes})

    app.include_router(products_router)
    app.include_router(models_router)
    app.include_router(category_writes_router)
    app.include_router(reference_router)
    app.include_router(structure_router)
    app.include_router(control_router)
    app.include_router(user_edits_router)
    app.include_router(event_platform_router)  # the Event Platform's management API (routes_events.py)
    app.include_router(events_control_router)
    return app
