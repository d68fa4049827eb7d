"""The receiver URL `pimflow events subscribe --url` makes of what the user typed, and which
subscriptions count as delivering to a connection's receiver."""
from __future__ import annotations

import pytest

from pimflow.events.management import points_at, receiver_url


@pytest.mark.parametrize("typed, expected", [
    ("https://airflow.example.com", "https://airflow.example.com/pimflow/events/akeneo/akeneo_shop"),
    ("https://airflow.example.com/", "https://airflow.example.com/pimflow/events/akeneo/akeneo_shop"),
    ("https://example.com/airflow", "https://example.com/airflow/pimflow/events/akeneo/akeneo_shop"),
    ("https://example.com:8443/pimflow/events/akeneo/akeneo_shop/",
     "https://example.com:8443/pimflow/events/akeneo/akeneo_shop"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/pimflow/events/akeneo/akeneo_shop"),
])
def test_the_receiver_url_from_a_base_or_a_full_url(typed, expected):
    assert receiver_url(typed, "akeneo_shop") == expected


@pytest.mark.parametrize("typed, reason", [
    ("airflow.example.com", "not an absolute http(s) URL"),
    ("ftp://airflow.example.com", "not an absolute http(s) URL"),
    ("https://airflow.example.com/?x=1", "no query or fragment"),
    ("https://airflow.example.com/pimflow/events/akeneo/akeneo_other", "is not this connection's receiver"),
])
def test_a_url_that_cannot_be_the_receiver_is_refused_saying_why(typed, reason):
    with pytest.raises(ValueError, match="--url") as caught:
        receiver_url(typed, "akeneo_shop")
    assert reason in str(caught.value)


def test_a_subscription_points_at_the_connections_receiver_whatever_the_host():
    assert points_at({"config": {"url": "https://a.example/pimflow/events/akeneo/akeneo_shop"}}, "akeneo_shop")
    assert not points_at({"config": {"url": "https://a.example/pimflow/events/akeneo/akeneo_shop2"}}, "akeneo_shop")
    assert not points_at({"config": {"url": "https://a.example/hooks"}}, "akeneo_shop")
    assert not points_at({}, "akeneo_shop")
