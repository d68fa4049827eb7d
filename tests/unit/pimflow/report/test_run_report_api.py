"""The run report's API and pages through Airflow's own API server app, against runs staged in a local
folder with pimflow's writers: counts, the refused table (filter, sort, paging), downloads equal to
the staged files, names that would leave the run's folder, expired runs, and who may read what."""
from __future__ import annotations

import os
import re
import sys
import types
from dataclasses import dataclass
from datetime import datetime, timezone
from html import unescape

import pytest

from report_helpers import DAG_ID, FEEDBACK, OTHER_DAG, REFUSED, RUN_ID, page_url, run_url, stage_run, staged_bytes


def test_the_plugin_is_served_by_the_api_server_and_listed_as_views_of_runs_and_dags(api_server):
    answer = api_server.get("/api/v2/plugins")
    assert answer.status_code == 200, answer.text
    [plugin] = [plugin for plugin in answer.json()["plugins"] if plugin["name"] == "pimflow_report"]
    assert [app["url_prefix"] for app in plugin["fastapi_apps"]] == ["/pimflow"]
    views = {view["destination"]: view for view in plugin["external_views"]}
    assert views["dag_run"]["href"] == "/pimflow/dags/{DAG_ID}/runs/{RUN_ID}"
    assert views["dag"]["href"] == "/pimflow/dags/{DAG_ID}"
    assert views["dag_run"]["url_route"] != views["dag"]["url_route"]


def test_the_summary_has_the_window_the_counts_and_the_refusals_split_into_data_and_transient(api_server, local_base):
    stage_run(local_base)
    answer = api_server.get(run_url())
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["window"].startswith("manual: since the last successful run")
    assert report["counts"] == {"read": 12, "written": 3, "created": 2, "updated": 1, "would_write": 0,
                                "unchanged": 2, "skipped": 1, "refused": 6, "warned": 0}
    assert report["refused"] == {"total": 6, "data": 4, "transient": 2, "before_sending": 2, "by_target": 4}
    assert report["skipped_reasons"] == [{"code": "not_in_linnworks", "count": 1,
                                          "message": "S-1 is not in Linnworks and create_products is off"}]
    assert report["line"] == "read 12 · written 3 · unchanged 2 · skipped 1 · refused 6 (4 data, 2 transient)"
    assert report["outcome"] == "success" and report["finished_at"].startswith("2026-03-01T10:05")
    assert [(f["area"], f["name"], f["size"]) for f in report["files"]] == [
        ("feedback", "feedback.csv", len(FEEDBACK)), ("output", "part-00000.csv", 19)]


def test_the_refused_records_are_listed_with_key_code_message_kind_and_step(api_server, local_base):
    stage_run(local_base)
    answer = api_server.get(run_url() + "/refused")
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert (page["total"], page["matched"], page["offset"]) == (6, 6, 0)
    assert [(i["key"], i["code"], i["message"], i["transient"], i["step"]) for i in page["items"]] == [
        (key or "record 5 of chunk 2", code, message, transient, step) for key, code, message, transient, step in REFUSED]
    assert page["codes"] == {"422": 1, "429": 1, "503": 1, "invalid_value": 1, "missing_value": 1, "no_result": 1}


def test_the_refused_table_filters_by_text_kind_and_code(api_server, local_base):
    stage_run(local_base)
    keys = lambda **params: [item["key"] for item in api_server.get(run_url() + "/refused", params=params).json()["items"]]
    assert keys(kind="transient") == ["B-1", "C-9"]
    assert keys(kind="data") == ["A-3", "A-5", "A-7", "record 5 of chunk 2"]
    assert keys(q="PRICE") == ["A-3", "A-5"]  # any case, in the message
    assert keys(q="b-1") == ["B-1"]  # in the key
    assert keys(q="price", kind="transient") == []
    assert keys(code="422") == ["A-7"]
    filtered = api_server.get(run_url() + "/refused", params={"q": "akeneo"}).json()
    assert (filtered["total"], filtered["matched"]) == (6, 1)


def test_the_refused_table_sorts_by_each_column_both_ways(api_server, local_base):
    stage_run(local_base)
    keys = lambda sort: [item["key"] for item in api_server.get(run_url() + "/refused", params={"sort": sort}).json()["items"]]
    assert keys("key") == ["A-3", "A-5", "A-7", "B-1", "C-9", "record 5 of chunk 2"]
    assert keys("-key") == ["record 5 of chunk 2", "C-9", "B-1", "A-7", "A-5", "A-3"]
    assert keys("code") == ["A-7", "C-9", "B-1", "A-5", "A-3", "record 5 of chunk 2"]
    assert keys("kind") == ["A-3", "A-5", "A-7", "record 5 of chunk 2", "B-1", "C-9"]  # data first
    assert keys("-position") == ["C-9", "record 5 of chunk 2", "A-7", "B-1", "A-5", "A-3"]
    refused = api_server.get(run_url() + "/refused", params={"sort": "colour"})
    assert refused.status_code == 422 and "sort" in refused.text


def test_a_big_run_is_paged_and_a_page_never_holds_more_than_the_limit(api_server, local_base):
    many = [(f"K-{i:05d}", "invalid_value" if i % 3 else "503", f"line {i + 2}: refused", i % 3 == 0, "load")
            for i in range(2345)]
    stage_run(local_base, refused=many)
    first = api_server.get(run_url() + "/refused", params={"limit": 100}).json()
    assert (first["total"], first["matched"], len(first["items"])) == (2345, 2345, 100)
    assert first["items"][0]["key"] == "K-00000" and first["items"][-1]["key"] == "K-00099"
    last = api_server.get(run_url() + "/refused", params={"limit": 100, "offset": 2300}).json()
    assert [item["key"] for item in last["items"]] == [f"K-{i:05d}" for i in range(2300, 2345)]
    transient = api_server.get(run_url() + "/refused", params={"kind": "transient", "limit": 500, "offset": 500}).json()
    assert transient["matched"] == 782 and len(transient["items"]) == 282
    assert all(item["code"] == "503" for item in transient["items"])
    too_big = api_server.get(run_url() + "/refused", params={"limit": 100_000})
    assert too_big.status_code == 422 and "limit" in too_big.text


def test_downloads_are_the_staged_files_byte_for_byte_with_their_type_and_name(api_server, local_base):
    run = stage_run(local_base, output={"part-00000.csv": b"sku,title\nW-0,Shoe\n", "part-00001.csv": b"sku\n"},
                    dry_run_files={"diff-00000.csv": b"sku,field,old,new,action,endpoint\nW-1,title,,Shoe,create,\n",
                                   "akeneo-products-00000.jsonl": b'{"identifier":"W-1"}\n'})
    answer = api_server.get(run_url() + "/files/feedback/feedback.csv")
    assert answer.status_code == 200, answer.text
    assert answer.content == FEEDBACK == staged_bytes(run.root / "feedback.csv")
    assert answer.headers["content-type"].startswith("text/csv")
    assert re.search(r'attachment; filename="report_demo-manual__2026-03-01T10_00_00_00_00-feedback\.csv"',
                     answer.headers["content-disposition"])
    for area, files in (("output", run.output), ("dry_run", run.dry_run)):
        for name, data in files.items():
            answer = api_server.get(f"{run_url()}/files/{area}/{name}")
            assert answer.status_code == 200, answer.text
            assert answer.content == data == staged_bytes(run.root / area / name)
    jsonl = api_server.get(run_url() + "/files/dry_run/akeneo-products-00000.jsonl")
    assert jsonl.headers["content-type"] == "application/x-ndjson"
    listed = [(f["area"], f["name"]) for f in api_server.get(run_url()).json()["files"]]
    assert listed == [("feedback", "feedback.csv"), ("output", "part-00000.csv"), ("output", "part-00001.csv"),
                      ("dry_run", "akeneo-products-00000.jsonl"), ("dry_run", "diff-00000.csv")]


def test_a_file_outside_the_runs_folder_cannot_be_downloaded(api_server, local_base, tmp_path):
    run = stage_run(local_base)
    secret = local_base / DAG_ID / "state.json"
    with secret.open("w") as handle:
        handle.write('{"secret": true}')
    (tmp_path / "elsewhere.csv").write_text("not the run's")
    os.symlink(tmp_path / "elsewhere.csv", (run.root / "output" / "link.csv").path)  # leads out of the folder
    for url in (f"{run_url()}/files/output/..%2F..%2F..%2Fstate.json", f"{run_url()}/files/output/..",
                f"{run_url()}/files/output/.hidden", f"{run_url()}/files/feedback/summary.json",
                f"{run_url()}/files/ledger/run.jsonl", f"{run_url()}/files/output/%2Fetc%2Fpasswd"):
        answer = api_server.get(url)
        assert answer.status_code in (400, 404), (url, answer.status_code, answer.text)
        assert "secret" not in answer.text and "root:" not in answer.text
    escaping = api_server.get(f"{run_url()}/files/output/link.csv")
    assert escaping.status_code == 403 and "outside the run's staging folder" in escaping.json()["detail"]
    for dag_id, run_id in ((DAG_ID, ".."), ("..", RUN_ID), ("..", "..")):
        answer = api_server.get(run_url(dag_id, run_id))
        assert answer.status_code in (400, 403, 404), answer.text


def test_a_run_whose_staging_expired_or_a_dag_that_is_not_pimflows_is_a_404_saying_so(api_server, local_base):
    stage_run(local_base)
    expired = api_server.get(run_url(DAG_ID, "scheduled__2025-01-01T00:00:00+00:00"))
    assert expired.status_code == 404
    assert "has no staging folder (any more)" in expired.json()["detail"]
    assert "14 days after the run finished" in expired.json()["detail"]
    stranger = api_server.get(run_url("some_other_dag", RUN_ID))
    assert stranger.status_code == 404 and "not the DAG of a pimflow profile" in stranger.json()["detail"]
    page = api_server.get(page_url(DAG_ID, "scheduled__2025-01-01T00:00:00+00:00"))
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "has no staging folder (any more)" in unescape(page.text)
    for url in (run_url(DAG_ID, "gone") + "/refused", run_url(DAG_ID, "gone") + "/files/feedback/feedback.csv"):
        assert api_server.get(url).status_code == 404
    assert not (local_base / DAG_ID / "runs" / "gone").exists()  # asking never creates a folder
    assert not (local_base / "some_other_dag").exists()


def test_a_run_without_a_summary_yet_says_it_is_still_going_or_failed_before_feedback(api_server, local_base):
    from pimflow.staging import RunStaging

    RunStaging(local_base, DAG_ID, "manual__running").mark_started()
    answer = api_server.get(run_url(DAG_ID, "manual__running"))
    assert answer.status_code == 404 and "has no report yet" in answer.json()["detail"]


def test_another_runs_folder_of_the_same_name_is_never_shown(api_server, local_base):
    stage_run(local_base, run_id="manual__a:b")  # its folder is manual__a_b
    assert api_server.get(run_url(DAG_ID, "manual__a:b")).status_code == 200
    other = api_server.get(run_url(DAG_ID, "manual__a_b"))
    assert other.status_code == 404 and "holds the report of run 'manual__a:b'" in other.json()["detail"]


def test_a_request_without_a_valid_airflow_login_is_refused(api_server, local_base):
    stage_run(local_base)
    for url in (run_url(), run_url() + "/refused", run_url() + "/files/feedback/feedback.csv", page_url(),
                f"/pimflow/dags/{DAG_ID}", "/pimflow/api/history?key=A-3"):
        assert api_server.get(url, user=None).status_code == 401, url
        forged = api_server.get(url, user=None, headers={"Authorization": "Bearer not.a.token"})
        assert forged.status_code == 403, url
        assert FEEDBACK[:20] not in forged.content
    no_role = api_server.get(run_url(), user="nobody")
    assert no_role.status_code == 403


def test_the_ui_login_cookie_is_what_the_iframe_sends_and_it_is_enough(api_server, local_base):
    stage_run(local_base)
    api_server.client.cookies.set("_token", api_server.tokens["admin"])
    try:
        answer = api_server.get(page_url(), user=None)
    finally:
        api_server.client.cookies.clear()
    assert answer.status_code == 200 and "Run report" in answer.text


def test_a_user_who_may_not_read_the_dag_cannot_read_its_report(api_server, local_base):
    stage_run(local_base)
    other = stage_run(local_base, dag_id=OTHER_DAG)
    for url in (run_url(), run_url() + "/refused", run_url() + "/files/feedback/feedback.csv", page_url(),
                f"/pimflow/dags/{DAG_ID}", f"/pimflow/api/history?key=A-3&dag_id={DAG_ID}"):
        answer = api_server.get(url, user="alice")
        assert answer.status_code == 403, (url, answer.status_code, answer.text)
        assert FEEDBACK[:20] not in answer.content and "A-3" not in answer.text
    allowed = api_server.get(run_url(OTHER_DAG), user="alice")
    assert allowed.status_code == 200 and allowed.json()["dag_id"] == other.dag_id


def test_the_report_page_shows_the_counts_the_refused_messages_and_the_download_links(api_server, local_base):
    stage_run(local_base)
    page = api_server.get(page_url())
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = unescape(page.text)
    assert "manual: since the last successful run" in text
    assert "data 4 · transient 2" in text
    for key, code, message, _, _ in REFUSED:
        assert message in text and code in text
    assert f'href="{run_url()}/files/feedback/feedback.csv"' in page.text  # the run id %-encoded in it
    assert "<script" not in page.text.lower() and "http://" not in page.text and "https://" not in page.text


def test_the_report_page_filters_sorts_and_pages_on_the_server(api_server, local_base):
    many = [(f"K-{i:04d}", "invalid_value", f"message number {i}", False, "load") for i in range(120)]
    stage_run(local_base, refused=many)
    first = unescape(api_server.get(page_url()).text)
    assert "K-0000" in first and "K-0049" in first and "K-0050" not in first
    assert "1–50 of 120 refused records" in first
    second = unescape(api_server.get(page_url(), params={"offset": 50}).text)
    assert "K-0050" in second and "K-0000" not in second
    sorted_desc = unescape(api_server.get(page_url(), params={"sort": "-key"}).text)
    assert sorted_desc.index("K-0119") < sorted_desc.index("K-0118") and "K-0000" not in sorted_desc
    filtered = unescape(api_server.get(page_url(), params={"q": "number 7"}).text)
    assert re.findall(r"K-\d{4}", filtered) == ["K-0007", "K-0070", "K-0071", "K-0072", "K-0073", "K-0074",
                                               "K-0075", "K-0076", "K-0077", "K-0078", "K-0079"]
    assert "11 refused records (of 120)" in filtered


def test_a_staged_value_is_shown_as_text_never_as_markup(api_server, local_base):
    stage_run(local_base, refused=[("<img src=x onerror=alert(1)>", "bad", "<script>alert('x')</script>", False, "load")])
    page = api_server.get(page_url()).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_the_dags_view_lists_its_runs_newest_first_with_their_line_and_link(api_server, local_base):
    from pimflow.staging import RunStaging

    stage_run(local_base, run_id="scheduled__2026-02-01T00:00:00+00:00", started=datetime(2026, 2, 1, tzinfo=timezone.utc))
    stage_run(local_base)
    RunStaging(local_base, DAG_ID, "manual__later").mark_started()
    listed = api_server.get(f"/pimflow/api/dags/{DAG_ID}/runs").json()
    assert [run["run_id"] for run in listed["runs"]] == ["manual__later", RUN_ID, "scheduled__2026-02-01T00:00:00+00:00"]
    assert listed["runs"][0]["report"] is None and listed["runs"][1]["line"].startswith("read 12")
    page = unescape(api_server.get(f"/pimflow/dags/{DAG_ID}").text)
    assert RUN_ID in page and "no report: still going" in page
    assert api_server.get("/pimflow/dags/not_a_profile").status_code == 404


@dataclass
class Entry:
    dag_id: str
    run_id: str
    finished_at: str
    step: str
    status: str
    code: str
    message: str
    transient: bool
    target_id: str


@pytest.fixture
def history(monkeypatch):
    """A stand-in for `pimflow.history` (written elsewhere): its contract, with fixed entries."""
    calls = []
    entries = [Entry(DAG_ID, RUN_ID, "2026-03-01T10:05:00+00:00", "transform", "refused", "missing_value",
                     "price: required value is empty", False, ""),
               Entry(OTHER_DAG, "manual__x", "2026-02-28T09:00:00+00:00", "load", "created", "", "", False, "SI-1"),
               Entry(DAG_ID, "manual__old", "2026-02-20T09:00:00+00:00", "load", "refused", "503", "down", True, "")]

    def record_history(key: str, dag_id: str | None = None, limit: int | None = None):
        calls.append((key, dag_id, limit))
        found = [entry for entry in entries if dag_id is None or entry.dag_id == dag_id]
        return found[:limit] if limit else found

    module = types.ModuleType("pimflow.history")
    module.record_history = record_history
    monkeypatch.setitem(sys.modules, "pimflow.history", module)
    return calls


def test_what_happened_to_a_sku_in_this_profile_and_in_every_profile_the_user_may_read(api_server, local_base, history):
    stage_run(local_base)
    answer = api_server.get("/pimflow/api/history", params={"key": "A-3", "dag_id": DAG_ID})
    assert answer.status_code == 200, answer.text
    entries = answer.json()["entries"]
    assert [(e["run_id"], e["status"], e["code"], e["transient"]) for e in entries] == [
        (RUN_ID, "refused", "missing_value", False), ("manual__old", "refused", "503", True)]
    assert entries[0]["report"] == run_url()
    assert history[-1] == ("A-3", DAG_ID, 200)
    everywhere = api_server.get("/pimflow/api/history", params={"key": "A-3"}, user="alice").json()["entries"]
    assert [e["dag_id"] for e in everywhere] == [OTHER_DAG]  # alice may read only that one
    page = unescape(api_server.get(page_url(), params={"sku": "A-3"}).text)
    assert "price: required value is empty" in page and "manual__old" in page and "SI-1" not in page
    page = unescape(api_server.get(page_url(), params={"sku": "A-3", "everywhere": "true"}).text)
    assert history[-1] == ("A-3", None, 200)


def test_without_the_history_module_the_search_says_so_and_the_report_stands(api_server, local_base, monkeypatch):
    stage_run(local_base)
    monkeypatch.setitem(sys.modules, "pimflow.history", None)  # import fails
    answer = api_server.get("/pimflow/api/history", params={"key": "A-3", "dag_id": DAG_ID})
    assert answer.status_code == 501 and "pimflow.history" in answer.json()["detail"]
    page = api_server.get(page_url(), params={"sku": "A-3"})
    assert page.status_code == 200 and "a record&#x27;s history is not available" in page.text
