"""`python -m sandbox.akeneo` starts a server, prints where and how to log in, serves until stopped."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import httpx
import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("layout, variants", [([], 4), (["--variant-share", "0.5"], 12)])
def test_cli_serves_the_requested_catalog_and_prints_url_and_credentials(layout, variants, tmp_path):
    # Port 0: the sandbox binds a free port itself and says which (no race with another test run),
    # in its banner and in the ready file a launcher reads.
    ready = tmp_path / "ready.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.akeneo", "--host", "127.0.0.1", "--port", "0", "--products", "25",
         "--seed", "3", "--latency-ms", "0", *layout, "--ready-file", str(ready)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        banner = [process.stdout.readline(), process.stdout.readline()]
        port = int(re.search(r"http://127\.0\.0\.1:(\d+) \(25 products, seed 3", banner[0]).group(1))
        assert port != 0
        assert "pimflow" in banner[1] and "pimflow-secret" in banner[1] and "admin" in banner[1]
        assert json.loads(ready.read_text()) == {"url": f"http://127.0.0.1:{port}", "port": port}
        # The socket listens before the port is announced: the first call waits in its backlog for
        # the server, however long it takes to start, and is never refused.
        token = httpx.post(f"http://127.0.0.1:{port}/api/oauth/v1/token", auth=("pimflow", "pimflow-secret"),
                           json={"grant_type": "password", "username": "admin", "password": "admin"}, timeout=120)
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        products = httpx.get(f"http://127.0.0.1:{port}/api/rest/v1/products", params={"with_count": "true"},
                             headers=headers)
        assert products.json()["items_count"] == 25
        found = httpx.get(f"http://127.0.0.1:{port}/api/rest/v1/products", headers=headers, params={
            "with_count": "true", "search": '{"parent":[{"operator":"NOT EMPTY"}]}'})
        assert found.json()["items_count"] == variants
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
