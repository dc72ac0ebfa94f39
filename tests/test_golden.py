"""Golden pages: every tests/fixtures/<platform>/<case>.html parses to its <case>.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import parse_bytes

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(FIXTURES.glob("*/*.html"))


def _expected(html: Path) -> dict:
    return json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_golden_page(page: Path) -> None:
    expected = _expected(page)
    got = parse_bytes(page.read_bytes(), expected["url"], "text/html").as_dict()
    assert got == expected


def test_every_page_has_its_expectation() -> None:
    assert CASES, "no golden pages found"
    missing = [p for p in CASES if not p.with_suffix(".json").exists()]
    assert missing == []
