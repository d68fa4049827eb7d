"""The CLI starts both hosts; the sandbox never imports pimflow's packages."""
from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sandbox.linnworks.settings import DEFAULT_APPLICATION_ID, DEFAULT_APPLICATION_SECRET, DEFAULT_INSTALLATION_TOKEN

SANDBOX_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "linnworks"
FORBIDDEN = {"pimflow", "akeneo", "productsup", "linnworks", "linnworks_api"}


def test_sandbox_source_imports_no_pimflow_package():
    for path in SANDBOX_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_importing_the_sandbox_loads_no_pimflow_package():
    code = ("import sys, sandbox.linnworks, sandbox.linnworks.app, sandbox.linnworks.__main__; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.integration
def test_cli_serves_auth_and_data_hosts_with_seeded_items(tmp_path):
    # Ports 0: the sandbox binds free ports itself and says which (no race with another test run),
    # in its banner and in the ready file a launcher reads.
    ready = tmp_path / "ready.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.linnworks", "--auth-port", "0", "--data-port", "0",
         "--seed-items", "7", "--latency-ms", "0", "--ready-file", str(ready)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        cwd=SANDBOX_DIR.parents[1], env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        banner = process.stdout.readline()
        found = re.search(r"auth http://127\.0\.0\.1:(\d+)  data http://127\.0\.0\.1:(\d+)  items 7", banner)
        assert found, banner
        auth_port, data_port = int(found.group(1)), int(found.group(2))
        assert json.loads(ready.read_text()) == {
            "auth_url": f"http://127.0.0.1:{auth_port}", "data_url": f"http://127.0.0.1:{data_port}",
            "auth_port": auth_port, "data_port": data_port}
        # Both hosts serve before the banner is printed: the first call is answered.
        session = httpx.post(f"http://127.0.0.1:{auth_port}/api/Auth/AuthorizeByApplication", json={
            "ApplicationId": DEFAULT_APPLICATION_ID, "ApplicationSecret": DEFAULT_APPLICATION_SECRET,
            "Token": DEFAULT_INSTALLATION_TOKEN}, timeout=60).json()
        assert session["Server"] == f"http://127.0.0.1:{data_port}"
        count = httpx.get(f"{session['Server']}/api/Inventory/GetInventoryItemsCount",
                          headers={"Authorization": session["Token"]})
        assert count.json() == 7
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0
