"""NukeViet 3.x/4.x (VINADES, PHP), the open-source CMS many departments run; its news module.

Detail page (4.x default theme): `div.news_column[itemtype=…NewsArticle]` > `h1.title`, the
date `span.h5` "Thứ ba - 27/06/2023 10:14" (3.x: `span.time`, two spaces before the time),
the lead `div.hometext`, a home image `figure.article > figcaption`, the body
`#news-bodyhtml.bodytext` (CKEditor with ENTER_BR: often `<br>`-separated lines, captioned
images as `figure.image > figcaption`), then `p.h5.text-right` "Tác giả: X" / "Nguồn tin: Y",
and related lists "Những tin mới hơn" / "Những tin cũ hơn" whose items carry their own dates.
The default detail page shows no view count ("Đã xem: N" is on listings); some gov themes add
"Lượt xem". The breadcrumb is a hidden `ul.temp-breadcrumbs` that script copies into view.

Traps: the hidden `itemprop=datePublished` holds the *edit* time and `article:published_time`
is malformed (`date('Y-m-dTH:i:s')` prints the zone name for T): the visible date wins and
the profile does not trust meta dates. URLs: `/vi/news/<cat>/<slug>-<id>.html` or, rewritten,
`/<cat>/<slug>-<id>.html`; listing pages `…/page-N/`.
"""

from __future__ import annotations

from .engine import Profile
from .platform import Fingerprint, Platform

PLATFORM = Platform(
    name="nukeviet",
    profile=Profile(
        name="nukeviet",
        title=(
            ".news_column h1.title",
            "#news_detail h1",
            ".news_column h1",
            "[itemtype$=NewsArticle] [itemprop=headline]",
        ),
        body=("#news-bodyhtml", "#news_detail .bodytext", ".news_column .bodytext", "div.bodytext"),
        lead=(".news_column .hometext", "#hometext", "div.hometext"),
        date=(".news_column .row span.h5", "#news_detail span.time", ".news_column span.time"),
        category=("ul.temp-breadcrumbs", ".breadcrumbs-wrap .breadcrumbs", "div.breadcrumbs"),
        attachments=(".news-download-file", "#news_detail .download"),
        remove=(
            ".news_column .list-inline",
            "#news_detail .control",
            ".news-download-file",
            "div#imgpreview",  # the modal copy; a theme may give the id to the visible one
            ".modal",
            "#stringrating",
            "form#form3B",
            ".other-news",
            "ul.related",
        ),
        trust_meta_date=False,
    ),
    fingerprints=(
        Fingerprint("generator", r"nukeviet", 6),
        Fingerprint(
            "text",
            "nv_base_siteurl|nv_url_rewrite|nv_lang_data|nv_assets_dir|NV_BASE_SITEURL|nv_siteroot",
            4,
        ),
        Fingerprint(
            "text", 'id="news-bodyhtml"|class="news_column|id="news_detail"|temp-breadcrumbs', 3
        ),
        Fingerprint(
            "text", "/assets/js/language/vi.js|/themes/default/js/main.js|/css/news.css", 2
        ),
        Fingerprint("url", r"/vi/news/|/page-\d+/?$", 1),
    ),
    listing_links=(
        ".news_column .panel-body h3 a",
        ".news_column .panel-body h2 a",
        ".news_column h3 a",
        ".news_column h2 a",
        "#news_column h3 a",
        ".news_column .list-items h4 a",
        ".viewcat_list li a.show",
    ),
    pagination=("ul.pagination a", ".generate_page a", "div.generate_page a"),
)
