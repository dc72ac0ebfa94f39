"""One story filed under two categories (two URLs, `article_urls.reason = 'duplicate'`): the
second URL adds observations, never versions — at the harvest and at a reparse."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

import parsers
from harvester.clock import VN_TZ
from harvester.config import Site
from harvester.demo import FixtureSite
from harvester.fetch import Page
from harvester.pipeline import SiteResult, store_page
from harvester.reparse import ReparseResult, reparse
from harvester.store import Archive

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=VN_TZ)


@pytest.fixture
def fixture() -> FixtureSite:
    site = FixtureSite("dup", n_articles=3, seed=5)
    site.base_url = "https://sldtbxh.kontum.gov.vn"
    return site


def _config(fixture: FixtureSite) -> Site:
    return Site(fixture.name, "Kon Tum", fixture.site_title, tuple(fixture.start_urls()), platform="kontum")


def _fetch(archive: Archive, fixture: FixtureSite, url: str, category: int, at: datetime) -> None:
    story = fixture.articles[0]
    body = fixture.render_article(story, category).encode()
    page = Page(url, url, 200, {"content-type": "text/html; charset=utf-8"}, body, at)
    assert store_page(_config(fixture), page, archive, None, SiteResult(fixture.name)) is not None


def _history(archive: Archive) -> list[str]:
    rows = archive.query("SELECT category FROM versions WHERE superseded_at IS NULL ORDER BY fetched_at, id")
    return [r["category"] for r in rows]


def _nights(archive: Archive, fixture: FixtureSite, n: int) -> tuple[str, str]:
    """The story fetched at its own URL and at its second category's, night after night."""
    story = fixture.articles[0]
    other = 1 - story.category
    main, alias = fixture.url_of(story), fixture.cross_post(story.id, other)
    for night in range(n):
        fixture.grow_views(3)
        _fetch(archive, fixture, main, story.category, T0 + timedelta(days=night))
        _fetch(archive, fixture, alias, other, T0 + timedelta(days=night, hours=1))
    return main, alias


def test_fetches_at_the_second_url_never_make_versions(archive: Archive, fixture: FixtureSite) -> None:
    main, alias = _nights(archive, fixture, 3)
    article_id = archive.article_id_for(main)
    assert archive.article_id_for(alias) == article_id
    assert archive.query("SELECT reason FROM article_urls WHERE url = ?", (alias,))[0][0] == "duplicate"
    assert len(_history(archive)) == 1  # no flip-flop between the two categories
    assert archive.query("SELECT count(*) FROM view_counts")[0][0] == 6  # every fetch observed


def test_an_edit_is_one_version_whichever_url_shows_it_first(archive: Archive, fixture: FixtureSite) -> None:
    main, alias = _nights(archive, fixture, 1)
    story = fixture.articles[0]
    story.paragraphs[0] += " Đã cập nhật."
    _fetch(archive, fixture, alias, 1 - story.category, T0 + timedelta(days=1))  # the alias first: no version
    _fetch(archive, fixture, main, story.category, T0 + timedelta(days=1, hours=1))
    _fetch(archive, fixture, alias, 1 - story.category, T0 + timedelta(days=2))
    bodies = archive.query("SELECT body FROM versions WHERE superseded_at IS NULL ORDER BY fetched_at, id")
    assert len(bodies) == 2 and "Đã cập nhật." in bodies[1]["body"]


def test_a_reparse_ignores_the_second_url_and_a_second_reparse_writes_nothing(
    archive: Archive, fixture: FixtureSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    _nights(archive, fixture, 3)
    before = archive.query("SELECT id FROM versions")
    same = reparse(archive)  # today's parser, unchanged
    assert (same.versions_written, same.versions_superseded, same.articles_changed) == (0, 0, 0)
    assert archive.query("SELECT id FROM versions") == before

    original = parsers.extract
    monkeypatch.setattr(parsers, "extract", lambda *a: dataclasses.replace(original(*a), title=original(*a).title.upper()))
    fixed = reparse(archive)
    assert (fixed.versions_written, fixed.versions_superseded) == (1, 1)
    assert len(_history(archive)) == 1
    again: ReparseResult = reparse(archive)
    assert (again.versions_written, again.versions_superseded, again.views_corrected) == (0, 0, 0)
