"""The run report's FastAPI app, mounted by the API server under `/pimflow` (see `plugin.py`).

Every route asks Airflow's auth manager, through Airflow's own security dependencies: the caller's
JWT (the UI's `_token` cookie, or an `Authorization: Bearer` header) must be valid (401/403
otherwise), and the user must be allowed to read the DAG's runs (`requires_access_dag("GET", RUN)`,
403 otherwise). Routes are plain functions: FastAPI runs them in worker threads, where reading
staging (a local disk or an object store) blocks no one.

    GET /dags/{dag_id}                                    HTML: the DAG's runs that have a report
    GET /dags/{dag_id}/runs/{run_id}                      HTML: the run's report
    GET /api/dags/{dag_id}/runs                           JSON: the DAG's runs
    GET /api/dags/{dag_id}/runs/{run_id}                  JSON: window, counts, reasons, files
    GET /api/dags/{dag_id}/runs/{run_id}/refused          JSON: one page of the refused records
    GET /api/dags/{dag_id}/runs/{run_id}/files/{area}/{name}   a file, streamed (area: feedback, output, dry_run)
    GET /api/history?key=SKU[&dag_id=...]                 JSON: what happened to a record, run by run
"""
from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse

# Only the API server imports this module (plugin.py builds the app on first use): the other Airflow
# components that load the plugin never import the API server's security modules for it.
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from airflow.api_fastapi.core_api.security import GetUserDep, requires_access_dag

from pimflow.report import downloads, pages
from pimflow.report.overview import overview
from pimflow.report.refused import DEFAULT_PAGE, MAX_PAGE, SORTS, RefusalCache, page
from pimflow.report.store import DagFolder, ReportError, RunFolder, in_threads, reading

#: The DAG's runs shown per page of the runs list.
RUNS_PER_PAGE = 25
HISTORY_LIMIT = 200
SORT_PATTERN = r"^-?(" + "|".join(SORTS) + r")$"


def create_app() -> FastAPI:
    """The app, its routes guarded by Airflow's security dependencies."""
    app = FastAPI(title="pimflow run report", docs_url=None, redoc_url=None, openapi_url=None)
    can_read_runs = [Depends(requires_access_dag(method="GET", access_entity=DagAccessEntity.RUN))]
    cache = RefusalCache()

    @app.exception_handler(ReportError)
    def report_error(request: Request, exc: ReportError):
        if _is_api(request):
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        return HTMLResponse(pages.error_page(exc.status, exc.message, _base(request)), status_code=exc.status)

    @app.get("/api/dags/{dag_id}/runs", dependencies=can_read_runs)
    def runs_api(request: Request, dag_id: str, offset: Annotated[int, Query(ge=0)] = 0,
                 limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = RUNS_PER_PAGE) -> dict:
        rows, total = _runs(DagFolder(dag_id), offset, limit)
        return {"dag_id": dag_id, "total": total, "offset": offset, "limit": limit,
                "runs": [{**row, "report": _run_url(request, dag_id, row["run_id"]) if row["has_report"] else None}
                         for row in rows]}

    @app.get("/api/dags/{dag_id}/runs/{run_id}", dependencies=can_read_runs)
    def run_api(request: Request, dag_id: str, run_id: str) -> dict:
        return _overview(request, RunFolder(DagFolder(dag_id), run_id))

    @app.get("/api/dags/{dag_id}/runs/{run_id}/refused", dependencies=can_read_runs)
    def refused_api(dag_id: str, run_id: str, q: Annotated[str, Query(max_length=500)] = "",
                    kind: Literal["all", "data", "transient"] = "all", code: Annotated[str, Query(max_length=200)] = "",
                    sort: Annotated[str, Query(pattern=SORT_PATTERN)] = "position",
                    offset: Annotated[int, Query(ge=0)] = 0,
                    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE) -> dict:
        run = RunFolder(DagFolder(dag_id), run_id)
        run.summary()  # the run's own report (and a 404 saying why when there is none)
        return page(cache.refusals(run), q, kind, code, sort, offset, limit).to_dict()

    @app.get("/api/dags/{dag_id}/runs/{run_id}/files/{area}/{name}", dependencies=can_read_runs)
    def download(dag_id: str, run_id: str, area: str, name: str) -> StreamingResponse:
        run = RunFolder(DagFolder(dag_id), run_id)
        run.summary()
        path = run.file(area, name)
        with reading(f"{area}/{name}"):
            size = path.stat().st_size
            handle = path.open("rb")
        headers = {"Content-Disposition": downloads.content_disposition(downloads.download_name(dag_id, run_id, name))}
        if size:
            headers["Content-Length"] = str(size)
        return StreamingResponse(downloads.chunks(handle), media_type=downloads.content_type(name), headers=headers)

    @app.get("/api/history", dependencies=can_read_runs)
    def history_api(request: Request, user: GetUserDep, key: Annotated[str, Query(min_length=1, max_length=500)],
                    dag_id: str = "", limit: Annotated[int, Query(ge=1, le=1000)] = HISTORY_LIMIT) -> dict:
        entries = _history(user, key, dag_id or None, limit)
        return {"key": key, "dag_id": dag_id or None,
                "entries": [{**entry, "report": _run_url(request, entry["dag_id"], entry["run_id"])} for entry in entries]}

    @app.get("/dags/{dag_id}", response_class=HTMLResponse, dependencies=can_read_runs)
    def runs_page(request: Request, dag_id: str, offset: Annotated[int, Query(ge=0)] = 0) -> HTMLResponse:
        rows, total = _runs(DagFolder(dag_id), offset, RUNS_PER_PAGE)
        for row in rows:
            row["report"] = _page_url(request, dag_id, row["run_id"]) if row["has_report"] else None
        return HTMLResponse(pages.runs_page(dag_id, rows, total, offset, RUNS_PER_PAGE, _base(request)))

    @app.get("/dags/{dag_id}/runs/{run_id}", response_class=HTMLResponse, dependencies=can_read_runs)
    def run_page(request: Request, user: GetUserDep, dag_id: str, run_id: str,
                 q: Annotated[str, Query(max_length=500)] = "", kind: Literal["all", "data", "transient"] = "all",
                 code: Annotated[str, Query(max_length=200)] = "",
                 sort: Annotated[str, Query(pattern=SORT_PATTERN)] = "position",
                 offset: Annotated[int, Query(ge=0)] = 0,
                 limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
                 sku: Annotated[str, Query(max_length=500)] = "", everywhere: bool = False) -> HTMLResponse:
        run = RunFolder(DagFolder(dag_id), run_id)
        report = _overview(request, run)
        table = page(cache.refusals(run), q, kind, code, sort, offset, limit)
        history, history_error = None, None
        if sku.strip():
            try:
                history = _history(user, sku.strip(), None if everywhere else dag_id, HISTORY_LIMIT)
                for entry in history:
                    entry["report"] = _page_url(request, entry["dag_id"], entry["run_id"])
            except ReportError as exc:  # the report itself stands; the search says what went wrong
                history_error = exc.message
        view = pages.RunView(report=report, table=table, query={"q": q, "kind": kind, "code": code, "sort": sort,
                                                                "limit": limit, "sku": sku, "everywhere": everywhere},
                             history=history, history_error=history_error, base=_base(request),
                             page_url=_page_url(request, dag_id, run_id), runs_url=f"{_base(request)}/dags/{quote(dag_id, safe='')}")
        return HTMLResponse(pages.run_page(view))

    return app


def _is_api(request: Request) -> bool:
    return request.url.path.removeprefix(_base(request)).startswith("/api/")


def _base(request: Request) -> str:
    """Where the app is mounted, as the browser sees it (Airflow's base path + `/pimflow`)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _run_url(request: Request, dag_id: str, run_id: str) -> str:
    return f"{_base(request)}/api/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def _page_url(request: Request, dag_id: str, run_id: str) -> str:
    return f"{_base(request)}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def _overview(request: Request, run: RunFolder) -> dict:
    summary = run.summary()
    report = overview(run, summary, run.files())
    files_base = _run_url(request, run.dag_id, run.run_id) + "/files"
    for staged in report["files"]:
        staged["url"] = f"{files_base}/{staged['area']}/{quote(staged['name'], safe='')}"
    return report


def _runs(dag: DagFolder, offset: int, limit: int) -> tuple[list[dict], int]:
    """A page of the DAG's run folders, newest first, with each one's summary line."""
    folders = dag.runs()
    shown = folders[offset:offset + limit]

    def row(folder: RunFolder) -> dict:
        marks = folder.marks() or {}
        try:
            summary = folder.summary()
        except ReportError:
            summary = None
        return {"run_id": (summary or {}).get("run_id") or folder.run_id, "folder": folder.root.name,
                "started_at": marks.get("started_at"), "finished_at": marks.get("finished_at"),
                "outcome": marks.get("outcome"), "line": (summary or {}).get("line"),
                "dry_run": bool((summary or {}).get("dry_run")), "has_report": summary is not None}

    return in_threads([lambda folder=folder: row(folder) for folder in shown]), len(folders)


def _history(user, key: str, dag_id: str | None, limit: int) -> list[dict]:
    """What `pimflow.history.record_history` says happened to `key`, newest first; without a DAG,
    only the entries of DAGs the user may read."""
    try:
        from pimflow.history import record_history
    except ImportError as exc:
        if exc.name not in ("pimflow.history",):
            raise
        raise ReportError(501, "a record's history is not available: this installation of pimflow has no "
                               "pimflow.history") from None
    with reading(f"the history of {key}"):
        entries = record_history(key, dag_id=dag_id, limit=limit)
    if dag_id is None:
        from airflow.api_fastapi.app import get_auth_manager

        allowed = get_auth_manager().get_authorized_dag_ids(user=user, method="GET")
        entries = [entry for entry in entries if entry.dag_id in allowed]
    return [{"dag_id": entry.dag_id, "run_id": entry.run_id, "finished_at": entry.finished_at, "step": entry.step,
             "status": str(getattr(entry.status, "value", entry.status)), "code": entry.code,
             "message": entry.message, "transient": bool(entry.transient), "target_id": entry.target_id}
            for entry in entries]
