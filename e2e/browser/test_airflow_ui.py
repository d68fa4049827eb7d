"""The Airflow UI as a user meets it, in a real browser against `make airflow`'s stack: a profile's DAG
with its description, schedule and tags; its trigger form (dry run, two identifiers) starting a run
that succeeds and whose `feedback` log holds the run summary; an Akeneo connection made with the
Connections form, whose Test button succeeds, and says why it fails with a wrong secret; a product
edited in Akeneo synced to Linnworks by Trigger pressed with the form as it opens, the run's summary
as its note in the runs list, and the profile in the DAG's docs; a run's report (pimflow.report) in its
tab, with a refused record's message and a download of the feedback file equal to the staged one.

Screenshots of every step are written to .airflow/browser-test/screenshots/ (printed at the end).
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import requests
import yaml
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DAG_ID = "demo_akeneo_to_linnworks"
PROFILE = yaml.safe_load((ROOT / "include" / "profiles" / f"{DAG_ID}.yaml").read_text())
RUN_TIMEOUT_MS = 240_000  # the run may queue behind the scheduled run the stack starts with
REPORT_DAG_ID = "demo_feed_to_akeneo"  # its agency feed has lines Akeneo refuses


def test_a_profile_runs_from_its_trigger_form_and_its_feedback_log_has_the_run_summary(ui: Page, stack, screenshots):
    from pimflow.factory import trigger_params

    page = ui
    identifiers = catalog_identifiers(stack.sandboxes.akeneo_url, 2)

    page.goto(f"{stack.url}/dags/{DAG_ID}/details")
    expect(page.get_by_role("heading", name=DAG_ID, exact=True)).to_be_visible()
    # the details table waits for several API calls: seconds on a busy machine (the stack's first runs)
    expect(page.get_by_role("row").filter(has_text="Description").first).to_contain_text(PROFILE["description"],
                                                                                       timeout=30_000)
    expect(page.get_by_text("0 * * * *", exact=True)).to_be_visible()  # "@hourly"
    for tag in ("pimflow", *PROFILE["tags"]):
        expect(page.get_by_role("link", name=tag, exact=True).first).to_be_visible()
    screenshots.take(page, "02-dag.png")

    page.get_by_role("button", name="Trigger Dag").click()
    dialog = page.get_by_role("dialog").filter(has_text=f"Trigger Dag - {DAG_ID}")
    for name, param in trigger_params().items():
        field = form_field(dialog, param.schema["title"])
        expect(field.locator("label").first).to_have_text(param.schema["title"])  # no "required" mark
        expect(field).to_contain_text(param.description)
    identifiers_box = form_field(dialog, "Identifiers").locator("textarea")
    identifiers_box.fill("typed by mistake")
    identifiers_box.fill("")  # an emptied field is not refused as "required"
    expect(dialog.get_by_text("This field is required")).to_have_count(0)
    identifiers_box.fill("\n".join(identifiers))
    form_field(dialog, "Dry run").locator("[data-scope=switch][data-part=control]").click()
    expect(dialog.get_by_role("checkbox", name="Dry run")).to_be_checked()
    expect(dialog.get_by_role("checkbox", name="Full sync")).not_to_be_checked()
    screenshots.take(page, "03-trigger-form.png")

    with page.expect_response(lambda r: r.request.method == "POST"
                              and r.url.endswith(f"/api/v2/dags/{DAG_ID}/dagRuns")) as answer:
        dialog.get_by_role("button", name="Trigger", exact=True).click()
    assert answer.value.ok, answer.value.text()
    run = answer.value.json()
    assert run["conf"] == {"full_sync": False, "identifiers": identifiers, "dry_run": True}
    run_id = run["dag_run_id"]

    expect(page).to_have_url(re.compile(f"/dags/{DAG_ID}/runs/{re.escape(run_id)}"))
    state = page.get_by_test_id("header-card").get_by_test_id("state-badge")
    expect(state).to_have_text(re.compile("^(Success|Failed)$"), timeout=RUN_TIMEOUT_MS)
    expect(state).to_have_text("Success")
    screenshots.take(page, "04-run-success.png")

    page.get_by_role("table").get_by_role("link", name="feedback", exact=True).click()
    expect(page).to_have_url(re.compile(f"/runs/{re.escape(run_id)}/tasks/feedback"))
    log = page.get_by_test_id("virtualized-list")
    for line in (rf"pimflow run summary: {DAG_ID} / {re.escape(run_id)} \(dry run\)",
                 r"window\s+manual: 2 identifier\(s\)", r"read\s+2", r"refused\s+0 \(.*\)"):
        expect(log.get_by_text(re.compile(rf"^\s*{line}\s*$"))).to_be_visible()
    screenshots.take(page, "05-feedback-log.png")


def test_an_akeneo_connection_made_with_the_form_passes_the_test_button_and_a_wrong_secret_says_why(
        ui: Page, stack, screenshots):
    from akeneo.connection import CONNECTION_TYPE
    from pimflowdev.sandboxes import AKENEO_CREDENTIALS

    page = ui
    fields = CONNECTION_TYPE["conn-fields"]
    page.goto(f"{stack.url}/connections")
    page.get_by_role("button", name="Add Connection").click()
    dialog = page.get_by_role("dialog").filter(has_text="Add Connection")
    dialog.get_by_label("Connection ID").fill("akeneo_from_the_form")
    dialog.get_by_label("Connection Type").click()
    expect(page.get_by_role("option", name="Linnworks", exact=True)).to_be_visible()
    page.get_by_role("option", name="Akeneo", exact=True).click()
    dialog.get_by_label("Base URL").fill(stack.sandboxes.akeneo_url)
    dialog.get_by_label("Username").fill(AKENEO_CREDENTIALS["login"])
    dialog.get_by_label("Password").fill(AKENEO_CREDENTIALS["password"])
    open_section(dialog, "Extra Fields")
    for name, value in (("client_id", AKENEO_CREDENTIALS["client_id"]),
                        ("client_secret", AKENEO_CREDENTIALS["client_secret"])):
        field = form_field(dialog, fields[name]["label"])
        expect(field).to_contain_text(fields[name]["description"])
        field.locator("input").fill(value)
    save(dialog)
    row = page.get_by_role("row").filter(has_text="akeneo_from_the_form")
    expect(row).to_contain_text(stack.sandboxes.akeneo_url)

    row.get_by_role("button", name="Test Connection").click()
    passed = page.get_by_role("status").filter(has_text="Test Connection Successful")
    expect(passed).to_contain_text(f"Connected to Akeneo at {stack.sandboxes.akeneo_url}", timeout=60_000)
    settled(passed)
    screenshots.take(page, "06-connection-test-ok.png")
    expect(passed).to_be_hidden(timeout=30_000)

    row.get_by_role("button", name="Edit Connection").click()
    dialog = page.get_by_role("dialog").filter(has_text="Edit Connection")
    open_section(dialog, "Extra Fields")
    form_field(dialog, fields["client_secret"]["label"]).locator("input").fill("a-wrong-secret")
    save(dialog)

    row.get_by_role("button", name="Test Connection").click()
    failed = page.get_by_role("status").filter(has_text="Test Connection Failed")
    expect(failed).to_contain_text("refused the credentials", timeout=60_000)
    expect(failed).not_to_contain_text("a-wrong-secret")
    settled(failed)
    screenshots.take(page, "07-connection-test-failed.png")


def test_an_untouched_trigger_syncs_a_product_edited_in_akeneo_and_the_run_and_the_dag_say_what_happened(
        ui: Page, stack, screenshots):
    from pimflow.factory import trigger_params

    page = ui
    wait_for_a_successful_run(stack)  # the stack's first scheduled run: the edit comes after it
    sku = synced_simple_product(stack)
    title = f"Edited in Akeneo at {time.strftime('%H:%M:%S')}"
    akeneo_request(stack.sandboxes.akeneo_url, "PATCH", f"/api/rest/v1/products/{sku}",
                   json={"values": {"name": [{"locale": "en_US", "scope": None, "data": title}]}})

    page.goto(f"{stack.url}/dags/{DAG_ID}")
    page.get_by_role("button", name="Dag Docs", exact=True).click()
    docs = page.get_by_role("dialog").filter(has_text="Dag Documentation")
    for heading in ("Trigger", "Reads", "Maps", "Writes", "When it runs, and when it fails", "Profile file"):
        expect(docs.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(docs).to_contain_text("syncs the products changed in Akeneo since the end of the last successful run")
    expect(docs.get_by_role("row").filter(has_text="retail price")).to_contain_text("price in EUR")
    expect(docs).to_contain_text("through connection akeneo_default")
    screenshots.take(page, "08-dag-docs.png")
    maps = docs.get_by_role("table").first
    maps.scroll_into_view_if_needed()
    screenshots.take(page, "09-dag-docs-maps.png")
    yaml_block = docs.locator("code").filter(has_text=f"id: {DAG_ID}").first  # the profile file, whole
    expect(yaml_block).to_contain_text("max_error_rate: 0.05")
    page.keyboard.press("Escape")
    expect(docs).to_be_hidden()

    page.get_by_role("button", name="Trigger Dag").click()
    dialog = page.get_by_role("dialog").filter(has_text=f"Trigger Dag - {DAG_ID}")
    expect(form_field(dialog, "Full sync")).to_contain_text(trigger_params()["full_sync"].description)
    expect(dialog.get_by_role("checkbox", name="Full sync")).not_to_be_checked()
    expect(dialog.get_by_role("checkbox", name="Dry run")).not_to_be_checked()
    screenshots.take(page, "10-trigger-untouched.png")  # Logical Date pre-filled, as Airflow opens the form
    with page.expect_response(lambda r: r.request.method == "POST"
                              and r.url.endswith(f"/api/v2/dags/{DAG_ID}/dagRuns")) as answer:
        dialog.get_by_role("button", name="Trigger", exact=True).click()
    assert answer.value.ok, answer.value.text()
    run = answer.value.json()
    assert run["run_type"] == "manual" and run["logical_date"] and not run["conf"].get("dry_run")
    run_id = run["dag_run_id"]

    expect(page).to_have_url(re.compile(f"/dags/{DAG_ID}/runs/{re.escape(run_id)}"))
    state = page.get_by_test_id("header-card").get_by_test_id("state-badge")
    expect(state).to_have_text(re.compile("^(Success|Failed)$"), timeout=RUN_TIMEOUT_MS)
    expect(state).to_have_text("Success")
    screenshots.take(page, "11-untouched-run-success.png")
    assert linnworks_item(stack, sku)["ItemTitle"] == title  # the edit reached Linnworks

    page.get_by_role("table").get_by_role("link", name="feedback", exact=True).click()
    log = page.get_by_test_id("virtualized-list")
    for line in (rf"pimflow run summary: {DAG_ID} / {re.escape(run_id)}",
                 r"window\s+incremental .* \(manual run: since the last successful run\)", r"read\s+[1-9]\d*",
                 r"written\s+[1-9]\d* \(.*\)"):
        expect(log.get_by_text(re.compile(rf"^\s*{line}\s*$"))).to_be_visible()
    screenshots.take(page, "12-untouched-feedback-log.png")

    page.goto(f"{stack.url}/dags/{DAG_ID}/runs")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=run_id, exact=True))
    note_button = row.get_by_role("button", name="Note", exact=True)  # "Add a note" on a run without one
    expect(note_button).to_be_visible()
    note_button.scroll_into_view_if_needed()  # the actions column is at the table's right end
    screenshots.take(page, "13-runs-list.png")
    note_button.click()
    note = page.get_by_role("dialog").filter(has_text="Dag Run Note")
    expect(note).to_contain_text(re.compile(r"read [1-9]\d* · written [1-9]\d*"))
    settled(note)
    screenshots.take(page, "14-run-note.png")
    page.keyboard.press("Escape")


def test_a_runs_report_in_the_ui_shows_a_refused_records_message_and_downloads_the_staged_feedback_file(
        ui: Page, stack, screenshots):
    from pimflow.staging import RunStaging, staging_base

    page = ui
    run_id = trigger_and_wait(stack, REPORT_DAG_ID)  # REST: setup only (the form is tested above)
    staged = Path(RunStaging(staging_base(), REPORT_DAG_ID, run_id).root.path)  # the stack's (same AIRFLOW_HOME)
    refused = [record for record in map(json.loads, (staged / "ledger" / "run.jsonl").read_text().splitlines())
               if record["status"] == "refused"]
    assert refused, f"the run refused nothing: see {staged}"

    page.goto(f"{stack.url}/dags/{REPORT_DAG_ID}/runs/{run_id}")
    page.get_by_role("link", name="Run report", exact=True).click()  # the plugin's tab on the run
    expect(page).to_have_url(re.compile(r"/plugin/pimflow-run-report$"))
    report = page.frame_locator("iframe[title='Run report']")
    expect(report.get_by_role("heading", name=re.compile("^Run report"))).to_be_visible()
    expect(report.locator("#line")).to_have_text(re.compile(r"^read \d+ · written \d+ .*refused \d+"))
    first = refused[0]
    row = report.locator("#refused tbody tr").filter(has_text=first["key"]).first
    expect(row).to_contain_text(first["code"])
    expect(row).to_contain_text(" ".join(first["message"].split())[:120])
    screenshots.take(page, "15-run-report.png")

    link = report.locator("#downloads").get_by_role("link", name="feedback.csv", exact=True)
    link.scroll_into_view_if_needed()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith("-feedback.csv")
    assert Path(download.value.path()).read_bytes() == (staged / "feedback.csv").read_bytes()
    screenshots.take(page, "16-run-report-download.png")

    page.goto(f"{stack.url}/dags/{REPORT_DAG_ID}")
    page.get_by_role("link", name="Run reports", exact=True).click()  # the plugin's tab on the DAG
    runs = page.frame_locator("iframe[title='Run reports']")
    expect(runs.get_by_role("link", name=run_id, exact=True)).to_be_visible()
    screenshots.take(page, "17-run-reports.png")


def test_a_records_history_in_the_run_report_lists_what_each_of_three_runs_did_with_it(ui: Page, stack, screenshots):
    page = ui
    wait_for_a_successful_run(stack)  # the first scheduled run put the catalog in Linnworks
    sku = synced_simple_product(stack)
    run_ids = []
    for n in (1, 2):  # two more runs, each after an edit of the product in Akeneo (REST: setup only)
        akeneo_request(stack.sandboxes.akeneo_url, "PATCH", f"/api/rest/v1/products/{sku}",
                       json={"values": {"name": [{"locale": "en_US", "scope": None,
                                                  "data": f"History edit {n} at {time.strftime('%H:%M:%S')}"}]}})
        run_ids.append(trigger_and_wait(stack, DAG_ID))
    runs = stack.api().get(f"{stack.url}/api/v2/dags/{DAG_ID}/dagRuns", timeout=30).json()["dag_runs"]
    first = min((r for r in runs if r["state"] == "success" and not (r["conf"] or {}).get("dry_run")),
                key=lambda r: r["start_date"])["dag_run_id"]  # the stack's first run: it created the item

    page.goto(f"{stack.url}/dags/{DAG_ID}/runs/{run_ids[-1]}")
    page.get_by_role("link", name="Run report", exact=True).click()
    report = page.frame_locator("iframe[title='Run report']")
    search = report.locator("#history-search")
    search.get_by_role("searchbox", name="SKU or identifier").fill(sku)
    search.get_by_role("button", name="Search", exact=True).click()
    results = report.locator("#history-results tbody tr")
    expect(results.first).to_be_visible()
    rows = {run_id: results.filter(has=report.get_by_role("link", name=run_id, exact=True)) for run_id in
            (first, *run_ids)}
    for run_id, status in ((first, "created"), (run_ids[0], "updated"), (run_ids[1], "updated")):
        expect(rows[run_id]).to_have_count(1)
        expect(rows[run_id]).to_contain_text(status)
    assert results.count() >= 3  # and any run before them that touched it (the Trigger test's)
    report.locator("#history").scroll_into_view_if_needed()
    screenshots.take(page, "18-record-history.png")


def trigger_and_wait(stack, dag_id: str, timeout: float = RUN_TIMEOUT_MS / 1000) -> str:
    """Trigger a run of `dag_id` through the REST API and wait until it has finished; its run id."""
    api, deadline = stack.api(), time.monotonic() + timeout
    while True:  # the DAG processor may not have parsed it yet
        answer = api.post(f"{stack.url}/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None}, timeout=30)
        if answer.status_code != 404 or time.monotonic() > deadline:
            break
        time.sleep(3)
    assert answer.ok, answer.text
    run_id, state = answer.json()["dag_run_id"], None
    while time.monotonic() < deadline:
        state = api.get(f"{stack.url}/api/v2/dags/{dag_id}/dagRuns/{run_id}", timeout=30).json()["state"]
        if state in ("success", "failed"):
            return run_id
        time.sleep(3)
    raise AssertionError(f"run {run_id} of {dag_id} not finished within {timeout:.0f} s (state {state})")


def form_field(form: Locator, label: str) -> Locator:
    """A field of Airflow's forms by its visible label. (Airflow 3.3 gives text inputs an id their
    <label> does not point at, so `get_by_label` finds only switches, numbers and selects.)"""
    return form.get_by_role("group").filter(has=form.page.locator("label", has_text=label))


def save(dialog: Locator) -> None:
    """Save a connection form and see it accepted."""
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(dialog.page.get_by_role("status").filter(has_text="Request Submitted").last).to_contain_text(
        "successfully")


def settled(element: Locator) -> None:
    """Wait for the element's animations (a toast sliding in) to finish before a screenshot."""
    element.evaluate("e => Promise.all(e.getAnimations({subtree: true}).map(a => a.finished))")


def open_section(form: Locator, name: str) -> None:
    toggle = form.get_by_role("button", name=name, exact=True)
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def catalog_identifiers(akeneo_url: str, count: int) -> list[str]:
    """Enabled products of the sandbox's generated catalog, asked from its REST API."""
    found = [item["identifier"] for item in enabled_products(akeneo_url)
             if item["identifier"].startswith("PF-")]  # generated; demo feeds add others
    assert len(found) >= count, found
    return found[:count]


def enabled_products(akeneo_url: str) -> list[dict]:
    answer = akeneo_request(akeneo_url, "GET", "/api/rest/v1/products", params={
        "limit": 100, "search": json.dumps({"enabled": [{"operator": "=", "value": True}]})})
    return answer.json()["_embedded"]["items"]


def akeneo_request(akeneo_url: str, method: str, path: str, **kwargs) -> requests.Response:
    """A call to the Akeneo sandbox's REST API, as an API user (a person editing in Akeneo, for the UI)."""
    from pimflowdev.sandboxes import AKENEO_CREDENTIALS as creds

    token = requests.post(f"{akeneo_url}/api/oauth/v1/token", auth=(creds["client_id"], creds["client_secret"]),
                          json={"grant_type": "password", "username": creds["login"], "password": creds["password"]},
                          timeout=30).json()["access_token"]
    answer = requests.request(method, f"{akeneo_url}{path}", headers={"Authorization": f"Bearer {token}"},
                              timeout=30, **kwargs)
    answer.raise_for_status()
    return answer


def linnworks_item(stack, sku: str) -> dict:
    """The inventory item the Linnworks sandbox holds for `sku` (its control API)."""
    answer = requests.get(f"{stack.sandboxes.linnworks_data_url}/_sandbox/items/{sku}", timeout=30)
    assert answer.status_code == 200, f"{sku} is not in Linnworks"
    return answer.json()["item"]


def synced_simple_product(stack) -> str:
    """A product without a model (its name is its own to edit) that the profile already put in Linnworks."""
    for item in enabled_products(stack.sandboxes.akeneo_url):
        if item["identifier"].startswith("PF-") and not item.get("parent"):
            answer = requests.get(f"{stack.sandboxes.linnworks_data_url}/_sandbox/items/{item['identifier']}",
                                  timeout=30)
            if answer.status_code == 200:
                return item["identifier"]
    raise AssertionError("no simple product of the catalog is in Linnworks after the first run")


def wait_for_a_successful_run(stack, timeout: float = RUN_TIMEOUT_MS / 1000) -> None:
    """Wait (REST, setup only) until the profile has a successful run and none running or queued."""
    api, deadline, runs = stack.api(), time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        runs = api.get(f"{stack.url}/api/v2/dags/{DAG_ID}/dagRuns", timeout=30).json()["dag_runs"]
        if any(r["state"] == "success" and not (r["conf"] or {}).get("dry_run") for r in runs) \
                and not any(r["state"] in ("running", "queued") for r in runs):
            return
        time.sleep(3)
    raise AssertionError(f"no successful run of {DAG_ID} within {timeout:.0f} s: {runs}")
