"""Backfill: a site's past articles recovered from web archives (the Wayback Machine, or WARC
files), through the same parse → normalise → store path as a live fetch.

    harvester backfill sldtbxh-kontum                          # the Wayback Machine
    harvester backfill sldtbxh-kontum --source warc crawl.warc.gz

Two phases, each resumable, recorded in `backfill_cdx` and `backfill_captures`:

1. list: the archive's captures of the site's hosts (those of its start URLs and its
   `aliases`): CDX pages followed by their resume keys, each page's captures and the key
   that continues them committed together; or a WARC file's records. Every capture is
   recorded once with its URL shape (`parsers.urlshape`): article captures wait to be
   fetched, listing and other captures are recorded as skipped, with the reason.
2. fetch: the article captures still to do, oldest first. The raw bytes (`id_`) from the
   archive, or the record from its WARC. A capture cut off before `</html>` is recorded
   and skipped; any other goes through `pipeline.store_page` with its capture time as the
   observation time and its source on the page, the version and the view observation. An
   error page the archive stored with status 200 fails to parse and is recorded, never
   stored as an article. The capture's state is written in the same transaction as what
   it stored, so a killed run neither loses nor repeats a capture.

A capture whose bytes equal those of one already read (same digest, which `collapse=digest`
does not catch when the repeats are not adjacent) is not fetched again: the stored bytes
are reused, giving the view count at that date without a request.

URLs are re-homed before they are stored: a capture at an alias (an old host) or under
another scheme (`http:` in the archive, `https:` live) is filed under the site's current
host, so an article known live and from the archive is one article.

Politeness towards the archive: one request at a time, `archive_delay` seconds apart
(3 s by default), Retry-After honoured on 429/503 (the Fetcher's machinery); a 429 that
persists through the retries, or five failures in a row, ends the run: run it again later
and it continues where it stopped.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from parsers.urlshape import UrlShape, classify_url

from .clock import iso, now
from .config import Site
from .errors import FetchError, StoreError
from .fetch import Fetcher, Page
from .pipeline import SiteResult, store_page
from .store import Archive
from .urls import in_scope, netloc_of
from .warcfile import index_warc, read_capture
from .wayback import (
    DEFAULT_ARCHIVE_URL,
    capture_time,
    cdx_params,
    cdx_url,
    parse_cdx,
    snapshot_timestamp,
    snapshot_url,
)

log = logging.getLogger(__name__)

__all__ = ["BackfillOptions", "BackfillReport", "backfill", "month_bound", "rehomer", "truncation"]

SOURCES = ("wayback", "warc")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_OPENED = re.compile(rb"<(?:html|body)[\s>]", re.I)
_CLOSED = re.compile(rb"</(?:html|body)\s*>", re.I)
# answers that will not change if asked again: the capture is skipped, not retried
_FINAL_STATUSES = frozenset((400, 403, 404, 410, 451))
_FINAL_KINDS = frozenset(("content_type", "too_large", "redirects", "warc"))


@dataclass(frozen=True)
class BackfillOptions:
    """What to recover and how politely.

    BackfillOptions(source="wayback", since="2019-01", until="2025-06", delay=3.0)
    BackfillOptions(source="warc", files=("crawl.warc.gz",))
    """

    source: str = "wayback"
    files: tuple[str, ...] = ()
    since: str | None = None  # YYYY-MM, inclusive
    until: str | None = None  # YYYY-MM, inclusive
    archive_url: str = DEFAULT_ARCHIVE_URL
    delay: float = 3.0  # seconds between two requests to the archive
    max_captures: int | None = None  # captures read in this run (the rest wait)
    relist: bool = False  # ask the CDX index again even where it was complete
    page_size: int = 1000  # CDX rows per request
    retries: int = 3  # per request, on 429/503/5xx/timeouts
    failures_in_a_row: int = 5  # then the archive is taken to be down: stop
    max_attempts: int = 5  # a capture that failed this often is left alone

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"unknown source {self.source!r}; known: {', '.join(SOURCES)}")
        if self.source == "warc" and not self.files:
            raise ValueError("--source warc needs at least one WARC file")
        if self.source == "wayback" and self.files:
            raise ValueError("files are read only with --source warc")
        parts = urlsplit(self.archive_url)
        if self.source == "wayback" and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ValueError(f"the archive URL must be an http(s) URL, got {self.archive_url!r}")
        lo, hi = month_bound(self.since), month_bound(self.until, end=True)
        if lo and hi and lo > hi:
            raise ValueError(f"--from {self.since} is after --until {self.until}")


@dataclass
class BackfillReport:
    """What one backfill run did, for the person who ran it and for `run_sites.stats`."""

    site: str
    source: str
    status: str = "ok"  # ok | partial | interrupted | unreachable
    message: str = ""
    listed: int = 0  # captures the archive listed in this run
    new: int = 0  # of which not seen by an earlier run
    shapes: Counter[str] = field(default_factory=Counter)  # the new ones, by URL shape
    ignored: Counter[str] = field(default_factory=Counter)  # WARC records not listed, by reason
    fetched: int = 0  # captures read from the archive or a WARC file
    reused: int = 0  # captures whose identical bytes were already stored
    stored: int = 0  # observations stored (parsed articles)
    articles_new: int = 0
    versions_new: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # by reason
    failed: Counter[str] = field(default_factory=Counter)  # by kind; retried next run
    requests: int = 0
    pending: int = 0  # article captures still to read
    totals: dict[str, int] = field(default_factory=dict)  # every article capture by state
    notes: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    def example(self, text: str) -> None:
        if len(self.examples) < 8:
            self.examples.append(text)

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        for key in ("shapes", "ignored", "skipped", "failed"):
            d[key] = dict(getattr(self, key).most_common())
        return d

    def lines(self) -> list[str]:
        def counts(c: Counter[str]) -> str:
            return ", ".join(f"{k} {n}" for k, n in c.most_common()) or "none"

        out = [
            f"{self.site}: backfill from {self.source}: {self.status}"
            + (f" ({self.message})" if self.message else "")
        ]
        shapes = ", ".join(
            f"{self.shapes[k]} {k}" for k in ("article", "listing", "other") if self.shapes[k]
        )
        out.append(
            f"    captures found: {self.listed} listed in this run, {self.new} new"
            + (f" ({shapes})" if shapes else "")
        )
        if self.ignored:
            out.append(f"    WARC records left out: {counts(self.ignored)}")
        out.append(
            f"    fetched: {self.fetched} captures in {self.requests} requests; "
            f"{self.reused} more reused from identical bytes, without a request"
        )
        out.append(
            f"    parsed and stored: {self.stored} observations, {self.articles_new} new articles, {self.versions_new} new versions"
        )
        out.append(f"    skipped: {counts(self.skipped)}")
        if self.failed:
            out.append(f"    failed, retried next run: {counts(self.failed)}")
        totals = ", ".join(f"{n} {k}" for k, n in sorted(self.totals.items()))
        out.append(
            f"    article captures in the archive so far: {totals or 'none'}; {self.pending} still to fetch"
        )
        out.extend(f"    {n}" for n in self.notes)
        out.extend(f"    e.g. {e}" for e in self.examples[:5])
        return out


Progress = Callable[[str, dict[str, Any]], None]


def _quiet(event: str, data: dict[str, Any]) -> None:
    pass


# --- small pure helpers ---------------------------------------------------------------------


def month_bound(value: str | None, *, end: bool = False) -> str | None:
    """'2019-03' as the first (or, with `end`, the last) 14-digit timestamp of that month.

    >>> month_bound("2019-03"), month_bound("2019-03", end=True)
    ('20190300000000', '20190399999999')
    """
    if value is None:
        return None
    m = _MONTH.match(value.strip())
    if not m:
        raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
    return f"{m.group(1)}{m.group(2)}" + ("99999999" if end else "00000000")


def _bare(netloc: str) -> str:
    return netloc[4:] if netloc.startswith("www.") else netloc


def rehomer(site: Site) -> Callable[[str], str]:
    """A function filing a captured URL under the site's current host: a URL on an alias
    (an old host) moves to the first start URL's host, and every URL of the site takes the
    scheme and form ("www." or not) its start URL has. Other URLs are left alone.

    >>> from harvester.config import Site
    >>> s = Site("s", "p", "d", ("https://snv.quangngai.gov.vn/",), aliases=("sldtbxh.kontum.gov.vn",))
    >>> rehomer(s)("http://www.sldtbxh.kontum.gov.vn:80/tin-tuc/Bai-viet-10349?a=1")
    'https://snv.quangngai.gov.vn/tin-tuc/Bai-viet-10349?a=1'
    """
    homes: dict[str, tuple[str, str]] = {}
    for url in site.start_urls:
        parts = urlsplit(url)
        homes.setdefault(_bare(netloc_of(url)), (parts.scheme, netloc_of(url)))
    primary = next(iter(homes.values()))
    for alias in site.aliases:
        homes.setdefault(_bare(alias.lower()), primary)

    def rehome(url: str) -> str:
        home = homes.get(_bare(netloc_of(url)))
        if home is None:
            return url
        parts = urlsplit(url)
        return urlunsplit((home[0], home[1], parts.path or "/", parts.query, ""))

    return rehome


def truncation(body: bytes, content_type: str | None = None) -> str | None:
    """Why an archived HTML page looks cut off, or None: it opens <html> or <body> and never
    closes either (a crawler that stopped reading, a record cut at a size limit).

    >>> truncation(b"<html><body><p>Ng\\xc3\\xa0y \\xc4\\x91\\xc4\\x83ng")
    'truncated: the capture stops before </body> and </html> (27 bytes)'
    >>> truncation(b"<html><body><p>x</p></body></html>") is None
    True
    """
    if content_type and "html" not in content_type.lower():
        return None
    if _OPENED.search(body[:65536]) and not _CLOSED.search(body):
        return f"truncated: the capture stops before </body> and </html> ({len(body):,} bytes)"
    return None


def _parse_reason(message: str) -> str:
    if "error page" in message:
        return "an error page (archived with status 200)"
    if "listing" in message:
        return "a listing page"
    if "login" in message:
        return "a login page"
    return "not a readable article"


def _shape_reason(shape: UrlShape) -> str:
    return "a listing URL" if shape.kind == "listing" else "not an article URL"


# --- the run ----------------------------------------------------------------------------------


def backfill(
    site: Site,
    archive: Archive,
    options: BackfillOptions,
    *,
    fetcher: Fetcher | None = None,
    progress: Progress = _quiet,
    should_stop: Callable[[], bool] = lambda: False,
) -> BackfillReport:
    """Recover a site's captures from the archive named by `options`, recorded as a run
    (`runs`, `run_sites` with the report in `stats.backfill`)."""
    report = BackfillReport(site.name, options.source)
    result = SiteResult(site.name, started_at=iso(now()))
    run_id = archive.start_run(f"backfill --source {options.source}", [site.name])
    own_fetcher = fetcher is None and options.source == "wayback"
    if own_fetcher:
        fetcher = Fetcher(
            _archive_site(site, options),
            obey_robots=False,
            retries=options.retries,
            backoff=max(1.0, options.delay),
        )
    job = _Job(site, archive, options, fetcher, report, result, run_id, progress, should_stop)
    run_status = "ok"
    try:
        if options.source == "wayback":
            job.list_wayback()
        else:
            job.list_warc()
        if not job.stopped:
            job.fetch_all()
    except BaseException:
        report.status = run_status = "interrupted"
        raise
    finally:
        job.finish()
        result.finished_at = iso(now())
        if run_status != "interrupted":
            run_status = {"unreachable": "failed"}.get(report.status, report.status)
        row = result.row()
        row.update(
            status=report.status,
            message=report.message,
            requests=report.requests,
            articles_seen=report.listed,
            articles_new=report.articles_new,
            versions_new=report.versions_new,
            observations=report.stored,
        )
        row["stats"]["backfill"] = report.as_dict()
        archive.save_run_site(run_id, site.name, row)
        archive.finish_run(
            run_id,
            run_status,
            {"run_id": run_id, "status": run_status, "sites": [{"site": site.name, **row}]},
        )
        if own_fetcher and fetcher is not None:
            fetcher.close()
    return report


def _archive_site(site: Site, options: BackfillOptions) -> Site:
    """The site's settings for requests to the archive: the archive's own delay, and none of
    the site's TLS exceptions (they were for the department's server)."""
    return dataclasses.replace(
        site,
        start_urls=(options.archive_url,),
        aliases=(),
        delay=options.delay,
        verify=True,
        ca_bundle=None,
    )


def _query_hosts(site: Site) -> list[str]:
    """The hosts to ask the CDX index about: the archive keys captures without "www.", so one
    query per bare host finds both forms."""
    out: list[str] = []
    for host in site.hosts:
        bare = _bare(host.lower())
        if bare not in out:
            out.append(bare)
    return out


@dataclass
class _Job:
    """One backfill run's state: the two phases and the bookkeeping they share."""

    site: Site
    archive: Archive
    options: BackfillOptions
    fetcher: Fetcher | None
    report: BackfillReport
    result: SiteResult
    run_id: int
    progress: Progress
    should_stop: Callable[[], bool]
    stopped: bool = False
    listing_failed: bool = False
    unreadable: list[str] = field(default_factory=list)  # WARC files not readable at all
    damaged: list[str] = field(default_factory=list)  # WARC files read up to a damaged record
    unrecognised: int = 0
    rehome: Callable[[str], str] = field(init=False)

    def __post_init__(self) -> None:
        self.rehome = rehomer(self.site)
        self.conn: sqlite3.Connection = self.archive.conn

    def stop(self, status: str, message: str) -> None:
        self.stopped = True
        self.report.status = status
        self.report.message = message

    # --- phase 1: list ---------------------------------------------------------------------

    def record_capture(
        self, url: str, timestamp: str, digest: str | None, mimetype: str | None, location: str
    ) -> None:
        shape = classify_url(url, self.site.platform)
        if not in_scope(url, self.site.hosts):
            shape = UrlShape("other", "another host")
        elif mimetype and "html" not in mimetype:
            shape = UrlShape("other", f"not HTML ({mimetype})")
        state, reason = (
            ("pending", None)
            if shape.is_article
            else ("skipped", f"{shape.kind} URL: {shape.reason}")
        )
        cur = self.conn.execute(
            """INSERT OR IGNORE INTO backfill_captures (site, source, url, timestamp, captured_at, digest, mimetype,
                   location, shape, state, reason, run_id, listed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                self.site.name,
                self.options.source,
                url,
                timestamp,
                iso(capture_time(timestamp)),
                digest,
                mimetype,
                location,
                shape.kind,
                state,
                reason,
                self.run_id,
                iso(now()),
            ),
        )
        self.report.listed += 1
        if cur.rowcount:
            self.report.new += 1
            self.report.shapes[shape.kind] += 1
            if not shape.is_article:
                self.report.skipped[_shape_reason(shape)] += 1
            if (
                shape.kind == "other"
                and self.unrecognised < 3
                and "no article shape" in shape.reason
            ):
                # shown so a user can tell whether the site's `platform` setting is missing
                self.unrecognised += 1
                self.report.example(f"{url}: {shape.reason}")

    def list_wayback(self) -> None:
        assert self.fetcher is not None
        since = month_bound(self.options.since)
        until = month_bound(self.options.until, end=True)
        for host in _query_hosts(self.site):
            params = cdx_params(
                host,
                since=since and since[:6],
                until=until and until[:6],
                limit=self.options.page_size,
            )
            query = urlencode(params, doseq=True)
            state = self.conn.execute(
                "SELECT resume_key, done, pages FROM backfill_cdx WHERE site = ? AND query = ?",
                (self.site.name, query),
            ).fetchone()
            if state is not None and state["done"] and not self.options.relist:
                self.report.notes.append(
                    f"{host}: the archive's list was read completely by an earlier run (--relist asks again)"
                )
                continue
            resume = state["resume_key"] if state is not None and not state["done"] else None
            if resume:
                self.report.notes.append(
                    f"{host}: listing continued from an earlier run's resume key (after {state['pages']} pages)"
                )
            asked: set[str] = set()
            while True:
                if self.should_stop():
                    self.stop("interrupted", "stopped while listing captures")
                    return
                url = cdx_url(self.options.archive_url, params, resume)
                try:
                    page = self.fetcher.get(url)
                    cdx = parse_cdx(page.body, url)
                except FetchError as exc:
                    self.listing_failed = True
                    self.report.failed[
                        f"listing: {exc.kind}" + (f" {exc.status}" if exc.status else "")
                    ] += 1
                    self.report.example(f"CDX {url}: {exc.reason}")
                    self.archive.record_error(
                        self.run_id,
                        self.site.name,
                        url,
                        "cdx",
                        exc.reason,
                        status=exc.status,
                        crawl_state=False,
                    )
                    if exc.status == 429:
                        self.stop(
                            "partial",
                            "the archive asks us to slow down (HTTP 429): stopped; run again later to continue",
                        )
                        return
                    break  # this host's listing continues next run, from the saved key
                with self.archive.transaction():
                    for c in cdx.captures:
                        self.record_capture(
                            c.original,
                            c.timestamp,
                            c.digest,
                            c.mimetype,
                            snapshot_url(self.options.archive_url, c.timestamp, c.original),
                        )
                    self.conn.execute(
                        """INSERT INTO backfill_cdx (site, query, resume_key, done, pages, captures, updated_at)
                           VALUES (?, ?, ?, ?, 1, ?, ?)
                           ON CONFLICT(site, query) DO UPDATE SET resume_key = excluded.resume_key, done = excluded.done,
                               pages = CASE WHEN ? THEN 1 ELSE pages + 1 END,
                               captures = CASE WHEN ? THEN excluded.captures ELSE captures + excluded.captures END,
                               updated_at = excluded.updated_at""",
                        (
                            self.site.name,
                            query,
                            cdx.resume_key,
                            int(cdx.resume_key is None),
                            len(cdx.captures),
                            iso(now()),
                            resume is None,
                            resume is None,
                        ),
                    )
                self.progress(
                    "listed",
                    {"host": host, "captures": len(cdx.captures), "total": self.report.listed},
                )
                if cdx.resume_key is None:
                    break
                if cdx.resume_key == resume or cdx.resume_key in asked:
                    self.report.notes.append(
                        f"{host}: the archive repeated a resume key; listing stopped there"
                    )
                    break
                asked.add(cdx.resume_key)
                resume = cdx.resume_key

    def list_warc(self) -> None:
        for name in self.options.files:
            before = self.report.listed
            with self.archive.transaction():  # what was read before a damaged record is kept
                try:
                    for c in index_warc(
                        name, lambda u: in_scope(u, self.site.hosts), self.report.ignored
                    ):
                        self.record_capture(c.url, c.timestamp, c.digest, c.mimetype, c.location)
                except FetchError as exc:
                    # reading it again would give the same: a file problem, not a failure to retry
                    read = self.report.listed - before
                    (self.damaged if read else self.unreadable).append(name)
                    self.report.example(f"{name}: {exc.reason} (after {read} captures)")
                    if read:
                        self.report.notes.append(
                            f"{name}: damaged after {read} captures; those were read, "
                            "the rest of the file cannot be"
                        )
            if self.report.listed == before and name not in self.unreadable:
                self.report.notes.append(
                    f"{name}: no capture of {', '.join(self.site.hosts)} in this file"
                )
            self.progress(
                "listed",
                {
                    "file": name,
                    "captures": self.report.listed - before,
                    "total": self.report.listed,
                },
            )
        if self.unreadable and len(self.unreadable) == len(self.options.files):
            self.stop("unreachable", f"not a WARC/ARC file: {', '.join(self.unreadable)}")

    # --- phase 2: fetch --------------------------------------------------------------------

    def fetch_all(self) -> None:
        lo = month_bound(self.options.since) or "0"
        hi = month_bound(self.options.until, end=True) or "9"
        todo = self.conn.execute(
            """SELECT * FROM backfill_captures WHERE site = ? AND source = ? AND shape = 'article'
                   AND state IN ('pending', 'failed') AND attempts < ? AND timestamp >= ? AND timestamp <= ?
               ORDER BY timestamp, id""",
            (self.site.name, self.options.source, self.options.max_attempts, lo, hi),
        ).fetchall()
        failures = 0
        for i, row in enumerate(todo, 1):
            if self.should_stop():
                self.stop("interrupted", f"stopped after {i - 1} of {len(todo)} captures")
                return
            limit = self.options.max_captures
            if limit is not None and self.report.fetched + self.report.reused >= limit:
                self.report.notes.append(
                    f"stopped at --max-captures {limit}: the rest wait for the next run"
                )
                return
            outcome = self.one(row)
            failures = failures + 1 if outcome == "failed" else 0
            self.progress("capture", {"done": i, "total": len(todo), "outcome": outcome})
            if outcome == "rate-limited":
                self.stop(
                    "partial",
                    "the archive asks us to slow down (HTTP 429): stopped; run again later to continue",
                )
                return
            if failures >= self.options.failures_in_a_row:
                self.stop(
                    "partial",
                    f"{failures} captures failed in a row: the archive seems down; run again later to continue",
                )
                return

    def one(self, row: sqlite3.Row) -> str:
        """Read, check and store one capture; returns what happened to it."""
        twin = None
        if row["digest"]:
            twin = self.conn.execute(
                """SELECT id, state, reason, page_id FROM backfill_captures WHERE site = ? AND digest = ? AND id != ?
                       AND page_id IS NOT NULL AND state IN ('stored', 'skipped') ORDER BY timestamp, id LIMIT 1""",
                (self.site.name, row["digest"], row["id"]),
            ).fetchone()
        if twin is not None and twin["state"] == "skipped":
            self.finish_capture(
                row,
                "skipped",
                f"identical to capture #{twin['id']}: {twin['reason']}",
                page_id=twin["page_id"],
            )
            self.report.skipped["identical to a skipped capture"] += 1
            return "skipped"
        body = None
        if twin is not None:
            try:
                body = self.archive.page_body(int(twin["page_id"]))
            except StoreError as exc:  # the twin's stored bytes are unreadable: fetch this one
                log.warning("capture #%s: %s; fetching it instead", row["id"], exc)
        if twin is not None and body is not None:
            page_row = self.conn.execute(
                "SELECT headers FROM pages WHERE id = ?", (twin["page_id"],)
            ).fetchone()
            headers = json.loads(page_row["headers"]) if page_row and page_row["headers"] else {}
            self.report.reused += 1
            note = f"identical to capture #{twin['id']}: its stored bytes were reused"
            return self.store(row, headers, body, None, note)
        try:
            headers, body, truncated = self.read(row)
        except FetchError as exc:
            return self.failed(row, exc)
        except _OtherCapture as exc:
            self.finish_capture(row, "skipped", str(exc))
            self.report.skipped["the archive served another capture"] += 1
            return "skipped"
        self.report.fetched += 1
        return self.store(row, headers, body, truncated, None)

    def read(self, row: sqlite3.Row) -> tuple[dict[str, str], bytes, str | None]:
        if row["source"] == "warc":
            payload = read_capture(row["location"], self.site.max_bytes)
            if payload.kind == "revisit":
                raise _OtherCapture(
                    "a revisit record whose original response is not in the files read"
                )
            return (
                payload.headers,
                payload.body,
                payload.truncated and f"WARC-Truncated: {payload.truncated}",
            )
        assert self.fetcher is not None
        page = self.fetcher.get(row["location"])
        served = snapshot_timestamp(page.final_url)
        if served and served[:14] != row["timestamp"][:14]:
            raise _OtherCapture(
                f"asked for the capture of {row['timestamp']}, the archive served {served}"
            )
        return dict(page.headers), page.body, None

    def failed(self, row: sqlite3.Row, exc: FetchError) -> str:
        self.archive.record_error(
            self.run_id,
            self.site.name,
            row["url"],
            exc.kind,
            exc.reason,
            status=exc.status,
            crawl_state=False,
        )
        if exc.status == 429:
            return "rate-limited"
        if exc.status in _FINAL_STATUSES or exc.kind in _FINAL_KINDS:
            reason = f"the archive answered HTTP {exc.status}" if exc.status else exc.reason
            self.finish_capture(row, "skipped", reason)
            self.report.skipped[
                f"the archive answered HTTP {exc.status}"
                if exc.status
                else f"unreadable ({exc.kind})"
            ] += 1
            return "skipped"
        self.finish_capture(row, "failed", f"{exc.kind}: {exc.reason}")
        self.report.failed[exc.kind + (f" {exc.status}" if exc.status else "")] += 1
        self.report.example(f"{row['location']}: {exc.reason}")
        return "failed"

    def store(
        self,
        row: sqlite3.Row,
        headers: dict[str, str],
        body: bytes,
        truncated: str | None,
        note: str | None,
    ) -> str:
        page = Page(
            url=row["url"],
            final_url=self.rehome(row["url"]),
            status=200,
            headers=headers,
            body=body,
            fetched_at=capture_time(row["timestamp"]),
            source=row["source"],
        )
        cut = truncated or truncation(body, page.content_type)
        with self.archive.transaction():
            if cut:
                page_id = self.archive.save_page(
                    page, site=self.site.name, kind="article", run_id=self.run_id
                )
                self.archive.record_error(
                    self.run_id,
                    self.site.name,
                    row["url"],
                    "truncated",
                    cut,
                    status=200,
                    page_id=page_id,
                    crawl_state=False,
                )
                self.finish_capture(row, "skipped", cut, page_id=page_id)
                self.report.skipped["truncated"] += 1
                self.report.example(f"{row['location']}: {cut}")
                return "skipped"
            stored = store_page(self.site, page, self.archive, self.run_id, self.result)
            if stored is None:
                err = self.conn.execute(
                    "SELECT page_id, message FROM errors WHERE run_id = ? ORDER BY id DESC LIMIT 1",
                    (self.run_id,),
                ).fetchone()
                self.finish_capture(row, "skipped", err["message"], page_id=err["page_id"])
                self.report.skipped[_parse_reason(err["message"])] += 1
                self.report.example(f"{row['location']}: {err['message']}")
                return "skipped"
            self.finish_capture(
                row, "stored", note, page_id=stored.page_id, article_id=stored.article_id
            )
        self.report.stored += 1
        self.report.articles_new += stored.new_article
        self.report.versions_new += stored.new_version
        return "stored"

    def finish_capture(
        self,
        row: sqlite3.Row,
        state: str,
        reason: str | None,
        *,
        page_id: int | None = None,
        article_id: int | None = None,
    ) -> None:
        self.conn.execute(
            """UPDATE backfill_captures SET state = ?, reason = ?, page_id = coalesce(?, page_id),
                   article_id = coalesce(?, article_id), run_id = ?, done_at = ?, attempts = attempts + 1 WHERE id = ?""",
            (state, reason, page_id, article_id, self.run_id, iso(now()), row["id"]),
        )

    # --- the end ---------------------------------------------------------------------------

    def finish(self) -> None:
        report = self.report
        report.requests = self.fetcher.requests_made if self.fetcher is not None else 0
        rows = self.conn.execute(
            "SELECT state, count(*) FROM backfill_captures WHERE site = ? AND source = ? AND shape = 'article' GROUP BY state",
            (self.site.name, self.options.source),
        ).fetchall()
        report.totals = {r[0]: int(r[1]) for r in rows}
        report.pending = report.totals.get("pending", 0) + report.totals.get("failed", 0)
        if report.status == "ok":
            if self.unreadable or self.damaged:
                report.status = "partial"
                report.message = "; ".join(
                    [f"not a WARC/ARC file: {', '.join(self.unreadable)}"] * bool(self.unreadable)
                    + [f"damaged: {', '.join(self.damaged)}"] * bool(self.damaged)
                )
            elif self.listing_failed or report.failed:
                report.status = "partial"
                report.message = "some requests failed; run again to retry them"
            if self.listing_failed and report.listed == 0 and not report.totals:
                report.status = "unreachable"
                report.message = "the archive could not be read" + (
                    f": {report.examples[0]}" if report.examples else ""
                )


class _OtherCapture(Exception):
    """The archive answered with something other than the capture asked for."""
