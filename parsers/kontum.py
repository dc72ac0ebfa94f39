"""The Kon Tum style ASP.NET department portal (sldtbxh.kontum.gov.vn and its neighbours).

Its article page: a category heading ("TRỢ GIÚP XÃ HỘI VÀ GIẢM NGHÈO"), the title, the body
with each image's caption on its own centred line, a closing byline ("Tin và ảnh: X"), then
one metadata line "Đăng bởi : X Ngày đăng : dd/mm/yyyy Lượt xem : N" and "Quay Về". A site
visit counter ("LƯỢT TRUY CẬP 69.534") sits in a side column. URLs end in "-<id>" with no
extension (`/tin-tuc-hoat-dongthong-tin-tong-hop/<Title-Slug>-10349`).
"""

from __future__ import annotations

from .engine import Profile
from .platform import Fingerprint, Platform

PLATFORM = Platform(
    name="kontum",
    profile=Profile(
        name="kontum",
        title=(
            "[id*=lblTitle]",
            "h1[class*=title]",
            "[class*=news-detail] h1",
            "[class*=detail] h1",
        ),
        body=(
            "[id*=divContent]",
            "[id*=lblContent]",
            "[class*=content-detail]",
            "[class*=detail-content]",
            "[class*=news-content]",
        ),
        meta=("[class*=info-detail]", "[id*=divInfo]", "[class*=news-info]"),
        category=("[class*=cate-title]", "[id*=lblCate]", "[class*=category-title]"),
        remove=(
            "[class*=counter]",
            "[id*=Counter]",
            "[class*=sidebar]",
            "[class*=right-col]",
            "[class*=left-col]",
        ),
    ),
    fingerprints=(
        # the one-line "Đăng bởi : X Ngày đăng : … Lượt xem : N" and the WebForms control ids are
        # the portal's own; the host is not (kontum.gov.vn itself runs another platform)
        Fingerprint(
            "html",
            r"Đăng bởi\s*:[^<]{0,80}(?:<[^>]*>[^<]*){0,6}Ngày đăng\s*:[^<]{0,40}(?:<[^>]*>[^<]*){0,6}Lượt xem\s*:",
            3,
            needs="Đăng bởi",
        ),
        Fingerprint(
            "html",
            r"ContentPlaceHolder1_\w*(?:lblTitle|divContent)",
            2,
            needs="ContentPlaceHolder1_",
        ),
        Fingerprint("text", "__VIEWSTATE", 1),
        Fingerprint("url", r"/[\w%“”‘’–-]+-\d+/?$", 1),
    ),
    listing_links=(
        "[class*=news-list] [class*=title] a",
        "[class*=list-news] [class*=title] a",
        "[class*=news-item] h3 a",
    ),
    pagination=("[class*=pager] a", "[class*=paging] a", "[class*=pagination] a"),
    article_id=r"/[^/]+-(\d+)/?$",
)
