"""A fake Wayback Machine on 127.0.0.1: a CDX index and raw snapshots of fixture captures,
so backfill is tested end to end without ever touching the real archive.

    wayback = FakeWayback()
    wayback.capture_site(site, "20210310020000", host="sldtbxh.kontum.gov.vn")  # every page now
    wayback.add("http://sldtbxh.kontum.gov.vn/x/A-1", "20220101000000", b"<html>…")
    with wayback:
        wayback.base_url                    # http://127.0.0.1:PORT, for --archive-url

What it does as the real CDX server does (wayback-cdx-server README): `url=HOST/*` (every
capture under the host, scheme, "www." and default ports ignored, as SURT keys do),
`output=json` with a header row, `filter=[!]field:regex` (several, all must hold, the regex
must match the whole field), `collapse=digest` (a capture is dropped when its digest equals
the line before it), `from`/`to` (1 to 14 digits, inclusive), `limit` with
`showResumeKey`/`resumeKey` (an empty row, then the key), lines sorted by key then time.
`/web/TIMESTAMPid_/URL` answers the bytes as captured with their own Content-Type; a
timestamp with no capture is redirected to the nearest one of that URL, an unknown URL is
a 404. `add_fault(prefix, Fault)` makes requests whose path starts with `prefix` fail
(status and Retry-After, a reset connection, a body cut short). Every request is logged.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, quote_plus, urlsplit

from .server import Fault, FaultHandler, Request
from .sitegen import CATEGORIES, FixtureSite

__all__ = ["ArchivedCapture", "FakeWayback", "urlkey"]


def urlkey(url: str) -> str:
    """A SURT-like key: host labels reversed without "www." and the port, then path and query.

    >>> urlkey("http://www.sldtbxh.kontum.gov.vn:80/Tin-Tuc/A-1?b=2")
    'vn,gov,kontum,sldtbxh)/tin-tuc/a-1?b=2'
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    key = ",".join(reversed(host.split("."))) + ")" + (parts.path or "/").lower()
    return key + (f"?{parts.query.lower()}" if parts.query else "")


@dataclass(frozen=True)
class ArchivedCapture:
    """One capture as the archive holds it."""

    url: str
    timestamp: str
    body: bytes
    mimetype: str = "text/html"
    status: int = 200
    content_type: str | None = None

    @property
    def digest(self) -> str:
        return base64.b32encode(hashlib.sha1(self.body).digest()).decode("ascii")

    @property
    def key(self) -> str:
        return urlkey(self.url)

    def row(self) -> list[str]:
        return [
            self.key,
            self.timestamp,
            self.url,
            self.mimetype,
            str(self.status),
            self.digest,
            str(len(self.body)),
        ]


_HEADER = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
_SNAPSHOT = re.compile(r"^/web/(\d{1,14})id_/(.+)$")
_NOT_ARCHIVED = (
    b"<html><body><h1>Hrm.</h1><p>The Wayback Machine has not archived that URL.</p></body></html>"
)


class _Handler(FaultHandler):
    server: _Server
    FAULT_BODY = b"<html><body>Slow down</body></html>"

    def do_GET(self) -> None:  # noqa: N802
        owner = self.server.owner
        owner._record(
            Request(
                self.server.server_port, self.path, time.monotonic(), dict(self.headers.items())
            )
        )
        fault = owner._take_fault(self.path)
        if fault is not None and (self.delay_or_reset(fault) or self.status_fault(fault)):
            return
        status, headers, body = owner.answer(self.path)
        self.send_answer(fault, status, headers, body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: FakeWayback, host: str) -> None:
        self.owner = owner
        super().__init__((host, 0), _Handler)


class FakeWayback:
    """Captures, and a server answering CDX queries and raw snapshot requests for them."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.captures: list[ArchivedCapture] = []
        self.log: list[Request] = []
        self.base_url = ""
        self._faults: list[
            list
        ] = []  # [path prefix, fault, times left, requests to let through first]
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- the archive's holdings --------------------------------------------------------

    def add(self, url: str, timestamp: str, body: bytes, *, mimetype: str = "text/html", status: int = 200,
            content_type: str | None = None) -> ArchivedCapture:
        capture = ArchivedCapture(url, timestamp, body, mimetype, status, content_type)
        with self._lock:
            self.captures.append(capture)
        return capture

    def capture_site(
        self,
        site: FixtureSite,
        timestamp: str,
        *,
        host: str,
        scheme: str = "http",
        articles: list[int] | None = None,
        listings: bool = True,
    ) -> list[ArchivedCapture]:
        """What a crawler saw of a fixture site at `timestamp`, filed under `host`: its live
        articles (or those whose ids are given), its listing pages, robots.txt and an image."""
        out = []
        base = f"{scheme}://{host}"
        for a in site.live():
            if articles is None or a.id in articles:
                out.append(
                    self.add(base + site.path_of(a), timestamp, site.render_article(a).encode())
                )
        if listings:
            for i, (slug, _) in enumerate(CATEGORIES):
                for n in range(1, len(site.listing_pages(i)) + 1):
                    page = site.render_listing(i, n)
                    if page is not None:
                        out.append(
                            self.add(
                                f"{base}/{slug}" + (f"?page={n}" if n > 1 else ""),
                                timestamp,
                                page.encode(),
                            )
                        )
            out.append(
                self.add(f"{base}/robots.txt", timestamp, b"User-agent: *\n", mimetype="text/plain")
            )
            out.append(
                self.add(
                    f"{base}/Uploads/banner/baner.jpg",
                    timestamp,
                    b"\xff\xd8\xff",
                    mimetype="image/jpeg",
                )
            )
        return out

    # --- serving -----------------------------------------------------------------------

    def start(self) -> FakeWayback:
        self._server = _Server(self, self.host)
        self.base_url = f"http://{self.host}:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeWayback:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_fault(self, prefix: str, fault: Fault, times: int = 1, after: int = 0) -> None:
        """Answer `times` requests whose path starts with `prefix` with `fault`, once `after`
        such requests have been answered normally."""
        with self._lock:
            self._faults.append([prefix, fault, times, after])

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for entry in self._faults:
                prefix, fault, times, after = entry
                if not path.startswith(prefix) or times <= 0:
                    continue
                if after > 0:
                    entry[3] = after - 1
                    return None
                entry[2] = times - 1
                return fault
        return None

    def _record(self, req: Request) -> None:
        with self._lock:
            self.log.append(req)

    def requests(self, prefix: str = "/") -> list[Request]:
        with self._lock:
            return [r for r in self.log if r.path.startswith(prefix)]

    # --- answers -----------------------------------------------------------------------

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/cdx/search/cdx"):
            return self._cdx(parse_qs(urlsplit(path).query, keep_blank_values=True))
        m = _SNAPSHOT.match(path)
        if m:
            return self._snapshot(m.group(1), m.group(2))
        return 404, {"Content-Type": "text/html"}, _NOT_ARCHIVED

    def _cdx(self, q: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        url = q.get("url", [""])[0]
        if not url.endswith("/*") or q.get("output", [""])[0] != "json":
            return (
                400,
                {"Content-Type": "text/plain"},
                b"this fake answers url=HOST/* with output=json only",
            )
        prefix = urlkey("http://" + url[:-2]).rstrip("/")
        rows = sorted(
            (c for c in self.captures if c.key.startswith(prefix + "/") or c.key == prefix + ")"),
            key=lambda c: (c.key, c.timestamp),
        )
        lo = q.get("from", [""])[0].ljust(14, "0")
        hi = q.get("to", [""])[0].ljust(14, "9")
        rows = [c for c in rows if lo <= c.timestamp <= hi]
        for spec in q.get("filter", []):
            negate = spec.startswith("!")
            name, _, regex = spec.lstrip("!").partition(":")
            index = _HEADER.index(name)
            rows = [c for c in rows if bool(re.fullmatch(regex, c.row()[index])) != negate]
        if "digest" in q.get("collapse", []):
            kept: list[ArchivedCapture] = []
            for c in rows:
                if not kept or kept[-1].digest != c.digest:
                    kept.append(c)
            rows = kept
        resume = q.get("resumeKey", [""])[0]
        if resume:
            rows = [c for c in rows if (c.key, c.timestamp) > _split_key(resume)]
        limit = int(q.get("limit", ["150000"])[0])
        page, rest = rows[:limit], rows[limit:]
        out: list[list[str]] = [_HEADER] + [c.row() for c in page]
        if rest and q.get("showResumeKey", [""])[0] == "true" and page:
            out += [[], [quote_plus(f"{page[-1].key} {page[-1].timestamp}!")]]
        return 200, {"Content-Type": "text/plain; charset=utf-8"}, json.dumps(out).encode()

    def _snapshot(self, timestamp: str, original: str) -> tuple[int, dict[str, str], bytes]:
        key = urlkey(original)
        same = [c for c in self.captures if c.key == key]
        exact = [c for c in same if c.timestamp == timestamp]
        if exact:
            c = exact[0]
            ctype = c.content_type or (
                f"{c.mimetype}; charset=utf-8" if c.mimetype.startswith("text/") else c.mimetype
            )
            return c.status, {"Content-Type": ctype, "Memento-Datetime": timestamp}, c.body
        if same:
            nearest = min(same, key=lambda c: abs(int(c.timestamp) - int(timestamp.ljust(14, "0"))))
            return 302, {"Location": f"/web/{nearest.timestamp}id_/{nearest.url}"}, b""
        return 404, {"Content-Type": "text/html"}, _NOT_ARCHIVED


def _split_key(resume: str) -> tuple[str, str]:
    # parse_qs has already undone quote_plus: "KEY TIMESTAMP!"
    key, _, ts = resume.rstrip("!").rpartition(" ")
    return key, ts
