"""URL shapes: whether a URL is an article, a listing, or something else, from the URL alone.

Backfill needs this before it fetches anything: a web archive lists every capture under a
host (home pages, category pages, page 37 of a listing, images, feeds) and only the article
captures are worth a request. Each platform writes its article URLs in its own shape, so the patterns are data, per platform,
with generic rules for the shapes distinctive enough to trust on any platform:

    /{cat}/{Title-Slug}-{id}                Kon Tum portal (no extension)
    /{cat}/{alias}-{id}.html                NukeViet with rewrite_op_mod
    /vi/news/{cat}/{alias}-{id}.html        NukeViet default
    /{cat}/{id}-{alias}                     Joomla
    /node/{N}                               Drupal
    …/View_Detail.aspx?ItemID=N, ?p=N       SharePoint lists, WordPress plain links

Listing and other shapes are tested first, so `/tin-tuc/trang-37.html` (page 37 of a
listing) is never taken for article 37. A URL that matches nothing is "other", never a
guess: the report counts them with examples, and a site's `platform` setting selects
the patterns of its CMS.

A platform module may declare its own patterns here (ARTICLE and LISTING, keyed by its
name); they are tried before the generic ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from .pagination import PAGE_PATH, is_page_param

__all__ = ["UrlShape", "classify_url", "ARTICLE", "LISTING"]


@dataclass(frozen=True, slots=True)
class UrlShape:
    """`kind` is "article", "listing" or "other"; `reason` names the rule that decided."""

    kind: str
    reason: str

    @property
    def is_article(self) -> bool:
        return self.kind == "article"


# --- per-platform data: regexes on the path (or on "path?query" when they contain "\?") ----

ARTICLE: dict[str, tuple[str, ...]] = {
    "kontum": (r"^/[\w.-]+/[^/]+-\d+/?$", r"^/pages/detail/\d+/"),
    "nukeviet": (r"^(/[a-z]{2})?(/news)?/[\w.-]+/[^/]+-\d+\.html?$",),
    "joomla": (r"^/[\w.-]+/\d+-[^/]+?(\.html)?$", r"[?&]view=article\b"),
    "liferay": (
        r"/-/vcmsviewcontent/",
        r"/-/(?:asset_publisher|l)/[^/]+/(?:content|legal-detail)/",
    ),
    "sharepoint": (
        r"/View_Detail\.aspx\?(?:.*&)?ItemID=\d+",
        r"^/portal/pages/\d{4}-\d{2}(?:-\d{2})?/[^/]+\.aspx$",
        r"^/[a-z]{2}-[a-z]{2}/\d{4}/Trang/[^/]+\.aspx$",
        r"-glpnd-\d+-",
        r"\.aspx\?(?:.*&)?ItemID=\d+",
    ),
    "wordpress": (
        r"^/\d{4}/\d{2}/(?:\d{2}/)?[^/]+/?$",
        r"^/[a-z0-9]+(?:-[a-z0-9]+){3,}/?$",
        r"^/\?p=\d+$",
    ),
    "drupal": (r"^/node/\d+/?$",),
}

LISTING: dict[str, tuple[str, ...]] = {
    "nukeviet": (r"/page-\d+/?$", r"^(/[a-z]{2})?(/news)?/[\w.-]+/?$"),
    "kontum": (r"^/[\w.-]+/?$",),
    "wordpress": (r"/page/\d+/?$", r"^/(?:category|tag|author)/"),
    "drupal": (r"^/taxonomy/term/\d+",),
}

# Shapes shared by many platforms.
_GENERIC_ARTICLE = (
    (r"^/node/\d+/?$", "Drupal /node/N"),
    (r"/-/vcmsviewcontent/", "Liferay VCMS article"),
    (r"^/pages/detail/\d+/", "portal /pages/detail/N"),
    (r"-nd\d+\.html?$", "-nd<id>.html"),
    (r"/post/\d+/[^/]+", "/post/<id>/<slug>"),
    (r"^/portal/pages/\d{4}-\d{2}(?:-\d{2})?/[^/]+\.aspx$", "SharePoint dated page"),
    (r"^/[a-z]{2}-[a-z]{2}/\d{4}/Trang/[^/]+\.aspx$", "SharePoint /YYYY/Trang/ page"),
    (r"-glpnd-\d+-", "SharePoint glpnd page"),
    (r"^/web/[^/]+/(?:[^/]+/)+[^/]*[a-z][^/]*\.html$", "Liferay /web/<site>/…/<slug>.html"),
    (r"/\d+-[^/]*[a-z][^/]*?(?:\.html?)?/?$", "/<id>-<alias> (Joomla)"),
    (r"/[^/]*[a-z][^/]*-\d{2,}(?:\.html?|\.aspx|\.php)?/?$", "/<slug>-<id>"),
    (r"^/\d{4}/\d{2}/(?:\d{2}/)?[^/]*[a-z][^/]*/?$", "WordPress /YYYY/MM/<slug>"),
)
_ID_PARAMS = re.compile(
    r"^(itemid|id|p|nid|newsid|news_id|contentid|articleid|article_id|idtin|tinid)$", re.I
)
_PRINT = re.compile(
    r"(^|/)(print\.aspx|printitem\.aspx|printtl\.aspx|bm/print/\d+|in-bai-viet)", re.I
)
_ASSET = re.compile(
    r"\.(jpe?g|png|gif|bmp|webp|svg|ico|css|js|json|xml|txt|pdf|docx?|xlsx?|pptx?|zip|rar|7z|mp[34]|avi|wmv|flv|swf|woff2?|ttf|eot)$",
    re.I,
)
_FEED = re.compile(r"(^|/)(rss|feed|feeds|sitemap[\w.-]*|atom)(/|\.|$)", re.I)
_UTILITY = re.compile(
    r"(^|/)(search|tim-kiem|timkiem|tag|tags|lien-he|contact|login|dang-nhap|register|dang-ky|admin|"
    r"wp-admin|wp-login\.php|wp-json|cgi-bin|captcha|sodoweb|so-do-web)(/|\.|$)",
    re.I,
)
_HOME = re.compile(
    r"^/((index|default|home|trang-chu|trangchu)(\.\w+)?|[a-z]{2}|[a-z]{2}-[a-z]{2}|web/[\w-]+)?/?$",
    re.I,
)


def _query_ids(query: str) -> list[str]:
    return [
        k
        for k, v in parse_qsl(query, keep_blank_values=True)
        if _ID_PARAMS.match(k) and v.strip().isdigit()
    ]


def _search(patterns: tuple[str, ...], path: str, full: str) -> str | None:
    for p in patterns:
        if re.search(p, full if "\\?" in p else path, re.I):
            return p
    return None


def classify_url(url: str, platform: str = "auto") -> UrlShape:
    """The shape of a URL: an article page, a listing page, or other (assets, feeds, search).

    `platform` is a site's platform setting. With "auto" only the generic shapes are used:
    a platform's broad ones (WordPress's bare slugs) would take category pages for articles.

    >>> classify_url("https://sldtbxh.kontum.gov.vn/tin-tuc-su-kien/To-chuc-doi-thoai-8801").kind
    'article'
    >>> classify_url("http://ipc.tuyenquang.gov.vn/tin-tuc/thoi-su-chinh-tri/trang-37.html").kind
    'listing'
    >>> classify_url("https://sldtbxh.kontum.gov.vn/Uploads/images/a.jpg").reason
    'a file, not a page (.jpg)'
    """
    parts = urlsplit(url)
    path = unquote(parts.path) or "/"
    full = f"{path}?{parts.query}" if parts.query else path
    params = [k for k, _ in parse_qsl(parts.query, keep_blank_values=True)]

    # 1. never pages of news: files, feeds, search, contact, admin
    if _FEED.search(path):
        return UrlShape("other", "a feed or sitemap")
    if m := _ASSET.search(path):
        return UrlShape("other", f"a file, not a page (.{m.group(1).lower()})")
    if _UTILITY.search(path):
        return UrlShape("other", "a search, tag, contact or admin page")
    if _PRINT.search(path):
        return UrlShape("other", "a print view (the article page itself is kept)")

    # 2. listings: pagination and home pages, before any id rule can misread them
    # (`?p=` stays out: it is WordPress's article id)
    if PAGE_PATH.search(path) or any(is_page_param(k, size=True) for k in params):
        return UrlShape("listing", "a page of a listing (pagination)")
    ids = _query_ids(parts.query)
    if _HOME.match(path) and not ids:
        return UrlShape("listing", "the home page")

    # 3. the named platform's own shapes (broad ones, like WordPress slugs, only when named)
    if platform not in ("auto", "generic"):
        if _search(ARTICLE.get(platform, ()), path, full):
            return UrlShape("article", f"{platform} article URL")
        if _search(LISTING.get(platform, ()), path, full):
            return UrlShape("listing", f"{platform} listing URL")

    # 4. shapes distinctive enough to trust on any platform
    for pattern, label in _GENERIC_ARTICLE:
        if re.search(pattern, path, re.I):
            return UrlShape("article", label)
    if ids:
        return UrlShape("article", f"an item id in the query ({ids[0]}=)")
    segments = [s for s in path.split("/") if s]
    if len(segments) <= 2 and not any(ch.isdigit() for ch in path):
        return UrlShape("listing", "a category page (no item id)")
    return UrlShape("other", "no article shape recognised (set the site's platform?)")
