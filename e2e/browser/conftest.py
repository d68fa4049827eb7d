"""The browser test's setup: `make airflow`'s stack on a free port with its own Airflow home, Debian's
Chromium driven by Playwright, and numbered screenshots in one output folder inside the repository.

The environment is set before anything imports Airflow (its configuration is read at import).
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / ".airflow" / "browser-test"  # ignored by git, like every Airflow home of the project
SCREENSHOTS = OUTPUT / "screenshots"
HOME = OUTPUT / "home"
CHROMIUM = "/usr/bin/chromium"

os.environ["AIRFLOW_HOME"] = str(HOME)  # never the developer's `make airflow` home
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(ROOT / "plugins"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("PIMFLOW_PROFILES_DIR", str(ROOT / "include" / "profiles"))


@dataclass
class Stack:
    url: str
    password: str
    sandboxes: object

    def api(self) -> requests.Session:
        """A REST session as admin (for setup only; the test itself goes through the UI)."""
        token = requests.post(f"{self.url}/auth/token", json={"username": "admin", "password": self.password},
                              timeout=30).json()["access_token"]
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        return session


@pytest.fixture(scope="session")
def stack():
    """`make airflow`'s stack from a fresh Airflow home; afterwards nothing it started is left running."""
    from pimflowdev import stack as local_stack

    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir(parents=True)
    for log in OUTPUT.glob("*.log"):  # the stack appends to its logs
        log.unlink()
    sandboxes, process, env = local_stack.start(log_dir=OUTPUT)  # a free port, checked to be its own
    try:
        running = Stack(local_stack.api_url(env), local_stack.admin_password(HOME), sandboxes)
        assert leftover_processes(HOME), "the process check below would not see the stack"
        wait_for_dags(running, {"demo_akeneo_to_linnworks"})
        yield running
    finally:
        local_stack.stop(sandboxes, process)
    assert process.poll() is not None and all(p.poll() is not None for p in sandboxes.processes)
    left = leftover_processes(HOME)
    assert not left, f"still running after the stack stopped: {left}"


def wait_for_dags(stack: Stack, dag_ids: set[str], timeout: float = 180) -> None:
    api, deadline, seen = stack.api(), time.monotonic() + timeout, set()
    while time.monotonic() < deadline:
        answer = api.get(f"{stack.url}/api/v2/dags", timeout=30)
        seen = {dag["dag_id"] for dag in answer.json().get("dags", [])} if answer.ok else set()
        if dag_ids <= seen:
            return
        time.sleep(2)
    raise AssertionError(f"DAGs {sorted(dag_ids - seen)} not parsed within {timeout:.0f} s; see {OUTPUT}/standalone.log")


def leftover_processes(home: Path) -> list[str]:
    """Running processes started with this Airflow home (Airflow's components, tasks, sandboxes)."""
    marker = f"AIRFLOW_HOME={home}".encode()
    left = []
    for entry in Path("/proc").glob("[0-9]*"):
        if int(entry.name) == os.getpid():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, IndexError):
            continue  # gone meanwhile, or not ours to read
        if state not in "ZX":
            left.append(f"{entry.name} {command[:120]}")
    return left


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `bash e2e/browser/ensure_chromium.sh` (make test-browser does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots():
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return Screenshots(SCREENSHOTS)


class Screenshots:
    """One PNG per step, named in order (01-login.png, 02-dag.png, ...)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def take(self, page, name: str) -> Path:
        path = self.folder / name
        page.screenshot(path=str(path))
        return path


@pytest.fixture(scope="session")
def ui(stack, browser, screenshots):
    """A browser page signed in as admin through the login form (step 01)."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(stack.url)
    expect(page.get_by_text("Sign into Airflow")).to_be_visible()
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(stack.password)
    screenshots.take(page, "01-login.png")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
    expect(page.get_by_role("link", name="Dags")).to_be_visible()
    try:
        yield page
    finally:
        context.close()


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.is_dir():
        names = ", ".join(sorted(p.name for p in SCREENSHOTS.glob("*.png"))) or "none"
        terminalreporter.write_line(f"browser test screenshots in {SCREENSHOTS}: {names}")
        terminalreporter.write_line(f"stack logs in {OUTPUT} (standalone.log, execution-api.log, sandbox-*.log)")
