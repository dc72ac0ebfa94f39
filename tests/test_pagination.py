"""One pagination table (`parsers/pagination.py`) drives both readers of it: the listing
parser follows a pager link with any of its parameters or path shapes, and URL shapes call
such a URL a listing page, never an article."""

from __future__ import annotations

import pytest

from parsers import parse_listing
from parsers.pagination import PAGE_PARAMS, PAGE_PATH_WORDS, page_number
from parsers.urlshape import classify_url

SITE = "https://sotuphap.kontum.gov.vn"
HEADLINES = "".join(
    f'<li><a href="/tin-tuc/bai-viet-so-{i}-10{i}">Hội nghị tổng kết công tác tư pháp năm {i}</a></li>'
    for i in range(5)
)


def _listing(pager: str) -> str:
    return f"<html><body><ul class='news'>{HEADLINES}</ul><div class='pager'>{pager}</div></body></html>"


PAGER_URLS = [f"/tin-tuc?{p}=2" for p in PAGE_PARAMS] + [
    "/tin-tuc?p_p_id=ListNew&_ListNew_INSTANCE_xqph_cur=2",
    *(f"/tin-tuc/{w}-2" for w in PAGE_PATH_WORDS),
    *(f"/tin-tuc/{w}/2/" for w in PAGE_PATH_WORDS),
    "/tin-tuc/trang-2.html",
]


@pytest.mark.parametrize("href", PAGER_URLS)
def test_a_pager_link_in_the_table_is_followed_and_is_a_listing_shape(href: str) -> None:
    got = parse_listing(
        _listing(f'<a href="/tin-tuc">1</a> <a href="{href}">2</a>'), SITE + "/tin-tuc"
    )
    assert got.next_urls == (SITE + href,)
    assert SITE + href not in got.article_urls
    shape = classify_url(SITE + href)
    assert (shape.kind, shape.reason) == ("listing", "a page of a listing (pagination)")


def test_p_is_a_page_only_where_the_link_reads_as_a_pager() -> None:
    # WordPress's /?p=123 is an article; a "2" in a pager pointing at ?p=2 is page 2
    assert classify_url(SITE + "/?p=123").kind == "article"
    got = parse_listing(_listing('<a href="/tin-tuc?p=2">2</a>'), SITE + "/tin-tuc")
    assert got.next_urls == (SITE + "/tin-tuc?p=2",)
    assert page_number(SITE + "/?p=123") is None


def test_a_page_size_marks_a_listing_but_is_not_a_pager() -> None:
    url = SITE + "/tin-tuc?_ListNew_INSTANCE_xqph_delta=20"
    assert classify_url(url).kind == "listing"
    assert page_number(url, weak=True) is None
    got = parse_listing(_listing(f'<a href="{url}">20</a>'), SITE + "/tin-tuc")
    assert got.next_urls == ()


def test_an_onclick_pager_is_read_through_its_location() -> None:
    pager = """<a href="#" onclick="self.location='/tin-tuc?trang=3&amp;cat=5'">3</a>"""
    got = parse_listing(_listing(pager), SITE + "/tin-tuc")
    assert got.next_urls == (SITE + "/tin-tuc?trang=3&cat=5",)


@pytest.mark.parametrize(
    "url, number",
    [
        ("/tin-tuc?page=3", 3),
        ("/tin-tuc?Page=3", 3),
        ("/tin-tuc?start=20&limit=10", 20),
        ("/tin-tuc/page-4/", 4),
        ("/tin-tuc/trang-37.html", 37),
        ("/Pages/tin.aspx/trang/2.aspx", 2),
        ("/tin-tuc?page=abc", None),
        ("/tin-tuc/10349-hoi-nghi", None),
        ("/tin-tuc/page-2-hoi-nghi.html", None),
    ],
)
def test_page_number(url: str, number: int | None) -> None:
    assert page_number(SITE + url) == number
