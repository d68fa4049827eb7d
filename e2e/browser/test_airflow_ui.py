"""The Airflow UI as a user meets it, in a real browser against `make airflow`'s stack: a profile's DAG
with its description, schedule and tags; its trigger form (dry run, two identifiers) starting a run
that succeeds and whose `feedback` log holds the run summary; an Akeneo connection made with the
Connections form, whose Test button succeeds, and says why it fails with a wrong secret.

Screenshots of every step are written to .airflow/browser-test/screenshots/ (printed at the end).
"""
from __future__ import annotations

import json
import re
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


def test_a_profile_runs_from_its_trigger_form_and_its_feedback_log_has_the_run_summary(ui: Page, stack, screenshots):
    from pimflow.factory import trigger_params

    page = ui
    identifiers = catalog_identifiers(stack.sandboxes.akeneo_url, 2)

    page.goto(f"{stack.url}/dags/{DAG_ID}/details")
    expect(page.get_by_role("heading", name=DAG_ID, exact=True)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Description").first).to_contain_text(PROFILE["description"])
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
    from pimflowdev.sandboxes import AKENEO_CREDENTIALS as creds

    token = requests.post(f"{akeneo_url}/api/oauth/v1/token", auth=(creds["client_id"], creds["client_secret"]),
                          json={"grant_type": "password", "username": creds["login"], "password": creds["password"]},
                          timeout=30).json()["access_token"]
    answer = requests.get(f"{akeneo_url}/api/rest/v1/products", headers={"Authorization": f"Bearer {token}"},
                          params={"limit": 100, "search": json.dumps({"enabled": [{"operator": "=", "value": True}]})},
                          timeout=30)
    answer.raise_for_status()
    found = [item["identifier"] for item in answer.json()["_embedded"]["items"]
             if item["identifier"].startswith("PF-")]  # generated; demo feeds add others
    assert len(found) >= count, found
    return found[:count]
