"""Joomla (1.5 to 4) with the vi-VN language pack: com_content articles.

Detail page: `div.item-page` (J3/J4, schema.org Article) with the title in
`.page-header h2|h1[itemprop=headline]`, `dl.article-info` holding `dd.createdby` "Viết bởi X",
`dd.category-name` "Chuyên mục: X", `dd.published` "Được đăng: Thứ ba, 27 Tháng 6 2023 10:14"
(`dd.create` "Được viết: …", `dd.modified` "Cập nhật lần cuối: …") and `dd.hits` "Lượt xem: N",
and the body in `div[itemprop=articleBody]`. Joomla 1.5 templates use two
`table.contentpaneopen`: the title (`td.contentheading`) and the article (`span.small` author,
`td.createdate`, the body cell, `td.modifydate`).

The same article is served under several URLs, one per menu item (`&Itemid=N`); the
canonical form drops `Itemid`. Listings: blog or list layout, pagination `?start=N`
(`?limitstart=N` on 1.5).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .engine import Profile
from .platform import Fingerprint, Platform


def canonical_url(url: str) -> str | None:
    """A non-SEF article URL without its menu's Itemid (and without print/tmpl switches).

    >>> canonical_url("https://x.gov.vn/index.php?option=com_content&view=article&id=12:hoi-nghi&catid=3&Itemid=101")
    'https://x.gov.vn/index.php?option=com_content&view=article&id=12:hoi-nghi&catid=3'
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    keys = {k.lower(): v for k, v in query}
    if keys.get("option") != "com_content" or keys.get("view") != "article" or "id" not in keys:
        return None
    kept = [
        (k, v) for k, v in query if k.lower() not in ("itemid", "tmpl", "print", "layout", "page")
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept, safe=":"), ""))


PLATFORM = Platform(
    name="joomla",
    profile=Profile(
        name="joomla",
        title=(
            ".item-page [itemprop=headline]",
            ".item-page .page-header h2",
            ".item-page .page-header h1",
            ".item-page > h2",
            ".item-page h2.contentheading",
            "td.contentheading",
            ".contentheading",
        ),
        body=(
            ".item-page [itemprop=articleBody]",
            ".com-content-article__body",
            "[itemprop=articleBody]",
            "//table[contains(concat(' ',@class,' '),' contentpaneopen ')][.//td[contains(@class,'createdate')] or not(.//td[contains(@class,'contentheading')])]",
        ),
        date=(
            "dd.published",
            "dd.create",
            "td.createdate",
            ".article-info .published",
            ".article-info .create",
        ),
        views=("dd.hits",),
        # the category's link (its "Chuyên mục:" label is a tooltip in some templates)
        category=("dd.category-name a", "dd.category-name", "dd.parent-category-name a"),
        remove=(
            "ul.pager.pagenav",
            ".pagenav",
            ".item-page .icons",
            ".item-page .btn-group",
            "ul.actions",
            "td.buttonheading",
            ".pagination",
            "dd.modified",
        ),
    ),
    fingerprints=(
        Fingerprint("generator", r"joomla", 6),
        Fingerprint(
            "text",
            "/media/system/|/media/jui/|/media/vendor/|/media/templates/site/|com_content",
            3,
        ),
        Fingerprint(
            "text",
            'item-page|class="contentpaneopen|class="contentheading|<dd class="createdby|<dd class="hits|<dd class="category-name',
            2,
        ),
        Fingerprint("url", r"option=com_content|[?&]Itemid=|/index\.php/", 1),
    ),
    listing_links=(
        ".blog .items-row .item .page-header a",
        ".blog .item h2 a",
        ".blog-items .blog-item h2 a",
        ".com-content-category-blog__item h2 a",
        ".blog .page-header h2 a",
        ".items-leading h2 a",
        "table.category td.list-title a",
        ".com-content-category__table td a",
        "a.contentpagetitle",
        "td.contentheading a",
        ".blog_more li a",
    ),
    pagination=(
        ".pagination a",
        "ul.pagination a",
        ".pagination-list a",
        "nav.pagination__wrapper a",
    ),
    canonical_url=canonical_url,
)
