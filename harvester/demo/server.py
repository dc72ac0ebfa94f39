"""A real HTTP server on 127.0.0.1 for fixture sites, one port per site, with faults on demand.

    with FixtureServer([FixtureSite("demo")]) as server:
        url = server.sites[0].base_url          # http://127.0.0.1:PORT
        server.add_fault("/tin-tuc-su-kien", Fault(status=503, retry_after=1), times=1)

Faults a test can inject on a path: an HTTP status (with Retry-After), a delay before the
answer, a reset connection, a truncated body, a redirect, and an oversized body. Every
request is logged (`server.log`, with the client's address, so tests can count requests,
check politeness and connection reuse), and `on_request` is called with each one before it
is answered (a kill test stops the harvester there). Pages carry an ETag and a matching
If-None-Match gets a 304, as a caching server would. A request in proxy form
(`GET http://sldtbxh.fixture.test/x`) is served too, so a test can give a site a public-looking
host name by pointing a session's proxy at the server.
"""

from __future__ import annotations

import hashlib
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .sitegen import FixtureSite

__all__ = ["Fault", "FaultHandler", "FixtureServer", "Request"]


@dataclass
class Fault:
    """What to do instead of (or before) the normal answer."""

    status: int | None = None          # answer with this status
    retry_after: str | None = None     # Retry-After header value
    delay: float = 0.0                 # seconds to wait before answering
    reset: bool = False                # close the connection without an answer
    truncate: bool = False             # promise more bytes than sent, then close
    redirect: str | None = None        # 302 to this path or URL
    body: bytes | None = None          # answer 200 with this body instead
    content_type: str | None = None
    size: int | None = None            # answer with a body of this many bytes (streamed)
    headers: dict[str, str] | None = None  # extra headers with `body` (Content-Encoding, ETag, …)


@dataclass(frozen=True)
class Request:
    port: int
    path: str
    at: float
    headers: dict[str, str]
    client: tuple[str, int] = ("", 0)
    host: str = ""       # the host asked for (the Host header, or the proxy-form URL's host)


class FaultHandler(BaseHTTPRequestHandler):
    """A quiet HTTP/1.1 handler that can answer with a `Fault`: the base of the fixture
    server's handler and of the fake Wayback Machine's (demo/wayback.py)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    FAULT_BODY = b"<html><body>Service Unavailable</body></html>"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def delay_or_reset(self, fault: Fault) -> bool:
        """Wait the fault's delay; then, for a reset, drop the connection unanswered (True)."""
        if fault.delay:
            time.sleep(fault.delay)
        if fault.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            self.connection.close()
            return True
        return False

    def status_fault(self, fault: Fault) -> bool:
        """Answer with the fault's status (and Retry-After) when it has one (True)."""
        if fault.status is None:
            return False
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if fault.retry_after is not None:
            headers["Retry-After"] = fault.retry_after
        self._send(fault.status, headers, self.FAULT_BODY)
        return True

    def send_answer(self, fault: Fault | None, status: int, headers: dict[str, str], body: bytes) -> None:
        """Send the answer, or half of it behind a longer Content-Length when the fault truncates."""
        if fault is not None and fault.truncate:
            self.send_truncated(status, headers, body[: len(body) // 2], len(body) + 5000)
        else:
            self._send(status, headers, body)

    def send_truncated(self, status: int, headers: dict[str, str], body: bytes, promised: int) -> None:
        """Promise `promised` bytes, send `body`, and close: a body cut short."""
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(promised))
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


class _Handler(FaultHandler):
    server: _SiteServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        owner = self.server.owner
        parts = urlsplit(self.path)
        path = parts.path
        full = path + (f"?{parts.query}" if parts.query else "")   # a proxy-form request's path
        host = parts.netloc or self.headers.get("Host", "")
        request = Request(self.server.server_port, full, time.monotonic(), dict(self.headers.items()),
                          self.client_address[:2], host)
        owner._record(request)
        if owner.on_request is not None:
            owner.on_request(request)
        fault = owner._take_fault(self.server.site, full, path)
        if fault is not None:
            if self.delay_or_reset(fault):
                return
            if fault.redirect:
                self._send(302, {"Location": fault.redirect}, b"")
                return
            if fault.size is not None:
                self.send_response(200)
                self.send_header("Content-Type", fault.content_type or "text/html; charset=utf-8")
                self.send_header("Content-Length", str(fault.size))
                self.end_headers()
                chunk = b"<p>" + b"x" * 65530 + b"</p>"
                sent = 0
                try:
                    while sent < fault.size:
                        piece = chunk[: fault.size - sent]
                        self.wfile.write(piece)
                        sent += len(piece)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
                return
            if self.status_fault(fault):
                return
            if fault.body is not None:
                status, body = 200, fault.body
                headers = {"Content-Type": fault.content_type or "text/html; charset=utf-8", **(fault.headers or {})}
                if fault.truncate:
                    self.send_truncated(status, headers, body, len(body) * 2)
                    return
                self._send(status, headers, body)
                return
        status, headers, body = self.server.site.route(path, dict(parse_qsl(parts.query)))
        if status == 200 and self.server.site.etags and fault is None:
            tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers = {**headers, "ETag": tag}
            if self.headers.get("If-None-Match") == tag:
                self._send(304, {"ETag": tag}, b"")
                return
        self.send_answer(fault, status, headers, body)


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: FixtureServer, site: FixtureSite, host: str, port: int = 0) -> None:
        self.owner = owner
        self.site = site
        super().__init__((host, port), _Handler)

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a client that hung up (a refused oversized body, a timeout): expected here
        super().handle_error(request, client_address)


class FixtureServer:
    """Serves fixture sites on 127.0.0.1, each on its own port: one thread accepts for all,
    a thread a request answers."""

    def __init__(self, sites: list[FixtureSite], host: str = "127.0.0.1", ports: list[int] | None = None) -> None:
        """`ports`: preferred ports, one per site (a busy one falls back to a free port,
        listed in `fell_back`)."""
        self.sites = sites
        self.host = host
        self.ports = ports or []
        self.fell_back: dict[int, int] = {}  # preferred port that was busy → the port used
        self.log: list[Request] = []
        self.on_request: Callable[[Request], None] | None = None
        self._faults: dict[tuple[int, str], list[Fault]] = {}
        self._lock = threading.Lock()
        self._servers: list[_SiteServer] = []
        self._accepting: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> FixtureServer:
        for i, site in enumerate(self.sites):
            port = self.ports[i] if i < len(self.ports) else 0
            try:
                srv = _SiteServer(self, site, self.host, port)
            except OSError:
                srv = _SiteServer(self, site, self.host, 0)
                self.fell_back[port] = srv.server_port
            site.base_url = f"http://{self.host}:{srv.server_port}"
            site.port = srv.server_port
            self._servers.append(srv)
        self._stopping.clear()
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()
        return self

    def _accept(self) -> None:
        """One thread accepts for every site; each request is still handled in its own
        thread. (A serve_forever thread per site polls every 50 ms: with 2,000 sites those
        threads took more CPU than the harvester they served.)"""
        with selectors.DefaultSelector() as selector:
            for srv in self._servers:
                selector.register(srv, selectors.EVENT_READ, data=srv)
            while not self._stopping.is_set():
                for key, _ in selector.select(0.05):
                    key.data._handle_request_noblock()  # what serve_forever calls

    def stop(self) -> None:
        self._stopping.set()
        if self._accepting is not None:
            self._accepting.join(timeout=5)
            self._accepting = None
        for srv in self._servers:
            srv.server_close()
        self._servers.clear()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_fault(self, site: FixtureSite, path: str, fault: Fault, times: int = 1) -> None:
        """Answer the next `times` requests for `path` (with or without query) with `fault`."""
        with self._lock:
            self._faults.setdefault((id(site), path), []).extend([fault] * times)

    def clear_faults(self) -> None:
        """Drop every fault not yet served."""
        with self._lock:
            self._faults.clear()

    def _take_fault(self, site: FixtureSite, full_path: str, path: str) -> Fault | None:
        with self._lock:
            for key in ((id(site), full_path), (id(site), path)):
                queue = self._faults.get(key)
                if queue:
                    return queue.pop(0)
        return None

    def _record(self, req: Request) -> None:
        with self._lock:
            self.log.append(req)

    def requests_for(self, site: FixtureSite) -> list[Request]:
        with self._lock:
            return [r for r in self.log if r.port == site.port]
