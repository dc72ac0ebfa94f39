"""Shared fixtures: sample department sites served on 127.0.0.1 and a fresh archive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
