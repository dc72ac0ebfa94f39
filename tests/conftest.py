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
