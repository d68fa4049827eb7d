"""The shared session reads the environment once per host and decides as requests does."""
from __future__ import annotations

import requests
import requests.sessions

from httpkit.session import EnvironmentOnceSession, pooled_session


def test_proxies_and_ca_bundle_are_those_requests_chooses_per_host(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "akeneo.internal")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/company.pem")
    once, plain = EnvironmentOnceSession(), requests.Session()
    for url in ("https://api.linnworks.net/api/Inventory/GetChannels", "https://akeneo.internal/api/rest/v1/products"):
        assert once.merge_environment_settings(url, {}, None, None, None) == \
            plain.merge_environment_settings(url, {}, None, None, None)
    proxied = once.merge_environment_settings("https://api.linnworks.net/x", {}, None, None, None)
    bypassed = once.merge_environment_settings("https://akeneo.internal/y", {}, None, None, None)
    assert proxied["proxies"].get("https") == "http://proxy.example:3128"
    assert "https" not in bypassed["proxies"]
    assert proxied["verify"] == "/etc/ssl/company.pem"


def test_the_environment_is_read_once_per_host_not_per_request(monkeypatch):
    reads = []
    real = requests.sessions.get_environ_proxies
    monkeypatch.setattr(requests.sessions, "get_environ_proxies",
                        lambda url, no_proxy=None: reads.append(url) or real(url, no_proxy))
    session = pooled_session(2, 4)
    for n in range(50):
        session.merge_environment_settings(f"https://eu-ext.linnworks.net/api/Stock/{n}", {}, None, True, None)
        session.merge_environment_settings(f"http://127.0.0.1:8080/media/{n}.jpg", {}, None, True, None)
    assert len(reads) == 2
    # a caller changing what it got does not change the kept answer
    got = session.merge_environment_settings("https://eu-ext.linnworks.net/api/a", {}, None, True, None)
    got["proxies"]["https"] = "http://elsewhere:1"
    again = session.merge_environment_settings("https://eu-ext.linnworks.net/api/a", {}, None, True, None)
    assert again["proxies"].get("https") != "http://elsewhere:1"


def test_explicit_call_settings_are_kept_apart_and_trust_env_off_is_plain_requests(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/company.pem")
    session = EnvironmentOnceSession()
    assert session.merge_environment_settings("https://h/x", {}, None, True, None)["verify"] == "/etc/ssl/company.pem"
    assert session.merge_environment_settings("https://h/x", {}, None, False, None)["verify"] is False
    session.trust_env = False
    assert session.merge_environment_settings("https://h/x", {}, None, True, None)["verify"] is True
