"""Fetching: one polite requests Session per site, and the `Page` a fetch returns.

What a fetch guarantees:
- robots.txt is obeyed (protego), read once per host and run; its Crawl-delay raises ours.
- One request at a time per host, at least `site.delay` seconds after the previous one
  ended, across every Fetcher in the process (`HostGate`): sites harvested in parallel
  threads that share a host take turns.
- Only the site's own hosts are fetched. Redirects are followed by hand (at most
  `max_redirects`), each hop checked: a loop, a hop to another host (`OffsiteRedirect`,
  which is how a moved site shows), a hop robots.txt forbids, and — when the site is public —
  a hop to a loopback or private address are refused, not followed.
- Connect and read timeouts, and a total deadline (5 × timeout) for a body that trickles.
- A body larger than `site.max_bytes` is refused without being read into memory: the
  Content-Length check, then a running count of decoded bytes (urllib3 >= 2.6 decodes gzip
  in bounded chunks, so a decompression bomb stops at the cap too).
- 429 and 503 honour Retry-After (seconds or an HTTP date); other 5xx and connection
  errors are retried with exponential backoff and jitter (`site.retries`, `site.backoff`).
  The wait is put on the host, so every fetcher of that host waits; a Retry-After longer than
  `MAX_RETRY_AFTER` ends the host for this run (later URLs fail fast as "deferred" and are
  retried next run) instead of hammering a server that asked for a pause.
- Conditional requests: `get(url, etag=…, last_modified=…)` sends If-None-Match /
  If-Modified-Since; a 304 comes back as a Page with status 304 and an empty body.
- Transport failures raise FetchError with a `kind` and a message that names the site and,
  for TLS, the config option that fixes it. HTTP errors (>= 400) raise FetchError with the
  status. TLS verification is never switched off globally: only a site's own `verify: false`.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import requests.auth
import urllib3
from protego import Protego

from .clock import now
from .config import Site
from .errors import FetchError, OffsiteRedirect
from .urls import canonical, in_scope, is_private_host, netloc_of

__all__ = ["Fetcher", "HostGate", "Page", "ROBOTS_AGENT", "GATE"]

ROBOTS_AGENT = "provincial-news-archive"
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504, 520, 521, 522, 523, 524))
MAX_RETRY_AFTER = 120.0
MAX_CRAWL_DELAY = 60.0
_TEXT_TYPES = ("html", "xml", "text/plain", "rss", "atom", "json")
_FEED_TYPES = ("gzip", "x-gzip", "octet-stream")
_TRANSIENT = frozenset(("timeout", "connection", "truncated"))


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

    @property
    def not_modified(self) -> bool:
        """A 304: the server vouches that the bytes are the ones we already hold."""
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


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


# --- politeness shared between threads ---------------------------------------------------


@dataclass
class _Slot:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_at: float = 0.0      # earliest start of the next request (delay after the last one)
    resume_at: float = 0.0    # the host asked us to wait (Retry-After, backoff) until then
    deferred: str | None = None  # why the host is closed for this run


class HostGate:
    """Turns at each host, shared by every Fetcher in the process: one request at a time,
    `delay` seconds after the previous one ended, and no request before the host's own
    Retry-After has passed.

        with GATE.turn("sldtbxh.kontum.gov.vn", delay=1.0):
            ...one request...
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._slots: dict[str, _Slot] = {}

    def _slot(self, host: str) -> _Slot:
        with self._lock:
            return self._slots.setdefault(host, _Slot())

    @contextmanager
    def turn(self, host: str, delay: float) -> Iterator[None]:
        slot = self._slot(host)
        with slot.lock:
            wait = max(slot.next_at, slot.resume_at) - self.clock()
            if wait > 0:
                self.sleep(wait)
            try:
                yield
            finally:
                slot.next_at = self.clock() + delay

    def pause(self, host: str, seconds: float) -> None:
        """Nobody asks `host` again for `seconds` (a Retry-After or a backoff)."""
        slot = self._slot(host)
        slot.resume_at = max(slot.resume_at, self.clock() + seconds)

    def close_for_run(self, host: str, reason: str, seconds: float) -> None:
        """The host asked for a pause longer than a run waits: refuse its URLs until then."""
        slot = self._slot(host)
        slot.deferred = reason
        slot.resume_at = max(slot.resume_at, self.clock() + seconds)

    def reset(self) -> None:
        """Forget every host's turn and pause (between test cases)."""
        with self._lock:
            self._slots.clear()

    def deferred(self, host: str) -> str | None:
        slot = self._slot(host)
        if slot.deferred and self.clock() >= slot.resume_at:
            slot.deferred = None
        return slot.deferred


GATE = HostGate()
"""The process-wide gate every Fetcher uses unless given its own (tests give their own)."""


@dataclass
class _Robots:
    checked: bool = False
    parser: Protego | None = None
    blocked_all: str | None = None  # reason, when robots.txt could not be read (5xx)
    no_host: FetchError | None = None  # the host's name did not resolve: nothing else will


@dataclass
class Fetcher:
    """Fetches the pages of one site, politely. One per site and thread.

        fetcher = Fetcher(site)
        page = fetcher.get("https://sldtbxh.kontum.gov.vn/")   # a Page, or FetchError

    `retries` and `backoff` default to the site's settings; tests pass `backoff=0`.
    """

    site: Site
    session: requests.Session | None = None
    retries: int | None = None
    backoff: float | None = None
    max_redirects: int = 10
    obey_robots: bool = True
    gate: HostGate = GATE
    max_retry_after: float = MAX_RETRY_AFTER
    requests_made: int = 0
    _robots: dict[str, _Robots] = field(default_factory=dict)
    _public: bool | None = None

    def __post_init__(self) -> None:
        if self.retries is None:
            self.retries = self.site.retries
        if self.backoff is None:
            self.backoff = self.site.backoff
        if self.session is None:
            self.session = requests.Session()
        # no department site asks for credentials: an explicit no-op auth also spares requests'
        # lookup of ~/.netrc on every request (6% of a 200-site run's CPU)
        self.session.auth = _NoAuth()
        self.session.headers["User-Agent"] = self.site.user_agent
        self.session.headers.setdefault("Accept-Language", "vi,en;q=0.5")
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        if self.site.ca_bundle:
            self.session.verify = self.site.ca_bundle
        elif not self.site.verify:
            self.session.verify = False  # this site's session only, as its config asks
            # urllib3's warning would repeat on every request and bury the report; silencing
            # it is process-wide, so the run report names each site whose certificates are
            # not verified instead (pipeline: "TLS certificates are NOT verified")
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    # --- scope -----------------------------------------------------------------------

    @property
    def site_is_public(self) -> bool:
        """True unless one of the site's start URLs is on a loopback or private address (a
        test fixture or an intranet): a public site never fetches a private address."""
        if self._public is None:
            self._public = not any(is_private_host(urlsplit(u).hostname or "") for u in self.site.start_urls)
        return self._public

    def _check_target(self, url: str, origin: str) -> None:
        parts = urlsplit(url)
        name = self.site.name
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(origin, f"refused {url}: not an http(s) URL", kind="scope", site=name)
        if not in_scope(url, self.site.hosts):
            if url == origin:
                raise FetchError(url, f"refused: outside the site's hosts ({', '.join(self.site.hosts)})", kind="scope", site=name)
            raise OffsiteRedirect(origin, url, self.site.hosts, site=name)
        if self.site_is_public and is_private_host(parts.hostname):
            raise FetchError(
                origin, f"refused {url}: a loopback or private address, and the site is public", kind="scope", site=name
            )

    # --- politeness ------------------------------------------------------------------

    def _delay(self, url: str) -> float:
        delay = self.site.delay
        robots = self._robots.get(netloc_of(url))
        if robots and robots.parser is not None:
            crawl_delay = robots.parser.crawl_delay(ROBOTS_AGENT)
            if crawl_delay:
                delay = max(delay, min(float(crawl_delay), MAX_CRAWL_DELAY))
        return delay

    def allowed(self, url: str) -> bool:
        """True when robots.txt lets us fetch the URL (robots.txt is read on first use)."""
        if not self.obey_robots:
            return True
        robots = self._robots.setdefault(netloc_of(url), _Robots())
        if not robots.checked:
            robots.checked = True
            parts = urlsplit(url)
            robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
            try:
                page = self._request(robots_url, {}, check_type=False, retries=min(1, self.retries or 0), robots=False)
                robots.parser = Protego.parse(page.body.decode("utf-8", errors="replace"))
            except FetchError as exc:
                if exc.status is not None and 400 <= exc.status < 500:
                    robots.parser = None  # no robots.txt: everything is allowed
                elif exc.status is not None:
                    # RFC 9309: a server error on robots.txt means "assume complete disallow"
                    robots.blocked_all = f"robots.txt answered {exc.status}; nothing fetched from this host"
                elif exc.kind == "dns":
                    robots.no_host = exc
                else:
                    robots.parser = None  # unreachable, or redirected away: the page fetch will say so
        if robots.blocked_all:
            return False
        return robots.parser is None or robots.parser.can_fetch(url, ROBOTS_AGENT)

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
        forbids it, "scope" for a URL the site may not fetch, "offsite" for a redirect away)."""
        self._check_target(url, url)
        self._check_robots(url, url)
        robots = self._robots.get(netloc_of(url))
        if robots is not None and robots.no_host is not None:
            raise FetchError(url, robots.no_host.reason, kind="dns", site=self.site.name)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._request(url, headers, check_type=check_type, retries=self.retries or 0)

    def _check_robots(self, url: str, origin: str) -> None:
        if not self.allowed(url):
            robots = self._robots.get(netloc_of(url))
            reason = (robots.blocked_all if robots else None) or "disallowed by robots.txt"
            if url != origin:
                reason = f"redirects to {url}, {reason}"
            raise FetchError(origin, reason, kind="robots", site=self.site.name)

    def _request(
        self, url: str, headers: Mapping[str, str], *, check_type: bool, retries: int, robots: bool = True
    ) -> Page:
        """Follow redirects by hand, so every hop is checked for scope, robots and loops."""
        started = time.monotonic()
        hops: list[str] = [url]
        current = url
        while True:
            page = self._with_retries(current, headers, check_type, retries)
            location = page.headers.get("location") if 300 <= page.status < 400 and page.status != 304 else None
            if location is None:
                return Page(
                    url=url, final_url=current, status=page.status, headers=page.headers, body=page.body,
                    fetched_at=page.fetched_at, history=tuple(hops[:-1]), elapsed=time.monotonic() - started,
                )
            target = urljoin(current, location.strip())
            if canonical(target) in {canonical(h) for h in hops}:
                chain = " → ".join([*hops, target])
                raise FetchError(url, f"redirect loop: {chain}", kind="redirects", status=page.status, site=self.site.name)
            if len(hops) > self.max_redirects:
                raise FetchError(url, f"more than {self.max_redirects} redirects", kind="redirects", status=page.status, site=self.site.name)
            self._check_target(target, url)
            if robots:
                self._check_robots(target, url)
            hops.append(target)
            current = target

    def _with_retries(self, url: str, headers: Mapping[str, str], check_type: bool, retries: int) -> Page:
        host = netloc_of(url)
        attempt = 0
        while True:
            closed = self.gate.deferred(host)
            if closed:
                raise FetchError(url, f"not asked: {closed}", kind="deferred", site=self.site.name)
            try:
                with self.gate.turn(host, self._delay(url)):
                    return self._once(url, headers, check_type)
            except FetchError as exc:
                retryable = exc.kind in _TRANSIENT or exc.status in RETRY_STATUSES
                if not retryable:
                    raise
                wait = exc.retry_after
                if wait is not None and wait > self.max_retry_after:
                    reason = f"{exc.reason} with Retry-After {wait:.0f}s, longer than a run waits; the rest of this host is left for the next run"
                    self.gate.close_for_run(host, f"{host} asked for a pause ({exc.reason}, Retry-After {wait:.0f}s)", wait)
                    raise FetchError(url, reason, kind=exc.kind, status=exc.status, site=self.site.name) from None
                if attempt >= retries:
                    raise
                if wait is None:
                    wait = (self.backoff or 0.0) * (2**attempt) * (0.5 + random.random())
                self.gate.pause(host, wait)
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
                stream=True, allow_redirects=False,
                # given per request: a session's own verify loses to REQUESTS_CA_BUNDLE and
                # CURL_CA_BUNDLE, which would silently override the site's ca_bundle or verify
                verify=self.session.verify,
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
        except (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout):
            raise FetchError(url, f"no answer within {self.site.timeout:g}s", kind="timeout", site=site) from None
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
            lowered = {k.lower(): v for k, v in resp.headers.items()}
            if status >= 400:
                wait = _retry_after(resp.headers.get("Retry-After")) if status in (429, 503) else None
                raise FetchError(url, f"HTTP {status} {resp.reason or ''}".strip(), kind="http", status=status, site=site, retry_after=wait)
            body = b""
            if 300 <= status < 400:
                if status != 304 and not lowered.get("location"):
                    raise FetchError(url, f"HTTP {status} without a Location", kind="http", status=status, site=site)
            else:
                ctype = (resp.headers.get("Content-Type") or "").lower()
                if check_type and ctype and not any(t in ctype for t in _TEXT_TYPES + _FEED_TYPES):
                    raise FetchError(url, f"not a web page (Content-Type {ctype})", kind="content_type", status=status, site=site)
                body = self._read_capped(resp, url, started)
            return Page(
                url=url, final_url=url, status=status, headers=lowered, body=body,
                fetched_at=fetched_at, elapsed=time.monotonic() - started,
            )

    def _read_capped(self, resp: requests.Response, url: str, started: float) -> bytes:
        cap = self.site.max_bytes
        name = self.site.name
        length = resp.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > cap:
            raise FetchError(url, f"body of {int(length):,} bytes is over the {cap:,}-byte limit (max_bytes); not read", kind="too_large", status=resp.status_code, site=name)
        deadline = started + 5 * self.site.timeout
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in resp.iter_content(65536):
                size += len(chunk)
                if size > cap:
                    raise FetchError(url, f"body is over the {cap:,}-byte limit (max_bytes); reading stopped", kind="too_large", status=resp.status_code, site=name)
                if time.monotonic() > deadline:
                    raise FetchError(url, f"body still arriving after {5 * self.site.timeout:g}s; dropped", kind="timeout", site=name)
                chunks.append(chunk)
        except requests.exceptions.ChunkedEncodingError:
            raise FetchError(url, f"connection closed after {size:,} bytes of the body (truncated)", kind="truncated", site=name) from None
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                raise FetchError(url, f"body not received within {self.site.timeout:g}s", kind="timeout", site=name) from None
            raise FetchError(url, f"connection broke while reading the body ({_short(exc)})", kind="connection", site=name) from None
        except requests.exceptions.ContentDecodingError as exc:
            raise FetchError(url, f"body could not be decompressed ({_short(exc)})", kind="fetch", site=name) from None
        except requests.exceptions.Timeout:
            raise FetchError(url, f"body not received within {self.site.timeout:g}s", kind="timeout", site=name) from None
        return b"".join(chunks)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


def _is_dns_failure(exc: BaseException) -> bool:
    text = repr(exc)
    return any(m in text for m in ("NameResolutionError", "Name or service not known", "getaddrinfo failed",
                                   "nodename nor servname", "Temporary failure in name resolution"))


class _NoAuth(requests.auth.AuthBase):
    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        return r


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
