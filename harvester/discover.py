"""Discovery: from a site's start URLs (listing pages, RSS/Atom feeds, sitemaps) to the
article URLs to fetch, in the order the site lists them (newest first on most portals).

Bounded by design: at most `site.max_pages` listing pages per start URL, a listing stops
paging when a page brings no new article link, a sitemap index is followed one level, and
no URL outside the site's own hosts is ever queued.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from parsers import ParseError, parse_listing
from parsers.normalise import decode

from .config import Site
from .errors import FetchError
from .fetch import Fetcher, Page
from .urls import canonical, in_scope

__all__ = ["Discovery", "discover", "read_feed"]

MAX_XML_BYTES = 50_000_000
_XML_KIND = re.compile(rb"<(rss|feed|urlset|sitemapindex|rdf:RDF)[\s>]", re.I)


@dataclass
class Discovery:
    """What walking a site's start URLs found."""

    article_urls: list[str] = field(default_factory=list)
    listing_pages: int = 0
    reached: bool = False
    errors: list[FetchError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    moved_to: str | None = None


def _xml_kind(body: bytes) -> str | None:
    m = _XML_KIND.search(body[:4096])
    if not m:
        return None
    tag = m.group(1).lower()
    return "sitemap" if tag in (b"urlset", b"sitemapindex") else "feed"


def _gunzip(body: bytes) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as f:
        data = f.read(MAX_XML_BYTES + 1)
    if len(data) > MAX_XML_BYTES:
        raise ValueError(f"decompressed sitemap is over {MAX_XML_BYTES:,} bytes")
    return data


def read_feed(body: bytes) -> tuple[str, list[str], list[str]]:
    """(kind, item URLs, child sitemap URLs) of an RSS/Atom feed or an XML sitemap.

    Parsed with defusedxml: entity expansion and external entities are refused.
    """
    body = _gunzip(body)
    root = SafeET.fromstring(body)
    items: list[str] = []
    children: list[str] = []
    tag = root.tag.rsplit("}", 1)[-1].lower()
    if tag == "sitemapindex":
        children = [e.text.strip() for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "loc" and e.text]
        return "sitemap", [], children
    if tag == "urlset":
        items = [e.text.strip() for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "loc" and e.text]
        return "sitemap", items, []
    for e in root.iter():
        name = e.tag.rsplit("}", 1)[-1].lower()
        if name == "item":
            link = next((c for c in e if c.tag.rsplit("}", 1)[-1].lower() == "link"), None)
            if link is not None and link.text and link.text.strip():
                items.append(link.text.strip())
            else:
                guid = next((c for c in e if c.tag.rsplit("}", 1)[-1].lower() == "guid"), None)
                if guid is not None and guid.text and guid.text.strip().startswith("http"):
                    items.append(guid.text.strip())
        elif name == "entry":
            links = [c for c in e if c.tag.rsplit("}", 1)[-1].lower() == "link"]
            alt = next((c for c in links if c.get("rel", "alternate") == "alternate"), links[0] if links else None)
            if alt is not None and alt.get("href"):
                items.append(alt.get("href").strip())
    return "feed", items, []


def discover(
    site: Site,
    fetcher: Fetcher,
    *,
    on_page: Callable[[Page, str], None] | None = None,
    on_error: Callable[[FetchError, str], None] | None = None,
) -> Discovery:
    """Walk the start URLs and their pagination; collect in-scope article URLs in order."""
    found = Discovery()
    seen_articles: set[str] = set()
    seen_pages: set[str] = set()
    hosts = site.hosts

    def add_article(url: str) -> bool:
        if not in_scope(url, hosts):
            return False
        key = canonical(url)
        if key in seen_articles:
            return False
        seen_articles.add(key)
        found.article_urls.append(url)
        return True

    for start in site.start_urls:
        queue: list[str] = [start]
        pages_here = 0
        while queue and pages_here < site.max_pages:
            url = queue.pop(0)
            key = canonical(url)
            if key in seen_pages:
                continue
            seen_pages.add(key)
            try:
                page = fetcher.get(url)
            except FetchError as exc:
                found.errors.append(exc)
                if on_error:
                    on_error(exc, "listing")
                continue
            pages_here += 1
            found.listing_pages += 1
            if not in_scope(page.final_url, hosts):
                found.moved_to = page.final_url
                found.notes.append(
                    f"{url} redirects to {page.final_url}, outside the site's hosts ({', '.join(hosts)}): "
                    f"the site may have moved; add the new host to 'aliases' or 'start_urls' to follow it"
                )
                continue
            found.reached = True
            if on_page:
                on_page(page, "listing")
            kind = _xml_kind(page.body)
            if kind:
                try:
                    kind, items, children = read_feed(page.body)
                except (SafeET.ParseError, DefusedXmlException, ValueError, EOFError, OSError) as exc:
                    found.notes.append(f"{url}: unreadable {kind} ({exc})")
                    continue
                for item in items:
                    add_article(item)
                queue.extend(c for c in children if in_scope(c, hosts))
                continue
            try:
                listing = parse_listing(decode(page.body, page.content_type), page.final_url, site.platform)
            except ParseError as exc:
                found.notes.append(f"{url}: not a listing ({exc.reason})")
                continue
            new = sum(add_article(u) for u in listing.article_urls)
            if new == 0 and pages_here > 1:
                # a page past the last real one, or a pagination trap: stop this listing
                found.notes.append(f"{url}: no new article links; stopped paging")
                break
            for nxt in listing.next_urls:
                if in_scope(nxt, hosts) and canonical(nxt) not in seen_pages:
                    queue.append(nxt)
        if queue and pages_here >= site.max_pages:
            found.notes.append(f"{start}: stopped at max_pages={site.max_pages}")
        if len(found.article_urls) >= site.max_urls:
            found.notes.append(f"stopped at max_urls={site.max_urls} article URLs")
            del found.article_urls[site.max_urls :]
            break
    return found
