"""One malformed link (an unclosed IPv6 bracket, a port out of range) never fails a site:
the link is ignored, and any other parser failure is one page's `parse` error."""

from __future__ import annotations

from pathlib import Path

import pytest

import parsers
from harvester.demo import Fault, FixtureServer, FixtureSite
from harvester.store import Archive
from harvester.urls import canonical, in_scope, url_key
from parsers import ParseError, parse
from parsers.dom import absolute
from tests.conftest import fixture_config, night

BAD = ("http://[bad/x.pdf", "//[bad/x", "http://a.gov.vn:99999/x", "http://a.gov.vn:abc/x")


@pytest.mark.parametrize("href", BAD)
def test_a_malformed_href_is_no_link(href: str) -> None:
    assert absolute("http://a.gov.vn/tin/1", href) is None


@pytest.mark.parametrize("url", BAD[:1] + BAD[2:])
def test_url_identity_does_not_raise_on_a_malformed_url(url: str) -> None:
    assert canonical(url) == url  # nothing to normalise: its own key
    assert url_key(url) == url
    assert not in_scope(url, ("a.gov.vn",))


def _with_bad_link(site: FixtureSite, story) -> bytes:  # noqa: ANN001
    page = site.render_article(story)
    return page.replace("</p>", '</p><p><a href="http://[bad/tep-dinh-kem.pdf">Tệp đính kèm</a></p>', 1).encode()


def test_an_article_with_a_malformed_link_is_archived(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    story = site.articles[3]
    server.add_fault(site, site.path_of(story), Fault(body=_with_bad_link(site, story)), times=10)
    result = night(tmp_path / "a.db", fixture_config([site]))
    s = result.sites[0]
    assert s.status == "ok", s.message
    assert s.articles_new == 25
    with Archive.open(tmp_path / "a.db") as archive:
        assert archive.article_id_for(site.url_of(story)) is not None


def test_a_listing_with_a_malformed_link_is_read(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    listing = site.render_listing(0, 1)
    assert listing is not None
    bad = listing.replace('<div class="news-item">', '<div class="news-item"><h3 class="title"><a href="http://[bad/x-1">'
                          'Tin hỏng về hoạt động của ngành</a></h3></div><div class="news-item">', 1)
    server.add_fault(site, site.start_urls()[0].removeprefix(site.base_url), Fault(body=bad.encode()), times=1)
    result = night(tmp_path / "a.db", fixture_config([site]))
    assert result.sites[0].status == "ok", result.sites[0].message
    assert result.sites[0].articles_new == 25


def test_a_parser_bug_is_a_parse_error_that_names_it(monkeypatch: pytest.MonkeyPatch, site: FixtureSite) -> None:
    def broken(*args: object) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr(parsers, "extract", broken)
    monkeypatch.setattr(parsers, "extract_listing", broken)
    site.base_url = "http://a.gov.vn"
    with pytest.raises(ParseError, match=r"the parser failed on this page \(IndexError: list index out of range\)"):
        parse(site.render_article(site.articles[0]), site.url_of(site.articles[0]), "kontum")
    with pytest.raises(ParseError, match="IndexError"):
        parsers.parse_listing(site.render_listing(0, 1) or "", site.start_urls()[0], "kontum")
    with pytest.raises(ValueError, match="unknown platform"):  # a caller's mistake stays one
        parse("<p>x</p>", "http://a.gov.vn/x", "drupal")


def test_any_exception_from_a_parser_is_one_pages_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever escapes a parser, the page is kept with a `parse` error, its URL is marked
    failed (retried next run), and the site goes on."""
    import harvester.discover
    import harvester.pipeline

    site = FixtureSite("no-print", n_articles=25, seed=7, print_links=False)
    story = next(a for a in site.articles if a.category == 0)
    real_parse, real_listing = harvester.pipeline.parse_bytes, harvester.discover.parse_listing

    def parse_bytes(raw: bytes, url: str, *args: object) -> object:
        if url == site.url_of(story):
            raise RuntimeError("a bug")
        return real_parse(raw, url, *args)  # type: ignore[arg-type]

    def parse_listing(html: str, url: str, *args: object) -> object:
        if url == site.start_urls()[1]:  # another category's first page
            raise KeyError("another bug")
        return real_listing(html, url, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(harvester.pipeline, "parse_bytes", parse_bytes)
    monkeypatch.setattr(harvester.discover, "parse_listing", parse_listing)
    with FixtureServer([site]):
        s = night(tmp_path / "a.db", fixture_config([site])).sites[0]
    listing = site.start_urls()[1]
    assert s.status == "partial" and s.errors == {"parse": 2}, s.message
    with Archive.open(tmp_path / "a.db") as archive:
        rows = archive.query("SELECT url, kind, message, page_id FROM errors ORDER BY id")
        assert [(r["url"], r["kind"]) for r in rows] == [(listing, "parse"), (site.url_of(story), "parse")]
        assert "RuntimeError: a bug" in rows[1]["message"] and "KeyError" in rows[0]["message"]
        assert archive.page_body(rows[1]["page_id"]) == site.render_article(story).encode()  # the raw page is kept
        assert archive.query("SELECT count(*) FROM pages WHERE url = ?", (listing,))[0][0] == 1
        assert archive.pending_urls(site.name) == [site.url_of(story)]  # retried next run


def test_a_redirect_to_a_malformed_location_is_one_pages_error(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    story = site.articles[2]
    server.add_fault(site, site.path_of(story), Fault(redirect="http://[bad/x"), times=10)
    s = night(tmp_path / "a.db", fixture_config([site])).sites[0]
    assert s.status == "partial" and s.articles_new == 24, s.message
    with Archive.open(tmp_path / "a.db") as archive:
        assert archive.pending_urls(site.name) == [site.url_of(story)]  # retried next run


def test_harvester_parse_reads_a_page_with_a_malformed_link(tmp_path: Path, site: FixtureSite) -> None:
    from click.testing import CliRunner

    from harvester.cli import cli

    site.base_url = "https://sldtbxh.kontum.gov.vn"
    page = tmp_path / "page.html"
    page.write_bytes(_with_bad_link(site, site.articles[3]))
    out = CliRunner().invoke(cli, ["parse", str(page), "--url", site.url_of(site.articles[3])])
    assert out.exit_code == 0, out.output
    assert '"title"' in out.stdout and "Traceback" not in out.output


def test_a_listing_redirecting_to_a_malformed_location_is_one_pages_error(
    tmp_path: Path, site: FixtureSite, server: FixtureServer
) -> None:
    listing = site.start_urls()[1].removeprefix(site.base_url)
    server.add_fault(site, listing, Fault(redirect="http://[bad/x"), times=1)
    s = night(tmp_path / "a.db", fixture_config([site])).sites[0]
    assert s.status == "partial" and s.errors == {"fetch": 1}, s.message
