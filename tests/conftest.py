"""Shared fixtures: sample department sites served on 127.0.0.1 and a fresh archive."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from harvester.clock import VN_TZ
from harvester.demo import FixtureServer, FixtureSite
from harvester.store import Archive

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def site() -> FixtureSite:
    """A 25-article Kon Tum style site (10 articles a listing page, two categories)."""
    return FixtureSite("fixture-sldtbxh", n_articles=25, seed=7)


@pytest.fixture
def server(site: FixtureSite) -> Iterator[FixtureServer]:
    with FixtureServer([site]) as srv:
        yield srv


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive.db") as a:
        yield a


class Clock:
    """The harvester's clock, moved by hand: `clock.set(datetime(2026, 3, 1, 2, tzinfo=VN_TZ))`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import harvester.clock
        import harvester.fetch
        import harvester.pipeline
        import harvester.store

        self.at = harvester.clock.now()
        for module in (harvester.clock, harvester.fetch, harvester.pipeline, harvester.store):
            monkeypatch.setattr(module, "now", self.now)

    def now(self):  # noqa: ANN201 (a datetime)
        return self.at

    def set(self, at) -> None:  # noqa: ANN001
        self.at = at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Freeze the harvester's clock; tests move it night by night."""
    return Clock(monkeypatch)


NIGHTS = [datetime(2026, 3, d, 2, 0, tzinfo=VN_TZ) for d in (1, 2, 3)]


@pytest.fixture(scope="session")
def three_nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A 12-article fixture site harvested on three nights (2026-03-01..03 at 02:00):
    night 2 adds two articles, edits a paragraph of one, grows every view count by 15,
    deletes one article (404) and moves another (301); night 3 grows views by 20 more, and
    by 520 for one popular article.
    Yields the plan (site, db path, the changed articles, first-night URLs and views); the
    sample site keeps being served for the whole session. Copy the db before writing to it."""
    from harvester.demo.config import demo_config
    from harvester.pipeline import harvest

    site = FixtureSite("nights-sldtbxh", n_articles=12, seed=11)
    server = FixtureServer([site]).start()
    db = tmp_path_factory.mktemp("nights") / "archive.db"
    config = demo_config([site])
    plan: dict = {"site": site, "db": db, "server": server}
    with pytest.MonkeyPatch.context() as mp:
        clock = Clock(mp)
        clock.set(NIGHTS[0])
        with Archive.open(db) as archive:
            assert harvest(config, archive).status == "ok"
        plan["urls_night1"] = {a.id: site.url_of(a) for a in site.articles}
        plan["views_night1"] = {a.id: a.views for a in site.articles}

        clock.set(NIGHTS[1])
        plan["new"] = site.add_articles(2)
        edited = site.articles[4]
        edited.paragraphs[1] = edited.paragraphs[1] + " Dự kiến hoàn thành trong tháng 12."
        plan["edited"] = edited
        site.grow_views(15)
        plan["deleted"] = site.articles[6]
        site.delete(plan["deleted"].id)
        plan["moved_from"] = site.articles[8]
        plan["moved_to"] = site.move(plan["moved_from"].id)
        with Archive.open(db) as archive:
            harvest(config, archive)

        clock.set(NIGHTS[2])
        site.grow_views(20)
        plan["popular"] = site.articles[3]
        plan["popular"].views += 500
        with Archive.open(db) as archive:
            harvest(config, archive)
    yield plan
    server.stop()
