"""`harvester reparse`: a parser change reaches old articles from their stored pages, and only
the articles whose extraction changed get new versions."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import parsers
from harvester.cli import cli
from harvester.clock import VN_TZ
from harvester.demo.config import demo_config
from harvester.pipeline import harvest
from harvester.reparse import reparse
from harvester.store import Archive

NEWS = "TIN TỨC - SỰ KIỆN"


@pytest.fixture
def db(three_nights: dict, tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    shutil.copy(three_nights["db"], path)
    return path


@pytest.fixture
def parser_v2(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser fix: titles in the news category lose their trailing "(số NNNN)"."""
    original = parsers.extract

    def fixed(doc, url, profile, *rest):  # noqa: ANN001, ANN002, ANN202
        article = original(doc, url, profile, *rest)
        if article.category == NEWS:
            return dataclasses.replace(article, title=re.sub(r" \(số \d+\)$", "", article.title))
        return article

    monkeypatch.setattr(parsers, "extract", fixed)
    monkeypatch.setattr(parsers, "PARSER_VERSION", f"{parsers.PARSER_VERSION}+fix")


def _snapshot(archive: Archive) -> dict[int, list[tuple]]:
    rows = archive.query(
        "SELECT article_id, id, fetched_at, title, parser_version FROM versions WHERE superseded_at IS NULL ORDER BY article_id, fetched_at, id"
    )
    out: dict[int, list[tuple]] = {}
    for r in rows:
        out.setdefault(r["article_id"], []).append(tuple(r)[1:])
    return out


def test_a_parser_change_updates_only_the_affected_articles(db: Path, parser_v2: None) -> None:
    with Archive.open(db) as archive:
        before = _snapshot(archive)
        news = {r[0] for r in archive.query("SELECT article_id FROM latest_versions WHERE category = ?", (NEWS,))}
        assert 0 < len(news) < len(before)
        result = reparse(archive)
        after = _snapshot(archive)

        assert set(result.changed) == news
        for article_id, versions in after.items():
            if article_id not in news:
                assert versions == before[article_id]  # untouched: same rows, parser 1
                continue
            old = before[article_id]
            # one new version per old one, at the same fetch times, in the same order, parser 2
            assert [v[1] for v in versions] == [v[1] for v in old]
            assert all(v[3] == parsers.PARSER_VERSION for v in versions)
            assert [v[2] for v in versions] == [re.sub(r" \(số \d+\)$", "", v[2]) for v in old]
            assert {v[0] for v in versions}.isdisjoint({v[0] for v in old})
            latest = archive.query("SELECT latest_version_id FROM articles WHERE id = ?", (article_id,))[0][0]
            assert latest == versions[-1][0]
        # nothing was removed: the replaced versions are kept, marked
        superseded = archive.query("SELECT count(*) FROM versions WHERE superseded_reason = 'reparse'")[0][0]
        assert superseded == result.versions_superseded == result.versions_written == sum(len(before[a]) for a in news)
        assert result.pages_failed == 0 and result.views_corrected == 0

        again = reparse(archive)
        assert again.changed == [] and again.versions_written == 0
        assert _snapshot(archive) == after


def test_after_a_reparse_the_next_harvest_adds_no_parser_made_versions(three_nights: dict, db: Path, parser_v2: None, clock) -> None:  # noqa: ANN001
    with Archive.open(db) as archive:
        reparse(archive)
        versions = archive.counts()["versions"]
        clock.set(datetime(2026, 3, 4, 2, 0, tzinfo=VN_TZ))
        harvest(demo_config([three_nights["site"]]), archive)
        assert archive.counts()["versions"] == versions


def test_the_edited_article_keeps_both_versions_in_order(three_nights: dict, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fix that touches every title: the edited article's two versions are both re-read."""
    original = parsers.extract
    monkeypatch.setattr(parsers, "extract", lambda d, u, p, *r: dataclasses.replace(original(d, u, p, *r), author="Ban biên tập"))
    with Archive.open(db) as archive:
        article_id = archive.article_id_for(three_nights["site"].url_of(three_nights["edited"]))
        reparse(archive)
        rows = archive.query("SELECT version, fetched_at, author, body FROM article_versions WHERE article_id = ? ORDER BY version", (article_id,))
        assert [(r["version"], r["fetched_at"], r["author"]) for r in rows] == [
            (1, "2026-03-01T02:00:00+07:00", "Ban biên tập"), (2, "2026-03-02T02:00:00+07:00", "Ban biên tập"),
        ]
        assert "Dự kiến hoàn thành" in rows[1]["body"] and "Dự kiến hoàn thành" not in rows[0]["body"]


def test_a_view_count_fix_corrects_old_observations(db: Path) -> None:
    with Archive.open(db) as archive:
        good = archive.query("SELECT id, views FROM view_counts ORDER BY id")
        # an older parser that missed the count on some pages
        archive.conn.execute("UPDATE view_counts SET views = NULL WHERE id % 3 = 0")
        result = reparse(archive)
        assert result.views_corrected == len([r for r in good if r["id"] % 3 == 0])
        assert result.versions_written == 0
        assert [tuple(r) for r in archive.query("SELECT id, views FROM view_counts ORDER BY id")] == [tuple(r) for r in good]


def test_dry_run_reports_and_writes_nothing(db: Path, parser_v2: None) -> None:
    result = CliRunner().invoke(cli, ["reparse", "--db", str(db), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dry_run"] is True and report["versions_written"] > 0
    assert "would write" in result.stderr
    with Archive.open(db) as archive:
        assert archive.query("SELECT count(*) FROM versions WHERE parser_version = ?", (parsers.PARSER_VERSION,))[0][0] == 0


def test_filters_by_site_and_platform(db: Path, parser_v2: None) -> None:
    runner = CliRunner()
    typo = runner.invoke(cli, ["reparse", "--db", str(db), "--site", "no-such-site", "--json"])
    assert typo.exit_code == 2 and "nights-sldtbxh" in typo.output  # names the sites there are
    generic = json.loads(runner.invoke(cli, ["reparse", "--db", str(db), "--platform", "generic", "--json"]).stdout)
    assert generic["articles"] == 0
    kontum = json.loads(runner.invoke(cli, ["reparse", "--db", str(db), "--platform", "kontum", "--site", "nights-sldtbxh", "--json"]).stdout)
    assert kontum["articles"] == 14 and kontum["articles_changed"] > 0


def test_a_page_the_new_parser_cannot_read_leaves_the_history_alone(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(doc, url, profile, *rest):  # noqa: ANN001, ANN002, ANN202
        raise parsers.ParseError(url, "no title found")

    monkeypatch.setattr(parsers, "extract", broken)
    with Archive.open(db) as archive:
        before = _snapshot(archive)
        result = reparse(archive)
        assert result.pages_failed == result.pages > 0
        assert "no title found" in result.failures[0]
        assert _snapshot(archive) == before


def test_a_reparse_with_the_same_parser_leaves_a_moved_article_alone(tmp_path: Path, clock) -> None:  # noqa: ANN001
    """A 301 move fetches the article twice that night (old URL, then new), two stored pages
    with one content; its images moved with it, so the move made a version. Reading the
    same pages with the same parser must find that version, whichever page made it."""
    from harvester.demo import FixtureServer, FixtureSite
    from tests.conftest import NIGHTS

    site = FixtureSite("moving", n_articles=4, seed=3)
    db = tmp_path / "archive.db"
    with FixtureServer([site]):
        config = demo_config([site], revisit=[{"every": 1}])
        clock.set(NIGHTS[0])
        with Archive.open(db) as archive:
            harvest(config, archive)
        moved = site.move(site.articles[1].id)  # image paths carry the id: the content changes
        clock.set(NIGHTS[1])
        with Archive.open(db) as archive:
            harvest(config, archive)
            article_id = archive.article_id_for(site.url_of(moved))
            versions = archive.query("SELECT count(*) FROM versions WHERE article_id = ?", (article_id,))[0][0]
    assert versions == 2
    for _ in range(2):
        with Archive.open(db) as archive:
            result = reparse(archive)
        assert (result.versions_written, result.versions_superseded) == (0, 0), result.summary()


def test_an_unreadable_stored_page_skips_its_article_and_the_rest_go_on(db: Path, parser_v2: None) -> None:
    """A damaged body (or a delta whose base is gone) is that article's failure: its history
    stays whole, and every other article is still reparsed."""
    with Archive.open(db) as archive:
        victim = archive.query(
            "SELECT c.article_id, p.body_sha256 FROM view_counts c JOIN pages p ON p.id = c.page_id "
            "JOIN bodies b ON b.sha256 = p.body_sha256 WHERE b.compression = 'zlib' LIMIT 1"
        )[0]
        before = _snapshot(archive)[victim["article_id"]]
        archive.conn.execute("UPDATE bodies SET data = x'00ff' WHERE sha256 = ?", (victim["body_sha256"],))
        result = reparse(archive)
        assert result.articles_skipped >= 1 and result.articles_changed > 0
        assert any("unreadable" in f for f in result.failures)
        assert _snapshot(archive)[victim["article_id"]] == before
