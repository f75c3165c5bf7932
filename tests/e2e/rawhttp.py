"""Raw HTTP for the artifact suites: the request target goes out exactly as given (``..``
segments, percent-escapes and backslashes are not normalised as ``requests`` would)."""

from __future__ import annotations

import http.client
import json
import time


class RawResponse:
    def __init__(self, status: int, headers, body: bytes, elapsed: float = 0.0):
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed

    def json(self):
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<{self.status} {self.elapsed:.1f}s {self.body[:400]!r}>"


def raw_request(srv, method: str, target: str, body: bytes | None = None,
                headers: dict | None = None, timeout: float = 90) -> RawResponse:
    """Sends ``target`` exactly as given (no normalisation of ``..`` segments)."""
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout)
    try:
        hdrs = dict(headers or {})
        if body is not None:
            hdrs.setdefault("Content-Length", str(len(body)))
        conn.putrequest(method, target, skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders(message_body=body)
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, resp.headers, data, time.monotonic() - start)
    finally:
        conn.close()
