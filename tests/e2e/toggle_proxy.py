"""A TCP proxy on a loopback port whose upstream can be "switched off", to simulate an S3
endpoint going away and coming back while the server under test keeps its configuration.

Modes:

* ``up``        -- forwards every connection to the target;
* ``refuse``    -- nothing listens on the port: connecting gets ECONNREFUSED (a closed port);
* ``reset``     -- accepts and immediately resets the connection (RST);
* ``blackhole`` -- accepts, reads and discards whatever arrives, never answers.

Every mode change drops all connections open at that moment, so a server's pooled keep-alive
connection cannot outlive an outage (or survive into the next mode).
"""

from __future__ import annotations

import socket
import struct
import threading

MODES = ("up", "refuse", "reset", "blackhole")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hard_close(sock: socket.socket) -> None:
    """Close with an RST (SO_LINGER 0), so the peer notices at once."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class ToggleProxy:
    def __init__(self, target_host: str, target_port: int, port: int | None = None):
        self.target = (target_host, target_port)
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._mode = "up"
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._closed = False
        # Connections accepted in each mode, for the tests' own sanity checks.
        self.accepted = {m: 0 for m in MODES}

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "ToggleProxy":
        with self._lock:
            self._listen_locked()
        return self

    def stop(self) -> None:
        with self._lock:
            self._closed = True
            self._close_listener_locked()
            self._drop_conns_locked()

    def __enter__(self) -> "ToggleProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str) -> None:
        assert mode in MODES, mode
        with self._lock:
            self._mode = mode
            self._drop_conns_locked()
            if mode == "refuse":
                self._close_listener_locked()
            elif self._listener is None:
                self._listen_locked()

    # ------------------------------------------------------------------ internals

    def _listen_locked(self) -> None:
        if self._listener is not None or self._closed:
            return
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(128)
        ls.settimeout(0.1)
        self._listener = ls
        threading.Thread(target=self._accept_loop, args=(ls,), daemon=True,
                         name=f"toggle-proxy-accept-{self.port}").start()

    def _close_listener_locked(self) -> None:
        ls, self._listener = self._listener, None
        if ls is not None:
            try:
                ls.close()
            except OSError:
                pass

    def _drop_conns_locked(self) -> None:
        conns, self._conns = self._conns, set()
        for c in conns:
            _hard_close(c)

    def _accept_loop(self, ls: socket.socket) -> None:
        while True:
            with self._lock:
                if self._listener is not ls:
                    return
            try:
                conn, _ = ls.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self._lock:
                mode = self._mode
                if self._listener is not ls:
                    _hard_close(conn)
                    return
                self.accepted[mode] += 1
                if mode == "reset":
                    _hard_close(conn)
                    continue
                self._conns.add(conn)
            if mode == "blackhole":
                threading.Thread(target=self._swallow, args=(conn,), daemon=True).start()
            else:
                threading.Thread(target=self._connect_upstream, args=(conn,), daemon=True).start()

    def _swallow(self, conn: socket.socket) -> None:
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass

    def _connect_upstream(self, conn: socket.socket) -> None:
        try:
            up = socket.create_connection(self.target, timeout=10)
            up.settimeout(None)
        except OSError:
            with self._lock:
                self._conns.discard(conn)
            _hard_close(conn)
            return
        with self._lock:
            if conn not in self._conns:  # dropped by a mode change meanwhile
                _hard_close(up)
                return
            self._conns.add(up)
        threading.Thread(target=self._pump, args=(conn, up), daemon=True).start()
        threading.Thread(target=self._pump, args=(up, conn), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    try:
                        dst.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    return
                dst.sendall(data)
        except OSError:
            with self._lock:
                self._conns.discard(src)
                self._conns.discard(dst)
            _hard_close(src)
            _hard_close(dst)
