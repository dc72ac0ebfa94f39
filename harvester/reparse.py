"""Reparse: re-extract the stored pages of archived articles with today's parsers, so a
parser fix reaches old articles without touching the sites.

For each article, in its own transaction:
 1. its pages in fetch order (every successful fetch stored the raw page and a view
    observation pointing at it);
 2. each page parsed again as the harvest parses it (`pipeline.read_article`: a print
    view with the generic parser; an identical body is parsed once), giving the content the
    article showed at each fetch;
 3. consecutive identical contents collapse into versions, each dated by the fetch that
    first showed it: the history as today's parser reads it. As at the harvest, a fetch at
    one of the article's second URLs (`article_urls.reason = 'duplicate'`: the story filed
    under another category) makes no version; its view count still counts;
 4. compared with the article's current versions: one with the same content from the same
    page is kept; every other new one is written (stamped with today's PARSER_VERSION) and
    every old one not kept is marked superseded (kept, out of the history). Observations
    whose view count reads differently now are corrected.

So versions stay in time order, an article whose extraction did not change is not touched,
and a rerun after a reparse changes nothing. A page today's parser cannot read is skipped
(counted, with its reason); an article whose pages all fail keeps its history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import parsers
from parsers import Article, ParseError

from . import clock
from .config import Config
from .errors import StoreError
from .pipeline import read_article
from .store import Archive, content_hash
from .urls import url_key

__all__ = ["ReparseResult", "reparse", "reparse_article"]

log = logging.getLogger(__name__)


@dataclass
class ReparseResult:
    """What a reparse did (or, dry, would do)."""

    parser_version: str
    dry_run: bool = False
    articles: int = 0
    articles_changed: int = 0
    pages: int = 0
    bodies_parsed: int = 0
    versions_written: int = 0
    versions_superseded: int = 0
    views_corrected: int = 0
    pages_failed: int = 0
    articles_skipped: int = 0
    changed: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["failures"] = self.failures[:20]
        return d

    def summary(self) -> str:
        verb = "would write" if self.dry_run else "wrote"
        return (
            f"reparse with parser {self.parser_version}: {self.articles} articles, {self.pages} pages "
            f"({self.bodies_parsed} distinct bodies parsed); {self.articles_changed} articles changed: {verb} "
            f"{self.versions_written} versions, superseded {self.versions_superseded}; "
            f"{self.views_corrected} view counts corrected; {self.pages_failed} pages unreadable"
            + (f", {self.articles_skipped} articles skipped" if self.articles_skipped else "")
        )


@dataclass(frozen=True)
class _Reading:
    observation_id: int
    observed_at: str
    page_id: int
    source: str
    article: Article
    digest: str


def reparse(
    archive: Archive,
    *,
    sites: Iterable[str] | None = None,
    platform: str | None = None,
    config: Config | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ReparseResult:
    """Re-extract every stored article page (of `sites`; of articles whose latest version
    came from `platform`) with today's parsers. Each site is parsed as the harvester would
    parse it: the config's platform and selectors when `config` has the site, else the
    platform recorded in the archive's `sites` table, else "auto"."""
    result = ReparseResult(parsers.PARSER_VERSION, dry_run)
    where, params = ["1 = 1"], []
    names = list(sites or [])
    if names:
        where.append(f"a.site IN ({', '.join('?' * len(names))})")
        params.extend(names)
    if platform:
        where.append("v.platform = ?")
        params.append(platform)
    ids = [
        (int(r[0]), r[1]) for r in archive.conn.execute(
            f"SELECT a.id, a.site FROM articles a LEFT JOIN versions v ON v.id = a.latest_version_id "
            f"WHERE {' AND '.join(where)} ORDER BY a.id",
            params,
        )
    ]
    settings: dict[str, tuple[str, dict[str, Any] | None]] = {}
    for n, (article_id, site) in enumerate(ids, 1):
        if site not in settings:
            settings[site] = _site_settings(archive, site, config)
        reparse_article(archive, article_id, *settings[site], result=result, dry_run=dry_run)
        if progress:
            progress(n, len(ids))
    return result


def _site_settings(archive: Archive, site: str, config: Config | None) -> tuple[str, dict[str, Any] | None]:
    if config is not None:
        for s in config.sites:
            if s.name == site:
                return s.platform, dict(s.selectors) or None
    row = archive.conn.execute("SELECT platform FROM sites WHERE name = ?", (site,)).fetchone()
    return (row[0] if row and row[0] else "auto"), None


def reparse_article(
    archive: Archive,
    article_id: int,
    platform: str = "auto",
    selectors: dict[str, Any] | None = None,
    *,
    result: ReparseResult,
    dry_run: bool = False,
) -> bool:
    """Reparse one article (see the module's steps); True when its history changed."""
    result.articles += 1
    pages = archive.query(
        """SELECT c.id AS observation_id, c.observed_at, c.views, c.source, p.id AS page_id, p.url, p.final_url,
                  p.content_type, p.status, p.body_sha256
           FROM view_counts c JOIN pages p ON p.id = c.page_id
           WHERE c.article_id = ? ORDER BY c.observed_at, c.id""",
        (article_id,),
    )
    current = archive.query(
        "SELECT id, content_hash, page_id, fetched_at FROM versions WHERE article_id = ? AND superseded_at IS NULL "
        "ORDER BY fetched_at, id",
        (article_id,),
    )
    page_ids = {p["page_id"] for p in pages}
    if not pages or any(v["page_id"] not in page_ids for v in current):
        # a version with no stored page (or no page at all) cannot be re-read: leave it whole
        result.articles_skipped += 1
        return False

    aliases = {url_key(u) for u in archive.duplicate_urls(article_id)}
    readings: list[_Reading] = []
    views: dict[int, int | None] = {}
    parsed: dict[tuple[str, str, bool], Article | ParseError] = {}
    article_url = archive.query("SELECT url FROM articles WHERE id = ?", (article_id,))[0][0]
    for p in pages:
        result.pages += 1
        if p["status"] != 200 or not p["body_sha256"]:
            continue  # a 304 or an empty answer: nothing to read
        url = p["final_url"] or p["url"]
        printed = p["source"] == "print"
        key = (p["body_sha256"], url, printed)
        if key not in parsed:
            result.bodies_parsed += 1
            try:
                body = archive.page_body(p["page_id"])
            except StoreError as exc:
                # a stored page that cannot be read (damaged, a delta's base missing): the
                # history cannot be re-derived, so the article is left whole
                result.pages_failed += 1
                result.articles_skipped += 1
                if len(result.failures) < 100:
                    result.failures.append(f"article {article_id}, page {p['page_id']}: unreadable ({exc})")
                return False
            try:  # as the harvest read it (a print view with the generic parser)
                parsed[key] = read_article(body, url, p["content_type"], platform, selectors,
                                           print_view_of=article_url if printed else None)
            except ParseError as exc:
                parsed[key] = exc
        outcome = parsed[key]
        if isinstance(outcome, ParseError):
            result.pages_failed += 1
            if len(result.failures) < 100:
                result.failures.append(f"article {article_id}, page {p['page_id']}: {outcome.reason}")
            continue
        if outcome.views != p["views"]:
            views[p["observation_id"]] = outcome.views
        if url_key(url) in aliases and url_key(url) == url_key(p["url"]):
            continue  # read at a second URL, not redirected there: no version (as store_article)
        readings.append(_Reading(p["observation_id"], p["observed_at"], p["page_id"], p["source"], outcome,
                                 content_hash(outcome)))
    if not readings:
        return False

    # the history as today's parser reads it: a version where the content changes, standing
    # for the run of readings with that content
    runs: list[list[_Reading]] = []
    for i, r in enumerate(readings):
        if i == 0 or r.digest != readings[i - 1].digest:
            runs.append([])
        runs[-1].append(r)
    # the stored version a run stands for: one with its content written from one of its
    # readings, best the same page at the same time (a page may serve two observations), else
    # any of its pages (a move reads one content from two pages on one night, and the harvest
    # may have written the version from either)
    keep: set[int] = set()
    add: list[_Reading] = []
    for run in runs:
        at = {(r.page_id, r.observed_at) for r in run}
        run_pages = {r.page_id for r in run}
        same = [v for v in current if v["content_hash"] == run[0].digest and int(v["id"]) not in keep]
        old = next((v for v in same if (v["page_id"], v["fetched_at"]) in at), None) or next(
            (v for v in same if v["page_id"] in run_pages), None)
        if old is not None:
            keep.add(int(old["id"]))
        else:
            add.append(run[0])
    supersede = [int(v["id"]) for v in current if int(v["id"]) not in keep]
    if not add and not supersede and not views:
        return False
    if add or supersede:
        result.articles_changed += 1
        result.changed.append(article_id)
    result.versions_written += len(add)
    result.versions_superseded += len(supersede)
    result.views_corrected += len(views)
    if not dry_run:
        archive.rewrite_history(
            article_id,
            add=[(r.article, r.observed_at, r.page_id, r.source) for r in add],
            supersede=supersede,
            views=views,
            at=clock.now(),
            detail={"parser_version": parsers.PARSER_VERSION, "written": len(add), "superseded": len(supersede),
                    "views_corrected": len(views)},
        )
    return True
