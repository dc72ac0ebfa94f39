"""SharePoint (MOSS 2007, 2010, 2013) portals: Thanh Hóa, Hà Tĩnh, Hưng Yên, Hải Dương,
Vĩnh Phúc, ministries' provincial offices.

URLs: `/portal/pages/<yyyy-mm-dd>/<Title-Slug>-<random>.aspx`, `/Pages/<slug>.aspx`,
`/Lists/<List>/View_Detail.aspx?ItemID=N`, print views `/portal/pages/print.aspx?p=N`.
Article web parts differ by vendor; what they share is SharePoint's shell (`s4-workspace`,
`_layouts/`, `ms-rtestate-field` rich-text fields, `__REQUESTDIGEST`). Dates read "Đăng ngày
28 - 08 - 2015", "25/08/2023 08:23 AM" or a bare date under the title, beside a header
"today" line ("Thứ năm, ngày 28 tháng 3 năm 2024"); most show no view count. Authors are
often a bare name on the last line. Pagination is usually a postback (`__doPostBack`),
which a crawler cannot follow, or `?Page=N` / `PageIndex=N`.
"""

from __future__ import annotations

from .engine import Profile
from .platform import Fingerprint, Platform

PLATFORM = Platform(
    name="sharepoint",
    profile=Profile(
        name="sharepoint",
        body=(
            "[id$=RichHtmlField] .ms-rtestate-field",
            "div.ms-rtestate-field[id*=Content]",
            ".article-content .ms-rtestate-field",
        ),
        date=("[id*=ArticleStartDate]", "[id*=PublishDate]", "[id*=lblNgayDang]"),
        remove=(
            "#s4-ribbonrow",
            "#suiteBar",
            "#sideNavBox",
            "#DeltaPlaceHolderLeftNavBar",
            ".ms-core-listMenu-verticalBox",
            ".ms-breadcrumb-top",
            "#ctl00_PlaceHolderSearchArea",
            ".ms-srch-sb",
            ".ms-dialogHidden.ms-hide",
        ),
    ),
    fingerprints=(
        Fingerprint("generator", r"microsoft sharepoint", 6),
        Fingerprint(
            "text",
            "/_layouts/|_spPageContextInfo|__REQUESTDIGEST|MSOWebPartPage|s4-workspace|ms-rtestate|WebPartWPQ",
            4,
        ),
        Fingerprint("text", "SMPT_Publishing|ctl00_PlaceHolderMain|ms-webpart", 2),
        Fingerprint(
            "url", r"/pages/[^?]+\.aspx|view_detail\.aspx|dispform\.aspx|/lists/|print\.aspx\?p=", 2
        ),
    ),
    listing_links=(".ms-listviewtable td a", ".news-list .title a", ".list-news h3 a", ".ms-vb2 a"),
    pagination=(".pager a", ".paging a", ".ms-paging a", "#pagination a", ".pagination a"),
)
