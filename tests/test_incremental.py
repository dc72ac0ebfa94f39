"""An incremental night costs requests in proportion to what is new, not to the archive."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harvester import pipeline, store
from harvester.demo import FixtureServer, FixtureSite
from harvester.demo.seed import seed_archive
from harvester.store import Archive
from parsers.platform import Platform
from tests.conftest import fixture_config, night


def test_five_new_articles_on_a_site_of_a_thousand_cost_under_30_requests(tmp_path: Path) -> None:
    site = FixtureSite("large", n_articles=1000, per_page=10, seed=31)
    with FixtureServer([site]) as server:
        config = fixture_config([site], revisit_budget=0)  # the re-visit policy is counted apart
        with Archive.open(tmp_path / "a.db") as archive:
            assert seed_archive(archive, site, config.sites[0]) == 1000
        new = site.add_articles(5)
        result = night(tmp_path / "a.db", config)
        s = result.sites[0]
        requests = server.requests_for(site)
        assert (s.articles_new, s.urls_found, s.revisits) == (5, 5, 0)
        assert len(requests) == s.requests < 30
        assert s.listing_pages <= 4
        fetched = {r.path for r in requests if r.path.endswith(tuple(f"-{a.id}" for a in site.articles))}
        assert fetched == {site.path_of(a) for a in new}
        with Archive.open(tmp_path / "a.db") as archive:
            assert archive.counts()["articles"] == 1005


def test_the_revisit_policy_adds_only_what_is_due(tmp_path: Path) -> None:
    """Every seeded article was last seen just now: a night re-visits none of them."""
    site = FixtureSite("fresh", n_articles=300, per_page=10, seed=32)
    with FixtureServer([site]) as server:
        config = fixture_config([site])  # the default policy: nightly, weekly, monthly
        with Archive.open(tmp_path / "a.db") as archive:
            seed_archive(archive, site, config.sites[0])
        result = night(tmp_path / "a.db", config)
        assert result.sites[0].revisits == 0
        assert len(server.requests_for(site)) <= 5  # robots.txt and the head of each listing


def _night_work(tmp_path: Path, archived: int, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Calls a night with 3 new articles makes to key URLs and read portal ids, outside
    discovery's own listing work (which follows the listing pages read)."""
    site = FixtureSite(f"s{archived}", n_articles=archived, per_page=10, seed=33)
    calls: Counter[str] = Counter()

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            calls[name] += 1
            return real(*args)
        return wrapper

    with FixtureServer([site]):
        config = fixture_config([site], revisit_budget=0)
        db = tmp_path / f"{archived}.db"
        with Archive.open(db) as archive:
            seed_archive(archive, site, config.sites[0])
        site.add_articles(3)
        with monkeypatch.context() as m:
            for module in (pipeline, store):
                m.setattr(module, "url_key", counting(f"{module.__name__}.url_key", module.url_key))
            m.setattr(Platform, "article_id_of", counting("article_id_of", Platform.article_id_of))
            result = night(db, config)
    assert result.sites[0].articles_new == 3
    return calls


def test_a_nights_local_work_follows_the_new_links_not_the_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # it used to key every URL the archive knew of the site (known_keys) and read the portal
    # id of each (the portal index) every night: work growing with the archive
    small = _night_work(tmp_path, 40, monkeypatch)
    large = _night_work(tmp_path, 400, monkeypatch)
    assert small and large == small
