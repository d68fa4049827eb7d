"""One Linnworks sandbox (auth host + data host on 127.0.0.1) per module, reset before every test."""
from __future__ import annotations

import pytest
from linnworks_sandbox_helpers import SandboxControl, sandbox_client

from sandbox.linnworks import SandboxSettings, serve


@pytest.fixture(scope="module")
def sandbox():
    with serve() as running:
        yield running


@pytest.fixture
def control(sandbox) -> SandboxControl:
    """The sandbox back at its default switches, seeded with 10 items, stats at zero."""
    control = SandboxControl(sandbox)
    control.settings(**SandboxSettings().model_dump())
    control.seed(items=10)
    control.reset_stats()
    return control


@pytest.fixture
def client(sandbox, control):
    with sandbox_client(sandbox) as lw:
        yield lw
