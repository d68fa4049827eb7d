"""The lean request path sends what plain requests sends and behaves as requests does."""
from __future__ import annotations

import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import requests.utils
import responses
import urllib3.filepost

from httpkit import session as httpkit_session
from httpkit.session import EnvironmentOnceSession, LeanAdapter, pooled_session

URL = "http://api.example.test/api/Inventory/Thing"


@pytest.fixture
def fixed_boundary(monkeypatch):
    """Multipart bodies comparable byte for byte."""
    monkeypatch.setattr(urllib3.filepost, "choose_boundary", lambda: "b0undary")


CALLS = [
    dict(method="get", url=URL),
    dict(method="GET", url=URL, params={"a": 1, "b": None, "c": ["x", "y"], "d": True, "e": 1.5}),
    dict(method="GET", url=URL + "?q=1#frag", params=[("a", "1"), ("a", "2")]),
    # the dict of str / int params most calls pass: encoded without requests' re-quoting pass
    dict(method="GET", url="http://api.example.test/api/rest/v1/products",
         params={"search": '{"identifier":[{"operator":"IN","value":["SKU 1","ä/ö+&=","%41~x","a#b?c"]}]}',
                 "limit": 100, "with_count": False, "attributes": "price,name", "skip": None}),
    dict(method="GET", url="http://api.example.test", params={"q": "x y", "n": 0}),
    dict(method="GET", url="http://api.example.test/ä/a%20b c", params={"key ä": "v%2Fw", "e": ""}),
    dict(method="GET", url=URL, params={"a": None}),
    dict(method="GET", url=URL + "?q=1", params={"a": "1"}),
    dict(method="GET", url=URL + "#frag", params={"a": "1"}),
    dict(method="GET", url=URL, params="raw=1&x"),
    dict(method="POST", url=URL, data='{"a": 1}', headers={"Content-Type": "application/json", "Authorization": "tok"}),
    dict(method="POST", url=URL, json={"b": [1, 2]}, headers={"accept": None, "X-Extra": "1"}),
    dict(method="POST", url=URL, data={"f": "v", "g": ["1", "2"]}),
    dict(method="POST", url=URL, data=b"bytes body", headers={}),
    dict(method="POST", url=URL, params={"type": "Image", "token": "tok"},
         files={"file": ("a.png", b"\x89PNG...", "image/png")}, headers={"Authorization": "tok"}),
    dict(method="PATCH", url=URL, data=iter([b"chunk1", b"chunk2"])),
    dict(method="DELETE", url="http://user:p%40ss@api.example.test/x"),
    dict(method="PUT", url="http://api.example.test", auth=("me", "secret"), data="x"),
    dict(method="HEAD", url="http://[::1]:8080/ä/path with space"),
]


def _plain_prepared(call):
    call = dict(call)
    session = requests.Session()
    session.headers.update({"Accept": "application/json", "User-Agent": "pimflow-test"})
    method, url = call.pop("method"), call.pop("url")
    request = requests.Request(method=method.upper(), url=url, **{**call, "data": call.get("data") or {},
                                                                    "params": call.get("params") or {}})
    return session.prepare_request(request)


def _lean_prepared(call):
    call = dict(call)
    session = pooled_session(1, 1, {"Accept": "application/json", "User-Agent": "pimflow-test"})
    assert session.lean()
    return session._prepare(call.pop("method").upper(), call.pop("url"), call.get("params"), call.get("data"),
                            call.get("headers"), call.get("files"), call.get("auth"), call.get("json"))


@pytest.mark.parametrize("call", CALLS, ids=lambda call: f"{call['method']} {sorted(call)}")
def test_the_lean_path_prepares_what_requests_prepares(call, fixed_boundary):
    plain, lean = _plain_prepared(call), _lean_prepared(call)
    assert (lean.method, lean.url, list(lean.headers.items())) == (plain.method, plain.url, list(plain.headers.items()))
    if isinstance(plain.body, (bytes, str)) or plain.body is None:
        assert lean.body == plain.body
    assert lean.hooks == plain.hooks and len(lean._cookies) == len(plain._cookies) == 0


def test_prepared_urls_are_kept_per_url_and_params_with_their_types():
    session = pooled_session(1, 1)
    urls = [session._prepare("GET", URL, params, None, None, None, None, None).url
            for params in ({"a": 1}, {"a": True}, {"a": 1.0}, {"a": "1"}, {"a": 1}, {"a": 1.0}, {"a": ["1"]})]
    assert urls == [URL + "?a=1", URL + "?a=True", URL + "?a=1.0", URL + "?a=1", URL + "?a=1", URL + "?a=1.0",
                    URL + "?a=1"]
    # str / int / bool params: the URL is kept once and the params appended; a float or a list is
    # prepared by requests and kept with its params (a list, unhashable, is not kept)
    assert set(session._urls) == {(URL, None), (URL, (("a", 1.0, str, float),))}


def test_invalid_headers_and_urls_fail_as_in_requests():
    session = pooled_session(1, 1)
    with pytest.raises(requests.exceptions.InvalidHeader):
        session.request("GET", URL, headers={"X-Bad": "a\r\nInjected: 1"})
    with pytest.raises(requests.exceptions.InvalidHeader):
        session.request("GET", URL, headers={"X-Number": 5})
    with pytest.raises(requests.exceptions.MissingSchema):
        session.request("GET", "api.example.test/x")
    with pytest.raises(requests.exceptions.InvalidSchema):
        session.request("GET", "ftp://api.example.test/x")


def test_what_the_lean_path_skips_sends_the_call_through_plain_requests(monkeypatch):
    session = pooled_session(1, 1)
    plain = []
    monkeypatch.setattr(requests.Session, "request",
                        lambda self, *args, **kwargs: plain.append(sorted(k for k, v in kwargs.items() if v)))
    session.request("GET", URL, cookies={"c": "1"})
    session.request("GET", URL, hooks={"response": [print]})
    session.request("GET", URL, proxies={"http": "http://proxy:3128"})
    session.request("GET", URL.encode())
    session.params = {"session": "param"}
    session.request("GET", URL)
    session.params = {}
    session.cookies.set("kept", "1")
    session.request("GET", URL)
    assert len(plain) == 6


# -- over a mocked adapter (`responses` patches HTTPAdapter.send, which LeanAdapter keeps) -----------
@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def test_responses_mocks_the_lean_session_and_answers_read_as_in_requests(mocked):
    mocked.add(responses.POST, URL, json={"ok": True}, headers={"X-Answer": "1"})
    answer = pooled_session(1, 1).post(URL, json={"a": 1}, timeout=5)
    assert answer.json() == {"ok": True} and answer.headers["x-answer"] == "1"
    assert answer._content_consumed and answer.request.headers["Content-Type"] == "application/json"
    assert mocked.calls[0].request.body == b'{"a": 1}'


def test_cookies_a_server_sets_are_kept_and_sent_back_as_requests_does(mocked):
    mocked.add(responses.GET, "http://api.example.test/login", headers={"Set-Cookie": "affinity=abc; Path=/"})
    mocked.add(responses.GET, URL, body="ok")
    session = pooled_session(1, 1)
    first = session.get("http://api.example.test/login")
    assert first.cookies.get("affinity") == "abc" and session.cookies.get("affinity") == "abc"
    session.get(URL)
    assert mocked.calls[1].request.headers["Cookie"] == "affinity=abc"


def test_answers_without_set_cookie_leave_the_jar_alone(mocked, monkeypatch):
    mocked.add(responses.GET, URL, body="ok")
    extracted = []
    real = httpkit_session.extract_cookies_to_jar
    monkeypatch.setattr(httpkit_session, "extract_cookies_to_jar", lambda *a: extracted.append(a) or real(*a))
    session = pooled_session(1, 1)
    assert session.get(URL).text == "ok"
    assert not extracted and not session.cookies


def test_redirects_are_followed_as_requests_follows_them(mocked):
    mocked.add(responses.POST, URL, status=302, headers={"Location": "/api/elsewhere"})
    mocked.add(responses.GET, "http://api.example.test/api/elsewhere", body="there")
    answer = pooled_session(1, 1).post(URL, data="x", headers={"Authorization": "tok"})
    assert answer.text == "there" and [r.status_code for r in answer.history] == [302]
    redirected = mocked.calls[1].request
    assert redirected.method == "GET" and redirected.body is None and redirected.headers["Authorization"] == "tok"
    unfollowed = pooled_session(1, 1).post(URL, data="x", allow_redirects=False)
    assert unfollowed.status_code == 302 and unfollowed.next.url == "http://api.example.test/api/elsewhere"


def test_mocked_connection_errors_surface_as_in_requests(mocked):
    mocked.add(responses.GET, URL, body=requests.ConnectionError("refused"))
    with pytest.raises(requests.ConnectionError):
        pooled_session(1, 1).get(URL)


# -- over a real socket ---------------------------------------------------------------------------
class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        _Recorder.seen.append((self.command, self.path, list(self.headers.items()), body))
        if self.path.startswith("/slow"):
            threading.Event().wait(1.0)
        payload = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_the_wire_carries_what_plain_requests_sends(server, fixed_boundary):
    headers = {"Accept": "application/json", "User-Agent": "pimflow-test"}
    plain = requests.Session()
    plain.headers.update(headers)
    for session in (plain, pooled_session(1, 1, headers)):
        session.post(f"{server}/api/Uploader/UploadFile", params={"type": "Image", "token": "t"},
                     files={"file": ("a.png", b"\x89PNG", "image/png")}, headers={"Authorization": "t"}, timeout=5)
        session.post(f"{server}/api/Inventory/Attach", data='{"a": 1}',
                     headers={"Authorization": "t", "Content-Type": "application/json"}, timeout=5)
        answer = session.get(f"{server}/media/1.png", headers={"Authorization": "Bearer x"}, stream=True, timeout=5)
        assert answer.raw.read() == b'{"ok": true}'
    sent = [(method, path, [(k, v) for k, v in items if k.lower() != "host"], body)
            for method, path, items, body in _Recorder.seen]
    assert sent[:3] == sent[3:]


def test_timeouts_and_refused_connections_raise_what_requests_raises(server):
    session = pooled_session(1, 1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.get(f"{server}/slow", timeout=0.2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_a_proxy_from_the_environment_gets_the_absolute_url(server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", server)  # the recorder plays the proxy
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    pooled_session(1, 1).get("http://api.example.test/api/x?y=1", timeout=5)
    assert _Recorder.seen[0][1] == "http://api.example.test/api/x?y=1"


def test_netrc_credentials_are_read_once_per_host_and_sent(server, tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login me password secret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    reads = []
    monkeypatch.setattr(httpkit_session, "get_netrc_auth", lambda url: reads.append(url) or requests.utils.get_netrc_auth(url))
    session = pooled_session(1, 1)
    for _ in range(3):
        session.get(f"{server}/x", timeout=5)
    session.get(f"{server}/y", auth=("other", "pw"), timeout=5)
    auth = [dict(items).get("Authorization") for _, _, items, _ in _Recorder.seen]
    assert auth[:3] == [requests.auth._basic_auth_str("me", "secret")] * 3
    assert auth[3] == requests.auth._basic_auth_str("other", "pw")
    assert len(reads) == 1


# -- the adapter ----------------------------------------------------------------------------------
class _Conn:
    pass


def test_the_ca_bundle_is_checked_once_per_verify_and_cert(tmp_path, monkeypatch):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    cases = [("https://h/x", str(bundle), None), ("https://h/y", True, None), ("http://h/z", str(bundle), None),
             ("HTTPS://h/x", False, None), ("https://h/x", str(tmp_path), None),
             ("https://h/x", str(bundle), (str(bundle), str(bundle))), ("https://h/x", True, str(bundle))]
    adapter, plain = LeanAdapter(), requests.adapters.HTTPAdapter()
    for url, verify, cert in cases:  # what the connection gets is what HTTPAdapter gives it
        lean_conn, plain_conn = _Conn(), _Conn()
        adapter.cert_verify(lean_conn, url, verify, cert)
        plain.cert_verify(plain_conn, url, verify, cert)
        assert vars(lean_conn) == vars(plain_conn)
    stats = []
    for name in ("exists", "isdir"):
        real = getattr(os.path, name)
        monkeypatch.setattr(os.path, name, lambda path, real=real: stats.append(path) or real(path))
    for _ in range(3):
        for url, verify, cert in cases:
            adapter.cert_verify(_Conn(), url, verify, cert)
    assert stats == []


def test_a_missing_ca_bundle_fails_on_every_request():
    adapter = LeanAdapter()
    for _ in range(2):
        with pytest.raises(OSError, match="invalid path"):
            adapter.cert_verify(_Conn(), "https://h/x", "/nonexistent/ca.pem", None)


def test_pool_keys_are_those_requests_builds(tmp_path):
    adapter, plain = LeanAdapter(), requests.adapters.HTTPAdapter()
    prepared = requests.Request("GET", "https://Api.Example.test:8443/p?q=1").prepare()
    for verify, cert in [(True, None), (False, None), (str(tmp_path), None), (str(tmp_path / "ca.pem"), "c.pem"),
                         (True, ("c.pem", "k.pem"))]:
        for _ in range(2):
            assert adapter.build_connection_pool_key_attributes(prepared, verify, cert) == \
                plain.build_connection_pool_key_attributes(prepared, verify, cert)


def test_the_session_mounts_the_lean_adapter():
    session = pooled_session(2, 8)
    assert isinstance(session, EnvironmentOnceSession)
    assert all(isinstance(adapter, LeanAdapter) for adapter in session.adapters.values())
