"""Sites harvested side by side, and two runs on one archive at once."""

from __future__ import annotations

import threading
from pathlib import Path

from harvester.demo import Fault, FixtureServer, FixtureSite
from harvester.store import Archive
from tests.conftest import fixture_config, night


def test_sites_run_side_by_side_each_with_its_own_connection(tmp_path: Path) -> None:
    sites = [FixtureSite(f"site-{i}", n_articles=8, seed=50 + i) for i in range(3)]
    with FixtureServer(sites) as server:
        for s in sites:  # slow answers, so the sites' requests overlap in time if they run together
            for a in s.articles:
                server.add_fault(s, s.path_of(a), Fault(delay=0.02), times=1)
        events: list[tuple[str, str]] = []
        inside = {"now": 0, "most": 0}
        lock = threading.Lock()

        def progress(event: str, data: dict) -> None:
            with lock:
                inside["now"] += 1
                inside["most"] = max(inside["most"], inside["now"])
            events.append((event, data["site"]))
            with lock:
                inside["now"] -= 1

        result = night(tmp_path / "a.db", fixture_config(sites, defaults={"workers": 3}), progress=progress)
        assert [s.site for s in result.sites] == [s.name for s in sites]  # in config order
        assert all(s.status == "ok" and s.articles_new == 8 for s in result.sites)
        assert inside["most"] == 1  # progress is called from one thread at a time
        spans = [(min(r.at for r in server.requests_for(s)), max(r.at for r in server.requests_for(s))) for s in sites]
        assert max(start for start, _ in spans) < min(end for _, end in spans)  # they overlapped
        with Archive.open(tmp_path / "a.db") as archive:
            assert archive.counts()["articles"] == 24
            assert archive.query("PRAGMA integrity_check")[0][0] == "ok"


def test_two_runs_at_once_on_one_archive_do_not_corrupt_it(tmp_path: Path) -> None:
    """The run lock (issue 7) makes the second run wait or leave; without it, SQLite's write
    lock and busy timeout still keep the archive whole and free of duplicates."""
    site = FixtureSite("twice", n_articles=20, seed=60)
    with FixtureServer([site]):
        config = fixture_config([site])
        results = []
        runs = [threading.Thread(target=lambda: results.append(night(tmp_path / "a.db", config))) for _ in range(2)]
        for t in runs:
            t.start()
        for t in runs:
            t.join()
        assert len(results) == 2 and all(r.sites[0].reached for r in results)
        with Archive.open(tmp_path / "a.db") as archive:
            assert archive.query("PRAGMA integrity_check")[0][0] == "ok"
            counts = archive.counts()
            assert counts["articles"] == 20 and counts["versions"] == 20
            assert archive.query("SELECT count(*) FROM (SELECT url FROM articles GROUP BY url HAVING count(*) > 1)")[0][0] == 0


def test_a_stop_request_ends_every_site_and_the_next_run_completes(tmp_path: Path) -> None:
    sites = [FixtureSite(f"stop-{i}", n_articles=10, seed=70 + i) for i in range(2)]
    with FixtureServer(sites):
        config = fixture_config(sites, defaults={"workers": 2})
        done = {"n": 0}

        def progress(event: str, data: dict) -> None:
            if event == "article":
                done["n"] += 1

        result = night(tmp_path / "a.db", config, progress=progress, should_stop=lambda: done["n"] >= 5)
        assert result.status == "interrupted"
        assert {s.status for s in result.sites} == {"interrupted"}
        assert sum(s.left_queued for s in result.sites) > 0
        again = night(tmp_path / "a.db", config)
        assert again.status == "ok"
        with Archive.open(tmp_path / "a.db") as archive:
            assert archive.counts()["articles"] == 20
