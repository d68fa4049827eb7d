"""One `requests.Session` for both clients: connection pools sized for the client's threads, and
the environment (proxies, `no_proxy`, CA bundle) read once per host instead of on every request.

With `trust_env` on, requests walks the whole process environment for every request
(`get_environ_proxies` → `proxy_bypass_environment` → `getproxies_environment`), and an Airflow
task's environment is large: profiled on a 2,000-item Akeneo → Linnworks load with images, this
was a fifth of the load step's profiled time. The environment of a task does not change while it runs, so
`EnvironmentOnceSession` asks requests once per (scheme, host) and per call settings, and keeps
the answer; what requests decides (proxy per host with `no_proxy`, `REQUESTS_CA_BUNDLE`,
`CURL_CA_BUNDLE`) is unchanged.
"""
from __future__ import annotations

import threading

import requests
from requests.adapters import HTTPAdapter


class EnvironmentOnceSession(requests.Session):
    """A Session whose environment settings are computed once per host and kept."""

    def __init__(self) -> None:
        super().__init__()
        self._environment: dict[tuple, dict] = {}
        self._environment_lock = threading.Lock()

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        scheme, _, rest = (url or "").partition("://")
        key = (scheme.lower(), rest.split("/", 1)[0].lower(), _frozen(proxies), _frozen(self.proxies),
               stream, _frozen(verify), _frozen(cert), _frozen(self.verify), _frozen(self.cert))
        settings = self._environment.get(key)
        if settings is None:
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            with self._environment_lock:
                self._environment[key] = settings
        # the caller may keep what it gets; hand out copies of the kept answer
        return {**settings, "proxies": dict(settings.get("proxies") or {})}


def _frozen(value):
    if isinstance(value, dict):
        return frozenset(value.items())
    if isinstance(value, list):
        return tuple(value)
    return value


def pooled_session(pool_connections: int, pool_maxsize: int, headers: dict[str, str] | None = None
                   ) -> EnvironmentOnceSession:
    """A session whose pools keep `pool_maxsize` connections per host for `pool_connections` hosts."""
    session = EnvironmentOnceSession()
    adapter = HTTPAdapter(pool_connections=pool_connections, pool_maxsize=pool_maxsize)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    if headers:
        session.headers.update(headers)
    return session
