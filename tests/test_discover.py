"""Discovery over fixture sites: incremental paging, the backfill, traps, scope, feeds and
sitemaps, and one article behind several URLs."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from harvester import discover as discover_module
from harvester.demo import Fault, FixtureServer, FixtureSite
from harvester.discover import CrawlMemory, discover, read_feed
from harvester.fetch import Fetcher, HostGate
from harvester.store import Archive
from tests.conftest import fixture_config, night, site_config


def listing_requests(server: FixtureServer, site: FixtureSite) -> list[str]:
    return [r.path for r in server.requests_for(site) if r.path.split("?")[0].strip("/") in ("tro-giup-xa-hoi-va-giam-ngheo", "tin-tuc-su-kien")]


def test_a_nightly_run_reads_as_many_pages_as_there_are_new_articles(tmp_path: Path) -> None:
    site = FixtureSite("big", n_articles=60, per_page=5, seed=3)
    with FixtureServer([site]) as server:
        config = fixture_config([site], overlap=5)
        first = night(tmp_path / "a.db", config)
        assert first.sites[0].articles_new == 60
        read_first = len(listing_requests(server, site))
        assert read_first >= 12  # every page of both listings
        server.log.clear()
        new = site.add_articles(5)
        second = night(tmp_path / "a.db", config)
        s = second.sites[0]
        assert s.urls_found == 5 and s.articles_new == 5
        assert len(listing_requests(server, site)) <= 4  # page 1, at most page 2, of each listing
        paths = [r.path for r in server.requests_for(site)]
        assert sorted(p for p in paths if p.endswith(tuple(f"-{a.id}" for a in new))) == sorted(site.path_of(a) for a in new)
        assert len(paths) < 15


def test_the_backfill_resumes_where_max_pages_stopped(tmp_path: Path) -> None:
    site = FixtureSite("deep", n_articles=80, per_page=5, seed=4)
    with FixtureServer([site]):
        config = fixture_config([site], max_pages=4)
        nights = 0
        with Archive.open(tmp_path / "a.db") as archive:
            while nights < 6:
                nights += 1
                harvest_result = night(tmp_path / "a.db", config)
                assert harvest_result.status == "ok"
                if archive.counts()["articles"] == 80:
                    break
            states = archive.query("SELECT start_url, resume_url, reached_end_at FROM listing_state")
        assert nights >= 2  # four pages a night cannot read 16 pages at once
        assert all(s["reached_end_at"] and s["resume_url"] is None for s in states)
        # and once the end is reached, a night reads only the head again
        before = len(site.articles)
        site.add_articles(1)
        result = night(tmp_path / "a.db", config)
        assert result.sites[0].listing_pages <= 5 and result.sites[0].articles_new == 1  # overlap 10 = 2-3 pages of 5
        assert len(site.articles) == before + 1


def test_a_burst_cut_short_by_max_urls_is_caught_up_without_rereading_the_site(tmp_path: Path) -> None:
    site = FixtureSite("burst", n_articles=60, per_page=5, seed=8)
    with FixtureServer([site]):
        night(tmp_path / "a.db", fixture_config([site]))
        site.add_articles(20)
        config = fixture_config([site], max_urls=8)
        found, pages = [], []
        for _ in range(4):
            s = night(tmp_path / "a.db", config).sites[0]
            found.append(s.urls_found)
            pages.append(s.listing_pages)
        assert sum(found) == 20 and found[0] == 8
        assert max(pages) <= 8  # the head and the gap, never the 24 pages of the whole site
        with Archive.open(tmp_path / "a.db") as archive:
            assert archive.counts()["articles"] == 80
            assert all(r["resume_url"] is None for r in archive.query("SELECT resume_url FROM listing_state"))


def test_endless_pagination_is_reported_and_left(tmp_path: Path) -> None:
    site = FixtureSite("endless", n_articles=25, endless_pages=True)
    with FixtureServer([site]) as server:
        result = night(tmp_path / "a.db", fixture_config([site], max_pages=40))
        s = result.sites[0]
        assert s.articles_new == 25
        assert len(listing_requests(server, site)) <= 2 * 4  # the real pages, and one past the end each
        assert s.traps and "links onward" in s.traps[0]
        assert "trap" in s.message
        with Archive.open(tmp_path / "a.db") as archive:
            assert archive.query("SELECT count(*) FROM errors WHERE kind = 'trap'")[0][0] >= 1


def test_a_calendar_that_never_ends_is_left(tmp_path: Path) -> None:
    site = FixtureSite("calendar", n_articles=15, calendar=True)
    with FixtureServer([site]) as server:
        result = night(tmp_path / "a.db", fixture_config([site], max_pages=40))
        months = [r.path for r in server.requests_for(site) if r.path.startswith("/lich")]
        assert result.sites[0].articles_new == 15
        assert len(months) <= 2  # the month before and after, each a dead end
        assert any("links onward" in t for t in result.sites[0].traps)


def test_links_to_other_hosts_and_private_addresses_are_never_fetched(tmp_path: Path) -> None:
    other = FixtureSite("other", n_articles=3)
    with FixtureServer([other]) as elsewhere:
        site = FixtureSite("linked", n_articles=12, foreign_links=(
            other.base_url + other.path_of(other.articles[0]),      # another host (another port)
            "http://10.0.0.5/tin-tuc-su-kien/Noi-bo-99",             # a private address
            "http://sldtbxh.other.test/tin-tuc-su-kien/Bai-viet-5",  # another host name
        ))
        with FixtureServer([site]):
            result = night(tmp_path / "a.db", fixture_config([site]))
        assert result.sites[0].articles_new == 12
        assert elsewhere.requests_for(other) == []
        with Archive.open(tmp_path / "a.db") as archive:
            urls = [r[0] for r in archive.query("SELECT url FROM urls")]
        assert not any("10.0.0.5" in u or "other.test" in u or other.base_url in u for u in urls)


def test_a_url_explosion_stops_at_max_urls_and_continues_next_run(tmp_path: Path) -> None:
    site = FixtureSite("many", n_articles=30)
    with FixtureServer([site]):
        config = fixture_config([site], max_urls=12)
        first = night(tmp_path / "a.db", config)
        assert first.sites[0].articles_new == 12
        assert any("max_urls=12" in t for t in first.sites[0].traps)
        second = night(tmp_path / "a.db", config)
        third = night(tmp_path / "a.db", config)
        assert first.sites[0].articles_new + second.sites[0].articles_new + third.sites[0].articles_new == 30


def test_a_sitemap_index_of_gzipped_parts(tmp_path: Path) -> None:
    site = FixtureSite("sitemap", n_articles=30, sitemap_index=True, sitemap_part=12)
    with FixtureServer([site]) as server:
        config = fixture_config([site], start_urls=[site.base_url + "/sitemap.xml"])
        result = night(tmp_path / "a.db", config)
        assert result.sites[0].articles_new == 30
        parts = [r.path for r in server.requests_for(site) if r.path.startswith("/sitemap-")]
        assert parts == ["/sitemap-1.xml.gz", "/sitemap-2.xml.gz", "/sitemap-3.xml.gz"]


def test_an_rss_feed_as_a_start_url(tmp_path: Path) -> None:
    site = FixtureSite("rss", n_articles=40)
    with FixtureServer([site]):
        result = night(tmp_path / "a.db", fixture_config([site], start_urls=[site.base_url + "/rss.xml"]))
        assert result.sites[0].articles_new == 30  # a feed lists the newest 30


def test_hostile_xml_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<urlset><url><loc>&lol2;</loc></url></urlset>"""
    with pytest.raises(Exception) as info:
        read_feed(bomb)
    assert "Entit" in type(info.value).__name__ or "entit" in str(info.value).lower()
    monkeypatch.setattr(discover_module, "MAX_XML_BYTES", 10_000)
    big = gzip.compress(b"<urlset>" + b"<url><loc>http://a.gov.vn/x-1</loc></url>" * 1000 + b"</urlset>")
    with pytest.raises(ValueError, match="over 10,000 bytes"):
        read_feed(big)


def test_an_unreadable_sitemap_is_a_recorded_error(tmp_path: Path) -> None:
    site = FixtureSite("badxml", n_articles=5)
    with FixtureServer([site]) as server:
        server.add_fault(site, "/sitemap.xml", Fault(body=b"<urlset><url><loc>http://x", content_type="application/xml"), times=1)
        config = fixture_config([site], start_urls=[site.start_urls()[0], site.base_url + "/sitemap.xml"])
        result = night(tmp_path / "a.db", config)
        assert result.sites[0].errors["xml"] == 1
        assert any("unreadable feed or sitemap" in n for n in result.sites[0].error_examples)


def test_one_article_under_two_categories_is_one_article(tmp_path: Path) -> None:
    site = FixtureSite("crosspost", n_articles=12, seed=5)
    story = site.articles[2]
    with FixtureServer([site]):
        second_url = site.cross_post(story.id, 1 - story.category)
        result = night(tmp_path / "a.db", fixture_config([site]))
        assert result.sites[0].articles_new == 12
        with Archive.open(tmp_path / "a.db") as archive:
            assert archive.counts()["articles"] == 12 and archive.counts()["versions"] == 12
            article_id = archive.article_id_for(site.url_of(story))
            assert archive.article_id_for(second_url) == article_id
            reasons = {r["url"]: r["reason"] for r in archive.query("SELECT url, reason FROM article_urls WHERE article_id = ?", (article_id,))}
            assert len(reasons) == 2 and "duplicate" in reasons.values()


def test_the_same_story_without_an_id_or_canonical_link_is_one_article(tmp_path: Path) -> None:
    """A portal without ids in its URLs (platform generic) lists one story at two URLs."""
    site = FixtureSite("noid", n_articles=6, seed=6)
    story = site.articles[0]
    with FixtureServer([site]) as server:
        alias = "/tin-tuc-su-kien/ban-in-lai"  # a second URL with no id: served as the same page
        server.add_fault(site, alias, Fault(body=site.render_article(story).encode()), times=5)
        config = fixture_config([site], platform="generic")
        with Archive.open(tmp_path / "a.db") as archive:
            night(tmp_path / "a.db", config)
            archive.enqueue(site.name, [site.base_url + alias])
            night(tmp_path / "a.db", config)
            assert archive.counts()["articles"] == 6
            assert archive.article_id_for(site.base_url + alias) == archive.article_id_for(site.url_of(story))


def test_discovery_alone_collects_new_urls_in_listing_order(site: FixtureSite, server: FixtureServer) -> None:
    f = Fetcher(site_config(site), gate=HostGate())
    found = discover(site_config(site), f, memory=CrawlMemory())
    expected = [site.url_of(a) for c in (0, 1) for page in site.listing_pages(c) for a in page]
    assert found.article_urls == expected
    assert found.reached and not found.traps


def test_a_pager_linking_every_page_is_keyed_once_per_link(monkeypatch: pytest.MonkeyPatch) -> None:
    # each listing page links every page of its category (as the fixture's pager does): keying
    # each link on every page read was pages x links work, quadratic in the listing's length
    site = FixtureSite("pager", n_articles=600, per_page=5, seed=6)
    calls: list[str] = []
    real = discover_module._page_key

    def counting(url: str) -> str:
        calls.append(url)
        return real(url)

    monkeypatch.setattr(discover_module, "_page_key", counting)
    with FixtureServer([site]):
        config = site_config(site, max_pages=500, max_urls=1000)
        found = discover(config, Fetcher(config, gate=HostGate()), memory=CrawlMemory())
    pages = sum(len(site.listing_pages(c)) for c in (0, 1))
    assert pages > 100 and found.listing_pages == pages  # ~60 pages a category, each linking all of them
    assert found.article_urls == [site.url_of(a) for c in (0, 1) for page in site.listing_pages(c) for a in page]
    # one key per page read and one per distinct pager URL (not ~120 x 60 = 7,200)
    assert len(calls) <= 2 * pages + 4
