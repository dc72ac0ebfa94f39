"""Shared fixtures: sample department sites served on 127.0.0.1 and a fresh archive."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from harvester.clock import VN_TZ
from harvester.config import Config, Site, parse_config
from harvester.demo import FixtureServer, FixtureSite
from harvester.fetch import GATE
from harvester.pipeline import RunResult, harvest
from harvester.store import Archive

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _fresh_gate() -> Iterator[None]:
    """Each test starts with no host paused by another test's Retry-After."""
    GATE.reset()
    yield
    GATE.reset()


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
    # every article re-visited nightly: these nights test history, not the re-visit policy
    config = demo_config([site], revisit=[{"every": 1}])
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
class FakeTime:
    """A clock that moves only when slept on: a HostGate built on it records every wait
    (a delay, a Retry-After, a backoff) without the test sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def site_config(fixture: FixtureSite, **overrides: object) -> Site:
    """A resolved Site for a served fixture site: no delay, no backoff, a short timeout."""
    values: dict = {"name": fixture.name, "province": "Kon Tum", "department": fixture.site_title,
                    "start_urls": tuple(fixture.start_urls()), "delay": 0.0, "timeout": 2.0, "retries": 2,
                    "backoff": 0.0}
    values.update(overrides)
    return Site(**values)


def fixture_config(sites: list[FixtureSite], defaults: dict | None = None, **site_settings: object) -> Config:
    """A validated Config for served fixture sites: no delay, no backoff, short timeouts."""
    return parse_config(
        {
            "defaults": {"delay": 0, "timeout": 2, "backoff": 0, **(defaults or {})},
            "sites": [
                {"name": s.name, "province": "Kon Tum", "department": s.site_title, "start_urls": s.start_urls(),
                 **site_settings}
                for s in sites
            ],
        },
        source="test",
    )


def config_file(
    directory: Path,
    sites: list[FixtureSite],
    defaults: dict | None = None,
    top: dict | None = None,
    **site_settings: object,
) -> Path:
    """`directory/config.yaml` for served fixture sites, as a user writes it (for the commands
    that read a file): no delay, a 5 s timeout; `top` adds top-level keys (`notify`)."""
    import yaml

    path = directory / "config.yaml"
    data = {
        "defaults": {"delay": 0, "timeout": 5, **(defaults or {})},
        "sites": [
            {"name": s.name, "province": "Kon Tum", "department": s.site_title, "start_urls": s.start_urls(),
             **site_settings}
            for s in sites
        ],
        **(top or {}),
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def night(db: Path, config: Config, **kwargs: object) -> RunResult:
    """One harvest pass into the archive at `db`, like a nightly run."""
    with Archive.open(db) as archive:
        return harvest(config, archive, **kwargs)  # type: ignore[arg-type]
