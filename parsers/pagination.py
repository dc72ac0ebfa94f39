"""Pagination as data: how department sites number the pages of a listing.

One table for every place that must tell page 37 of a listing from article 37: the listing
parser (which links are pagers, `listing.py`), URL shapes (which archived captures are
listings, `urlshape.py`), and in harvester/ the crawl (a listing page's number, a canonical
link that points at a listing page).

    ?page=3  ?trang=3  ?pageindex=3  ?paged=3      numbered pages (WordPress: paged)
    ?start=20  ?limitstart=20                      offsets, in articles (Joomla)
    ?_ListNew_INSTANCE_xqph_cur=3  …_delta=20      Liferay, namespaced per portlet
    /page-3  /page/3/  /trang-37.html  /trang/3    NukeViet, WordPress, Vietnamese rewrites
    ?p=3                                           a page on some portals, WordPress's post id on others
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "PAGE_PARAMS",
    "WEAK_PAGE_PARAMS",
    "PAGE_SIZE_PARAMS",
    "PAGE_PATH_WORDS",
    "PAGE_PATH",
    "is_page_param",
    "page_number",
]

# Query parameters whose number is a listing page, or an offset into the listing.
PAGE_PARAMS = (
    "page",
    "trang",
    "pagenum",
    "pagenumber",
    "pageno",
    "pageindex",
    "paged",
    "pg",
    "cur",
    "start",
    "limitstart",
)
# A page number on some portals, an article's id on others (WordPress `/?p=123`): taken for
# pagination only where the link itself reads as a pager ("2", "Trang sau").
WEAK_PAGE_PARAMS = ("p",)
# A listing's page size (Liferay's `_delta`): the URL is a listing's, but names no page.
PAGE_SIZE_PARAMS = ("delta",)
# Path segments before the number: `/page-3`, `/page/3/`, `/trang-37.html`.
PAGE_PATH_WORDS = ("page", "trang")

PAGE_PATH = re.compile(
    rf"/(?:{'|'.join(PAGE_PATH_WORDS)})[-/](\d+)(?:\.html?|\.aspx)?/?$",
    re.I,
)


def is_page_param(name: str, *, weak: bool = False, size: bool = False) -> bool:
    """True for a query parameter that pages a listing: one of PAGE_PARAMS, alone or at the
    end of a namespaced name (Liferay's `_ListNew_INSTANCE_xqph_cur`); `weak` adds "p",
    `size` the page-size parameters.

    >>> is_page_param("Page"), is_page_param("_ListNew_INSTANCE_xqph_cur"), is_page_param("p")
    (True, True, False)
    >>> is_page_param("p", weak=True), is_page_param("itemid")
    (True, False)
    """
    names = PAGE_PARAMS + (WEAK_PAGE_PARAMS if weak else ()) + (PAGE_SIZE_PARAMS if size else ())
    name = name.lower()
    return name in names or "_" in name and name.rsplit("_", 1)[1] in names


def page_number(url: str, *, weak: bool = False) -> int | None:
    """The page number (or offset) a listing URL names, when it names one: the first paging
    query parameter with a number, else the path's `/page-N`. `weak` also reads `?p=N`.

    >>> page_number("http://a.gov.vn/tin-tuc?page=3"), page_number("http://a.gov.vn/tin-tuc/trang-37.html")
    (3, 37)
    >>> page_number("https://hoabinh.gov.vn/tin?p_p_id=x&_ListNew_INSTANCE_xqph_cur=2770")
    2770
    >>> page_number("https://a.gov.vn/?p=123"), page_number("https://a.gov.vn/?p=123", weak=True)
    (None, 123)
    """
    parts = urlsplit(url)
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if value.isascii() and value.isdigit() and is_page_param(name, weak=weak):
            return int(value)
    m = PAGE_PATH.search(parts.path)
    return int(m.group(1)) if m else None
