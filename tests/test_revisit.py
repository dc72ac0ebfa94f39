"""Re-visits for view counts: the policy's tiers and budget, and what a 304 records."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from harvester.config import DEFAULT_REVISIT, RevisitTier, parse_config
from harvester.demo import FixtureServer, FixtureSite
from harvester.demo.seed import seed_archive
from harvester.errors import ConfigError
from harvester.revisit import due_revisits
from harvester.store import Archive
from tests.conftest import fixture_config, night

TODAY = date(2026, 3, 10)


def row(url: str, born: date | str, last: date | str) -> dict:
    return {"url": url, "born": str(born), "last_visit": f"{last}T02:05:00+07:00" if isinstance(last, date) else last}


def test_tiers_by_age() -> None:
    rows = [
        row("http://a/new-1", TODAY - timedelta(days=2), TODAY - timedelta(days=1)),      # < 7 days: nightly
        row("http://a/month-2", TODAY - timedelta(days=30), TODAY - timedelta(days=3)),   # < 90: weekly, not yet
        row("http://a/month-3", TODAY - timedelta(days=30), TODAY - timedelta(days=7)),   # weekly, due
        row("http://a/old-4", TODAY - timedelta(days=900), TODAY - timedelta(days=29)),   # monthly, not yet
        row("http://a/old-5", TODAY - timedelta(days=900), TODAY - timedelta(days=31)),   # monthly, due
    ]
    assert due_revisits(rows, DEFAULT_REVISIT, 100, TODAY) == ["http://a/new-1", "http://a/month-3", "http://a/old-5"]


def test_calendar_days_not_hours() -> None:
    """A nightly run at 02:00 finds yesterday's 02:05 visit one day old."""
    r = row("http://a/x-1", TODAY - timedelta(days=1), "2026-03-09T02:05:00+07:00")
    assert due_revisits([r], DEFAULT_REVISIT, 10, TODAY) == ["http://a/x-1"]
    r_utc = row("http://a/x-1", TODAY - timedelta(days=1), "2026-03-09T18:30:00+00:00")  # 01:30 on the 10th at +07
    assert due_revisits([r_utc], DEFAULT_REVISIT, 10, TODAY) == []


def test_the_budget_takes_young_tiers_first_then_the_longest_unvisited() -> None:
    rows = [row(f"http://a/old-{i}", "2020-01-01", TODAY - timedelta(days=40 + i)) for i in range(5)]
    rows.append(row("http://a/new-9", TODAY, TODAY - timedelta(days=1)))
    assert due_revisits(rows, DEFAULT_REVISIT, 3, TODAY) == ["http://a/new-9", "http://a/old-4", "http://a/old-3"]


def test_already_fetched_tonight_and_beyond_the_last_tier() -> None:
    tiers = (RevisitTier(7, 1),)  # nothing older than a week is re-visited
    rows = [row("http://a/x-1", TODAY - timedelta(days=3), TODAY - timedelta(days=2)),
            row("http://a/y-2", TODAY - timedelta(days=30), TODAY - timedelta(days=20))]
    assert due_revisits(rows, tiers, 10, TODAY) == ["http://a/x-1"]
    assert due_revisits(rows, tiers, 10, TODAY, skip={"http://a/x-1"}) == []


@pytest.mark.parametrize(
    ("revisit", "message"),
    [
        ("nightly", "defaults.revisit: expected a list like"),
        ([{"younger_than": 7}], "defaults.revisit[0].every: missing"),
        ([{"every": 30}, {"younger_than": 7, "every": 1}], "defaults.revisit[0].younger_than: missing: only the last tier"),
        ([{"younger_than": 90, "every": 7}, {"younger_than": 7, "every": 1}], "defaults.revisit[1].younger_than: must be greater than the tier before (90)"),
        ([{"younger_than": 7, "every": "daily"}], "defaults.revisit[0].every: expected a number"),
        ([{"younger_than": 7, "evry": 1}], "defaults.revisit[0].evry: unknown setting (did you mean 'every'?)"),
        ([{"younger_than": 0, "every": 1}], "defaults.revisit[0].younger_than: must be more than 0 days"),
    ],
)
def test_a_bad_policy_is_refused_with_its_place(revisit: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"defaults": {"revisit": revisit},
                      "sites": [{"name": "a", "province": "p", "department": "d", "start_urls": ["https://a.gov.vn/"]}]})
    assert message in str(info.value)


def test_a_site_overrides_the_policy_and_budget() -> None:
    config = parse_config({
        "defaults": {"revisit_budget": 50},
        "sites": [{"name": "a", "province": "p", "department": "d", "start_urls": ["https://a.gov.vn/"],
                   "revisit": [{"younger_than": 30, "every": 2}], "revisit_budget": 5}],
    })
    assert config.sites[0].revisit == (RevisitTier(30, 2),) and config.sites[0].revisit_budget == 5
    with pytest.raises(ConfigError, match=r"sites\[0\].revisit_budget: must be at least 0"):
        parse_config({"sites": [{"name": "a", "province": "p", "department": "d",
                                 "start_urls": ["https://a.gov.vn/"], "revisit_budget": -1}]})


def test_a_night_revisits_what_is_due_within_the_budget(tmp_path: Path) -> None:
    from harvester.clock import now

    site = FixtureSite("due", n_articles=40, seed=41)
    with FixtureServer([site]) as server:
        config = fixture_config([site], revisit_budget=7)
        with Archive.open(tmp_path / "a.db") as archive:
            seed_archive(archive, site, config.sites[0], seen_at=now() - timedelta(days=40))
        result = night(tmp_path / "a.db", config)
        assert result.sites[0].revisits == 7
        article_requests = [r for r in server.requests_for(site) if r.path.endswith(tuple(f"-{a.id}" for a in site.articles))]
        assert len(article_requests) == 7
        again = night(tmp_path / "a.db", config)
        assert again.sites[0].revisits == 7  # the next seven: the visited ones are not due for a month
        with Archive.open(tmp_path / "a.db") as archive:
            assert archive.query("SELECT count(DISTINCT article_id) FROM view_counts")[0][0] == 40
            assert archive.counts()["view_counts"] == 40 + 14


def test_a_304_repeats_the_count_the_unchanged_page_shows(tmp_path: Path) -> None:
    site = FixtureSite("cond", n_articles=6, seed=42)
    with FixtureServer([site]) as server:
        config = fixture_config([site], revisit=[{"every": 0}])
        night(tmp_path / "a.db", config)
        target = site.articles[0]
        site.articles[1].views += 5  # one page changes, the others do not
        result = night(tmp_path / "a.db", config)
        assert result.sites[0].revisits == 6 and result.sites[0].not_modified >= 5
        conditional = [r for r in server.requests_for(site) if r.path == site.path_of(target)]
        assert conditional[-1].headers.get("If-None-Match")
        with Archive.open(tmp_path / "a.db") as archive:
            article_id = archive.article_id_for(site.url_of(target))
            series = archive.query(
                "SELECT v.views, p.status, p.body_sha256 FROM view_counts v JOIN pages p ON p.id = v.page_id "
                "WHERE v.article_id = ? ORDER BY v.id", (article_id,))
            assert [(r["views"], r["status"]) for r in series] == [(target.views, 200), (target.views, 304)]
            assert series[0]["body_sha256"] == series[1]["body_sha256"]  # the bytes the server vouched for
            changed = archive.query(
                "SELECT v.views FROM view_counts v WHERE v.article_id = ? ORDER BY v.id",
                (archive.article_id_for(site.url_of(site.articles[1])),))
            assert [r[0] for r in changed] == [site.articles[1].views - 5, site.articles[1].views]
            assert archive.counts()["versions"] == 6
            stats = json.loads(archive.query("SELECT stats FROM run_sites ORDER BY run_id DESC LIMIT 1")[0][0])
            assert stats["not_modified"] >= 5 and stats["revisits"] == 6
