"""Listing pages per platform: `parse_listing` finds the article links and the further pages
(NukeViet /page-N, Joomla ?start=N and ?limitstart=N, Liferay _cur=N and VCMS onclick pagers,
WordPress /page/N/, SharePoint ?Page=N, the Kon Tum portal ?page=N, /trang-N.html), and
`parse` refuses them as listings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import ParseError, parse_bytes, parse_listing

LISTINGS = Path(__file__).parent / "fixtures" / "listings"
CASES = sorted(LISTINGS.glob("*.html"))


def _expected(page: Path) -> dict:
    return json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("forced", [True, False], ids=["platform", "auto"])
@pytest.mark.parametrize("page", CASES, ids=[p.stem for p in CASES])
def test_listing_links_and_pages(page: Path, forced: bool) -> None:
    expected = _expected(page)
    platform = expected["platform"] if forced else "auto"
    got = parse_listing(page.read_text(encoding="utf-8"), expected["url"], platform)
    assert list(got.article_urls) == expected["article_urls"]
    assert list(got.next_urls) == expected["next_urls"]


@pytest.mark.parametrize("page", CASES, ids=[p.stem for p in CASES])
def test_a_listing_is_not_an_article(page: Path) -> None:
    with pytest.raises(ParseError) as info:
        parse_bytes(page.read_bytes(), _expected(page)["url"], "text/html")
    assert "listing" in info.value.reason


def test_one_article_under_several_joomla_menus_is_listed_once() -> None:
    page = LISTINGS / "joomla15-section-itemids.html"
    got = parse_listing(page.read_text(encoding="utf-8"), _expected(page)["url"])
    assert not any("Itemid" in u for u in got.article_urls)
    assert len(got.article_urls) == len(set(got.article_urls)) == 3


def test_postback_pagers_are_not_followed() -> None:
    page = LISTINGS / "sharepoint-news-list-page.html"
    got = parse_listing(page.read_text(encoding="utf-8"), _expected(page)["url"])
    assert not any("javascript" in u or "__doPostBack" in u for u in got.next_urls)


def test_listing_dates_are_kept_for_incremental_discovery() -> None:
    page = LISTINGS / "nukeviet-viewcat-page.html"
    got = parse_listing(page.read_text(encoding="utf-8"), _expected(page)["url"])
    first = got.article_urls[0]
    assert got.dates[first].startswith("2023-07-27")
