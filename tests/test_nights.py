"""Three simulated nights over a fixture site on 127.0.0.1: new articles, one edit, growing
views, one deletion and one move. The archive must hold exactly the right versions, view
series and statuses afterwards (issue 6's "done when")."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from conftest import NIGHTS

from harvester.clock import VN_TZ
from harvester.demo import FixtureSite
from harvester.demo.config import demo_config
from harvester.pipeline import harvest
from harvester.store import Archive


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


@pytest.fixture
def nights(three_nights: dict, tmp_path: Path) -> dict:
    """The three-night archive (conftest), copied so a test may add a night."""
    db = tmp_path / "archive.db"
    shutil.copy(three_nights["db"], db)
    return {**three_nights, "db": db}


def _article(archive: Archive, url: str):  # noqa: ANN202
    article_id = archive.article_id_for(url)
    assert article_id is not None, f"no article at {url}"
    return archive.query("SELECT * FROM articles WHERE id = ?", (article_id,))[0]


def _series(archive: Archive, article_id: int) -> list[tuple[str, int | None]]:
    return [(r["observed_at"], r["views"]) for r in archive.query(
        "SELECT observed_at, views FROM view_counts WHERE article_id = ? ORDER BY observed_at, id", (article_id,))]


def test_articles_and_versions_are_exactly_right(nights: dict) -> None:
    site: FixtureSite = nights["site"]
    with Archive.open(nights["db"]) as archive:
        # 12 first-night articles + 2 new ones; the moved article is still one article
        assert archive.counts()["articles"] == 14
        current = archive.query("SELECT article_id, count(*) AS n FROM article_versions GROUP BY article_id")
        versions = {r["article_id"]: r["n"] for r in current}
        edited_id = archive.article_id_for(site.url_of(nights["edited"]))
        assert versions.pop(edited_id) == 2
        assert set(versions.values()) == {1}
        assert sum(versions.values()) == 13
        rows = archive.query("SELECT version, fetched_at, body FROM article_versions WHERE article_id = ? ORDER BY version", (edited_id,))
        assert [(r["version"], r["fetched_at"]) for r in rows] == [(1, _iso(NIGHTS[0])), (2, _iso(NIGHTS[1]))]
        assert "Dự kiến hoàn thành trong tháng 12." in rows[1]["body"]
        assert "Dự kiến hoàn thành" not in rows[0]["body"]
        # new articles: first seen on night 2
        for a in nights["new"]:
            row = _article(archive, site.url_of(a))
            assert row["first_seen_at"] == _iso(NIGHTS[1])


def test_view_series_follow_every_fetch(nights: dict) -> None:
    site: FixtureSite = nights["site"]
    v1 = nights["views_night1"]
    moved_ids = {nights["moved_from"].id, nights["moved_to"].id}
    with Archive.open(nights["db"]) as archive:
        for a in site.articles:
            if a.id in moved_ids or a.id == nights["deleted"].id:
                continue
            row = _article(archive, site.url_of(a))
            series = _series(archive, row["id"])
            if a.id in v1:
                extra = 500 if a is nights["popular"] else 0
                assert series == [(_iso(NIGHTS[0]), v1[a.id]), (_iso(NIGHTS[1]), v1[a.id] + 15),
                                  (_iso(NIGHTS[2]), v1[a.id] + 35 + extra)], a.title
            else:  # published on night 2
                assert series == [(_iso(NIGHTS[1]), a.views - 20), (_iso(NIGHTS[2]), a.views)], a.title


def test_the_deleted_article_is_gone_after_two_misses_and_kept(nights: dict) -> None:
    site: FixtureSite = nights["site"]
    deleted = nights["deleted"]
    with Archive.open(nights["db"]) as archive:
        row = _article(archive, site.url_of(deleted))
        assert row["status"] == "gone"
        assert row["gone_at"] == _iso(NIGHTS[2])
        assert row["missing_count"] == 2
        # never removed: its version and its one observation stay
        assert archive.query("SELECT title FROM article_versions WHERE article_id = ?", (row["id"],))[0]["title"] == deleted.title
        assert _series(archive, row["id"]) == [(_iso(NIGHTS[0]), nights["views_night1"][deleted.id])]
        events = [(e["event"], e["at"], e["status"]) for e in archive.events(row["id"])]
        assert events == [("missing", _iso(NIGHTS[1]), 404), ("missing", _iso(NIGHTS[2]), 404),
                          ("gone", _iso(NIGHTS[2]), 404)]
        # no other article went missing or gone
        assert archive.query("SELECT count(*) FROM articles WHERE status = 'gone'")[0][0] == 1
        assert archive.query("SELECT count(*) FROM article_events WHERE event = 'missing'")[0][0] == 2


def test_a_404_is_one_error_http_then_gone_then_none(nights: dict, clock) -> None:  # noqa: ANN001
    """Each run records one error for the deleted article: `http` at the first miss, `gone`
    when it is marked gone; a re-check that finds it still gone is no error at all."""
    site: FixtureSite = nights["site"]
    url = nights["urls_night1"][nights["deleted"].id]
    with Archive.open(nights["db"]) as archive:
        clock.set(datetime(2026, 3, 4, 2, 0, tzinfo=VN_TZ))
        harvest(demo_config([site], revisit=[{"every": 1}]), archive)
        rows = archive.query("SELECT run_id, kind, status FROM errors WHERE url = ? ORDER BY id", (url,))
        assert [tuple(r) for r in rows] == [(2, "http", 404), (3, "gone", 404)]
        by_run = {r["run_id"]: json.loads(r["stats"])["errors_by_kind"] for r in archive.query("SELECT run_id, stats FROM run_sites")}
        assert by_run[2] == {"http": 1} and by_run[3] == {"gone": 1} and by_run[4] == {}
        state = archive.query("SELECT last_status, last_error, failures FROM urls WHERE url = ?", (url,))[0]
        assert tuple(state) == (404, None, 0)  # tried tonight; out of the retry queue
        assert url not in archive.pending_urls(site.name)


def test_a_gone_article_is_checked_again_monthly_and_comes_back(nights: dict, clock) -> None:  # noqa: ANN001
    """A gone article is asked again about every 30 days, after the due re-visits and within
    their budget; one that answers again is live again with a `back` event."""
    site: FixtureSite = nights["site"]
    deleted = nights["deleted"]
    path = site.path_of(deleted)
    server = nights["server"]

    def asked() -> int:
        return sum(1 for r in server.requests_for(site) if r.path == path)

    with Archive.open(nights["db"]) as archive:
        article_id = archive.article_id_for(site.url_of(deleted))
        config = demo_config([site], revisit=[{"every": 1}])
        clock.set(datetime(2026, 3, 4, 2, 0, tzinfo=VN_TZ))
        harvest(config, archive)  # the retry queue asks once more: still gone
        deleted.status = 200  # the department puts it back
        try:
            before = asked()
            clock.set(datetime(2026, 3, 20, 2, 0, tzinfo=VN_TZ))
            harvest(config, archive)
            assert asked() == before  # not due yet
            clock.set(datetime(2026, 4, 3, 2, 0, tzinfo=VN_TZ))
            harvest(demo_config([site], revisit=[{"every": 1}], revisit_budget=13), archive)
            assert asked() == before  # the budget went to the 13 live articles
            harvest(config, archive)
            assert asked() == before + 1
        finally:
            deleted.status = 404  # the site is shared by the session's tests
        row = archive.query("SELECT status, gone_at FROM articles WHERE id = ?", (article_id,))[0]
        assert tuple(row) == ("live", None)
        assert [e["event"] for e in archive.events(article_id)][-2:] == ["gone", "back"]


def test_the_moved_article_is_one_article_with_both_urls(nights: dict) -> None:
    site: FixtureSite = nights["site"]
    old_url = nights["urls_night1"][nights["moved_from"].id]
    new_url = site.url_of(nights["moved_to"])
    with Archive.open(nights["db"]) as archive:
        old_id, new_id = archive.article_id_for(old_url), archive.article_id_for(new_url)
        assert old_id == new_id is not None
        row = archive.query("SELECT * FROM articles WHERE id = ?", (old_id,))[0]
        assert row["url"] == new_url
        assert row["status"] == "live"
        assert row["first_seen_at"] == _iso(NIGHTS[0])
        urls = {r["url"]: r["reason"] for r in archive.query("SELECT url, reason FROM article_urls WHERE article_id = ?", (old_id,))}
        assert urls == {old_url: "redirect", new_url: "canonical"}
        # one version: the move changed no content
        assert archive.query("SELECT count(*) FROM article_versions WHERE article_id = ?", (old_id,))[0][0] == 1
        # night 2 fetched it twice (the new URL from the listing, the old one's 301 on revisit)
        v = nights["views_night1"][nights["moved_from"].id]
        assert [views for _, views in _series(archive, old_id)] == [v, v + 15, v + 15, v + 35]
        events = [e["event"] for e in archive.events(old_id)]
        # the new URL was recognised as the same story at once; the 301 then moved the article
        assert "moved" in events
        detail = json.loads(next(e for e in archive.events(old_id) if e["event"] == "moved")["detail"])
        assert detail == {"from": old_url, "to": new_url, "reason": "redirect"}


def test_a_fourth_night_with_nothing_new_adds_only_observations(nights: dict, clock) -> None:  # noqa: ANN001
    site: FixtureSite = nights["site"]
    with Archive.open(nights["db"]) as archive:
        before = archive.counts()
        clock.set(datetime(2026, 3, 4, 2, 0, tzinfo=VN_TZ))
        harvest(demo_config([site], revisit=[{"every": 1}]), archive)
        after = archive.counts()
        assert after["versions"] == before["versions"]
        assert after["articles"] == before["articles"]
        # 13 live articles observed once each; the gone one is tried, not observed
        assert after["view_counts"] - before["view_counts"] == 13
        assert archive.query("SELECT count(*) FROM articles WHERE status = 'gone'")[0][0] == 1
