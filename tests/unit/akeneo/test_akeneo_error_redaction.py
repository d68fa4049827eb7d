"""An Akeneo error answer that echoes a token or the client's credentials never carries them into
the raised error's message (issue 17). HTTP mocked with `responses`."""
from __future__ import annotations

import base64

import pytest
from akeneo_unit_helpers import BASE, CLIENT_SECRET, TOKEN_URL, token_answer

from akeneo.errors import AkeneoAuthError, AkeneoError, AkeneoForbiddenError

PRODUCTS = BASE + "/api/rest/v1/products"


def test_an_error_answer_echoing_the_access_token_is_redacted(client, token):
    token.get(PRODUCTS, status=403, json={"code": 403, "message": "Token access-1 may not list products"})
    with pytest.raises(AkeneoForbiddenError) as caught:
        client.transport.request("GET", "/api/rest/v1/products")
    assert str(caught.value) == "Akeneo answered 403: Token *** may not list products (GET /api/rest/v1/products -> HTTP 403)"
    assert caught.value.akeneo_message == "Token *** may not list products"


def test_a_token_already_replaced_is_still_redacted(client, mocked):
    for n in (1, 2, 3):  # the password grant, then two refreshes after 401s
        mocked.post(TOKEN_URL, json=token_answer(n))
    mocked.get(PRODUCTS, status=401, json={"code": 401, "message": "The access token provided (access-1) is invalid, "
                                                                   "refresh with refresh-1"})
    with pytest.raises(AkeneoAuthError) as caught:
        client.transport.request("GET", "/api/rest/v1/products")
    assert [call.request.headers["Authorization"] for call in mocked.calls if call.request.url == PRODUCTS] == [
        "Bearer access-1", "Bearer access-2", "Bearer access-3"]
    assert str(caught.value) == ("Akeneo answered 401: The access token provided (***) is invalid, refresh with *** "
                                 "(GET /api/rest/v1/products -> HTTP 401)")


def test_a_token_endpoint_echoing_the_basic_credentials_is_redacted(client, mocked):
    basic = base64.b64encode(f"pimflow:{CLIENT_SECRET}".encode()).decode()
    mocked.post(TOKEN_URL, status=422, json={"code": 422, "message": f"Unknown client {basic}"})
    with pytest.raises(AkeneoAuthError) as caught:
        client.authenticate()
    assert str(caught.value) == ("Akeneo refused the password grant: Unknown client *** "
                                 "(POST /api/oauth/v1/token -> HTTP 422)")


def test_a_plain_text_error_page_echoing_the_token_is_redacted(client, token):
    token.get(PRODUCTS, status=418, body="proxy refused Authorization access-1 for /api/rest/v1/products",
              content_type="text/plain")
    with pytest.raises(AkeneoError) as caught:
        client.transport.request("GET", "/api/rest/v1/products")
    assert "access-1" not in str(caught.value)
    assert str(caught.value) == ("Akeneo answered 418: proxy refused Authorization *** for /api/rest/v1/products "
                                 "(GET /api/rest/v1/products -> HTTP 418)")


def test_a_line_of_a_207_answer_echoing_the_token_is_redacted_before_it_reaches_feedback(client, token):
    from akeneo.writer import ProductModelWriter

    body = "\n".join([
        '{"line":1,"code":"M-1","status_code":422,"message":"Bearer access-1 may not set this value",'
        '"errors":[{"property":"values","message":"token access-1 refused for name","attribute":"name"}]}',
        '{"line":2,"code":"M-2","status_code":204}'])
    token.patch(BASE + "/api/rest/v1/product-models", status=200, body=body,
                content_type="application/vnd.akeneo.collection+json")
    first, second = ProductModelWriter(client.transport).write([{"code": "M-1"}, {"code": "M-2"}])
    assert first.message == "Bearer *** may not set this value"
    assert [error.message for error in first.errors] == ["token *** refused for name"]
    assert second.status_code == 204 and second.message is None
