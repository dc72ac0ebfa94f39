"""Fetching: one polite requests Session per site, and the `Page` a fetch returns.

What a fetch guarantees:
- robots.txt is obeyed (protego), once read per host and run; its Crawl-delay raises ours.
- One request at a time per host, at least `site.delay` seconds apart.
- Connect and read timeouts; at most `max_redirects` redirects.
- A body larger than `site.max_bytes` is refused without being read into memory (the
  Content-Length check, then a running count of decoded bytes, which also stops gzip bombs).
- 429 and 503 honour Retry-After (seconds or an HTTP date, capped); other 5xx and
  connection errors are retried with exponential backoff and jitter.
- Transport failures raise FetchError with a `kind` and a message that names the site and,
  for TLS, the config option that fixes it. HTTP errors (>= 400) raise FetchError with the
  status; a 304 comes back as a Page with an empty body.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import requests
from protego import Protego

from .clock import now
from .config import Site
from .errors import FetchError

__all__ = ["Fetcher", "Page", "ROBOTS_AGENT"]

ROBOTS_AGENT = "provincial-news-archive"
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504, 520, 521, 522, 523, 524))
MAX_RETRY_AFTER = 120.0
_TEXT_TYPES = ("html", "xml", "text/plain", "rss", "atom", "json")
_FEED_TYPES = ("gzip", "x-gzip", "octet-stream")


@dataclass(frozen=True)
class Page:
    """A fetched response: what was asked, where it ended, and the raw bytes."""

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    fetched_at: datetime
    source: str = "live"
    history: tuple[str, ...] = ()
    elapsed: float = 0.0

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type") or self.headers.get("Content-Type")

    @property
    def redirected(self) -> bool:
        return self.final_url != self.url


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class _HostState:
    next_at: float = 0.0
    robots: Protego | None = None
    robots_checked: bool = False
    robots_blocked_all: str | None = None  # reason, when robots.txt could not be read (5xx)


@dataclass
class Fetcher:
    """Fetches the pages of one site, politely. Not shared between threads.

        fetcher = Fetcher(site)
        page = fetcher.get("https://sldtbxh.kontum.gov.vn/")   # a Page, or FetchError
    """

    site: Site
    session: requests.Session | None = None
    retries: int = 2
    backoff: float = 1.0
    max_redirects: int = 10
    obey_robots: bool = True
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests_made: int = 0
    _hosts: dict[str, _HostState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.session is None:
            self.session = requests.Session()
        self.session.headers["User-Agent"] = self.site.user_agent
        self.session.headers.setdefault("Accept-Language", "vi,en;q=0.5")
        self.session.max_redirects = self.max_redirects
        if self.site.ca_bundle:
            self.session.verify = self.site.ca_bundle
        elif not self.site.verify:
            self.session.verify = False

    # --- politeness ------------------------------------------------------------------

    def _host(self, url: str) -> _HostState:
        key = (urlsplit(url).netloc or "").lower()
        return self._hosts.setdefault(key, _HostState())

    def _wait_turn(self, url: str) -> None:
        state = self._host(url)
        delay = self.site.delay
        if state.robots is not None:
            crawl_delay = state.robots.crawl_delay(ROBOTS_AGENT)
            if crawl_delay:
                delay = max(delay, min(float(crawl_delay), 60.0))
        wait = state.next_at - self.clock()
        if wait > 0:
            self.sleep(wait)
        state.next_at = self.clock() + delay

    def allowed(self, url: str) -> bool:
        """True when robots.txt lets us fetch the URL (robots.txt is read on first use)."""
        if not self.obey_robots:
            return True
        state = self._host(url)
        if not state.robots_checked:
            state.robots_checked = True
            parts = urlsplit(url)
            robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
            try:
                page = self._request(robots_url, check_type=False, retries=1)
                state.robots = Protego.parse(page.body.decode("utf-8", errors="replace"))
            except FetchError as exc:
                if exc.status is not None and 400 <= exc.status < 500:
                    state.robots = None  # no robots.txt: everything is allowed
                elif exc.status is not None:
                    # RFC 9309: a server error on robots.txt means "assume complete disallow"
                    state.robots_blocked_all = f"robots.txt answered {exc.status}"
                else:
                    state.robots = None  # unreachable host: the page fetch will say so
        if state.robots_blocked_all:
            return False
        return state.robots is None or state.robots.can_fetch(url, ROBOTS_AGENT)

    # --- fetching --------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        check_type: bool = True,
    ) -> Page:
        """Fetch a URL within the site's rules; raises FetchError (kind "robots" when robots.txt
        forbids it)."""
        if not self.allowed(url):
            state = self._host(url)
            reason = state.robots_blocked_all or "disallowed by robots.txt"
            raise FetchError(url, reason, kind="robots", site=self.site.name)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._request(url, headers=headers, check_type=check_type, retries=self.retries)

    def _request(
        self, url: str, *, headers: Mapping[str, str] | None = None, check_type: bool = True, retries: int = 0
    ) -> Page:
        attempt = 0
        while True:
            self._wait_turn(url)
            try:
                return self._once(url, headers or {}, check_type)
            except FetchError as exc:
                retryable = exc.kind in ("timeout", "connection") or (exc.status in RETRY_STATUSES)
                if not retryable or attempt >= retries:
                    raise
                wait = exc.retry_after
                if wait is None:
                    wait = self.backoff * (2**attempt) * (0.5 + random.random())
                elif wait > MAX_RETRY_AFTER:
                    raise FetchError(
                        url, f"{exc.reason}; Retry-After {wait:.0f}s is longer than we wait in one run",
                        kind=exc.kind, status=exc.status, site=self.site.name,
                    ) from None
                self.sleep(wait)
                attempt += 1

    def _once(self, url: str, headers: Mapping[str, str], check_type: bool) -> Page:
        site = self.site.name
        assert self.session is not None
        started = time.monotonic()
        fetched_at = now()
        self.requests_made += 1
        try:
            resp = self.session.get(
                url, headers=dict(headers), timeout=(min(10.0, self.site.timeout), self.site.timeout),
                stream=True, allow_redirects=True,
            )
        except requests.exceptions.SSLError as exc:
            raise FetchError(
                url,
                f"TLS certificate could not be verified ({_short(exc)}). Many gov.vn servers send an "
                f"incomplete certificate chain: download the missing intermediate certificate and set "
                f"'ca_bundle: /path/to/chain.pem' for site {site!r} in the config (or, as a last "
                f"resort for this site only, 'verify: false')",
                kind="tls", site=site,
            ) from None
        except requests.exceptions.TooManyRedirects:
            raise FetchError(url, f"more than {self.max_redirects} redirects (a redirect loop?)", kind="redirects", site=site) from None
        except (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout):
            raise FetchError(url, f"no answer within {self.site.timeout:.0f}s", kind="timeout", site=site) from None
        except requests.exceptions.ConnectionError as exc:
            host = urlsplit(url).hostname or url
            if _is_dns_failure(exc):
                # a name that does not resolve will not resolve in a second: no retry
                raise FetchError(url, f"DNS lookup failed for {host} (no such host, or no network)", kind="dns", site=site) from None
            raise FetchError(url, f"connection failed ({_short(exc)})", kind="connection", site=site) from None
        except requests.exceptions.RequestException as exc:
            raise FetchError(url, f"request failed ({_short(exc)})", kind="fetch", site=site) from None
        with resp:
            status = resp.status_code
            history = tuple(r.url for r in resp.history)
            if status >= 400:
                wait = _retry_after(resp.headers.get("Retry-After")) if status in (429, 503) else None
                raise FetchError(url, f"HTTP {status} {resp.reason or ''}".strip(), kind="http", status=status, site=site, retry_after=wait)
            ctype = (resp.headers.get("Content-Type") or "").lower()
            if check_type and status != 304 and ctype and not any(t in ctype for t in _TEXT_TYPES + _FEED_TYPES):
                raise FetchError(url, f"not a web page (Content-Type {ctype})", kind="content_type", status=status, site=site)
            body = self._read_capped(resp, url)
            return Page(
                url=url,
                final_url=resp.url,
                status=status,
                headers={k.lower(): v for k, v in resp.headers.items()},
                body=body,
                fetched_at=fetched_at,
                history=history,
                elapsed=time.monotonic() - started,
            )

    def _read_capped(self, resp: requests.Response, url: str) -> bytes:
        cap = self.site.max_bytes
        length = resp.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > cap:
            raise FetchError(url, f"body of {int(length):,} bytes is over the {cap:,}-byte limit", kind="too_large", status=resp.status_code, site=self.site.name)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in resp.iter_content(65536):
                size += len(chunk)
                if size > cap:
                    raise FetchError(url, f"body is over the {cap:,}-byte limit", kind="too_large", status=resp.status_code, site=self.site.name)
                chunks.append(chunk)
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError) as exc:
            raise FetchError(url, f"connection broke while reading the body ({_short(exc)})", kind="connection", site=self.site.name) from None
        except requests.exceptions.ContentDecodingError as exc:
            raise FetchError(url, f"body could not be decompressed ({_short(exc)})", kind="fetch", site=self.site.name) from None
        except requests.exceptions.Timeout:
            raise FetchError(url, f"body not received within {self.site.timeout:.0f}s", kind="timeout", site=self.site.name) from None
        return b"".join(chunks)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


def _is_dns_failure(exc: BaseException) -> bool:
    text = repr(exc)
    return any(m in text for m in ("NameResolutionError", "Name or service not known", "getaddrinfo failed",
                                   "nodename nor servname", "Temporary failure in name resolution"))


def _short(exc: BaseException) -> str:
    text = str(exc)
    for marker, plain in (("Connection refused", "connection refused"), ("timed out", "timed out"),
                          ("Connection reset", "connection reset by the server"),
                          ("RemoteDisconnected", "the server closed the connection without answering")):
        if marker in text:
            return plain
    # requests nests urllib3's long reprs; the last clause is the useful one
    for marker in ("Caused by ", "due to "):
        if marker in text:
            text = text.split(marker)[-1]
    return text.strip("()'\" ")[:200]
