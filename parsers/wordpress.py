"""WordPress (commune and district sites, some departments).

Single post: `article.post` > `header.entry-header` (`h1.entry-title`, `.entry-meta` with
`time.entry-date.published` and the `.byline .author` link), `div.entry-content`, a view
counter from a plugin (Post Views Counter: `.post-views` "Lượt xem: 544"; WP-PostViews:
"544 lượt xem"), `footer.entry-footer` with `.cat-links` "Chuyên mục" and tags, then post
navigation, related posts and comments. URLs `/<slug>/`, `/?p=N` or `/yyyy/mm/<slug>/`;
listings page by `/page/N/` (`?paged=N` without pretty links).
"""

from __future__ import annotations

from .engine import Profile
from .platform import Fingerprint, Platform

PLATFORM = Platform(
    name="wordpress",
    profile=Profile(
        name="wordpress",
        title=(
            "article h1.entry-title",
            "h1.entry-title",
            ".entry-header h1",
            "h1.post-title",
            "h1.single-title",
            ".single-post h1.title",
        ),
        body=(
            "div.entry-content",
            ".post-content",
            ".single-content",
            ".td-post-content",
            ".entry .content",
        ),
        date=(
            ".entry-meta time.entry-date.published",
            "time.entry-date.published",
            ".entry-meta time.entry-date",
            ".posted-on time",
            "time.published",
            ".entry-date",
            ".posted-on .published",
            "[itemprop=datePublished]:not(meta)",
        ),
        views=(
            ".post-views-count",
            ".pvc_stats",
            ".post-views .count",
            "[class*=post-views] [class*=count]",
        ),
        author=(
            ".entry-meta .byline .author a",
            ".entry-meta .author.vcard a",
            ".byline .fn",
            ".post-author a",
            ".td-post-author-name a",
            ".meta-author a",
            "a[rel~=author]",
        ),
        category=(
            ".cat-links a",
            ".entry-categories a",
            ".post-categories a",
            "a[rel~=category]",
            ".ast-terms-link a",
            # WordPress's default category base, in the post's own meta line
            ".entry-meta a[href*='/category/']",
        ),
        lead_images=("img.wp-post-image", ".post-thumbnail img", ".featured-image img"),
        # (share bars, related posts, comments, widgets and tags go with the generic chrome)
        remove=(".screen-reader-text", "#secondary", ".navigation", ".edit-link"),
    ),
    fingerprints=(
        Fingerprint("generator", r"wordpress", 6),
        Fingerprint("text", "/wp-content/|/wp-includes/|/wp-json/", 4),
        Fingerprint("text", "entry-content|hentry|wp-block-", 2),
        Fingerprint("url", r"[?&]p=\d+|/\d{4}/\d{2}/[^/]+/?$", 1),
    ),
    listing_links=(
        "article h2.entry-title a",
        "article .entry-title a",
        "h2.post-title a",
        "h3.entry-title a",
        ".post-title a",
        ".entry-title a",
    ),
    pagination=(
        ".nav-links a.page-numbers",
        "a.page-numbers",
        ".pagination a",
        ".wp-pagenavi a",
        ".nav-previous a",
        ".nav-links a",
    ),
)
