"""SIGKILL at any moment: the archive stays sound, and the next run completes what was
missed with no duplicate and no lost version or observation.

A harvest runs in a subprocess (`harvester run`); the fixture server kills it when the
N-th request arrives (while it waits for the answer), or a few milliseconds later (while
it parses and writes), at points spread over robots.txt, discovery and the articles."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from harvester.demo import FixtureServer, FixtureSite
from harvester.store import Archive
from tests.conftest import config_file, fixture_config, night

ROOT = Path(__file__).parent.parent


def _config_file(tmp_path: Path, site: FixtureSite) -> Path:
    return config_file(tmp_path, [site], {"backoff": 0})


def _killed_run(server: FixtureServer, config: Path, db: Path, at_request: int, after: float) -> int:
    """Start `harvester run` and SIGKILL it at the given request (plus `after` seconds)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "harvester", "run", "--config", str(config), "--db", str(db)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    counter = itertools.count(1)

    def kill(_request: object) -> None:
        if next(counter) == at_request:
            if after:
                threading.Timer(after, os.kill, (proc.pid, signal.SIGKILL)).start()
            else:
                os.kill(proc.pid, signal.SIGKILL)

    server.on_request = kill
    try:
        return proc.wait(timeout=60)
    finally:
        server.on_request = None
        if proc.poll() is None:  # the wait timed out: no harvest is left running
            proc.kill()
            proc.wait()


def _check_sound(db: Path) -> None:
    with Archive.open(db) as archive:
        assert archive.query("PRAGMA integrity_check")[0][0] == "ok"
        assert archive.query("PRAGMA foreign_key_check") == []
        orphans = archive.query(
            "SELECT count(*) FROM articles a WHERE a.latest_version_id IS NULL "
            "OR NOT EXISTS (SELECT 1 FROM view_counts v WHERE v.article_id = a.id)"
        )[0][0]
        assert orphans == 0  # an article is written whole with its version and observation, or not at all


def _check_complete(db: Path, site: FixtureSite) -> None:
    with Archive.open(db) as archive:
        live = site.live()
        assert archive.counts()["articles"] == len(live)
        ids = {archive.article_id_for(site.url_of(a)) for a in live}
        assert None not in ids and len(ids) == len(live)
        dup_versions = archive.query(
            "SELECT article_id, content_hash, count(*) FROM versions GROUP BY article_id, content_hash HAVING count(*) > 1"
        )
        assert dup_versions == []
        latest = {r["url"]: r["title"] for r in archive.query("SELECT url, title FROM latest_versions")}
        for a in live:
            stored = archive.query("SELECT title FROM latest_versions WHERE article_id = ?",
                                   (archive.article_id_for(site.url_of(a)),))[0]["title"]
            assert stored == a.title
        assert len(latest) == len(live)


# (request number, seconds after it): robots.txt, the listings, the first articles, the last ones
KILL_POINTS = [(1, 0.0), (2, 0.0), (3, 0.004), (5, 0.0), (9, 0.003), (14, 0.0), (19, 0.002), (24, 0.0)]


@pytest.mark.parametrize(("at_request", "after"), KILL_POINTS, ids=[f"req{n}+{int(d * 1000)}ms" for n, d in KILL_POINTS])
def test_a_killed_first_night_is_completed_by_the_next(tmp_path: Path, at_request: int, after: float) -> None:
    site = FixtureSite("kill", n_articles=22, seed=21)
    with FixtureServer([site]) as server:
        config = _config_file(tmp_path, site)
        db = tmp_path / "a.db"
        code = _killed_run(server, config, db, at_request, after)
        assert code == -signal.SIGKILL, "the run finished before the kill point: move the point"
        if db.exists():
            _check_sound(db)
        if at_request >= 9:  # killed among the articles: some stored, the rest still queued
            with Archive.open(db) as archive:
                assert 0 < archive.counts()["articles"] < 22
                assert archive.pending_urls(site.name)
        result = night(db, fixture_config([site]))
        assert result.status == "ok"
        _check_sound(db)
        _check_complete(db, site)
        with Archive.open(db) as archive:  # the killed run can never finish itself: the next one says so
            statuses = [r["status"] for r in archive.query("SELECT status FROM runs ORDER BY id")]
            killed = archive.query("SELECT summary FROM runs WHERE status = 'interrupted'")
        assert statuses in (["ok"], ["interrupted", "ok"])  # killed before or after it was recorded
        if at_request >= 9:  # articles were stored: the killed run had been recorded
            assert statuses == ["interrupted", "ok"]
        assert all("ended without finishing" in r["summary"] for r in killed)


def test_killed_again_and_again_through_a_changing_second_night(tmp_path: Path) -> None:
    """Night 1 complete; by night 2 the site has new and edited articles. Night 2 is killed
    at three points in turn; the run after finishes it with every version kept."""
    site = FixtureSite("kill2", n_articles=15, seed=22)
    with FixtureServer([site]) as server:
        db = tmp_path / "a.db"
        night(db, fixture_config([site]))
        site.add_articles(6)
        edited = site.articles[8]
        edited.title += " (đã sửa)"  # a new slug: the edit is found through its new URL
        config = _config_file(tmp_path, site)
        for at_request, after in ((2, 0.0), (4, 0.003), (6, 0.0)):
            assert _killed_run(server, config, db, at_request, after) == -signal.SIGKILL
            _check_sound(db)
        night(db, fixture_config([site]))
        _check_sound(db)
        _check_complete(db, site)
        with Archive.open(db) as archive:
            article_id = archive.article_id_for(site.url_of(edited))
            titles = [r[0] for r in archive.query("SELECT title FROM versions WHERE article_id = ? ORDER BY id", (article_id,))]
            assert len(titles) == 2 and titles[1] == edited.title
