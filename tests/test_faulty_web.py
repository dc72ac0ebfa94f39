"""Two nights over a faulty fixture web: every live article is archived, with no duplicate,
whatever the sites do — and the run report says what failed and why."""

from __future__ import annotations

import threading
from pathlib import Path

from harvester.config import Site
from harvester.demo import Fault, FixtureServer, FixtureSite
from harvester.fetch import Fetcher, HostGate
from harvester.store import Archive
from tests.conftest import FakeTime, fixture_config, night


def test_every_live_article_is_archived_within_two_nights(tmp_path: Path) -> None:
    flaky = FixtureSite("flaky", n_articles=30, seed=11)
    broken = FixtureSite("broken", n_articles=30, seed=12, disallow=("/admin/",))
    trapped = FixtureSite("trapped", n_articles=20, seed=13, endless_pages=True, calendar=True,
                          foreign_links=("http://10.0.0.7/tin-tuc-su-kien/Noi-bo-1",
                                         "http://sldtbxh.other.test/tin-tuc-su-kien/Bai-2"))
    sites = [flaky, broken, trapped]
    with FixtureServer(sites) as server:
        a = flaky.articles
        server.add_fault(flaky, flaky.path_of(a[0]), Fault(status=503, retry_after="5"), times=1)  # then fine
        server.add_fault(flaky, flaky.path_of(a[1]), Fault(status=429, retry_after="2"), times=1)
        server.add_fault(flaky, flaky.path_of(a[2]), Fault(delay=1.5), times=1)                  # past the timeout
        server.add_fault(flaky, flaky.path_of(a[3]), Fault(reset=True), times=1)
        server.add_fault(flaky, flaky.path_of(a[4]), Fault(status=500), times=10)               # print view instead
        b = broken.articles
        server.add_fault(broken, broken.path_of(b[0]), Fault(truncate=True), times=2)           # fails night 1
        server.add_fault(broken, broken.path_of(b[1]), Fault(size=300_000_000), times=1)         # too large once
        server.add_fault(broken, broken.path_of(b[2]), Fault(redirect="/tin-tuc-su-kien/vong-1"), times=1)
        server.add_fault(broken, "/tin-tuc-su-kien/vong-1", Fault(redirect="/tin-tuc-su-kien/vong-2"), times=1)
        server.add_fault(broken, "/tin-tuc-su-kien/vong-2", Fault(redirect=broken.path_of(b[2])), times=1)  # a loop
        hidden = b[5]
        broken.disallow = ("/admin/", broken.path_of(hidden))
        for cat in ("/tro-giup-xa-hoi-va-giam-ngheo?page=2", "/tin-tuc-su-kien?page=2"):
            server.add_fault(broken, cat, Fault(status=503), times=3)                          # a listing page down

        dead = FixtureSite("dead", n_articles=1)
        dead.base_url = "http://127.0.0.1:9"  # nothing listens there
        config = fixture_config(
            [*sites, dead], defaults={"timeout": 1, "retries": 1, "max_bytes": 5_000_000},
        )
        config = _with(config, flaky=dict(print_url="/print/{id}"))
        clock = FakeTime()
        gate = HostGate(clock.clock, clock.sleep)
        threads: set[str] = set()

        def fetcher(site: Site) -> Fetcher:
            threads.add(threading.current_thread().name)
            return Fetcher(site, gate=gate)

        first = night(tmp_path / "a.db", config, fetcher_factory=fetcher)
        by = {s.site: s for s in first.sites}
        assert by["dead"].status == "unreachable"
        assert by["flaky"].status == "ok" and by["flaky"].print_views == 1, by["flaky"].error_examples
        assert by["broken"].status == "partial"
        assert {"truncated", "redirects", "too_large", "http"} <= set(by["broken"].errors)
        assert "redirect loop" in " ".join(by["broken"].error_examples) or by["broken"].errors["redirects"]
        assert by["trapped"].traps
        assert len(threads) > 1  # sites ran side by side
        assert 5.0 in clock.slept and 2.0 in clock.slept  # each Retry-After was waited out

        night(tmp_path / "a.db", config, fetcher_factory=fetcher)

    with Archive.open(tmp_path / "a.db") as archive:
        assert archive.query("PRAGMA integrity_check")[0][0] == "ok"
        for site in sites:
            live = [x for x in site.live() if not (site is broken and x is hidden)]
            rows = archive.query("SELECT id, url FROM articles WHERE site = ?", (site.name,))
            assert len(rows) == len(live), site.name          # no duplicate, none missing
            ids = {archive.article_id_for(site.url_of(x)) for x in live}
            assert None not in ids and len(ids) == len(live), site.name
            versions = archive.query(
                "SELECT count(*) FROM versions v JOIN articles a ON a.id = v.article_id WHERE a.site = ?", (site.name,)
            )[0][0]
            assert versions == len(live), site.name           # no spurious version either
        assert archive.article_id_for(broken.url_of(hidden)) is None
        assert not [r for r in server.requests_for(broken) if r.path == broken.path_of(hidden)]
        assert not archive.query("SELECT url FROM urls WHERE url LIKE '%10.0.0.7%' OR url LIKE '%other.test%'")
        printed = archive.query("SELECT source FROM versions v JOIN articles a ON a.id = v.article_id WHERE a.url = ?",
                                (flaky.url_of(a[4]),))
        assert [r[0] for r in printed] == ["print"]


def _with(config, **changes):  # type: ignore[no-untyped-def]
    """The config with some sites' settings replaced."""
    from dataclasses import replace

    sites = tuple(replace(s, **changes[s.name]) if s.name in changes else s for s in config.sites)
    return replace(config, sites=sites)
