"""Listing pages: which links lead to articles, and which to the next pages of the list.

Article links are found by the platform's selectors where it has them, else by shape: a
link on the site's own host whose text reads like a headline (several words) or which
wraps a heading, outside menus, headers and footers. Pagination is `rel=next`, the
"Trang sau"/"»" links, and numbered page links.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from . import labels as L
from .article import Listing
from .dates import find_date
from .dom import absolute, select, text_of

__all__ = ["extract_listing", "same_host"]

_NEXT_TEXT = ("trang sau", "sau", "tiếp", "tiếp theo", "trang tiếp", "next", "xem tiếp")
_NEXT_SYMBOLS = frozenset(("»", "›", ">", ">>", "→", "»»"))
_PAGE_URL = re.compile(r"(page|trang|start|limitstart|cur|pagenum|pageindex|p)[=/_-]?\d+|/page-\d+|/trang-\d+", re.I)
_NOT_ARTICLE = re.compile(
    r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpe?g|png|gif|bmp|webp|mp[34]|avi|wmv|flv|exe|apk)(?:$|\?)|"
    r"^/?$|/(rss|feed|sitemap|lien-he|contact|login|dang-nhap|search|tim-kiem|tag|tags)(/|\.|$)",
    re.I,
)
_CHROME = re.compile(r"(^|[\s_-])(nav|menu|header|footer|top-bar|topbar|banner|breadcrumb|sidebar-menu|mainmenu|megamenu)($|[\s_-])", re.I)


def same_host(a: str, b: str) -> bool:
    """Hosts equal once case, a leading 'www.' and default ports are ignored."""
    def norm(u: str) -> str:
        host = (urlsplit(u).hostname or "").lower()
        return host[4:] if host.startswith("www.") else host
    return norm(a) == norm(b)


def _in_chrome(a: HtmlElement) -> bool:
    el = a.getparent()
    while el is not None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in ("nav", "header", "footer"):
            return True
        if _CHROME.search((el.get("class") or "") + " " + (el.get("id") or "")):
            return True
        el = el.getparent()
    return False


def _page_number(a: HtmlElement) -> int | None:
    t = text_of(a).strip("[]() ")
    return int(t) if t.isdigit() and len(t) < 5 else None


def extract_listing(
    doc: HtmlElement,
    url: str,
    link_selectors: tuple[str, ...] = (),
    page_selectors: tuple[str, ...] = (),
) -> Listing:
    """Article links and next-page links of a listing page, each in page order, deduplicated."""
    articles: list[str] = []
    pages: list[str] = []
    dates: dict[str, str] = {}
    seen: set[str] = {url.split("#")[0]}

    def add(target: list[str], href: str | None) -> None:
        if href and href.split("#")[0] not in seen and same_host(href, url):
            href = href.split("#")[0]
            seen.add(href)
            target.append(href)

    # pagination first, so its numbered links are never mistaken for articles
    pag_links: list[HtmlElement] = []
    for sel in page_selectors:
        pag_links += [a for el in select(doc, sel) for a in ([el] if el.tag == "a" else el.iter("a"))]
    for el in doc.iter("a", "link"):
        rel = (el.get("rel") or "").lower()
        if "next" in rel.split():
            pag_links.append(el)
    for a in doc.iter("a"):
        t = text_of(a)
        href = a.get("href") or ""
        is_next = L.matches_any(t, _NEXT_TEXT) or t.replace(" ", "") in _NEXT_SYMBOLS
        if (_page_number(a) is not None and _PAGE_URL.search(href)) or (
            is_next and href and not href.startswith("javascript")
        ):
            pag_links.append(a)
    for a in pag_links:
        add(pages, absolute(url, a.get("href")))

    candidates: list[HtmlElement] = []
    for sel in link_selectors:
        candidates += [a for el in select(doc, sel) for a in ([el] if el.tag == "a" else el.iter("a"))]
    use_shape = not candidates
    if use_shape:
        for a in doc.iter("a"):
            t = text_of(a)
            wraps_heading = any(isinstance(c.tag, str) and c.tag in ("h2", "h3", "h4", "h5") for c in a.iter())
            parent_heading = a.getparent() is not None and a.getparent().tag in ("h2", "h3", "h4", "h5")
            if (len(t.split()) >= 4 and len(t) >= 20) or wraps_heading or parent_heading:
                if not _in_chrome(a):
                    candidates.append(a)
    for a in candidates:
        href = absolute(url, a.get("href"))
        if not href or _NOT_ARTICLE.search(urlsplit(href).path):
            continue
        if href in pages:
            continue
        before = len(articles)
        add(articles, href)
        if len(articles) > before:
            # a date printed beside the item (used by incremental discovery)
            around = text_of(a.getparent()) if a.getparent() is not None else ""
            if len(around) < 400 and (d := find_date(around)):
                dates[href] = d.isoformat()
    return Listing(url=url, article_urls=tuple(articles), next_urls=tuple(pages), kind="listing", dates=dates)
