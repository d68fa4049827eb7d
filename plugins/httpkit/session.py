"""One `requests.Session` for both clients: connection pools sized for the client's threads, the
environment (proxies, `no_proxy`, CA bundle, `.netrc`) read once per host instead of on every
request, and a request path without the per-call work pimflow never needs.

With `trust_env` on, requests walks the whole process environment for every request
(`get_environ_proxies` → `proxy_bypass_environment` → `getproxies_environment`), and an Airflow
task's environment is large: under cProfile, on a 2,000-item Akeneo → Linnworks load with images,
this was a fifth of the load step's profiled time. The environment of a task does not change while
it runs, so `EnvironmentOnceSession` asks requests once per (scheme, host) and per call settings,
and keeps the answer; what requests decides (proxy per host with `no_proxy`, `REQUESTS_CA_BUNDLE`,
`CURL_CA_BUNDLE`) is unchanged.

The rest of a call's own CPU (about 1.4 ms of it per call before this module trimmed it, most of
an image-heavy load) is requests preparing and sending: merging session and call settings through
generic mappings and runtime-checked protocols, cookie jars built and searched although no server
sets a cookie, `.netrc` looked for on disk, the CA bundle stat'ed, the URL parsed and re-quoted.
`EnvironmentOnceSession.request` prepares the same `PreparedRequest` (same method, URL, headers in
the same order, body, auth) and sends it through the same adapter, hooks, redirects and errors,
but skips what is provably a no-op for it; as soon as the session holds a cookie, a session-wide
auth, params or hooks, or a call passes cookies, hooks or proxies, it is plain requests.
`LeanAdapter` keeps what `HTTPAdapter` decides from (verify, cert) per pair instead of stat'ing
the files on every request.
"""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlparse

import requests
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar
from requests.exceptions import ChunkedEncodingError, ContentDecodingError, InvalidURL
from requests.exceptions import SSLError as RequestsSSLError
from requests.hooks import default_hooks, dispatch_hook
from requests.models import Response
from requests.sessions import preferred_clock
from requests.structures import CaseInsensitiveDict
from requests.utils import check_header_validity, get_encoding_from_headers, get_netrc_auth, to_native_string
import urllib3
from urllib3 import HTTPHeaderDict
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError, SSLError

# Prepared URLs, headers checked and adapter decisions are kept per distinct input; an input that
# varies without bound (a URL per product) must not grow the process: past this many, start over.
CACHE_LIMIT = 2048
_DEFAULT_HOOKS = default_hooks()


def _plain_query(params) -> str | None:
    """`params` encoded as requests encodes them (`RequestEncodingMixin._encode_params`: None values
    left out, the rest through `urlencode`), for a dict of str keys and str / int / bool values;
    None for anything else (lists, floats, bytes, pairs), which takes requests' own path."""
    if type(params) is not dict:
        return None
    pairs = []
    for key, value in params.items():
        if type(key) is not str:
            return None
        if value is None:
            continue
        if type(value) not in (str, int, bool):
            return None
        pairs.append((key, value))
    return urlencode(pairs)


class EnvironmentOnceSession(requests.Session):
    """A Session whose environment settings are computed once per host and kept, with a lean
    request path (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._environment: dict[tuple, dict] = {}
        self._environment_lock = threading.Lock()
        self._netrc: dict[str, Any] = {}
        self._urls: dict[tuple, str] = {}
        self._valid_headers: set[tuple] = set()

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        scheme, _, rest = (url or "").partition("://")
        try:
            key = (scheme.lower(), rest.split("/", 1)[0].lower(), _frozen(proxies), _frozen(self.proxies),
                   stream, verify, cert, self.verify, self.cert)
            settings = self._environment.get(key)
        except TypeError:  # a list for verify or cert: not kept
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        if settings is None:
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            with self._environment_lock:
                self._environment[key] = settings
        # the caller may keep what it gets; hand out copies of the kept answer
        return {**settings, "proxies": dict(settings.get("proxies") or {})}

    # -- the lean request path ----------------------------------------------------------------
    def lean(self, cookies=None, hooks=None, proxies=None) -> bool:
        """Whether a call with these arguments takes the lean path: nothing of what it skips
        (cookies, session auth or params, hooks, explicit proxies) is in play."""
        return (not cookies and not hooks and not proxies and not self.cookies and self.auth is None
                and not self.params and self.hooks == _DEFAULT_HOOKS)

    def request(self, method, url, params=None, data=None, headers=None, cookies=None, files=None,
                auth=None, timeout=None, allow_redirects=True, proxies=None, hooks=None, stream=None,
                verify=None, cert=None, json=None):
        if not isinstance(url, str) or not self.lean(cookies, hooks, proxies):
            return super().request(method, url, params=params, data=data, headers=headers, cookies=cookies,
                                   files=files, auth=auth, timeout=timeout, allow_redirects=allow_redirects,
                                   proxies=proxies, hooks=hooks, stream=stream, verify=verify, cert=cert,
                                   json=json)
        prep = self._prepare(method.upper(), url, params, data, headers, files, auth, json)
        settings = self.merge_environment_settings(prep.url, {}, stream, verify, cert)
        return self.send(prep, timeout=timeout, allow_redirects=allow_redirects, **settings)

    def _prepare(self, method, url, params, data, headers, files, auth, json) -> requests.PreparedRequest:
        """`Session.prepare_request(Request(...))` for a call on the lean path: the same result."""
        prep = requests.PreparedRequest()
        prep.method = to_native_string(method)
        prep.url = self._prepared_url(prep, url, params)
        prep.headers = self._merged_headers(headers)
        # no cookie can apply: the session's jar and the call's are empty (a fresh jar, for redirects)
        prep._cookies = RequestsCookieJar()
        prep.prepare_body(data or {}, files, json)
        if not auth and self.trust_env:
            auth = self._netrc_auth(url)
        # without auth, prepare_auth only looks for user:password@ in the URL
        if auth or "@" in prep.url.partition("://")[2].split("/", 1)[0]:
            prep.prepare_auth(auth, url)
        return prep

    def _prepared_url(self, prep: requests.PreparedRequest, url: str, params) -> str:
        """`prepare_url(url, params)`, kept per (url, params): a pure function of the two.

        A URL without query or fragment with a dict of str / int params (most calls: a listing's
        `search`, `limit`...) is the URL prepared once, then `?` and the params as requests encodes
        them: requests re-quotes the whole URL after appending them, which changes nothing in what
        `urlencode` wrote, and re-parses it character by character, the bulk of a call's own CPU
        when its `search` names a hundred products."""
        query = _plain_query(params) if params else None
        if query is not None and "?" not in url and "#" not in url:
            base = self._prepared_url(prep, url, None)
            return f"{base}?{query}" if query else base
        try:  # 1, 1.0 and True are equal keys but encode differently: the types are part of the key
            key = (url, tuple((k, v, type(k), type(v)) for k, v in params.items()) if params else None)
            hash(key)
        except (AttributeError, TypeError):  # params as a list of pairs, bytes, or unhashable values
            prep.prepare_url(url, params or {})
            return prep.url
        prepared = self._urls.get(key)
        if prepared is None:
            prep.prepare_url(url, params or {})
            prepared = prep.url
            if len(self._urls) >= CACHE_LIMIT:
                self._urls.clear()
            self._urls[key] = prepared
        return prepared

    def _merged_headers(self, headers) -> CaseInsensitiveDict:
        """The session's headers updated with the call's (a None value drops one), checked as
        `prepare_headers` checks them, in the order `merge_setting` + `prepare_headers` give."""
        merged: dict[str, tuple] = {}
        for name, value in self.headers.items():
            merged[name.lower()] = (name, value)
        if headers is not None:  # merge_setting merges (and drops None values) only then
            for name, value in headers.items():
                merged[name.lower()] = (name, value)
        prepared = CaseInsensitiveDict()
        valid = self._valid_headers
        for header in merged.values():
            if header[1] is None and headers is not None:
                continue
            try:
                known = header in valid
            except TypeError:  # an unhashable value: check_header_validity refuses it
                known = False
            if not known:
                check_header_validity(header)
                if len(valid) >= CACHE_LIMIT:
                    valid.clear()
                valid.add(header)
            prepared[to_native_string(header[0])] = header[1]
        return prepared

    def _netrc_auth(self, url: str):
        """`get_netrc_auth(url)`, read once per host like the rest of the environment."""
        host = url.partition("://")[2].split("/", 1)[0].lower()
        if host not in self._netrc:
            if len(self._netrc) >= CACHE_LIMIT:
                self._netrc.clear()
            self._netrc[host] = get_netrc_auth(url)
        return self._netrc[host]

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> Response:
        """`Session.send`, minus the cookie extraction and redirect resolution that cannot find
        anything: a response without Set-Cookie adds no cookie, one that is not a redirect has no
        redirect to follow (requests 2.34.2's `Session.send`, otherwise line for line)."""
        if isinstance(request, requests.Request) or "proxies" not in kwargs:
            return super().send(request, **kwargs)
        kwargs.setdefault("stream", self.stream)
        kwargs.setdefault("verify", self.verify)
        kwargs.setdefault("cert", self.cert)
        allow_redirects = kwargs.pop("allow_redirects", True)
        stream = kwargs.get("stream")
        hooks = request.hooks
        adapter = self.get_adapter(url=request.url)
        start = preferred_clock()
        r = adapter.send(request, **kwargs)
        r.elapsed = timedelta(seconds=preferred_clock() - start)
        r = dispatch_hook("response", hooks, r, **kwargs)
        if r.history:
            for resp in r.history:
                extract_cookies_to_jar(self.cookies, resp.request, resp.raw)
        if _may_set_cookies(r.raw):
            extract_cookies_to_jar(self.cookies, request, r.raw)
        if r.is_redirect:
            if allow_redirects:
                history = list(self.resolve_redirects(r, request, **kwargs))
                if history:
                    history.insert(0, r)
                    r = history.pop()
                    r.history = history
            else:
                try:
                    r._next = next(self.resolve_redirects(r, request, yield_requests=True, **kwargs))
                except StopIteration:
                    pass
        if not stream:
            _read_content(r)
        return r


class LeanAdapter(HTTPAdapter):
    """`HTTPAdapter` that decides once per (verify, cert) what it would decide on every request
    (stat'ing the CA bundle and the client certificate), and skips cookie extraction for answers
    without Set-Cookie. `send` is `HTTPAdapter.send` itself (which the `responses` library mocks)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._tls: dict[tuple, dict[str, Any]] = {}
        self._pool_tls: dict[tuple, dict[str, Any]] = {}
        self._hosts: dict[str, dict[str, Any]] = {}
        super().__init__(*args, **kwargs)

    def cert_verify(self, conn, url, verify, cert) -> None:
        try:
            key = (url[:5].lower() == "https", verify, cert)
            decided = self._tls.get(key)
        except TypeError:  # an unhashable cert
            return super().cert_verify(conn, url, verify, cert)
        if decided is None:
            probe = _Probe()
            super().cert_verify(probe, url, verify, cert)  # raises OSError for a missing file: not kept
            decided = vars(probe)
            if len(self._tls) >= CACHE_LIMIT:
                self._tls.clear()
            self._tls[key] = decided
        for name, value in decided.items():
            setattr(conn, name, value)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        """Without proxies `select_proxy` can only answer None: straight to the pool manager."""
        if proxies:
            return super().get_connection_with_tls_context(request, verify, proxies=proxies, cert=cert)
        try:
            host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        except ValueError as e:
            raise InvalidURL(e, request=request)
        return self.poolmanager.connection_from_host(**host_params, pool_kwargs=pool_kwargs)

    def request_url(self, request, proxies) -> str:
        """Without proxies the path (and query) is all: the same as `HTTPAdapter.request_url`."""
        if proxies:
            return super().request_url(request, proxies)
        return request.path_url

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        """`_urllib3_request_context`: host parameters per scheme://host:port, TLS parameters
        (`os.path.isdir(verify)`) per (verify, cert), each worked out once."""
        url = request.url
        cut = url.find("/", url.find("//") + 2) if "//" in url else -1
        origin = url[:cut] if cut >= 0 else url
        try:
            tls_key = (verify, cert)
            pool_kwargs = self._pool_tls.get(tls_key)
        except TypeError:
            return super().build_connection_pool_key_attributes(request, verify, cert)
        host_params = self._hosts.get(origin)
        if host_params is None or pool_kwargs is None:
            host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
            check = urlparse(origin)  # the origin alone must give the same host, else do not keep it
            if (check.scheme.lower(), check.hostname, check.port) == (
                    host_params["scheme"], host_params["host"], host_params["port"]):
                for kept in (self._hosts, self._pool_tls):
                    if len(kept) >= CACHE_LIMIT:
                        kept.clear()
                self._hosts[origin] = host_params
                self._pool_tls[tls_key] = pool_kwargs
        return dict(host_params), dict(pool_kwargs)

    def build_response(self, req, resp) -> Response:
        """`HTTPAdapter.build_response`, cookies extracted only when the answer sets one."""
        if not _may_set_cookies(resp):
            response = Response()
            response.status_code = getattr(resp, "status", None)
            response.headers = CaseInsensitiveDict(getattr(resp, "headers", {}))
            response.encoding = get_encoding_from_headers(response.headers)
            response.raw = resp
            response.reason = response.raw.reason
            response.url = req.url.decode("utf-8") if isinstance(req.url, bytes) else req.url
            response.request = req
            response.connection = self
            return response
        return super().build_response(req, resp)


def _read_content(r: Response) -> None:
    """`r.content`, read in one call instead of 10 KiB chunks through generators, with the
    errors `Response.iter_content` raises; anything unusual goes through `r.content` itself."""
    raw = r.raw
    if r._content is not False or r._content_consumed or r.status_code == 0 or raw is None \
            or not isinstance(raw, urllib3.HTTPResponse):
        r.content
        return
    try:
        content = raw.read(decode_content=True)
    except ProtocolError as e:
        raise ChunkedEncodingError(e)
    except DecodeError as e:
        raise ContentDecodingError(e)
    except ReadTimeoutError as e:
        raise requests.ConnectionError(e)
    except SSLError as e:
        raise RequestsSSLError(e)
    r._content = content or b""
    r._content_consumed = True


class _Probe:
    """Stands in for a urllib3 connection: collects what `cert_verify` sets."""


def _may_set_cookies(raw) -> bool:
    """False when `extract_cookies_to_jar(jar, request, raw)` certainly adds nothing: it reads
    only the Set-Cookie and Set-Cookie2 headers of `raw._original_response` (the same headers as
    urllib3's `raw.headers`), and nothing at all without an original response."""
    if not getattr(raw, "_original_response", None):
        return False
    headers = getattr(raw, "headers", None)
    if not isinstance(headers, HTTPHeaderDict):
        return True
    return "set-cookie" in headers or "set-cookie2" in headers


def _frozen(proxies):
    """A proxies mapping as part of a key: None (the session's are used as they are) stays apart
    from an empty one (the environment's are merged into it)."""
    return None if proxies is None else frozenset(proxies.items()) if proxies else ()


def pooled_session(pool_connections: int, pool_maxsize: int, headers: dict[str, str] | None = None
                   ) -> EnvironmentOnceSession:
    """A session whose pools keep `pool_maxsize` connections per host for `pool_connections` hosts."""
    session = EnvironmentOnceSession()
    adapter = LeanAdapter(pool_connections=pool_connections, pool_maxsize=pool_maxsize)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    if headers:
        session.headers.update(headers)
    return session
