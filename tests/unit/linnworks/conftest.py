"""Fixtures for the Linnworks client's unit tests (HTTP mocked with `responses`)."""
from __future__ import annotations

import json

import pytest
import responses
from linnworks_unit_helpers import AUTH_URL, SESSION_TOKENS, make_client, session_answer


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def authorized(mocked):
    """An auth host that hands out SESSION_TOKENS in turn (the last one repeats)."""
    tokens = list(SESSION_TOKENS)

    def grant(request):
        token = tokens.pop(0) if len(tokens) > 1 else tokens[0]
        return 200, {}, json.dumps(session_answer(token))

    mocked.add_callback(responses.POST, AUTH_URL, callback=grant, content_type="application/json")
    return mocked


@pytest.fixture
def client():
    with make_client() as lw:
        yield lw
