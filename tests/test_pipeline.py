"""One site's pass: the print-view fallback, a host that stops answering, a host that asks
for a long pause — and what each leaves in the archive for the next run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from harvester.demo import Fault, FixtureServer, FixtureSite
from harvester.pipeline import GIVE_UP_AFTER, SiteResult
from harvester.store import Archive
from tests.conftest import fixture_config, night


def test_a_page_that_does_not_parse_is_read_from_its_print_view(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    story = site.articles[4]
    broken = (f'<html><body><div id="khung"><script>loi()</script><a href="/print/{story.id}">In bài viết</a>'
              f'</div></body></html>').encode()
    server.add_fault(site, site.path_of(story), Fault(body=broken), times=1)
    result = night(tmp_path / "a.db", fixture_config([site]))
    s = result.sites[0]
    assert s.status == "ok" and s.print_views == 1 and s.articles_new == 25
    with Archive.open(tmp_path / "a.db") as archive:
        row = archive.query("SELECT v.title, v.body, x.source, v.url FROM latest_versions v JOIN versions x ON x.id = v.version_id "
                            "WHERE v.article_id = ?", (archive.article_id_for(site.url_of(story)),))[0]
        assert row["title"] == story.title and row["body"].split("\n\n") == story.paragraphs
        assert row["source"] == "print" and row["url"] == site.url_of(story)  # stored under the article's URL
        kinds = [r[0] for r in archive.query("SELECT kind FROM pages WHERE url LIKE ?", (f"%/print/{story.id}",))]
        assert kinds == ["article"]


def test_without_a_print_view_the_failure_is_recorded_and_retried(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    story = site.articles[4]
    server.add_fault(site, site.path_of(story), Fault(status=500), times=2)
    config = fixture_config([site], retries=0)
    first = night(tmp_path / "a.db", config)
    assert first.sites[0].status == "partial" and "http 1" in first.sites[0].message
    second = night(tmp_path / "a.db", config)
    assert second.sites[0].articles_new == 0  # the failed URL is retried from the queue…
    with Archive.open(tmp_path / "a.db") as archive:
        assert archive.counts()["articles"] == 24
    night(tmp_path / "a.db", config)
    with Archive.open(tmp_path / "a.db") as archive:  # …until the server answers again
        assert archive.article_id_for(site.url_of(story)) is not None


def test_a_host_that_stops_answering_is_left_with_its_queue_kept(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    for a in site.articles:
        server.add_fault(site, site.path_of(a), Fault(reset=True), times=1)
    config = fixture_config([site], retries=0)
    result = night(tmp_path / "a.db", config)
    s = result.sites[0]
    attempted = [r for r in server.requests_for(site) if r.path.endswith(tuple(f"-{a.id}" for a in site.articles))]
    assert len(attempted) == GIVE_UP_AFTER
    assert s.errors["gave_up"] == 1 and s.left_queued == 25
    assert s.articles_seen == GIVE_UP_AFTER  # the articles tried, not the ones planned
    server.clear_faults()  # the host is back
    assert night(tmp_path / "a.db", config).sites[0].articles_new == 25


def test_a_host_asking_for_a_long_pause_is_left_until_the_next_run(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    first_article = site.articles[0]
    server.add_fault(site, site.path_of(first_article), Fault(status=503, retry_after="7200"), times=1)
    config = fixture_config([site])
    result = night(tmp_path / "a.db", config)
    s = result.sites[0]
    articles = [r for r in server.requests_for(site) if r.path.endswith(tuple(f"-{a.id}" for a in site.articles))]
    assert len(articles) == 1, [r.path for r in articles]  # asked once, then left alone
    assert s.errors["deferred"] == 1 and "Retry-After 7200s" in " ".join(s.error_examples)
    assert s.left_queued == 25
    assert s.articles_seen == 1


def test_a_site_that_crashes_reports_failed_with_its_stats(
    tmp_path: Path, site: FixtureSite, server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import harvester.pipeline

    real = harvester.pipeline.harvest_article
    calls = {"n": 0}

    def crashing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 4:
            raise sqlite3.OperationalError("disk I/O error")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(harvester.pipeline, "harvest_article", crashing)
    reported: list[SiteResult] = []
    result = night(tmp_path / "a.db", fixture_config([site]),
                   progress=lambda event, data: reported.append(data["result"]) if event == "site_done" else None)
    s = result.sites[0]
    assert s.status == "failed" and s.message == "OperationalError: disk I/O error"
    assert s.articles_new == 3 and s.requests > 3  # what it did before the crash is kept
    assert [r.status for r in reported] == ["failed"] and reported[0] is s
    assert result.status == "failed" and result.exit_code == 1
    with Archive.open(tmp_path / "a.db") as archive:
        row = archive.query("SELECT status, message, requests, articles_new FROM run_sites")[0]
        assert tuple(row) == ("failed", "OperationalError: disk I/O error", s.requests, 3)


def test_a_reparse_reads_a_print_view_as_the_harvest_did(
    tmp_path: Path, site: FixtureSite, server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harvest reads a print view with the generic parser, under the article's URL; a
    reparse with the same parsers must read it the same way and write nothing."""
    import dataclasses

    import parsers
    from harvester.reparse import reparse

    original = parsers.extract

    def marked(doc, url, profile, *rest):  # noqa: ANN001, ANN002, ANN202
        article = original(doc, url, profile, *rest)  # the site's own parser reads titles its way
        return dataclasses.replace(article, title=article.title + " ·") if profile.name == "kontum" else article

    monkeypatch.setattr(parsers, "extract", marked)
    story = site.articles[4]
    broken = b'<html><body><div id="khung"><script>loi()</script></div></body></html>'
    server.add_fault(site, site.path_of(story), Fault(body=broken), times=1)
    config = fixture_config([site], platform="kontum", print_url="/print/{id}")
    assert night(tmp_path / "a.db", config).sites[0].print_views == 1
    with Archive.open(tmp_path / "a.db") as archive:
        before = archive.query("SELECT id, title, content_hash, platform FROM versions ORDER BY id")
        assert [r["title"] == story.title for r in before if r["platform"] == "generic"] == [True]
        for _ in range(2):
            result = reparse(archive, config=config)
            assert (result.versions_written, result.versions_superseded, result.pages_failed) == (0, 0, 0)
        assert archive.query("SELECT id, title, content_hash, platform FROM versions ORDER BY id") == before


def test_pages_are_parsed_outside_the_write_transaction(
    tmp_path: Path, site: FixtureSite, server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing is CPU-bound: while a page is parsed, other site threads (and processes) can
    write; the page and its article are then stored in one transaction."""
    import threading

    import harvester.pipeline
    from harvester.store import _writer_lock

    db = tmp_path / "a.db"
    free: list[tuple[bool, bool]] = []
    real = harvester.pipeline.parse_bytes

    def probe_sqlite() -> bool:
        other = sqlite3.connect(db, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()

    def probe_lock() -> bool:
        got: list[bool] = []

        def attempt() -> None:
            lock = _writer_lock(str(db))
            ok = lock.acquire(blocking=False)
            if ok:
                lock.release()
            got.append(ok)

        t = threading.Thread(target=attempt)
        t.start()
        t.join()
        return got[0]

    def parse_bytes(*args: object) -> object:
        free.append((probe_sqlite(), probe_lock()))
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(harvester.pipeline, "parse_bytes", parse_bytes)
    assert night(db, fixture_config([site])).sites[0].articles_new == 25
    assert len(free) == 25 and set(free) == {(True, True)}


def test_a_run_records_when_each_site_began_and_ended(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    from dataclasses import replace
    from datetime import datetime

    from harvester.pipeline import harvest_site

    config = fixture_config([site])
    result = night(tmp_path / "a.db", config)
    with Archive.open(tmp_path / "a.db") as archive:
        run = archive.query("SELECT started_at, finished_at FROM runs WHERE id = ?", (result.run_id,))[0]
        row = archive.query("SELECT started_at, finished_at FROM run_sites WHERE run_id = ?", (result.run_id,))[0]
        times = [datetime.fromisoformat(t) for t in (run[0], row[0], row[1], run[1])]
        assert all(t.utcoffset() is not None and t.utcoffset().total_seconds() == 7 * 3600 for t in times), times
        assert row[0].endswith("+07:00") and times == sorted(times)  # the site's pass lies within its run
        assert result.summary()["sites"][0]["started_at"] == row[0]  # the run report says the same
        gone = harvest_site(replace(config.sites[0], status="gone"), archive, None)
        assert gone.status == "gone" and gone.started_at is not None and gone.finished_at == gone.started_at


def test_body_statistics_keep_a_few_bytes_an_article_and_say_the_same() -> None:
    # a first harvest parses the whole site: the median and the five shortest bodies come
    # from an array of lengths and a list of five, not a (length, URL) tuple an article
    import random

    from parsers import Article

    rng = random.Random(7)
    bodies = [(rng.randrange(50, 5000), f"https://a.gov.vn/tin/{i}") for i in range(500)]
    bodies += [(120, "https://a.gov.vn/tin/b"), (120, "https://a.gov.vn/tin/a")]  # a tie, ordered by URL
    result = SiteResult("a")
    for chars, url in bodies:
        result.observe(Article(url=url, platform="generic", title="t", body="x" * chars), url)
    stats = result.row()["stats"]
    ordered = sorted(bodies)
    assert stats["body_chars_median"] == ordered[len(ordered) // 2][0]
    assert stats["shortest_bodies"] == [url for _, url in ordered[:5]]
    assert len(result.shortest) == 5 and result.parsed == 502
