"""Listing pages: which links lead to articles, and which to the next pages of the list.

Article links are found by the platform's selectors where they match, else by shape: a
link on the site's own host whose text reads like a headline (several words) or which
wraps or sits in a heading, outside menus, headers, footers and sidebars, taken from the
container that holds most of them. Pagination is `rel=next`, the "Trang sau"/"»" links,
numbered page links whose target pages a listing by the table in `pagination.py`, and the
`onclick="self.location='…'"` links of VietSoftware portals (`href="#"`). ASP.NET `__doPostBack` pagers cannot be followed with a GET and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from . import labels as L
from .article import Listing
from .dates import find_date
from .dom import absolute, inside, select, text_of
from .pagination import page_number

__all__ = ["extract_listing", "same_host"]

_ONCLICK_URL = re.compile(
    r"""(?:self|window|document|top)?\.?location(?:\.href)?\s*=\s*['"]([^'"]+)['"]"""
)
_NOT_ARTICLE = re.compile(
    r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpe?g|png|gif|bmp|webp|mp[34]|avi|wmv|flv|exe|apk)(?:$|\?)|"
    r"^/?$|/(rss|feed|sitemap|lien-he|contact|login|dang-nhap|search|tim-kiem|tag|tags)(/|\.|$)",
    re.I,
)
_CHROME = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|header|footer|top-?bar|banner|breadcrumbs?|sidebar|mainmenu|megamenu|"
    r"widget|right-?col|left-?col|col-?right|col-?left|box-?right|block-?right|aside|ticker|marquee|"
    r"most-?view|xem-?nhieu|tin-?noi-?bat|hot-?news)($|[\s_-])",
    re.I,
)


def same_host(a: str, b: str) -> bool:
    """Hosts equal once case, a leading 'www.' and any port are ignored.

    >>> same_host("https://www.Kontum.gov.vn:443/a", "http://kontum.gov.vn/b")
    True
    """

    def norm(u: str) -> str:
        host = (urlsplit(u).hostname or "").lower()
        return host[4:] if host.startswith("www.") else host

    return norm(a) == norm(b)


def _in_chrome(a: HtmlElement) -> bool:
    el = a.getparent()
    while el is not None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in ("nav", "header", "footer", "aside", "marquee"):
            return True
        if _CHROME.search((el.get("class") or "") + " " + (el.get("id") or "")):
            return True
        el = el.getparent()
    return False


def _names_a_page(target: str) -> bool:
    """A link's target (its href, or the JavaScript of its onclick) names a listing page:
    `?page=3`, `/page-3`, `?start=20`, `?p=3` (weak, but the link reads as a pager)."""
    m = _ONCLICK_URL.search(target)
    link = (m.group(1) if m else target).replace("&amp;", "&").strip()
    return page_number(link, weak=True) is not None


def _page_number(a: HtmlElement) -> int | None:
    t = text_of(a).strip("[]() ")
    return int(t) if t.isdigit() and len(t) < 5 else None


def _href(a: HtmlElement, url: str) -> str | None:
    """The link's target: its href, or the URL its onclick navigates to."""
    href = a.get("href") or ""
    if href.strip() in ("", "#") or href.startswith("javascript"):
        m = _ONCLICK_URL.search(a.get("onclick") or "")
        if m and "__doPostBack" not in m.group(1):
            return absolute(url, m.group(1).replace("&amp;", "&").strip())
        return None
    return absolute(url, href)


def _is_current(a: HtmlElement) -> bool:
    cls = f"{a.get('class') or ''} {(a.getparent().get('class') or '') if a.getparent() is not None else ''}"
    return (
        bool(re.search(r"(^|\s)(active|current|selected|disabled)(\s|$)", cls))
        or a.get("aria-current") == "page"
    )


def extract_listing(
    doc: HtmlElement,
    url: str,
    link_selectors: tuple[str, ...] = (),
    page_selectors: tuple[str, ...] = (),
    canonical: Callable[[str], str] | None = None,
) -> Listing:
    """Article links and further listing pages of a listing page, each in page order and
    deduplicated (article URLs in the platform's canonical form)."""
    canon = canonical or (lambda u: u)
    articles: list[str] = []
    pages: list[str] = []
    dates: dict[str, str] = {}
    here = url.split("#")[0]
    seen: set[str] = {here}

    def add(target: list[str], href: str | None) -> bool:
        if not href:
            return False
        href = href.split("#")[0]
        if href in seen or not same_host(href, url):
            return False
        seen.add(href)
        target.append(href)
        return True

    # pagination first, so its numbered links are never mistaken for articles
    pag_links: list[HtmlElement] = []
    for sel in page_selectors:
        pag_links += [
            a for el in select(doc, sel) for a in ([el] if el.tag == "a" else el.iter("a"))
        ]
    for el in doc.iter("a", "link"):
        if "next" in (el.get("rel") or "").lower().split():
            pag_links.append(el)
    for a in doc.iter("a"):
        t = text_of(a)
        href = a.get("href") or ""
        target = (
            href if href and not href.startswith(("javascript", "#")) else (a.get("onclick") or "")
        )
        is_next = L.matches_any(t, L.NEXT_PAGE_LABELS) or t.replace(" ", "") in L.NEXT_PAGE_SYMBOLS
        if (
            (_page_number(a) is not None or is_next)
            and _names_a_page(target)
            or is_next
            and href
            and not href.startswith(("javascript", "#"))
        ):
            pag_links.append(a)
    order = {el: i for i, el in enumerate(doc.iter("a", "link"))}
    ordered = sorted(set(pag_links), key=lambda a: order.get(a, 0))
    for a in ordered:
        if a.tag == "a" and _is_current(a) and _page_number(a) is not None:
            continue
        add(pages, _href(a, url))

    candidates: list[HtmlElement] = []
    for sel in link_selectors:
        candidates += [
            a for el in select(doc, sel) for a in ([el] if el.tag == "a" else el.iter("a"))
        ]
    candidates = sorted(set(candidates), key=lambda a: order.get(a, 0))
    if not candidates:
        shaped = []
        for a in doc.iter("a"):
            t = text_of(a)
            wraps_heading = any(
                isinstance(c.tag, str) and c.tag in ("h2", "h3", "h4", "h5") for c in a.iter()
            )
            parent = a.getparent()
            parent_heading = parent is not None and parent.tag in ("h2", "h3", "h4", "h5")
            if (
                (len(t.split()) >= 4 and len(t) >= 20) or wraps_heading or parent_heading
            ) and not _in_chrome(a):
                shaped.append(a)
        candidates = _main_cluster(shaped)
    for a in candidates:
        href = _href(a, url)
        if not href or _NOT_ARTICLE.search(urlsplit(href).path) or href in pages:
            continue
        href = canon(href)
        if add(articles, href):
            # a date printed beside the item (used by incremental discovery)
            item = a.getparent()
            for _ in range(3):
                if item is None or len(text_of(item)) > 60 + len(text_of(a)):
                    break
                item = item.getparent()
            around = text_of(item) if item is not None else ""
            if len(around) < 600 and (d := find_date(around)):
                dates[href] = d.isoformat()
    return Listing(
        url=url, article_urls=tuple(articles), next_urls=tuple(pages), kind="listing", dates=dates
    )


def _main_cluster(links: list[HtmlElement]) -> list[HtmlElement]:
    """The links of the container that holds most of them (the list, not a sidebar box)."""
    if len(links) < 4:
        return links
    counts: dict[HtmlElement, int] = {}
    depth: dict[HtmlElement, int] = {}
    for a in links:
        el = a.getparent()
        while el is not None:
            counts[el] = counts.get(el, 0) + 1
            el = el.getparent()
    for el in counts:
        n, p = 0, el.getparent()
        while p is not None:
            n += 1
            p = p.getparent()
        depth[el] = n
    need = 0.6 * len(links)
    best = max((el for el, c in counts.items() if c >= need), key=lambda el: depth[el])
    return [a for a in links if inside(a, best)]
