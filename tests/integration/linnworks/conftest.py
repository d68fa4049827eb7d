"""One Linnworks sandbox (auth host + data host on 127.0.0.1) per module, reset before every test."""
from __future__ import annotations

import pytest
from linnworks_sandbox_helpers import SandboxControl, sandbox_client

from sandbox.linnworks import SandboxSettings, serve
from tests.fakes import FakeClock, fake_clock_for


@pytest.fixture(scope="module")
def sandbox():
    with serve() as running:
        yield running


@pytest.fixture
def clock(sandbox) -> FakeClock:
    """The sandbox's clock for this test (quota windows, session idle time, latency)."""
    return fake_clock_for(sandbox)


@pytest.fixture
def control(sandbox, clock) -> SandboxControl:
    """The sandbox back at its default switches, seeded with 10 items, stats at zero."""
    control = SandboxControl(sandbox)
    control.settings(**SandboxSettings().model_dump())
    control.seed(items=10)
    control.reset_stats()
    return control


@pytest.fixture
def client(sandbox, control, clock):
    """A client on the sandbox's fake clock: its quota waits and retry pauses move that clock."""
    with sandbox_client(sandbox, clock) as lw:
        yield lw
