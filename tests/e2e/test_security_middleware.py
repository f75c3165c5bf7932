"""MLflow 3.x's security middleware (``mlflow/server/fastapi_security.py``,
``security_utils.py``, Starlette's ``CORSMiddleware``): the Host allow-list, blocking of
cross-origin state-changing API calls, CORS preflight answers, ``X-Frame-Options`` and
``X-Content-Type-Options``, and the flags and environment variables that configure them.

Requests go out raw (``http.client``) so that the Host and Origin headers are exactly the ones
given. Every expectation holds for the Python server in oracle mode (``MLFLOWD_BIN_IS_PYTHON=1``);
where mlflowd differs, the test says so and asserts both behaviours.
"""

from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import mlflowd_is_python

INVALID_HOST_MSG = b"Invalid Host header - possible DNS rebinding attack detected"
CORS_BLOCKED_MSG = b"Cross-origin request blocked"
CREDENTIALED_METHODS = "GET, POST, PUT, DELETE, OPTIONS, PATCH"
ALL_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY"
FOREIGN = "https://evil.example"
SEARCH = "/api/2.0/mlflow/experiments/search"
GET_DEFAULT = "/api/2.0/mlflow/experiments/get?experiment_id=0"

# Every server starts with the four variables explicitly empty (empty = unset for click and for
# mlflowd), so a value in the caller's environment cannot leak in; a config overrides them.
NEUTRAL_ENV = {
    "MLFLOW_SERVER_ALLOWED_HOSTS": "",
    "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS": "",
    "MLFLOW_SERVER_X_FRAME_OPTIONS": "",
    "MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE": "",
}
CONFIGS = {
    "default": {},
    "prefix": {"extra_args": ["--static-prefix", "/p"]},
    "custom": {"extra_args": [
        "--allowed-hosts", "mlflow.example.com,*.internal",
        "--cors-allowed-origins", "https://a.example, https://*.b.example",
        "--x-frame-options", "DENY",
    ]},
    "wildcard": {"extra_args": ["--allowed-hosts", "*", "--cors-allowed-origins", "*",
                                "--x-frame-options", "NONE"]},
    "disabled": {"extra_args": ["--disable-security-middleware"]},
    "env": {"env": {
        "MLFLOW_SERVER_ALLOWED_HOSTS": "mlflow.example.com",
        "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS": "https://a.example",
        "MLFLOW_SERVER_X_FRAME_OPTIONS": "deny",
    }},
    "env_disabled": {"env": {"MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE": "true"}},
}


@pytest.fixture(scope="module")
def servers(db_factory, server_factory):
    """One server per configuration, started concurrently (the Python ones are slow)."""
    built = {}
    for name, cfg in CONFIGS.items():
        env = {**NEUTRAL_ENV, **cfg.get("env", {})}
        built[name] = server_factory("mlflowd", db_factory("sqlite"), label=f"sec-{name}",
                                     start=False, env=env, extra_args=cfg.get("extra_args"))
    with ThreadPoolExecutor(len(built)) as pool:
        list(pool.map(lambda s: s.start(), built.values()))
    return built


class Resp:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name: str) -> str | None:
        """The header's value; fails if it was sent more than once."""
        values = self.headers.get_all(name) or []
        assert len(values) <= 1, (name, values)
        return values[0] if values else None

    def access_control(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()
                if k.lower().startswith("access-control-")}

    def __repr__(self) -> str:
        return f"<{self.status} {dict(self.headers.items())} {self.body[:300]!r}>"


def send(srv, method: str, path: str, headers: dict | None = None, body=None) -> Resp:
    """``path`` as given (prefix included), with exactly these headers; ``Host`` defaults to
    the address the server listens on."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        hdrs = {"Host": f"127.0.0.1:{srv.port}", **(headers or {})}
        if body is not None:
            body = json.dumps(body).encode() if not isinstance(body, bytes) else body
            hdrs.setdefault("Content-Type", "application/json")
            hdrs["Content-Length"] = str(len(body))
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders(message_body=body)
        r = conn.getresponse()
        return Resp(r.status, r.headers, r.read())
    finally:
        conn.close()


def assert_host_rejected(r: Resp) -> None:
    """MLflow's bare 403: text/plain, nothing else (the security headers are added further in)."""
    assert r.status == 403, r
    assert r.body == INVALID_HOST_MSG
    assert r.header("Content-Type") == "text/plain"
    assert r.header("X-Frame-Options") is None and r.header("X-Content-Type-Options") is None
    assert r.access_control() == {}


def assert_cors_blocked(r: Resp) -> None:
    """403 text/plain, with the CORS headers of the layer around it but no origin echo."""
    assert r.status == 403, r
    assert r.body == CORS_BLOCKED_MSG
    assert r.header("Content-Type") == "text/plain"
    assert r.access_control() == {"access-control-allow-credentials": "true",
                                  "access-control-expose-headers": "*"}
    assert r.header("X-Frame-Options") is None and r.header("X-Content-Type-Options") is None


def vary_tokens(r: Resp) -> list[str]:
    return [t.strip() for v in (r.headers.get_all("Vary") or []) for t in v.split(",")]


# ------------------------------------------------------------------------------------------------
# Host allow-list
# ------------------------------------------------------------------------------------------------

DEFAULT_ALLOWED_HOSTS = ["localhost", "localhost:5000", "127.0.0.1", "127.0.0.1:80", "[::1]",
                         "[::1]:5000", "0.0.0.0:8080", "192.168.1.20", "192.168.1.20:5000",
                         "10.0.0.7:80", "172.16.0.1", "172.31.255.254:5000",
                         # "10.*" is an fnmatch pattern, not an address range.
                         "10.evil.example"]
DEFAULT_REJECTED_HOSTS = ["evil.example", "evil.example:5000", "mlflow.example.com", "LOCALHOST",
                          "localhost.evil.example", "127.0.0.1.nip.io", "172.15.0.1",
                          "172.32.0.1", "[fd00::1]:5000", ""]


@pytest.mark.parametrize("host", DEFAULT_ALLOWED_HOSTS)
def test_default_hosts_allowed(servers, host):
    r = send(servers["default"], "GET", GET_DEFAULT, {"Host": host})
    assert r.status == 200, r
    assert json.loads(r.body)["experiment"]["experiment_id"] == "0"


@pytest.mark.parametrize("host", DEFAULT_REJECTED_HOSTS)
def test_default_hosts_rejected(servers, host):
    assert_host_rejected(send(servers["default"], "GET", GET_DEFAULT, {"Host": host}))


def test_host_check_precedes_routing_and_methods(servers):
    srv = servers["default"]
    evil = {"Host": "evil.example"}
    assert_host_rejected(send(srv, "POST", SEARCH, evil, {}))
    assert_host_rejected(send(srv, "GET", "/no/such/route", evil))
    assert_host_rejected(send(srv, "GET", "/", evil))
    # A preflight too: the Host check is the outermost layer.
    assert_host_rejected(send(srv, "OPTIONS", SEARCH, {
        **evil, "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"}))


@pytest.mark.parametrize("name", ["default", "custom", "env"])
def test_health_and_version_exempt(servers, name):
    srv = servers[name]
    for host in ["evil.example", "evil.example:5000", ""]:
        r = send(srv, "GET", "/health", {"Host": host})
        assert (r.status, r.body) == (200, b"OK"), (host, r)
        r = send(srv, "GET", "/version", {"Host": host})
        assert (r.status, r.body) == (200, b"3.17.2"), (host, r)


def test_health_exempt_under_static_prefix(servers):
    srv = servers["prefix"]
    evil = {"Host": "evil.example"}
    assert (send(srv, "GET", "/p/health", evil).body, send(srv, "GET", "/p/version", evil).body) \
        == (b"OK", b"3.17.2")
    assert_host_rejected(send(srv, "GET", "/p" + GET_DEFAULT, evil))
    assert_host_rejected(send(srv, "GET", "/version", evil))
    r = send(srv, "GET", "/health", evil)
    if mlflowd_is_python():
        # MLflow serves /health only under the prefix, and exempts only that path.
        assert_host_rejected(r)
    else:
        # Deliberate: mlflowd also answers /health without the prefix (probes need not know
        # it), and exempts that route as well.
        assert (r.status, r.body) == (200, b"OK"), r


def test_custom_allowed_hosts_replace_defaults(servers):
    srv = servers["custom"]
    for host in ["mlflow.example.com", "ci.internal", "a.b.internal"]:
        assert send(srv, "GET", GET_DEFAULT, {"Host": host}).status == 200, host
    # Without a `*` an entry is compared exactly, and a pattern matches the whole header: the
    # port is part of both. The defaults (localhost, private IPs) no longer apply.
    for host in ["mlflow.example.com:443", "ci.internal:5000", "evil.example", "localhost",
                 f"127.0.0.1:{srv.port}", "10.0.0.1", "internal"]:
        assert_host_rejected(send(srv, "GET", GET_DEFAULT, {"Host": host}))


def test_wildcard_allowed_hosts(servers):
    for host in ["evil.example", "anything:1", "mlflow.example.com"]:
        r = send(servers["wildcard"], "GET", GET_DEFAULT, {"Host": host})
        assert r.status == 200, (host, r)


# ------------------------------------------------------------------------------------------------
# Cross-origin blocking
# ------------------------------------------------------------------------------------------------

STATE_CHANGING = [
    ("POST", "/api/2.0/mlflow/experiments/search"),
    ("POST", "/ajax-api/2.0/mlflow/experiments/search"),
    ("DELETE", "/api/2.0/mlflow/registered-models/delete"),
    ("PATCH", "/api/2.0/mlflow/registered-models/update"),
    ("PUT", "/api/2.0/mlflow-artifacts/artifacts/sec/blocked.txt"),
]


@pytest.mark.parametrize("method,path", STATE_CHANGING)
@pytest.mark.parametrize("origin", [FOREIGN, "null", "https://mlflow.example.com", "localhost"])
def test_foreign_origin_state_change_blocked(servers, method, path, origin):
    assert_cors_blocked(send(servers["default"], method, path, {"Origin": origin},
                             {"name": "nope"}))


def test_blocked_request_does_nothing(servers, uniq):
    srv = servers["default"]
    r = send(srv, "POST", "/api/2.0/mlflow/experiments/create", {"Origin": FOREIGN}, {"name": uniq})
    assert_cors_blocked(r)
    r = send(srv, "GET", f"/api/2.0/mlflow/experiments/get-by-name?experiment_name={uniq}")
    assert r.status == 404 and json.loads(r.body)["error_code"] == "RESOURCE_DOES_NOT_EXIST"


@pytest.mark.parametrize("origin,echoed", [
    ("http://localhost:3000", True),
    ("http://127.0.0.1:5000", True),
    ("http://[::1]:8080", True),
    ("http://localhost", True),
    # Any scheme on a loopback hostname is not blocked, but only http:// ones are CORS-allowed.
    ("https://localhost:3000", False),
])
def test_localhost_origins_allowed(servers, origin, echoed):
    srv = servers["default"]
    r = send(srv, "POST", SEARCH, {"Origin": origin}, {"max_results": 1})
    assert r.status == 200, r
    assert r.header("Access-Control-Allow-Origin") == (origin if echoed else None)
    assert r.header("Access-Control-Allow-Credentials") == "true"
    assert r.header("Access-Control-Expose-Headers") == "*"
    assert "Origin" in vary_tokens(r)
    for method, path in STATE_CHANGING[2:4]:
        r = send(srv, method, path, {"Origin": origin}, {"name": "nope"})
        assert r.status == 404 and json.loads(r.body)["error_code"] == "RESOURCE_DOES_NOT_EXIST", r


def test_reads_and_originless_requests_never_blocked(servers):
    srv = servers["default"]
    r = send(srv, "GET", GET_DEFAULT, {"Origin": FOREIGN})
    assert r.status == 200, r
    assert r.header("Access-Control-Allow-Origin") is None
    assert r.header("Access-Control-Allow-Credentials") == "true"
    # The Python client sends no Origin at all.
    r = send(srv, "POST", SEARCH, {}, {"max_results": 1})
    assert r.status == 200 and r.access_control() == {}, r
    assert "Origin" in vary_tokens(r)
    # An empty Origin counts as none.
    assert send(srv, "POST", SEARCH, {"Origin": ""}, {"max_results": 1}).status == 200


def test_non_api_paths_not_blocked(servers):
    # Only /api/ and /ajax-api/ paths are guarded; elsewhere routing answers.
    r = send(servers["default"], "POST", "/no/such/route", {"Origin": FOREIGN}, {})
    assert r.status == 404, r


def test_api_paths_follow_static_prefix(servers):
    srv = servers["prefix"]
    assert_cors_blocked(send(srv, "POST", "/p" + SEARCH, {"Origin": FOREIGN}, {}))
    assert send(srv, "POST", "/p" + SEARCH, {"Origin": "http://localhost:1"},
                {"max_results": 1}).status == 200
    # Unprefixed /api/ is not an API path under a prefix: not blocked, just not found ...
    assert send(srv, "POST", SEARCH, {"Origin": FOREIGN}, {}).status == 404
    # ... except the artifact service's paths, which MLflow checks without the prefix.
    assert_cors_blocked(send(srv, "PUT", "/api/2.0/mlflow-artifacts/artifacts/a.txt",
                             {"Origin": FOREIGN}, b"x"))
    assert_cors_blocked(send(srv, "PUT", "/p/api/2.0/mlflow-artifacts/artifacts/a.txt",
                             {"Origin": FOREIGN}, b"x"))


@pytest.mark.parametrize("name", ["custom", "env"])
def test_cors_allowed_origins(servers, name):
    srv = servers[name]
    host = {"Host": "mlflow.example.com"}
    r = send(srv, "POST", SEARCH, {**host, "Origin": "https://a.example"}, {"max_results": 1})
    assert r.status == 200, r
    assert r.header("Access-Control-Allow-Origin") == "https://a.example"
    assert r.header("Access-Control-Allow-Credentials") == "true"
    assert_cors_blocked(send(srv, "POST", SEARCH, {**host, "Origin": FOREIGN}, {}))
    assert_cors_blocked(send(srv, "POST", SEARCH, {**host, "Origin": "https://a.example:8443"}, {}))
    # Localhost origins stay allowed.
    r = send(srv, "POST", SEARCH, {**host, "Origin": "http://localhost:3000"}, {"max_results": 1})
    assert r.status == 200 and r.header("Access-Control-Allow-Origin") == "http://localhost:3000"


def test_cors_origin_patterns_unblock_without_echo(servers):
    srv = servers["custom"]
    host = {"Host": "mlflow.example.com"}
    # `https://*.b.example` is an fnmatch pattern for the blocking check ...
    r = send(srv, "POST", SEARCH, {**host, "Origin": "https://x.b.example"}, {"max_results": 1})
    assert r.status == 200, r
    # ... but CORS answers compare origins exactly (Starlette), so it is not echoed.
    assert r.header("Access-Control-Allow-Origin") is None
    assert_cors_blocked(send(srv, "POST", SEARCH, {**host, "Origin": "https://b.example"}, {}))


def test_wildcard_origins(servers):
    srv = servers["wildcard"]
    r = send(srv, "POST", SEARCH, {"Origin": FOREIGN}, {"max_results": 1})
    assert r.status == 200, r
    assert r.header("Access-Control-Allow-Origin") == "*"
    assert r.header("Access-Control-Allow-Credentials") is None
    r = send(srv, "DELETE", "/api/2.0/mlflow/registered-models/delete", {"Origin": FOREIGN},
             {"name": "nope"})
    assert r.status == 404, r


# ------------------------------------------------------------------------------------------------
# CORS preflight
# ------------------------------------------------------------------------------------------------

def preflight(srv, origin: str, method: str = "POST", path: str = SEARCH, **extra) -> Resp:
    return send(srv, "OPTIONS", path, {"Origin": origin, "Access-Control-Request-Method": method,
                                       **extra})


def assert_preflight_common(r: Resp, methods: str = CREDENTIALED_METHODS) -> None:
    assert r.header("Content-Type") == "text/plain; charset=utf-8"
    assert r.header("Access-Control-Allow-Methods") == methods
    assert r.header("Access-Control-Max-Age") == "600"
    assert vary_tokens(r) == ["Origin", "Access-Control-Request-Method",
                              "Access-Control-Request-Headers",
                              "Access-Control-Request-Private-Network"]
    # Answered before the security headers layer.
    assert r.header("X-Frame-Options") is None and r.header("X-Content-Type-Options") is None


@pytest.mark.parametrize("path", [SEARCH, "/ajax-api/2.0/mlflow/runs/create", "/static-files/x",
                                  "/"])
def test_preflight_allowed_origin(servers, path):
    r = preflight(servers["default"], "http://localhost:3000", path=path,
                  **{"Access-Control-Request-Headers": "content-type,x-custom"})
    assert (r.status, r.body) == (200, b"OK"), r
    assert_preflight_common(r)
    assert r.header("Access-Control-Allow-Origin") == "http://localhost:3000"
    assert r.header("Access-Control-Allow-Credentials") == "true"
    # allow_headers=["*"]: the requested headers are echoed.
    assert r.header("Access-Control-Allow-Headers") == "content-type,x-custom"


@pytest.mark.parametrize("origin,method,extra,failure", [
    (FOREIGN, "POST", {}, b"Disallowed CORS origin"),
    ("http://localhost:3000", "QUERY", {}, b"Disallowed CORS method"),
    ("http://localhost:3000", "post", {}, b"Disallowed CORS method"),
    (FOREIGN, "HEAD", {"Access-Control-Request-Private-Network": "true"},
     b"Disallowed CORS origin, method, private-network"),
])
def test_preflight_disallowed(servers, origin, method, extra, failure):
    r = preflight(servers["default"], origin, method, **extra)
    assert (r.status, r.body) == (400, failure), r
    assert_preflight_common(r)
    assert r.header("Access-Control-Allow-Credentials") == "true"
    assert r.header("Access-Control-Allow-Origin") == (None if origin == FOREIGN else origin)


def test_preflight_configured_origins(servers):
    srv = servers["custom"]
    host = {"Host": "mlflow.example.com"}
    r = preflight(srv, "https://a.example", **host)
    assert r.status == 200 and r.header("Access-Control-Allow-Origin") == "https://a.example", r
    r = preflight(srv, "https://x.b.example", **host)
    assert (r.status, r.body) == (400, b"Disallowed CORS origin"), r


def test_preflight_wildcard(servers):
    r = preflight(servers["wildcard"], FOREIGN, "QUERY", **{"Access-Control-Request-Headers": "X-A"})
    assert (r.status, r.body) == (200, b"OK"), r
    assert_preflight_common(r, ALL_METHODS)
    assert r.header("Access-Control-Allow-Origin") == "*"
    assert r.header("Access-Control-Allow-Credentials") is None
    assert r.header("Access-Control-Allow-Headers") == "X-A"
    r = preflight(servers["wildcard"], FOREIGN, "TRACE")
    assert (r.status, r.body) == (400, b"Disallowed CORS method"), r


def test_plain_options_on_api_path(servers):
    """An OPTIONS without preflight headers reaches the app; MLflow turns Flask's automatic
    200 into 204 on API paths."""
    r = send(servers["default"], "OPTIONS", SEARCH)
    if not mlflowd_is_python() and r.status == 405:
        pytest.xfail("mlflowd's routes have no automatic OPTIONS answer yet (Flask answers 200 "
                     "with Allow); security.rs already rewrites such a 200 to 204")
    assert (r.status, r.body) == (204, b""), r
    assert "OPTIONS" in r.header("Allow")
    assert r.header("X-Frame-Options") == "SAMEORIGIN"


# ------------------------------------------------------------------------------------------------
# Security headers
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,xfo", [("default", "SAMEORIGIN"), ("custom", "DENY"),
                                      ("env", "DENY"), ("wildcard", None)])
def test_x_frame_options_and_nosniff(servers, name, xfo):
    srv = servers[name]
    host = {"Host": "mlflow.example.com"} if name in ("custom", "env") else {}
    for method, path, body in [("GET", GET_DEFAULT, None), ("GET", "/", None),
                               ("GET", "/health", None), ("GET", "/no/such/route", None),
                               ("POST", SEARCH, {"bad": 1})]:
        r = send(srv, method, path, host, body)
        assert r.header("X-Frame-Options") == xfo, (path, r)
        # Exactly once, errors included.
        assert r.header("X-Content-Type-Options") == "nosniff", (path, r)


def test_notebook_trace_renderer_may_be_framed(servers):
    path = "/static-files/lib/notebook-trace-renderer/index.js"
    r = send(servers["default"], "GET", path)
    assert r.header("X-Frame-Options") is None, r
    assert r.header("X-Content-Type-Options") == "nosniff"
    # MLflow compares the path without the prefix, so under one the header stays.
    r = send(servers["prefix"], "GET", "/p" + path)
    assert r.header("X-Frame-Options") == "SAMEORIGIN", r


# ------------------------------------------------------------------------------------------------
# --disable-security-middleware
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["disabled", "env_disabled"])
def test_disable_security_middleware(servers, name):
    srv = servers[name]
    r = send(srv, "GET", GET_DEFAULT, {"Host": "evil.example"})
    assert r.status == 200, r
    # No security headers at all, nosniff included, and no CORS headers.
    assert r.header("X-Frame-Options") is None and r.header("X-Content-Type-Options") is None
    assert r.header("Vary") is None
    r = send(srv, "POST", SEARCH, {"Origin": FOREIGN}, {"max_results": 1})
    assert r.status == 200 and r.access_control() == {}, r
    r = send(srv, "DELETE", "/api/2.0/mlflow/registered-models/delete", {"Origin": FOREIGN},
             {"name": "nope"})
    assert r.status == 404, r
    # A preflight is not answered by CORS: it reaches the routes.
    r = preflight(srv, "http://localhost:3000")
    assert r.access_control() == {}, r
    if mlflowd_is_python():
        assert r.status == 200 and "OPTIONS" in r.header("Allow"), r  # Flask's automatic OPTIONS
    else:
        assert r.status == 405, r  # no automatic OPTIONS in mlflowd's routes yet


# ------------------------------------------------------------------------------------------------
# Deliberate differences in CORS headers
# ------------------------------------------------------------------------------------------------

def test_cors_headers_without_origin(servers):
    """MLflow's Flask app also runs Flask-CORS, which adds ``Access-Control-Allow-Origin`` to
    Flask-served responses even when the request has no Origin: every plain configured origin
    (with credentials), or ``*`` in wildcard mode. Browsers always send an Origin on
    cross-origin requests, so these headers reach no one who reads them; mlflowd follows
    Starlette's CORSMiddleware alone and adds CORS headers only for requests with an Origin."""
    custom = send(servers["custom"], "GET", GET_DEFAULT, {"Host": "mlflow.example.com"})
    wildcard = send(servers["wildcard"], "GET", GET_DEFAULT)
    if mlflowd_is_python():
        assert custom.access_control() == {"access-control-allow-origin": "https://a.example",
                                           "access-control-allow-credentials": "true"}
        assert wildcard.access_control() == {"access-control-allow-origin": "*"}
    else:
        assert custom.access_control() == {} and wildcard.access_control() == {}
    # Both add `Vary: Origin` to every response; on Flask routes MLflow sends it twice when
    # Flask-CORS echoed the origin ("Origin, Origin"), mlflowd once.
    r = send(servers["default"], "POST", SEARCH, {"Origin": "http://localhost:3000"},
             {"max_results": 1})
    assert vary_tokens(r) == (["Origin", "Origin"] if mlflowd_is_python() else ["Origin"])
