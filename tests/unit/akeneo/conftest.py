"""Fixtures for the Akeneo client's unit tests (HTTP mocked with `responses`)."""
from __future__ import annotations

import pytest
import responses
from akeneo_unit_helpers import TOKEN_URL, make_settings, token_answer

from akeneo.client import AkeneoClient
from akeneo.settings import AkeneoConnectionSettings


@pytest.fixture
def settings() -> AkeneoConnectionSettings:
    return make_settings()


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def token(mocked):
    """A token endpoint that always grants `access-1`."""
    mocked.post(TOKEN_URL, json=token_answer())
    return mocked


@pytest.fixture
def client(settings):
    with AkeneoClient(settings) as c:
        yield c
