"""The pipeline: one harvest pass over the configured sites, and one URL becoming a record.

    config → discover (listings, feeds, sitemaps) → fetch → parse + normalise → store

`harvest()` runs a pass and records it in `runs`/`run_sites`; a site that fails never
stops the others. `harvest_site()` walks one site; `harvest_article()` takes one URL
through fetch, parse and store in a single transaction, so a killed process loses at most
the article in hand. Page-level failures are recorded in `errors` and retried next run.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from parsers import ParseError, parse_bytes

from .clock import now
from .config import Config, Site
from .discover import discover
from .errors import FetchError
from .fetch import Fetcher, Page
from .store import Archive, StoreResult
from .urls import canonical, in_scope

__all__ = ["RunResult", "SiteResult", "harvest", "harvest_site", "harvest_article"]

log = logging.getLogger(__name__)

FIELDS = ("published_at", "author", "views", "captions", "category")


@dataclass
class SiteResult:
    """What one site's pass did; saved as a `run_sites` row."""

    site: str
    status: str = "ok"               # ok | partial | unreachable | moved | gone | failed | interrupted
    message: str = ""
    requests: int = 0
    listing_pages: int = 0
    articles_seen: int = 0
    articles_new: int = 0
    versions_new: int = 0
    observations: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)
    filled: Counter[str] = field(default_factory=Counter)
    parsed: int = 0
    duration: float = 0.0
    bodies: list[tuple[int, str]] = field(default_factory=list)  # (characters, URL) per article
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
        self.bodies.append((len(article.body), url))
        for f in FIELDS:
            if getattr(article, f) not in (None, (), []):
                self.filled[f] += 1
            elif len(self.missing.setdefault(f, [])) < 5:
                self.missing[f].append(url)

    def row(self) -> dict[str, Any]:
        fill = {f: round(self.filled[f] / self.parsed, 3) for f in FIELDS} if self.parsed else {}
        bodies = sorted(self.bodies)
        return {
            "status": self.status,
            "message": self.message,
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
                "fill_rates": fill,
                "parsed": self.parsed,
                "duration_s": round(self.duration, 2),
                "body_chars_median": bodies[len(bodies) // 2][0] if bodies else None,
                "shortest_bodies": [url for _, url in bodies[:5]],
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


def harvest_article(
    site: Site,
    url: str,
    fetcher: Fetcher,
    archive: Archive,
    run_id: int | None,
    result: SiteResult,
) -> None:
    """Fetch, parse and store one article URL; failures are recorded, never raised."""
    try:
        page = fetcher.get(url)
    except FetchError as exc:
        if exc.status in (404, 410):
            missing = archive.mark_missing(url, now(), run_id=run_id, status=exc.status)
            if missing and missing[1]:
                result.add_error("gone", f"{url}: HTTP {exc.status} twice in a row; marked gone")
        result.add_error(exc.kind, str(exc))
        archive.record_error(run_id, site.name, url, exc.kind, exc.reason, status=exc.status)
        return
    store_page(site, page, archive, run_id, result)


def store_page(site: Site, page: Page, archive: Archive, run_id: int | None, result: SiteResult) -> StoreResult | None:
    """Parse a fetched article page and store it with its raw bytes, in one transaction.

    The page may be a live fetch or an archived capture (`page.source`; `page.fetched_at` is
    then the capture time). Returns what was stored, or None when the page is not an
    article (the ParseError is recorded in `errors` with the page)."""
    with archive.transaction():
        page_id = archive.save_page(page, site=site.name, kind="article", run_id=run_id)
        try:
            article = parse_bytes(page.body, page.final_url, page.content_type, site.platform, site.selectors)
        except ParseError as exc:
            result.add_error("parse", str(exc))
            archive.record_error(run_id, site.name, page.url, "parse", exc.reason, status=page.status, page_id=page_id,
                                 crawl_state=page.source == "live")
            return None
        stored = archive.store_article(
            site.name, article, requested_url=page.url, final_url=page.final_url,
            fetched_at=page.fetched_at, page_id=page_id, source=page.source,
        )
    result.observe(article, page.final_url)
    result.observations += 1
    result.articles_new += stored.new_article
    result.versions_new += stored.new_version
    return stored


def harvest_site(
    site: Site,
    archive: Archive,
    run_id: int | None,
    *,
    fetcher: Fetcher | None = None,
    progress: Progress = _quiet,
    should_stop: Callable[[], bool] = lambda: False,
) -> SiteResult:
    """One pass over one site: discover, then fetch every article found (and retry those
    that failed last time). `should_stop` is asked between articles: when it says yes the
    article in hand has been committed and the site's pass ends as "interrupted"."""
    started = time.monotonic()
    result = SiteResult(site.name)
    if site.status == "gone":
        result.status = "gone"
        result.message = "marked gone in the config: nothing fetched (recover it with 'harvester backfill')"
        return result
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(site)
    try:
        def listing_error(exc: FetchError, kind: str) -> None:
            result.add_error(exc.kind, str(exc))
            archive.record_error(run_id, site.name, exc.url, exc.kind, exc.reason, status=exc.status, url_kind=kind)

        progress("site_start", {"site": site.name})
        found = discover(site, fetcher, on_error=listing_error)
        result.listing_pages = found.listing_pages
        if not found.reached:
            result.status = "moved" if found.moved_to else "unreachable"
            result.message = _unreachable_message(site, found.errors, found.notes)
            return result
        urls = list(found.article_urls)
        seen = {canonical(u) for u in urls}
        # failed last time, then known live articles (view counts; deletions and moves show here)
        for retry in [*archive.failed_urls(site.name), *archive.revisit_urls(site.name, site.max_urls)]:
            if retry not in seen and in_scope(retry, site.hosts):
                urls.append(retry)
                seen.add(retry)
        urls = urls[: site.max_urls]
        result.articles_seen = len(urls)
        progress("site_articles", {"site": site.name, "total": len(urls), "listing_pages": found.listing_pages})
        for i, url in enumerate(urls, 1):
            if should_stop():
                result.status = "interrupted"
                result.message = f"interrupted after {i - 1} of {len(urls)} articles"
                return result
            harvest_article(site, url, fetcher, archive, run_id, result)
            progress("article", {"site": site.name, "done": i, "total": len(urls)})
        failures = sum(result.errors.values())
        if failures:
            result.status = "partial"
            result.message = f"{failures} page(s) failed: " + ", ".join(f"{k} {n}" for k, n in result.errors.most_common())
        notes = [n for n in found.notes if "no new article links" not in n]
        if notes:
            result.message = "; ".join(filter(None, [result.message, *notes[:3]]))
        return result
    finally:
        result.requests = fetcher.requests_made
        result.duration = time.monotonic() - started
        if own_fetcher:
            fetcher.close()
        progress("site_done", {"site": site.name, "result": result})


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
            "(offline? try 'harvester demo'; gone? see 'harvester backfill')"
        )
    elif first.kind == "tls":
        hint = ""
    return f"unreachable: {first.reason}{hint}"


def harvest(
    config: Config,
    archive: Archive,
    site_names: Iterable[str] | None = None,
    *,
    command: str = "run",
    progress: Progress = _quiet,
    fetcher_factory: Callable[[Site], Fetcher] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> RunResult:
    """One harvest pass over the selected sites, recorded as a run.

    `should_stop` (for SIGTERM/SIGINT handlers) is asked between articles and sites; the
    run then ends as "interrupted" with everything fetched so far committed."""
    sites = config.select(list(site_names) if site_names else None)
    archive.sync_sites(config.sites)
    run_id = archive.start_run(command, [s.name for s in sites])
    results: list[SiteResult] = []
    status = "ok"
    try:
        for site in sites:
            if should_stop():
                break
            fetcher = fetcher_factory(site) if fetcher_factory else None
            try:
                result = harvest_site(site, archive, run_id, fetcher=fetcher, progress=progress, should_stop=should_stop)
            except Exception as exc:  # a bug or a storage failure on one site: record, go on
                log.exception("harvest of %s failed", site.name)
                result = SiteResult(site.name, status="failed", message=f"{type(exc).__name__}: {exc}")
            archive.save_run_site(run_id, site.name, result.row())
            results.append(result)
    except BaseException:
        status = "interrupted"
        raise
    finally:
        if status != "interrupted":
            status = "interrupted" if should_stop() else _run_status(results)
        outcome = RunResult(run_id, status, results)
        archive.finish_run(run_id, status, outcome.summary())
    return outcome


def _run_status(results: list[SiteResult]) -> str:
    unreached = [r for r in results if not r.reached and r.status != "gone"]
    if results and len(unreached) == len(results):
        return "failed"
    if unreached or any(r.status == "partial" for r in results):
        return "partial"
    return "ok"
