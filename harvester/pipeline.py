"""The pipeline: one harvest pass over the configured sites, and one URL becoming a record.

    config → discover (listings, feeds, sitemaps) → fetch → parse + normalise → store

`harvest()` runs a pass and records it in `runs`/`run_sites`. Sites run at the same time,
one thread each (`workers`), each thread with its own archive connection; the fetchers
share one `HostGate`, so a host still sees one request at a time. A site that fails never
stops the others.

`harvest_site()` walks one site:
1. discover new article URLs (incremental: see `discover.py`); each listing page's new URLs
   are queued in the archive (`urls`) as soon as the page is read;
2. fetch the queue: new URLs, then URLs that failed on earlier runs (up to
   `store.MAX_FAILURES` runs);
3. re-visit archived articles the policy says are due (`revisit.py`), with conditional
   requests: a 304 re-reads the stored bytes the server vouched for, so the observation
   repeats the count the unchanged page shows; last, in what the re-visit budget leaves,
   gone articles not tried for `GONE_RECHECK_DAYS` (one that answers is live again).

`harvest_article()` takes one URL through fetch and parse, then stores the raw page with
its article (or its error) in a single transaction, so a process killed at any moment
loses at most the article in hand, and the queue brings it back next run. A page that
cannot be read falls back to the article's print view when there is one. Page-level failures are recorded in `errors`; a site whose host stops answering is
left after a few failures in a row, with its queue kept for the next run.
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import timedelta
from itertools import chain
from typing import Any

from parsers import Article, ParseError, parse_bytes
from parsers.normalise import decode

from .clock import iso, now
from .config import Config, Site
from .discover import CrawlMemory, Frontier, discover, print_view_url
from .errors import FetchError
from .fetch import Fetcher, Page
from .revisit import due_revisits
from .store import LIVE_SOURCES, Archive, StoreResult
from .urls import in_scope, url_key

__all__ = ["ArchiveMemory", "RunResult", "SiteResult", "harvest", "harvest_site", "harvest_article", "store_page"]

log = logging.getLogger(__name__)

FIELDS = ("published_at", "author", "views", "captions", "category")
GIVE_UP_AFTER = 5
"""Transport failures in a row after which a site's pass ends (its queue waits for the next
run): a host that stopped answering costs minutes, not a night of timeouts."""
_TRANSPORT = frozenset(("timeout", "connection", "dns", "truncated", "tls"))
GONE_RECHECK_DAYS = 30
"""A gone article is asked again when it was last tried this many calendar days ago (or
more), after the due re-visits and within their budget: one that answers is live again."""


@dataclass
class SiteResult:
    """What one site's pass did; saved as a `run_sites` row."""

    site: str
    status: str = "ok"               # ok | partial | unreachable | moved | gone | failed | interrupted
    message: str = ""
    started_at: str | None = None    # when the site's pass began and ended (ISO, +07:00)
    finished_at: str | None = None
    requests: int = 0
    listing_pages: int = 0
    articles_seen: int = 0           # article pages fetched (new, retried and re-visited)
    articles_new: int = 0
    versions_new: int = 0
    observations: int = 0
    urls_found: int = 0              # new article URLs discovered (queued)
    revisits: int = 0                # archived articles re-fetched by the policy
    not_modified: int = 0            # 304 answers (listings and articles)
    print_views: int = 0             # articles read from their print view
    left_queued: int = 0             # URLs left in the queue for the next run
    errors: Counter[str] = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)
    traps: list[str] = field(default_factory=list)
    filled: Counter[str] = field(default_factory=Counter)
    parsed: int = 0
    duration: float = 0.0
    # body lengths (characters) for the median, and the 5 shortest (characters, URL): a few
    # bytes an article, not a tuple and a URL (a first harvest parses the whole site)
    body_chars: array[int] = field(default_factory=lambda: array("q"))
    shortest: list[tuple[int, str]] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)  # field → a few URLs without it

    @property
    def reached(self) -> bool:
        return self.status in ("ok", "partial", "interrupted")

    def add_error(self, kind: str, message: str) -> None:
        self.errors[kind] += 1
        if len(self.error_examples) < 5:
            self.error_examples.append(message)

    def observe(self, article: Any, url: str) -> None:
        """Count a parsed article into the fill rates and body lengths (health.py reads them)."""
        self.parsed += 1
        chars = len(article.body)
        self.body_chars.append(chars)
        if len(self.shortest) < 5 or (chars, url) < self.shortest[-1]:
            self.shortest = sorted([*self.shortest, (chars, url)])[:5]
        for f in FIELDS:
            if getattr(article, f) not in (None, (), []):
                self.filled[f] += 1
            elif len(self.missing.setdefault(f, [])) < 5:
                self.missing[f].append(url)

    def row(self) -> dict[str, Any]:
        fill = {f: round(self.filled[f] / self.parsed, 3) for f in FIELDS} if self.parsed else {}
        chars = sorted(self.body_chars)
        return {
            "status": self.status,
            "message": self.message,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "requests": self.requests,
            "listing_pages": self.listing_pages,
            "articles_seen": self.articles_seen,
            "articles_new": self.articles_new,
            "versions_new": self.versions_new,
            "observations": self.observations,
            "errors": sum(self.errors.values()),
            "stats": {
                "errors_by_kind": dict(self.errors),
                "error_examples": self.error_examples,
                "traps": self.traps[:10],
                "fill_rates": fill,
                "parsed": self.parsed,
                "urls_found": self.urls_found,
                "revisits": self.revisits,
                "not_modified": self.not_modified,
                "print_views": self.print_views,
                "left_queued": self.left_queued,
                "duration_s": round(self.duration, 2),
                "body_chars_median": chars[len(chars) // 2] if chars else None,
                "shortest_bodies": [url for _, url in self.shortest],
                "missing_examples": self.missing,
            },
        }


@dataclass
class RunResult:
    run_id: int
    status: str
    sites: list[SiteResult]

    @property
    def exit_code(self) -> int:
        """0 when every site was reached, 1 when any could not be harvested at all."""
        return 0 if all(s.reached or s.status == "gone" for s in self.sites) else 1

    def summary(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "sites": [{"site": s.site, **s.row()} for s in self.sites],
        }


Progress = Callable[[str, dict[str, Any]], None]


def _quiet(event: str, data: dict[str, Any]) -> None:
    pass


# --- what discovery remembers, kept in the archive ---------------------------------------


class ArchiveMemory(CrawlMemory):
    """Discovery's memory in the archive: URLs met (`urls`, `article_urls`), listing
    frontiers (`listing_state`), validators, and each listing page read, stored raw with its
    new URLs queued in one transaction."""

    def __init__(self, archive: Archive, site: Site, run_id: int | None, result: SiteResult) -> None:
        super().__init__()
        self.archive = archive
        self.site = site
        self.run_id = run_id
        self.result = result
        self._frontiers = {
            start: Frontier(row["resume_url"], int(row["pages_read"] or 0), row["reached_end_at"] is not None)
            for start, row in archive.listing_state(site.name).items()
        }

    def is_known(self, url: str) -> bool:
        return self.archive.knows(self.site.name, url_key(url))

    def frontier(self, start_url: str) -> Frontier:
        return self._frontiers.get(start_url, Frontier())

    def validators(self, url: str) -> tuple[str | None, str | None]:
        return self.archive.validators(url)

    def previous_body(self, url: str) -> bytes | None:
        return self.archive.previous_body(url)

    def page_read(self, start_url: str, page: Page, kind: str, new_urls: list[str], frontier: Frontier | None) -> None:
        archive = self.archive
        with archive.transaction():
            archive.save_page(page, site=self.site.name, kind=kind, run_id=self.run_id)
            archive.enqueue(self.site.name, new_urls)
            archive.set_validators(page.url, self.site.name, kind, page.etag, page.last_modified)
            if frontier is not None:
                archive.save_listing_state(
                    self.site.name, start_url, resume_url=frontier.resume_url,
                    reached_end=frontier.reached_end, pages_read=frontier.depth,
                )
        if frontier is not None:
            self._frontiers[start_url] = frontier
        if page.not_modified:
            self.result.not_modified += 1
        self.result.urls_found += len(new_urls)
        # the new URLs are known from now on by their rows in `urls` (queued above); not kept
        # in memory as well, which a first harvest would fill with every URL of the site

    def save_frontier(self, start_url: str, frontier: Frontier) -> None:
        self.archive.save_listing_state(
            self.site.name, start_url, resume_url=frontier.resume_url,
            reached_end=frontier.reached_end, pages_read=frontier.depth,
        )
        self._frontiers[start_url] = frontier

    def trap(self, url: str, message: str) -> None:
        self.result.traps.append(f"{url}: {message}")
        self.archive.record_error(self.run_id, self.site.name, url, "trap", message, url_kind="listing")


# --- one article -------------------------------------------------------------------------


def read_article(
    body: bytes, url: str, content_type: str | None, platform: str, selectors: Mapping[str, Any] | None,
    *, print_view_of: str | None = None,
) -> Article:
    """The article on a stored or fetched page, read as the harvest reads it (a reparse reads
    the same way). A print view (`print_view_of`: the article's URL) is read with the generic
    parser and speaks for the article's URL; its own canonical link is not the article's.
    Raises ParseError for any failure: one page's parser bug is that page's error."""
    try:
        article = parse_bytes(body, url, content_type, "generic" if print_view_of else platform, selectors)
    except ParseError:
        raise
    except Exception as exc:  # noqa: BLE001 (parsers.parse converts its own; this catches the rest)
        log.warning("parsing %s failed", url, exc_info=True)
        raise ParseError(url, f"the parser failed on this page ({type(exc).__name__}: {exc})") from exc
    if print_view_of is not None:
        article = replace(article, url=print_view_of, canonical_url=None)
    return article


def harvest_article(
    site: Site,
    url: str,
    fetcher: Fetcher,
    archive: Archive,
    run_id: int | None,
    result: SiteResult,
    *,
    conditional: bool = False,
) -> FetchError | None:
    """Fetch, parse and store one article URL; failures are recorded, never raised (the
    error is returned so the caller can tell a dying host). `conditional`: ask with the
    stored validators (a re-visit)."""
    article_id = archive.article_id_for(url) if conditional else None
    etag, modified = archive.validators(url) if article_id is not None else (None, None)
    try:
        page = _get(fetcher, url, etag=etag, last_modified=modified)
        if page.not_modified:
            body = archive.previous_body(url, article_id=article_id)
            if body is None:
                page = _get(fetcher, url)
            else:
                result.not_modified += 1
                page = replace(page, body=body)
    except FetchError as exc:
        if exc.kind == "deferred":
            return exc  # not asked at all: the URL stays queued, with no failure counted against it
        kind, reason = exc.kind, exc.reason
        if exc.status in (404, 410):
            missing = archive.mark_missing(url, now(), run_id=run_id, status=exc.status)
            if missing and missing[1]:
                kind, reason = "gone", f"HTTP {exc.status} twice in a row; marked gone"
            elif missing and archive.is_gone(missing[0]):
                # a re-check of an article gone before: still gone is the expected answer
                archive.touch_url(url, site.name, exc.status)
                return exc
        elif exc.kind in ("http", "timeout", "truncated", "too_large") and _from_print_view(site, url, None, fetcher, archive, run_id, result):
            return None
        # one error per URL and run: `gone` when this miss made the article gone
        result.add_error(kind, f"{url}: {reason}" if kind == "gone" else str(exc))
        archive.record_error(run_id, site.name, url, kind, reason, status=exc.status)
        return exc
    store_page(site, page, archive, run_id, result, fetcher=fetcher)
    return None


def _get(fetcher: Fetcher, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Page:
    """fetcher.get, with anything it raises besides FetchError (a redirect to a malformed
    Location, a fetcher bug) turned into this URL's FetchError: one page's failure."""
    try:
        return fetcher.get(url, etag=etag, last_modified=last_modified)
    except FetchError:
        raise
    except Exception as exc:  # noqa: BLE001
        log.warning("fetching %s failed", url, exc_info=True)
        raise FetchError(url, f"the fetch failed ({type(exc).__name__}: {exc})", kind="fetch", site=fetcher.site.name) from exc


def store_page(
    site: Site, page: Page, archive: Archive, run_id: int | None, result: SiteResult,
    *, fetcher: Fetcher | None = None,
) -> StoreResult | None:
    """Parse a fetched article page, then store it with its raw bytes in one transaction.

    The page may be a live fetch or an archived capture (`page.source`; `page.fetched_at` is
    then the capture time). Returns what was stored, or None when the page is not an
    article: (live, with a fetcher) its print view is read instead, or the page is stored
    raw with its error. Parsing and the print view's fetch happen before the transaction,
    so other writers are not kept waiting on them."""
    article: Article | ParseError
    try:
        article = read_article(page.body, page.final_url, page.content_type, site.platform, site.selectors)
    except ParseError as exc:
        article = exc
    failed = isinstance(article, ParseError)
    printed = _read_print_view(site, page.url, page, fetcher) if failed and fetcher is not None else None
    with archive.transaction():
        page_id = archive.save_page(page, site=site.name, kind="article", run_id=run_id)
        if page.source in LIVE_SOURCES and (page.etag or page.last_modified or page.status == 200):
            archive.set_validators(page.final_url, site.name, "article", page.etag, page.last_modified)
        if not isinstance(article, ParseError):
            return _store(site, article, page, page_id, archive, result, requested_url=page.url)
        if printed is not None:
            _store_print_view(site, page.url, page, printed, archive, run_id, result)
            return None
        archive.record_error(run_id, site.name, page.url, "parse", article.reason, status=page.status, page_id=page_id,
                             crawl_state=page.source in LIVE_SOURCES)
    result.add_error("parse", str(article))
    return None


def _store(site: Site, article: Article, page: Page, page_id: int, archive: Archive, result: SiteResult,
           *, requested_url: str, final_url: str | None = None, source: str | None = None) -> StoreResult:
    stored = archive.store_article(
        site.name, article, requested_url=requested_url, final_url=final_url or page.final_url,
        fetched_at=page.fetched_at, page_id=page_id, source=source or page.source,
    )
    result.observe(article, final_url or page.final_url)
    result.observations += 1
    result.articles_new += stored.new_article
    result.versions_new += stored.new_version
    return stored


def _read_print_view(site: Site, url: str, page: Page | None, fetcher: Fetcher) -> tuple[Page, Article] | None:
    """Fetch and read the article's print view (no archive write): (its page, the article
    under `url`), or None when there is none or it cannot be read."""
    html = decode(page.body, page.content_type) if page is not None and page.body else None
    target = print_view_url(site, page.final_url if page else url, html)
    if not target:
        return None
    try:
        printed = _get(fetcher, target)
    except FetchError:
        return None
    if printed.not_modified or not printed.body:
        return None
    try:
        article = read_article(printed.body, printed.final_url, printed.content_type, site.platform, site.selectors,
                               print_view_of=url)
    except ParseError:
        return None
    return printed, article


def _store_print_view(site: Site, url: str, page: Page | None, printed: tuple[Page, Article], archive: Archive,
                      run_id: int | None, result: SiteResult) -> None:
    view, article = printed
    with archive.transaction():
        page_id = archive.save_page(view, site=site.name, kind="article", run_id=run_id)
        _store(site, article, view, page_id, archive, result,
               requested_url=url, final_url=page.final_url if page else url, source="print")
    result.print_views += 1


def _from_print_view(site: Site, url: str, page: Page | None, fetcher: Fetcher, archive: Archive,
                     run_id: int | None, result: SiteResult) -> bool:
    """Read the article from its print view; True when it was stored."""
    printed = _read_print_view(site, url, page, fetcher)
    if printed is None:
        return False
    _store_print_view(site, url, page, printed, archive, run_id, result)
    return True


# --- one site ----------------------------------------------------------------------------


def harvest_site(
    site: Site,
    archive: Archive,
    run_id: int | None,
    *,
    fetcher: Fetcher | None = None,
    progress: Progress = _quiet,
    should_stop: Callable[[], bool] = lambda: False,
) -> SiteResult:
    """One pass over one site: discover, fetch the queue, then the due re-visits.
    `should_stop` is asked between articles: when it says yes the article in hand has been
    committed and the site's pass ends as "interrupted" (the queue keeps the rest). An
    exception (a bug, a storage failure) ends the pass as "failed" with its message and the
    counts so far; it is logged with its traceback, never raised."""
    started = time.monotonic()
    result = SiteResult(site.name, started_at=iso(now()))
    if site.status == "gone":
        result.status = "gone"
        result.message = "marked gone in the config: nothing fetched (recover it with 'harvester backfill')"
        result.finished_at = result.started_at
        return result
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(site)
    try:
        _walk_site(site, archive, run_id, fetcher, result, progress, should_stop)
    except Exception as exc:  # a bug or a storage failure: this site fails, with what it did so far
        log.exception("harvest of %s failed", site.name)
        result.status = "failed"
        result.message = f"{type(exc).__name__}: {exc}"
    finally:
        result.requests = fetcher.requests_made
        result.duration = time.monotonic() - started
        result.finished_at = iso(now())
        if own_fetcher:
            fetcher.close()
        progress("site_done", {"site": site.name, "result": result})
    return result


def _walk_site(
    site: Site, archive: Archive, run_id: int | None, fetcher: Fetcher, result: SiteResult,
    progress: Progress, should_stop: Callable[[], bool],
) -> None:
    """harvest_site's steps, filling `result` as they go."""

    def listing_error(exc: FetchError, kind: str) -> None:
        result.add_error(exc.kind, str(exc))
        archive.record_error(run_id, site.name, exc.url, exc.kind, exc.reason, status=exc.status, url_kind=kind)

    progress("site_start", {"site": site.name})
    memory = ArchiveMemory(archive, site, run_id, result)
    found = discover(site, fetcher, memory=memory, on_error=listing_error)
    result.listing_pages = found.listing_pages
    if not found.reached:
        result.status = "moved" if found.moved_to else "unreachable"
        result.message = _unreachable_message(site, found.errors, found.notes)
        return
    notes = found.notes
    del found  # its list of every new URL (on a first harvest, the whole site) is in `urls` now
    fetch_now = [u for u in archive.pending_urls(site.name) if in_scope(u, site.hosts)][: site.max_urls]
    # queued URLs the re-visits below must leave to the queue: only those of archived
    # articles can be re-visit candidates, so only their keys are held (not the whole queue's)
    tonight = {url_key(u) for u in archive.pending_urls(site.name, archived_only=True) if in_scope(u, site.hosts)}
    candidates = archive.revisit_candidates(site.name)
    # an article that answered 404/410 last time is asked again tonight, whatever the
    # policy says, so "gone" means two runs in a row
    confirm = [r["url"] for r in candidates if r["missing_count"] and url_key(r["url"]) not in tonight]
    due = due_revisits(
        candidates, site.revisit, site.revisit_budget, now().date(), skip=tonight | {url_key(u) for u in confirm}
    )
    # gone articles last: each asked again every GONE_RECHECK_DAYS, in what the budget leaves
    today = now().replace(hour=0, minute=0, second=0)
    rechecks = [
        u for u in archive.gone_rechecks(
            site.name, tried_before=iso(today - timedelta(days=GONE_RECHECK_DAYS - 1)),
            limit=site.revisit_budget - len(due),
        )
        if url_key(u) not in tonight
    ]
    revisits = confirm + due + rechecks
    total = len(fetch_now) + len(revisits)
    plan = chain(((u, False) for u in fetch_now), ((u, True) for u in revisits))
    progress("site_articles", {"site": site.name, "total": total, "listing_pages": result.listing_pages})
    in_a_row = 0
    for i, (url, conditional) in enumerate(plan, 1):
        if should_stop():
            result.status = "interrupted"
            result.message = f"interrupted after {i - 1} of {total} articles; the rest is queued for the next run"
            result.left_queued = len(archive.pending_urls(site.name))
            return
        failure = harvest_article(site, url, fetcher, archive, run_id, result, conditional=conditional)
        asked = failure is None or failure.kind != "deferred"
        result.articles_seen += asked
        result.revisits += conditional and asked
        progress("article", {"site": site.name, "done": i, "total": total})
        if failure is not None and failure.kind == "deferred":
            result.add_error("deferred", f"{site.name}: {failure.reason}; {total - i} URLs left for the next run")
            break
        host_trouble = failure is not None and (
            failure.kind in _TRANSPORT or (failure.kind == "http" and (failure.status or 0) >= 500)
        )
        in_a_row = in_a_row + 1 if host_trouble else 0
        if in_a_row >= GIVE_UP_AFTER:
            result.add_error(
                "gave_up", f"{site.name}: {in_a_row} transport failures in a row ({failure.kind if failure else ''}); "
                           f"{total - i} URLs left for the next run",
            )
            break
    result.left_queued = len(archive.pending_urls(site.name))
    failures = sum(result.errors.values())
    if failures:
        result.status = "partial"
        result.message = f"{failures} page(s) failed: " + ", ".join(f"{k} {n}" for k, n in result.errors.most_common())
    extra = [*notes[:3]]
    if not site.verify and not site.ca_bundle:
        extra.append("TLS certificates are NOT verified for this site (verify: false in the config)")
    if result.traps:
        extra.append(f"{len(result.traps)} trap(s) left: {result.traps[0]}")
    if extra:
        result.message = "; ".join(filter(None, [result.message, *extra]))


def _unreachable_message(site: Site, errors: list[FetchError], notes: list[str]) -> str:
    if notes and any("redirects to" in n for n in notes):
        return notes[0]
    if not errors:
        return "no start URL could be read"
    first = errors[0]
    hint = ""
    if first.kind in ("connection", "timeout", "dns"):
        hint = (
            " — the site may be down, or gone since the 2025 mergers; everything already archived is kept "
            "(gone? see 'harvester backfill')"
        )
    return f"unreachable: {first.reason}{hint}"


# --- one run -----------------------------------------------------------------------------


def harvest(
    config: Config,
    archive: Archive,
    site_names: Iterable[str] | None = None,
    *,
    command: str = "run",
    progress: Progress = _quiet,
    fetcher_factory: Callable[[Site], Fetcher] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    workers: int | None = None,
) -> RunResult:
    """One harvest pass over the selected sites, recorded as a run.

    Sites run `workers` at a time (default: the config's `workers`), one thread and one
    archive connection each; `progress` is called from one thread at a time. `should_stop`
    (for SIGTERM/SIGINT handlers) is asked between articles and sites; the run then ends as
    "interrupted" with everything fetched so far committed and the rest queued."""
    sites = config.select(list(site_names) if site_names else None)
    archive.sync_sites(config.sites)
    run_id = archive.start_run(command, [s.name for s in sites])
    archive.fill_url_keys()  # once a run, before any site's discovery asks the archive by key
    n = workers or config.defaults.workers
    parallel = n > 1 and len(sites) > 1 and archive.path != ":memory:"
    lock = threading.Lock()
    stop = threading.Event()

    def report(event: str, data: dict[str, Any]) -> None:
        with lock:
            progress(event, data)

    def stopping() -> bool:
        return stop.is_set() or should_stop()

    def one(site: Site) -> SiteResult | None:
        if stopping():
            return None
        started_at = iso(now())
        conn = Archive.open(archive.path) if parallel else archive
        try:
            try:
                fetcher = fetcher_factory(site) if fetcher_factory else None
                result = harvest_site(site, conn, run_id, fetcher=fetcher, progress=report, should_stop=stopping)
            except Exception as exc:  # a bug or a storage failure on one site: record, go on
                log.exception("harvest of %s failed", site.name)
                result = SiteResult(site.name, status="failed", message=f"{type(exc).__name__}: {exc}",
                                    started_at=started_at, finished_at=iso(now()))
            conn.save_run_site(run_id, site.name, result.row())
            return result
        finally:
            if parallel:
                conn.close()

    done: dict[str, SiteResult] = {}
    status = "ok"
    try:
        if parallel:
            with ThreadPoolExecutor(max_workers=min(n, len(sites)), thread_name_prefix="harvest") as pool:
                try:
                    futures = [pool.submit(one, s) for s in sites]
                    for future in as_completed(futures):
                        r = future.result()
                        if r is not None:
                            done[r.site] = r
                except BaseException:
                    stop.set()  # the workers end after their article in hand
                    raise
        else:
            for site in sites:
                r = one(site)
                if r is None:
                    break
                done[r.site] = r
    except BaseException:
        status = "interrupted"
        raise
    finally:
        results = [done[s.name] for s in sites if s.name in done]
        if status != "interrupted":
            status = "interrupted" if stopping() else _run_status(results)
        outcome = RunResult(run_id, status, results)
        archive.finish_run(run_id, status, outcome.summary())
    return outcome


def _run_status(results: list[SiteResult]) -> str:
    unreached = [r for r in results if not r.reached and r.status != "gone"]
    if results and len(unreached) == len(results):
        return "failed"
    if unreached or any(r.status in ("partial", "interrupted") for r in results):
        return "partial"
    return "ok"
