"""From `harvester run` to rows in the archive, over a fixture site on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from harvester.cli import cli
from harvester.demo import FixtureServer, FixtureSite
from harvester.store import Archive
from tests.conftest import config_file


def _config(tmp_path: Path, sites: list[FixtureSite], **extra: object) -> Path:
    return config_file(tmp_path, sites, {"backoff": 0}, **extra)  # tests never sleep in backoff


def _run(tmp_path: Path, config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["run", "--config", str(config), "--db", str(tmp_path / "archive.db"), *args])
    return result.exit_code, result.output


def test_run_fills_the_archive_with_every_article(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    code, output = _run(tmp_path, _config(tmp_path, [site]))
    assert code == 0, output
    with Archive.open(tmp_path / "archive.db") as archive:
        rows = archive.query("SELECT * FROM latest_versions ORDER BY url")
        assert len(rows) == len(site.articles) == 25
        by_title = {r["title"]: r for r in rows}
        for a in site.articles:
            row = by_title[a.title]
            assert row["url"] == site.url_of(a)
            assert row["published_at"] == a.published.isoformat()
            assert row["poster"] == a.poster
            assert row["author"] == a.author
            assert json.loads(row["captions"]) == a.captions
            assert row["body"].split("\n\n") == a.paragraphs
        views = dict(archive.query("SELECT a.url, v.views FROM view_counts v JOIN articles a ON a.id = v.article_id"))
        assert views == {site.url_of(a): a.views for a in site.articles}
        pages = archive.query("SELECT count(*) FROM pages WHERE kind = 'article'")[0][0]
        assert pages == 25
        run = archive.query("SELECT status FROM runs")[0]
        assert run["status"] == "ok"


def test_a_rerun_over_unchanged_pages_adds_observations_not_versions(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    config = _config(tmp_path, [site], revisit=[{"every": 0}])  # re-visit every article every run
    assert _run(tmp_path, config)[0] == 0
    site.grow_views(by=7)
    assert _run(tmp_path, config)[0] == 0
    with Archive.open(tmp_path / "archive.db") as archive:
        counts = archive.counts()
        assert counts["articles"] == 25
        assert counts["versions"] == 25
        assert counts["view_counts"] == 50
        series = archive.query(
            "SELECT views FROM view_counts v JOIN articles a ON a.id = v.article_id WHERE a.url = ? ORDER BY v.id",
            (site.url_of(site.articles[0]),),
        )
        assert [r[0] for r in series] == [site.articles[0].views - 7, site.articles[0].views]


def test_an_edited_article_gets_exactly_one_new_version(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    config = _config(tmp_path, [site])
    _run(tmp_path, config)
    old_url = site.url_of(site.articles[3])
    site.articles[3].title += " (cập nhật)"  # the portal rewrites the slug: a new URL, same id
    new_url = site.url_of(site.articles[3])
    assert new_url != old_url
    _run(tmp_path, config)
    with Archive.open(tmp_path / "archive.db") as archive:
        counts = archive.counts()
        assert (counts["articles"], counts["versions"]) == (25, 26)
        # one article, known at both URLs; like any move, its URL follows it to the new slug
        article_id = archive.article_id_for(old_url)
        assert archive.article_id_for(new_url) == article_id
        row = archive.query("SELECT title, url FROM latest_versions WHERE article_id = ?", (article_id,))[0]
        assert row["title"].endswith("(cập nhật)")
        assert row["url"] == new_url


def test_a_dead_site_is_reported_and_does_not_stop_the_others(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    config = _config(tmp_path, [site])
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["sites"].insert(0, {"name": "dead", "province": "Kon Tum", "department": "Sở đã giải thể",
                             "start_urls": ["http://127.0.0.1:9/"]})
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, output = _run(tmp_path, config)
    assert code == 1
    assert "dead: UNREACHABLE" in output
    assert "harvester demo" in output
    assert f"{site.name}: ok" in output
    with Archive.open(tmp_path / "archive.db") as archive:
        assert archive.counts()["articles"] == 25
        row = archive.query("SELECT status, message FROM run_sites WHERE site = 'dead'")[0]
        assert row["status"] == "unreachable" and "connection refused" in row["message"]


def test_a_page_that_fails_is_recorded_and_retried_next_run(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    from harvester.demo import Fault

    broken = site.articles[5]
    server.add_fault(site, site.path_of(broken), Fault(body="<html><body><p>Bảo trì</p></body></html>".encode()), times=1)
    config = _config(tmp_path, [site])
    code, output = _run(tmp_path, config)
    assert code == 0
    assert "partial" in output and "parse 1" in output
    with Archive.open(tmp_path / "archive.db") as archive:
        assert archive.counts()["articles"] == 24
        err = archive.query("SELECT kind, url FROM errors")[0]
        assert err["kind"] == "parse" and err["url"] == site.url_of(broken)
    _run(tmp_path, config)
    with Archive.open(tmp_path / "archive.db") as archive:
        assert archive.counts()["articles"] == 25


def test_a_stop_request_ends_the_run_as_interrupted_with_work_committed(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    from harvester.config import load_config
    from harvester.pipeline import harvest

    config = load_config(_config(tmp_path, [site]))
    calls = {"n": 0}

    def stop_after_five() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    with Archive.open(tmp_path / "archive.db") as archive:
        result = harvest(config, archive, should_stop=stop_after_five)
        assert result.status == "interrupted"
        assert result.sites[0].status == "interrupted"
        assert archive.counts()["articles"] == 4
        assert archive.query("SELECT status FROM runs")[0]["status"] == "interrupted"
        assert archive.query("PRAGMA integrity_check")[0][0] == "ok"
