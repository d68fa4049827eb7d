"""The report's HTML pages, rendered on the server: no build step, nothing loaded from elsewhere, and
no script needed (filters, sorting and paging are links and forms; one line of script submits a
filter when a list changes). They are shown in Airflow's iframe, so they carry their own small style,
light or dark as the browser prefers. Every value from staging is escaped."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from http import HTTPStatus
from urllib.parse import quote, urlencode

from pimflow.report.refused import DEFAULT_PAGE, Page

STYLE = """
:root { color-scheme: light dark; --fg: #1a202c; --muted: #5a6473; --bg: #ffffff; --line: #e2e8f0;
  --card: #f7f9fc; --accent: #0b6bcb; --bad: #c53030; --warn: #975a16; --ok: #2f855a; }
@media (prefers-color-scheme: dark) { :root { --fg: #e2e8f0; --muted: #a0aec0; --bg: #141a23;
  --line: #2d3748; --card: #1e2633; --accent: #63b3ed; --bad: #fc8181; --warn: #f6e05e; --ok: #68d391; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 16px 20px 32px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
a { color: var(--accent); } .muted { color: var(--muted); } code { font-size: 13px; }
.ids { color: var(--muted); word-break: break-all; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; border: 1px solid var(--line);
  margin-left: 6px; vertical-align: middle; }
.badge.success { color: var(--ok); border-color: var(--ok); } .badge.failed { color: var(--bad); border-color: var(--bad); }
.badge.dry_run { color: var(--warn); border-color: var(--warn); }
.line { margin: 8px 0 0; font-weight: 500; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin: 16px 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .n { font-size: 22px; font-weight: 600; } .card .what { color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: .03em; } .card .more { color: var(--muted); font-size: 12px; }
.card.refused .n { color: var(--bad); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; word-break: break-word; }
.alert { border: 1px solid var(--bad); color: var(--bad); border-radius: 8px; padding: 8px 12px; margin: 12px 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); white-space: nowrap; }
th a { color: inherit; text-decoration: none; } th a:hover { text-decoration: underline; }
td.message { word-break: break-word; } td.when { white-space: nowrap; } td.key { white-space: nowrap; font-family: ui-monospace, monospace; font-size: 13px; }
.kind-transient { color: var(--warn); } .kind-data { color: var(--bad); }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
input[type=search], select { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px;
  background: var(--bg); color: var(--fg); }
input[type=search] { min-width: 260px; }
button { font: inherit; padding: 4px 12px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent);
  color: #fff; cursor: pointer; }
.pager { display: flex; gap: 12px; align-items: center; margin: 8px 0; color: var(--muted); }
ul.files { list-style: none; padding: 0; margin: 0; } ul.files li { padding: 2px 0; }
"""

def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>")


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) else escape(str(value))


def _size(size) -> str:
    if not isinstance(size, int):
        return ""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return ""


def _when(text) -> str:
    """An ISO timestamp as `2026-03-01 10:05:00 UTC` (to the second); anything else as it is."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return str(text or "")
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if moment.tzinfo is not None else "")


def _link(url: str, params: dict, anchor: str = "") -> str:
    """`url` with the parameters that are set (an empty filter, offset 0 and false are left out)."""
    kept = {key: "true" if value is True else value for key, value in params.items()
            if value not in ("", None, False, 0)}
    return (f"{url}?{urlencode(kept)}" if kept else url) + (f"#{anchor}" if anchor else "")


def error_page(status: int, message: str, base: str) -> str:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return _page(f"pimflow run report: {phrase}",
                 f"<h1>No report to show</h1><p class=\"muted\">{status} {escape(phrase)}</p>"
                 f"<p id=\"reason\">{escape(message)}</p>")


def runs_page(dag_id: str, rows: list[dict], total: int, offset: int, per_page: int, base: str) -> str:
    body = [f"<h1>Run reports</h1><div class=\"ids\">{escape(dag_id)}</div>"]
    if not rows:
        body.append("<p>No run of this profile has a staging folder: none has started yet, or all have expired.</p>")
        return _page(f"Run reports: {dag_id}", "".join(body))
    body.append("<table id=\"runs\"><thead><tr><th>Run</th><th>Started</th><th>Finished</th><th>Outcome</th>"
                "<th>Summary</th></tr></thead><tbody>")
    for row in rows:
        run = (f"<a href=\"{escape(row['report'])}\">{escape(row['run_id'])}</a>" if row.get("report")
               else escape(row["run_id"]))
        line = escape(row["line"]) if row.get("line") else "<span class=\"muted\">no report: still going, or failed before its summary</span>"
        outcome = row.get("outcome") or ""
        body.append(f"<tr><td class=\"key\">{run}</td><td class=\"when\">{escape(_when(row.get('started_at')))}</td>"
                    f"<td class=\"when\">{escape(_when(row.get('finished_at')))}</td>"
                    f"<td>{f'<span class=badge {escape(outcome)}>{escape(outcome)}</span>' if outcome else ''}</td>"
                    f"<td>{line}</td></tr>")
    body.append("</tbody></table>")
    body.append(_pager(f"{base}/dags/{quote(dag_id, safe='')}", {}, offset, per_page, total, "runs"))
    return _page(f"Run reports: {dag_id}", "".join(body))


def _pager(url: str, params: dict, offset: int, limit: int, total: int, noun: str, anchor: str = "") -> str:
    if total <= limit and offset == 0:
        return f"<div class=\"pager\">{total:,} {noun}</div>"
    parts = [f"<span>{offset + 1:,}–{min(offset + limit, total):,} of {total:,} {noun}</span>"] if total else [f"<span>0 {noun}</span>"]
    if offset > 0:
        parts.append(f"<a href=\"{escape(_link(url, {**params, 'offset': max(0, offset - limit)}, anchor))}\">‹ previous</a>")
    if offset + limit < total:
        parts.append(f"<a href=\"{escape(_link(url, {**params, 'offset': offset + limit}, anchor))}\">next ›</a>")
    return f"<div class=\"pager\">{''.join(parts)}</div>"


@dataclass
class RunView:
    """Everything the run's page shows."""

    report: dict
    table: Page
    query: dict
    history: list[dict] | None
    history_error: str | None
    base: str
    page_url: str
    runs_url: str


def run_page(view: RunView) -> str:
    report = view.report
    title = f"Run report: {report['dag_id']} / {report['run_id']}"
    badges = "".join(f"<span class=\"badge {escape(name)}\">{escape(text)}</span>" for name, text in (
        (report.get("outcome") or "", report.get("outcome") or ""), ("dry_run", "dry run" if report["dry_run"] else ""))
        if text)
    body = [f"<p class=\"muted\"><a href=\"{escape(view.runs_url)}\">‹ all runs of this profile</a></p>",
            f"<h1>Run report{badges}</h1><div class=\"ids\">{escape(report['dag_id'])} · {escape(report['run_id'])}</div>",
            f"<p class=\"line\" id=\"line\">{escape(report['line'])}</p>" if report.get("line") else "",
            _cards(report), _details(report)]
    if report.get("threshold"):
        body.append(f"<div class=\"alert\" id=\"threshold\">Failed: {escape(report['threshold'])}</div>")
    if report["skipped_reasons"]:
        body.append("<h2>Skipped, and why</h2><table id=\"skipped\"><thead><tr><th>Code</th><th>Records</th>"
                    "<th>Reason (the first record's)</th></tr></thead><tbody>")
        body += [f"<tr><td class=\"key\">{escape(reason['code'])}</td><td>{_number(reason['count'])}</td>"
                 f"<td class=\"message\">{escape(reason['message'] or '')}</td></tr>" for reason in report["skipped_reasons"]]
        body.append("</tbody></table>")
    body.append(_files(report))
    body.append(_refused(view))
    body.append(_history(view))
    return _page(title, "".join(body))


def _cards(report: dict) -> str:
    counts, refused = report["counts"], report["refused"]
    if report["dry_run"]:
        written = ("Would write", counts["would_write"], "dry run: nothing sent")
    else:
        written = ("Written", counts["written"], f"created {counts['created']:,} · updated {counts['updated']:,}")
    cards = [("read", "Read", counts["read"], ""), ("written", *written),
             ("unchanged", "Unchanged", counts["unchanged"], ""),
             ("skipped", "Skipped", counts["skipped"], f"{len(report['skipped_reasons'])} reason(s)" if counts["skipped"] else ""),
             ("refused", "Refused", refused["total"],
              f"data {refused['data']:,} · transient {refused['transient']:,}")]
    if counts["warned"]:
        cards.append(("warned", "Warnings", counts["warned"], "in the feedback file"))
    return "<div class=\"cards\" id=\"counts\">" + "".join(
        f"<div class=\"card {name}\" data-count=\"{name}\"><div class=\"what\">{escape(label)}</div>"
        f"<div class=\"n\">{_number(value)}</div><div class=\"more\">{escape(more)}</div></div>"
        for name, label, value, more in cards) + "</div>"


def _details(report: dict) -> str:
    refused = report["refused"]
    rows = [("Window", report["window"]), ("Started", report.get("started_at") and _when(report["started_at"])),
            ("Finished", report.get("finished_at") and _when(report["finished_at"])),
            ("Refused", f"{refused['before_sending']:,} before sending, {refused['by_target']:,} by the target; "
                        f"{refused['data']:,} for their data, {refused['transient']:,} transient (tried again by the next run)")
            if refused["total"] else None]
    if report["carried_in"] or report["carried_over"]:
        rows.append(("Carry-over", f"{report['carried_in']:,} refused transiently before, selected again; "
                                   f"{report['carried_over']:,} refused transiently now, for the next run"))
    if report["not_found"]:
        rows.append(("Not found", ", ".join(map(str, report["not_found"]))
                     + " (identifiers from the trigger form that the source does not have)"))
    if report.get("output_location"):
        rows.append(("Output", report["output_location"]))
    items = "".join(f"<dt>{escape(label)}</dt><dd>{escape(str(value))}</dd>" for label, value in
                    (row for row in rows if row) if value)
    return f"<dl id=\"details\">{items}</dl>"


def _files(report: dict) -> str:
    names = {"feedback": "Feedback file", "output": "Output (staged)", "dry_run": "Dry run (diff and would-be output)"}
    if not report["files"]:
        return "<h2>Downloads</h2><p class=\"muted\">This run left no file to download.</p>"
    parts = ["<h2>Downloads</h2><dl id=\"downloads\">"]
    for area, label in names.items():
        files = [staged for staged in report["files"] if staged["area"] == area]
        if files:
            links = "".join(f"<li><a href=\"{escape(staged['url'])}\" download=\"{escape(staged['name'])}\">"
                            f"{escape(staged['name'])}</a> <span class=\"muted\">{_size(staged['size'])}</span></li>"
                            for staged in files)
            parts.append(f"<dt>{escape(label)}</dt><dd><ul class=\"files\">{links}</ul></dd>")
    parts.append("</dl>")
    return "".join(parts)


def _refused(view: RunView) -> str:
    table, query = view.table, view.query
    params = {key: query[key] for key in ("q", "kind", "code", "sort", "sku", "everywhere")}
    params.update(kind=params["kind"] if params["kind"] != "all" else "",
                  sort=params["sort"] if params["sort"] != "position" else "")
    params["limit"] = query["limit"] if query["limit"] != DEFAULT_PAGE else ""
    parts = ["<h2 id=\"refused-records\">Refused records</h2>"]
    if not table.total:
        parts.append("<p class=\"muted\">No record was refused.</p>")
        return "".join(parts)
    kinds = "".join(f"<option value=\"{value}\"{' selected' if query['kind'] == value else ''}>{label}</option>"
                    for value, label in (("all", "data and transient"), ("data", "data only"), ("transient", "transient only")))
    codes = "<option value=\"\">every code</option>" + "".join(
        f"<option value=\"{escape(code)}\"{' selected' if query['code'] == code else ''}>{escape(code)} ({count:,})</option>"
        for code, count in table.codes.items())
    hidden = "".join(f"<input type=\"hidden\" name=\"{name}\" value=\"{escape(str(value))}\">"
                     for name, value in (("sort", query["sort"] if query["sort"] != "position" else ""),
                                         ("limit", params["limit"]), ("sku", query["sku"]),
                                         ("everywhere", "true" if query["everywhere"] else "")) if value)
    parts.append(f"<form class=\"filters\" method=\"get\" action=\"{escape(view.page_url)}#refused-records\" id=\"filter\">"
                 f"<input type=\"search\" name=\"q\" value=\"{escape(query['q'])}\" placeholder=\"Filter: key, code or message\" "
                 f"aria-label=\"Filter the refused records\">"
                 f"<select name=\"kind\" aria-label=\"Refusal kind\" onchange=\"this.form.submit()\">{kinds}</select>"
                 f"<select name=\"code\" aria-label=\"Refusal code\" onchange=\"this.form.submit()\">{codes}</select>"
                 f"{hidden}<button type=\"submit\">Filter</button></form>")
    header = []
    for field, label in (("key", "Key"), ("code", "Code"), ("message", "Message"), ("kind", "Kind"), ("step", "Step")):
        current = query["sort"].lstrip("-") == field
        descending = query["sort"].startswith("-")
        target = f"-{field}" if current and not descending else field
        arrow = (" ▼" if descending else " ▲") if current else ""
        header.append(f"<th><a href=\"{escape(_link(view.page_url, {**params, 'sort': target}, 'refused-records'))}\" "
                      f"title=\"sort by {label.lower()}\">{label}{arrow}</a></th>")
    parts.append(f"<table id=\"refused\"><thead><tr>{''.join(header)}</tr></thead><tbody>")
    for item in table.items:
        parts.append(f"<tr><td class=\"key\">{escape(item.key)}</td><td class=\"key\">{escape(item.code)}</td>"
                     f"<td class=\"message\">{escape(item.message)}</td>"
                     f"<td class=\"kind-{item.kind}\">{item.kind}</td><td>{escape(item.step)}</td></tr>")
    if not table.items:
        parts.append("<tr><td colspan=\"5\" class=\"muted\">No refused record matches the filter.</td></tr>")
    parts.append("</tbody></table>")
    matched = "refused records" + (f" (of {table.total:,})" if table.matched != table.total else "")
    parts.append(_pager(view.page_url, params, table.offset, table.limit, table.matched, matched, "refused-records"))
    return "".join(parts)


def _history(view: RunView) -> str:
    query = view.query
    checked = " checked" if query["everywhere"] else ""
    parts = ["<h2 id=\"history\">What happened to a record</h2>",
             f"<form class=\"filters\" method=\"get\" action=\"{escape(view.page_url)}#history\" id=\"history-search\">"
             f"<input type=\"search\" name=\"sku\" value=\"{escape(query['sku'])}\" placeholder=\"SKU or identifier\" "
             f"aria-label=\"SKU or identifier\">"
             f"<label><input type=\"checkbox\" name=\"everywhere\" value=\"true\"{checked}> every profile</label>"
             f"<button type=\"submit\">Search</button></form>"]
    if view.history_error:
        parts.append(f"<p class=\"alert\">{escape(view.history_error)}</p>")
    elif view.history is not None:
        if not view.history:
            parts.append(f"<p class=\"muted\">No run recorded anything for {escape(query['sku'])}.</p>")
        else:
            parts.append("<table id=\"history-results\"><thead><tr><th>Finished</th><th>Profile</th><th>Run</th>"
                         "<th>Step</th><th>Status</th><th>Code</th><th>Message</th><th>Target id</th></tr></thead><tbody>")
            for entry in view.history:
                kind = " (transient)" if entry["transient"] else ""
                parts.append(f"<tr><td class=\"when\">{escape(_when(entry['finished_at']))}</td><td>{escape(entry['dag_id'])}</td>"
                             f"<td class=\"key\"><a href=\"{escape(entry['report'])}\">{escape(entry['run_id'])}</a></td>"
                             f"<td>{escape(entry['step'] or '')}</td><td>{escape(entry['status'])}{kind}</td>"
                             f"<td class=\"key\">{escape(entry['code'] or '')}</td>"
                             f"<td class=\"message\">{escape(entry['message'] or '')}</td>"
                             f"<td class=\"key\">{escape(entry['target_id'] or '')}</td></tr>")
            parts.append("</tbody></table>")
    return "".join(parts)
