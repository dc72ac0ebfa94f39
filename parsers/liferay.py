"""Liferay portals: VietSoftware VPortal/VCMS (Liferay 6, many 2010-2018 provincial portals)
and Liferay 7 web content.

VCMS detail (`view_article.jspf`): `div.wd-boxs` > `h2.wd-tlh1-2` (category), then
`div.wd-introduction` holding `h3.wd-tlh3-4` (title), `p.wd-date` "Ngay dang: 5/06/2013"
(literally unaccented, day not zero-padded), a bold lead paragraph, the body (wrapped in a
`<p>`, so its blocks are re-nested), `p.wd-actor` (author), print/back links, and
`h3.wd-tlh3-3` "Các tin khác" over `ul.wd-other-news` items "Title (d/MM/yyyy)". URLs
`/web/guest/<page>/-/vcmsviewcontent/<instance>/<cat>/<id>/<slug>.html`; listing pages page
by `pagenum=N` through `onclick="self.location='…'"` links.

Liferay 7: pages under `/web/<site>/…`, the web content in `.journal-content-article`
(its template decides the rest), asset publisher listings paged by `_…_cur=N`; every page
starts with the skip link "Truy cập nội dung luôn".
"""

from __future__ import annotations

from .engine import Profile
from .platform import Fingerprint, Platform

PLATFORM = Platform(
    name="liferay",
    profile=Profile(
        name="liferay",
        title=(
            ".wd-introduction h3.wd-tlh3-4",
            "h3.wd-tlh3-4",
            ".asset-full-content .header-title",
            ".journal-content-article h1",
        ),
        body=(".wd-introduction", ".asset-full-content .asset-content", ".journal-content-article"),
        date=("p.wd-date", ".asset-full-content .metadata-publish-date"),
        author=("p.wd-actor",),
        category=("h2.wd-tlh1-2",),
        remove=(
            ".wd-bortop",
            ".wd-rss",
            ".taglib-social-bookmarks",
            ".lfr-meta-actions",
            "#skip-to-content",
            ".portlet-topper-toolbar",
            ".taglib-ratings",
            ".wd-paging",
        ),
    ),
    fingerprints=(
        Fingerprint(
            "text",
            "Liferay.|/html/js/liferay|themeDisplay.|/o/frontend-js|com_liferay_|liferay-portlet",
            4,
        ),
        Fingerprint(
            "text", 'vcmsviewcontent|class="wd-|journal-content-article|portlet-boundary', 3
        ),
        Fingerprint("text", "p_p_id=|p_p_id_|_INSTANCE_", 2),
        Fingerprint("url", r"/web/|/-/|p_p_id=", 1),
    ),
    listing_links=(
        "h3.wd-tlh3-2 a",
        ".wd-communication h3 a",
        "ul.wd-other-news li a",
        ".asset-abstract .asset-title a",
        ".asset-title a",
        ".asset-publisher .title-list a",
    ),
    pagination=(
        ".wd-paging a",
        ".yiiPager a",
        ".taglib-page-iterator a",
        ".lfr-pagination-buttons a",
        "ul.pagination a",
    ),
)
