"""Discovery: from a site's start URLs (listing pages, RSS/Atom feeds, sitemaps) to the new
article URLs to fetch, in the order the site lists them (newest first on most portals).

Each start URL is walked twice at most:

1. The head: page 1, 2, … of the listing until `site.overlap` known article links have
   been seen in a row (and the page brought nothing else new). A nightly run therefore
   reads as many pages as there are new articles, not as many as the site has.
2. The catch-up walk, from the saved frontier (`resume_url`), forward only: while the listing's
   end has never been reached (the first nights of a large site, `max_pages` at a time) it
   ignores known articles and goes on to the end; when the end was reached before and a
   page was cut short (`max_urls`) or failed, it closes that gap and stops at known
   articles again. The frontier is saved after every page.

Every page's new article URLs are handed to `CrawlMemory.page_read` as soon as the page is
read (the pipeline queues them in the archive in the same transaction as the frontier), so a
run killed during discovery loses nothing and the next one picks up the queue.

Bounded by design, so a trap is reported and left, not followed forever:
- at most `site.max_pages` listing pages per start URL and run, and `site.max_urls` new
  article URLs per site and run (a URL explosion stops there);
- a listing page that brings no article link not already seen in this run ends the walk
  (pages past the last real one, calendar pages, loops); if it still links onward, that is
  reported as a trap;
- a sitemap index is followed one level, a sitemap or feed is read with defusedxml under a
  decompressed-size cap and at most 50,000 entries;
- no URL outside the site's own hosts is ever queued.
"""

from __future__ import annotations

import gzip
import heapq
import io
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import quote, urljoin, urlsplit

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from parsers import ParseError, parse_listing
from parsers.dom import absolute, load, text_of
from parsers.labels import PRINT_HREF_RE, PRINT_LINK_KEYS
from parsers.normalise import decode, search_key
from parsers.pagination import page_number

from .config import Site
from .errors import FetchError, OffsiteRedirect
from .fetch import Fetcher, Page
from .urls import canonical, in_scope, url_key

__all__ = [
    "CrawlMemory", "Discovery", "Frontier", "discover", "read_feed", "print_view_url",
    "MAX_XML_BYTES", "MAX_XML_ENTRIES",
]

MAX_XML_BYTES = 50_000_000     # the sitemap protocol's own limit, uncompressed
MAX_XML_ENTRIES = 50_000
_XML_KIND = re.compile(rb"<(rss|feed|urlset|sitemapindex|rdf:RDF)[\s>]", re.I)


@dataclass(frozen=True)
class Frontier:
    """Where a listing's walk stands between runs."""

    resume_url: str | None = None   # the next page the catch-up walk has not read
    depth: int = 0                  # how many pages deep that is
    reached_end: bool = False       # the listing's last page has been read at least once


class CrawlMemory:
    """What discovery needs to remember between runs. This default remembers nothing (every
    URL is new, no frontier); the pipeline's `ArchiveMemory` keeps it in the archive."""

    def __init__(self) -> None:
        self._met: set[str] = set()

    def is_known(self, url: str) -> bool:
        """The crawler has met this article URL before (archived, queued or failed)."""
        return url_key(url) in self._met

    def frontier(self, start_url: str) -> Frontier:
        return Frontier()

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) to send, only when `previous_body` can answer a 304."""
        return None, None

    def previous_body(self, url: str) -> bytes | None:
        return None

    def page_read(self, start_url: str, page: Page, kind: str, new_urls: list[str], frontier: Frontier | None) -> None:
        """A listing, feed or sitemap page was read: remember its new article URLs and (when
        given) the listing's frontier. Called once per page, before the next is fetched."""
        self._met.update(url_key(u) for u in new_urls)

    def save_frontier(self, start_url: str, frontier: Frontier) -> None:
        """The listing's frontier moved without a page being read (a gap the head closed)."""

    def trap(self, url: str, message: str) -> None:
        """A trap was met and left (reported in the run summary and the errors table)."""


@dataclass
class Discovery:
    """What walking a site's start URLs found."""

    article_urls: list[str] = field(default_factory=list)   # new ones, in the order found
    known_seen: int = 0                                       # links to articles met before
    listing_pages: int = 0
    not_modified: int = 0                                     # listing pages answered 304
    reached: bool = False
    errors: list[FetchError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    traps: list[str] = field(default_factory=list)
    moved_to: str | None = None


def _xml_kind(body: bytes) -> str | None:
    m = _XML_KIND.search(body[:4096])
    if not m:
        return None
    tag = m.group(1).lower()
    return "sitemap" if tag in (b"urlset", b"sitemapindex") else "feed"


def _gunzip(body: bytes) -> bytes:
    """Decompress a gzipped sitemap, refusing more than MAX_XML_BYTES of output."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as f:
            data = f.read(MAX_XML_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"broken gzip ({exc})") from None
    if len(data) > MAX_XML_BYTES:
        raise ValueError(f"decompressed sitemap is over {MAX_XML_BYTES:,} bytes")
    return data


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


def read_feed(body: bytes) -> tuple[str, list[str], list[str]]:
    """(kind, item URLs, child sitemap URLs) of an RSS/Atom feed or an XML sitemap (plain
    or gzipped).

    Parsed with defusedxml: entity expansion and external entities are refused; the
    decompressed size and the number of entries are capped.

    >>> read_feed(b'<urlset><url><loc> https://a.gov.vn/x-1 </loc></url></urlset>')
    ('sitemap', ['https://a.gov.vn/x-1'], [])
    """
    body = _gunzip(body)
    if len(body) > MAX_XML_BYTES:
        raise ValueError(f"XML document is over {MAX_XML_BYTES:,} bytes")
    root = SafeET.fromstring(body)
    items: list[str] = []
    tag = _local(root.tag)
    if tag in ("sitemapindex", "urlset"):
        locs = [e.text.strip() for e in root.iter() if _local(e.tag) == "loc" and e.text and e.text.strip()]
        if len(locs) > MAX_XML_ENTRIES:
            raise ValueError(f"{len(locs):,} entries, over the sitemap limit of {MAX_XML_ENTRIES:,}")
        return ("sitemap", [], locs) if tag == "sitemapindex" else ("sitemap", locs, [])
    for e in root.iter():
        name = _local(e.tag)
        if name == "item":
            link = next((c for c in e if _local(c.tag) == "link"), None)
            if link is not None and link.text and link.text.strip():
                items.append(link.text.strip())
            else:
                guid = next((c for c in e if _local(c.tag) == "guid"), None)
                if guid is not None and guid.text and guid.text.strip().startswith("http"):
                    items.append(guid.text.strip())
        elif name == "entry":
            links = [c for c in e if _local(c.tag) == "link"]
            alt = next((c for c in links if c.get("rel", "alternate") == "alternate"), links[0] if links else None)
            if alt is not None and alt.get("href"):
                items.append(str(alt.get("href")).strip())
        if len(items) > MAX_XML_ENTRIES:
            raise ValueError(f"over {MAX_XML_ENTRIES:,} feed items")
    return "feed", items, []


class _Walk:
    """One site's discovery pass (see the module docstring)."""

    def __init__(self, site: Site, fetcher: Fetcher, memory: CrawlMemory,
                 on_error: Callable[[FetchError, str], None] | None) -> None:
        self.site = site
        self.fetcher = fetcher
        self.memory = memory
        self.on_error = on_error
        self.found = Discovery()
        self.seen_articles: set[str] = set()   # url_key, this run
        self.seen_pages: set[str] = set()
        self.full = False
        self.forbidden = 0
        # listing page URL -> (its _page_key, its _page_number), or None when out of scope. A
        # pager that links every page hands each page's URL over once per listing page read,
        # so each is keyed once: the walk's cost follows pages + links, not pages x links.
        self._pager: dict[str, tuple[str, int | None] | None] = {}

    def pager_link(self, url: str) -> tuple[str, int | None] | None:
        """(page key, page number) of a listing page's URL, None when it is out of scope."""
        try:
            return self._pager[url]
        except KeyError:
            found = (_page_key(url), _page_number(url)) if in_scope(url, self.site.hosts) else None
            self._pager[url] = found
            return found

    # --- one page ----------------------------------------------------------------------

    def fetch(self, url: str, kind: str) -> Page | None:
        etag, modified = self.memory.validators(url)
        try:
            page = self.fetcher.get(url, etag=etag, last_modified=modified)
            if page.not_modified:
                body = self.memory.previous_body(url)
                if body is None:  # nothing to reuse after all: ask again, unconditionally
                    page = self.fetcher.get(url)
                else:
                    self.found.not_modified += 1
                    page = replace(page, body=body)
        except OffsiteRedirect as exc:
            self.found.errors.append(exc)
            if url in self.site.start_urls:
                self.found.moved_to = exc.target
                self.found.notes.append(
                    f"{url} redirects to {exc.target}, outside the site's hosts ({', '.join(self.site.hosts)}): "
                    f"the site may have moved; add the new host to 'aliases' or 'start_urls' to follow it"
                )
            elif self.on_error:
                self.on_error(exc, kind)
            return None
        except Exception as exc:  # noqa: BLE001 (one listing's failure, never the site's)
            err = exc if isinstance(exc, FetchError) else FetchError(
                url, f"the fetch failed ({type(exc).__name__}: {exc})", kind="fetch", site=self.site.name
            )
            self.found.errors.append(err)
            if self.on_error:
                self.on_error(err, kind)
            return None
        self.found.listing_pages += 1
        self.found.reached = True
        return page

    def add_articles(self, urls: list[str] | tuple[str, ...], page_url: str) -> tuple[list[str], list[bool]]:
        """(new URLs, one flag per link fresh in this run: True when already known)."""
        new: list[str] = []
        flags: list[bool] = []
        for url in urls:
            if not in_scope(url, self.site.hosts):
                continue
            key = url_key(url)
            if key in self.seen_articles:
                continue
            self.seen_articles.add(key)
            known = self.memory.is_known(url)
            flags.append(known)
            if known:
                self.found.known_seen += 1
                continue
            if not self.fetcher.allowed(url):
                self.forbidden += 1  # robots.txt says no: not queued, so not an error every night
                continue
            if len(self.found.article_urls) >= self.site.max_urls:
                if not self.full:
                    self.full = True
                    self.report_trap(page_url, f"stopped at max_urls={self.site.max_urls} new article URLs in one run "
                                          f"(a URL explosion, or a large first harvest: the rest follows next run)")
                continue
            new.append(url)
            self.found.article_urls.append(url)
        return new, flags

    def report_trap(self, url: str, message: str) -> None:
        self.found.traps.append(f"{url}: {message}")
        self.memory.trap(url, message)

    # --- a start URL ----------------------------------------------------------------------

    def walk_start(self, start: str) -> None:
        frontier = self.memory.frontier(start)
        budget = self.site.max_pages
        head = self.walk(start, start, depth=0, budget=budget, frontier=frontier, catch_up=False)
        if head is None:
            return
        used, frontier = head
        if not frontier.resume_url or self.full:
            return  # nothing left behind: the end was reached and no page was cut short
        if frontier.reached_end and _page_key(frontier.resume_url) in self.seen_pages:
            # tonight's head read the gap's page and went on to known articles: closed
            self.memory.save_frontier(start, Frontier(None, frontier.depth, True))
            return
        left = budget - used
        if left <= 0:
            self.found.notes.append(f"{start}: the catch-up walk waits for the next run (max_pages={self.site.max_pages} used)")
            return
        self.walk(start, frontier.resume_url, depth=frontier.depth, budget=left, frontier=frontier, catch_up=True)

    def walk(self, start: str, first: str, *, depth: int, budget: int, frontier: Frontier,
             catch_up: bool) -> tuple[int, Frontier] | None:
        """Page through a listing breadth-first from `first`. Returns (pages read, frontier),
        or None when the start URL could not be read or was a feed or sitemap."""
        pages = 0
        known_streak = 0
        failed: list[str] = []
        queue = _PageQueue(first)
        while queue:
            if pages >= budget:
                self.found.notes.append(f"{start}: stopped at max_pages={self.site.max_pages}; "
                                        f"the catch-up walk continues from {frontier.resume_url or queue.first()} next run")
                return pages, frontier
            if self.full:
                return pages, frontier
            url = queue.pop()
            key = _page_key(url)
            if key in self.seen_pages:
                continue
            self.seen_pages.add(key)
            page = self.fetch(url, "listing")
            if page is None:
                if pages == 0 and not catch_up:
                    return None
                failed.append(url)  # the next run's catch-up walk resumes here
                continue
            pages += 1
            number = _page_number(page.url)
            depth = number if number is not None and number > depth else depth + 1
            if _xml_kind(_sniffable(page.body)):
                self.read_xml(start, page)
                if pages == 1 and not catch_up:
                    return None
                continue
            try:
                listing = parse_listing(decode(page.body, page.content_type), page.final_url, self.site.platform)
            except Exception as exc:  # noqa: BLE001 (any parser failure is this page's, never the site's)
                reason = exc.reason if isinstance(exc, ParseError) else f"{type(exc).__name__}: {exc}"
                self.found.notes.append(f"{url}: not a listing ({reason})")
                self.memory.page_read(start, page, "listing", [], None)  # the raw page is kept
                if self.on_error:
                    self.on_error(FetchError(url, f"not a listing ({reason})", kind="parse", site=self.site.name), "listing")
                continue
            new, flags = self.add_articles(listing.article_urls, url)
            if self.full:
                # the page's remaining links were not taken: the next run resumes here
                frontier = Frontier(url, max(0, depth - 1), frontier.reached_end)
                self.memory.page_read(start, page, "listing", new, frontier)
                return pages, frontier
            for known in flags:
                known_streak = known_streak + 1 if known else 0
            onward: list[tuple[str, int | None]] = []
            for n in listing.next_urls:
                link = self.pager_link(n)
                if link is not None and link[0] not in self.seen_pages:
                    onward.append((n, link[1]))
            # a page with no article link this run has not seen is a dead end: past the last
            # real page, an empty calendar month, a loop. Its onward links are not followed.
            dead_end = not flags and pages > 1
            trap = dead_end and any(n not in queue for n, _ in onward)
            if not dead_end:
                here = _page_number(page.url) or depth
                for n, number in onward:
                    if n in queue or (catch_up and number is not None and number <= here):
                        continue  # the catch-up walk only goes deeper
                    queue.push(n, number)  # pages in order when their numbers are known, so the frontier is the next one
            # stop at known articles: always at the head; in the catch-up walk only when it closes a
            # gap (a page cut short or failed) in a listing whose end was reached before
            at_known = bool(flags) and known_streak >= self.site.overlap and (not catch_up or frontier.reached_end)
            if not queue and not failed:
                frontier = Frontier(None, depth, True)
            elif failed and (not queue or frontier.reached_end):
                frontier = Frontier(failed[0], depth, frontier.reached_end)
            elif catch_up and at_known:
                frontier = Frontier(None, depth, True)  # the gap is closed
            elif catch_up or depth >= frontier.depth:
                frontier = Frontier(failed[0] if failed else queue.first(), depth, frontier.reached_end)
            self.memory.page_read(start, page, "listing", new, frontier)
            if trap:
                self.report_trap(url, f"page {depth} of {start} brings no article link not already seen in this run "
                                      f"but links onward (pages past the last one, a calendar, or a loop); not followed")
            if at_known:
                return pages, frontier  # reached what the archive already holds, with the overlap
        return pages, frontier

    def read_xml(self, start: str, page: Page, depth: int = 0) -> None:
        url = page.url
        try:
            kind, items, children = read_feed(page.body)
        except (SafeET.ParseError, DefusedXmlException, ValueError, EOFError, OSError) as exc:
            self.found.notes.append(f"{url}: unreadable feed or sitemap ({exc})")
            err = FetchError(url, f"unreadable feed or sitemap ({exc})", kind="xml", site=self.site.name)
            if self.on_error:
                self.on_error(err, "sitemap")
            return
        new, _ = self.add_articles(items, url)
        self.memory.page_read(start, page, kind, new, None)
        if depth >= 1 or not children:
            return
        budget = self.site.max_pages
        for child in children:
            if self.full:
                return
            if not in_scope(child, self.site.hosts) or _page_key(child) in self.seen_pages:
                continue
            if budget <= 0:
                self.found.notes.append(f"{url}: stopped at max_pages={self.site.max_pages} child sitemaps")
                return
            self.seen_pages.add(_page_key(child))
            budget -= 1
            sub = self.fetch(child, "sitemap")
            if sub is not None:
                self.read_xml(start, sub, depth + 1)


class _PageQueue:
    """The listing pages a walk has yet to read: numbered pages in page order, then the
    unnumbered ones, each group in the order met (a heap with a counter; `in` by URL).

    >>> q = _PageQueue("/a"); q.pop(); q.push("/a?page=3", 3); q.push("/a?x", None); q.push("/a?page=2", 2)
    '/a'
    >>> [q.pop() for _ in range(3)], bool(q)
    (['/a?page=2', '/a?page=3', '/a?x'], False)
    """

    def __init__(self, first: str) -> None:
        self._heap: list[tuple[bool, int, int, str]] = [(False, -1, 0, first)]  # read first, whatever its number
        self._urls = {first}
        self._count = 1

    def push(self, url: str, number: int | None) -> None:
        heapq.heappush(self._heap, (number is None, number or 0, self._count, url))
        self._urls.add(url)
        self._count += 1

    def pop(self) -> str:
        url = heapq.heappop(self._heap)[3]
        self._urls.discard(url)  # never queued twice: push is only called for a URL not in it
        return url

    def first(self) -> str:
        return self._heap[0][3]

    def __contains__(self, url: object) -> bool:
        return url in self._urls

    def __bool__(self) -> bool:
        return bool(self._heap)


_FIRST_PAGE_PARAM = re.compile(r"^(page|trang|p|pagenum|pageindex|cur)=[01]?$", re.I)
_FIRST_PAGE_PATH = re.compile(r"/(page|trang)-1(\.html?)?/?$", re.I)


def _page_key(url: str) -> str:
    """A listing page's identity: `?page=1` and `/page-1/` are the listing's own first page.

    >>> _page_key("http://a.gov.vn/tin-tuc?page=1") == _page_key("http://a.gov.vn/tin-tuc")
    True
    """
    key = canonical(url)
    parts = urlsplit(key)
    query = "&".join(p for p in parts.query.split("&") if p and not _FIRST_PAGE_PARAM.match(p))
    path = _FIRST_PAGE_PATH.sub("", parts.path) or "/"
    return url_key(parts._replace(query=query, path=path).geturl())


def _page_number(url: str) -> int | None:
    """The number a listing page's URL names (parsers/pagination.py); `?p=N` counts here,
    as it does for the pager links the listing parser keeps."""
    return page_number(url, weak=True)


def _sniffable(body: bytes) -> bytes:
    if body[:2] == b"\x1f\x8b":
        try:
            return gzip.GzipFile(fileobj=io.BytesIO(body)).read(4096)
        except (OSError, EOFError, zlib.error):
            return b""
    return body


def print_view_url(site: Site, url: str, html: str | None = None) -> str | None:
    """The print view of an article (a chrome-free copy many portals offer: `print.aspx?p=`,
    `/bm/print/N`, `PrintItem.aspx?ContentID=`; the fallback when the article page itself
    cannot be read): a print link on its page when there is one, by its words or its target
    (parsers/labels.py), else the site's `print_url` template ({id}: the last number in the
    URL's path, {path}, {url}).

    >>> from harvester.config import Site
    >>> s = Site("a", "p", "d", ("https://bacson.langson.gov.vn/",), print_url="/bm/print/{id}")
    >>> print_view_url(s, "https://bacson.langson.gov.vn/tin-tuc/le-hoi-6813")
    'https://bacson.langson.gov.vn/bm/print/6813'
    """
    if html:
        try:
            doc = load(html)
        except ValueError:
            doc = None
        if doc is not None:
            for a in doc.iter("a"):
                href = a.get("href") or ""
                if href.startswith("javascript") and "print" in href.lower():
                    continue  # window.print(): the same page
                words = search_key(text_of(a)).strip()
                if PRINT_HREF_RE.search(href) or words in PRINT_LINK_KEYS:
                    target = absolute(url, href)
                    if target and in_scope(target, site.hosts) and url_key(target) != url_key(url):
                        return target
    if site.print_url:
        path = urlsplit(url).path
        numbers = re.findall(r"\d+", path)
        if "{id}" in site.print_url and not numbers:
            return None
        target = site.print_url.format(id=numbers[-1] if numbers else "", path=path, url=quote(url, safe=""))
        return urljoin(url, target)
    return None


def discover(
    site: Site,
    fetcher: Fetcher,
    *,
    memory: CrawlMemory | None = None,
    on_error: Callable[[FetchError, str], None] | None = None,
) -> Discovery:
    """Walk the start URLs (head, then catch-up walk); collect new in-scope article URLs in order."""
    walk = _Walk(site, fetcher, memory or CrawlMemory(), on_error)
    for start in site.start_urls:
        if walk.full:
            break
        walk.walk_start(start)
    if walk.forbidden:
        walk.found.notes.append(f"{walk.forbidden} article link(s) disallowed by robots.txt were left alone")
    return walk.found
