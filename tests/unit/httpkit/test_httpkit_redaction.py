"""Redaction: known secrets and credential-looking values leave messages, URLs, bodies and logs."""
from __future__ import annotations

import logging

from httpkit.redaction import REDACTED, RedactingFilter, redact, redact_logger


def test_known_secrets_are_replaced_wherever_they_appear():
    text = redact("Application app-secret-1 not found (token inst-token-2)", ["app-secret-1", "inst-token-2"])
    assert text == f"Application {REDACTED} not found (token {REDACTED})"


def test_empty_and_very_short_secrets_leave_ordinary_words_alone():
    assert redact("the api answered", [None, "", "api"]) == "the api answered"


def test_a_token_in_a_url_query_is_removed():
    url = "https://eu.linnworks.net/api/Uploader/UploadFile?type=Image&token=abc-123-def&expiredInHours=24"
    assert redact(url) == f"https://eu.linnworks.net/api/Uploader/UploadFile?type=Image&token={REDACTED}&expiredInHours=24"


def test_credentials_in_json_and_form_bodies_are_removed():
    body = '{"access_token": "eyJ0eXAi.abc", "expires_in": 3600, "refresh_token": "r-1"}'
    assert redact(body) == f'{{"access_token": "{REDACTED}", "expires_in": 3600, "refresh_token": "{REDACTED}"}}'
    assert redact("grant_type=password&username=admin&password=hunter22") == \
        f"grant_type=password&username=admin&password={REDACTED}"


def test_authorization_header_values_are_removed():
    assert redact("sent Authorization: Bearer NzQ2ZGY4YzM0YjM4") == f"sent Authorization: Bearer {REDACTED}"
    assert redact("Basic YWRtaW46c2VjcmV0MTIz was refused") == f"Basic {REDACTED} was refused"


def test_messages_that_only_mention_credentials_are_kept():
    message = 'Parameter "client_id" is missing or does not match any client, or secret is invalid'
    assert redact(message) == message
    assert redact("Token is wrong.") == "Token is wrong."


def test_the_log_filter_redacts_a_record_before_any_handler_sees_it(caplog):
    logger = logging.getLogger("httpkit.test.urls")
    redact_logger(logger.name)
    redact_logger(logger.name)  # a second call adds no second filter
    assert sum(isinstance(f, RedactingFilter) for f in logger.filters) == 1
    with caplog.at_level(logging.DEBUG, logger=logger.name):
        logger.debug('"%s %s HTTP/1.1" 200', "POST", "/api/Uploader/UploadFile?token=session-aaaa-0001")
    assert "session-aaaa-0001" not in caplog.text
    assert f"token={REDACTED}" in caplog.text
