"""Shared fixtures: sample department sites served on 127.0.0.1 and a fresh archive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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


def night(db: Path, config: Config, **kwargs: object) -> RunResult:
    """One harvest pass into the archive at `db`, like a nightly run."""
    with Archive.open(db) as archive:
        return harvest(config, archive, **kwargs)  # type: ignore[arg-type]
