"""The receiver of Akeneo Event Platform deliveries: a FastAPI app the Airflow API server serves under
`/pimflow/events` (plugin.py), one URL per Akeneo connection: `/pimflow/events/akeneo/<conn_id>`.

Akeneo calls it, not a logged-in user: a delivery is authenticated by its signature alone, with the
secrets of the Airflow connection the URL names (settings.py). In order:

1. the connection must be an Akeneo connection with `events_secret` in its extra, and the body's
   HMAC-SHA256 must match one of the delivery's signatures under one of its secrets;
2. the events must be fresh (their `time`, inside the signed body: envelope.py);
3. the events not received before are recorded as one asset event on `akeneo://<conn_id>/products`,
   with their receipts, in one transaction (receipts.py; the extra is contract.py's).

Anything failing 1 or 2 is answered 401 and leaves nothing behind (the reason goes to the API
server's log, never to the caller). An authentic delivery the receiver cannot read gets 400, one it
could not record (the database) 503, so the platform retries; everything else 200 at once: the
platform wants an answer within seconds, and recording is one short transaction. `HEAD` answers 200
for a connection set up for events (the platform checks a destination with HEAD before subscribing
it) and 404 otherwise.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pimflow.events.envelope import MalformedDelivery, StaleDelivery, check_fresh, read_delivery
from pimflow.events.receipts import Recorded, ensure_table, record_delivery
from pimflow.events.settings import EventsConfigError, ReceiverSettings, load_settings
from pimflow.events.signature import verified

log = logging.getLogger("pimflow.events")

URL_PREFIX = "/pimflow/events"
MAX_BODY = 1_000_000  # a batch of 100 events is about 50 KB
ATTEMPTS = 3


def _unauthorized() -> Response:
    return JSONResponse({"detail": "Unauthorized"}, status_code=401)


def _record(conn_id: str, changes, now: float) -> Recorded:
    """One transaction; retried when another process took some of the same events at the same time."""
    from airflow import settings
    from airflow.utils.session import create_session

    ensure_table(settings.engine)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with create_session() as session:
                return record_delivery(session, conn_id, changes, now)
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def create_app(clock: Callable[[], float] = time.time,
               settings_for: Callable[[str], ReceiverSettings] = load_settings,
               record: Callable[[str, list, float], Recorded] = _record) -> FastAPI:
    """The receiver app; `clock` (epoch seconds), `settings_for` and `record` are for tests."""
    app = FastAPI(title="pimflow: Akeneo event receiver", docs_url=None, redoc_url=None, openapi_url=None)

    @app.head("/akeneo/{conn_id}")
    def check(conn_id: str) -> Response:
        try:
            settings_for(conn_id)
        except EventsConfigError as exc:
            log.warning("Akeneo event destination check for %s: %s", conn_id, exc)
            return Response(status_code=404)
        return Response(status_code=200)

    @app.post("/akeneo/{conn_id}")
    async def receive(conn_id: str, request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
            return JSONResponse({"detail": f"a delivery is at most {MAX_BODY} bytes"}, status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"detail": f"a delivery is at most {MAX_BODY} bytes"}, status_code=413)
        # the connection lookup and the database run in the thread pool, never on the server's loop
        return await run_in_threadpool(handle, conn_id, body, request.headers)

    def handle(conn_id: str, body: bytes, headers) -> Response:
        try:
            settings = settings_for(conn_id)
        except EventsConfigError as exc:
            log.warning("Akeneo event delivery refused (401): %s", exc)
            return _unauthorized()
        if not verified(body, headers, settings.secrets):
            log.warning("Akeneo event delivery for %s refused (401): no valid signature", conn_id)
            return _unauthorized()
        try:
            delivery = read_delivery(body)
        except MalformedDelivery as exc:
            log.warning("Akeneo event delivery for %s refused (400): %s", conn_id, exc)
            return JSONResponse({"detail": str(exc)}, status_code=400)
        now = clock()
        try:
            check_fresh(delivery, now, settings.max_age)
        except StaleDelivery as exc:
            log.warning("Akeneo event delivery for %s refused (401): %s", conn_id, exc)
            return _unauthorized()
        try:
            recorded = record(conn_id, delivery.changes, now)
        except (IntegrityError, OperationalError) as exc:
            log.warning("Akeneo event delivery for %s not recorded (503, the platform retries): %s", conn_id, exc)
            return JSONResponse({"detail": "not recorded, try again"}, status_code=503)
        if recorded.asset_event_id is not None:
            log.info("Akeneo events for %s: %d new (%d already received) recorded as asset event %s",
                     conn_id, len(recorded.new), recorded.duplicates, recorded.asset_event_id)
        return JSONResponse({"received": len(recorded.new), "duplicates": recorded.duplicates,
                             "asset_event_id": recorded.asset_event_id})

    return app
