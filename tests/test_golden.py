"""Golden pages: every tests/fixtures/<platform>/<case>.html parses to its <case>.json, and is
detected as that platform. (listings/ and refused/ hold pages that are not articles.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import detect, parse_bytes
from parsers.normalise import decode

FIXTURES = Path(__file__).parent / "fixtures"
NOT_ARTICLES = ("listings", "refused")
CASES = sorted(p for p in FIXTURES.glob("*/*.html") if p.parent.name not in NOT_ARTICLES)
PLATFORM_DIRS = ("kontum", "nukeviet", "joomla", "liferay", "sharepoint", "wordpress", "generic")


def _expected(html: Path) -> dict:
    return json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_golden_page(page: Path) -> None:
    expected = _expected(page)
    got = parse_bytes(page.read_bytes(), expected["url"], "text/html").as_dict()
    assert got == expected


@pytest.mark.parametrize("page", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_detected_platform_is_the_folder(page: Path) -> None:
    # decoded as the harvester decodes it (a windows-1258 page is in the corpus)
    assert detect(decode(page.read_bytes()), _expected(page)["url"]) == page.parent.name


def test_every_page_has_its_expectation() -> None:
    assert CASES, "no golden pages found"
    missing = [p for p in FIXTURES.glob("*/*.html") if not p.with_suffix(".json").exists()]
    assert missing == []


@pytest.mark.parametrize("platform", PLATFORM_DIRS)
def test_at_least_eight_gold_pages_per_platform(platform: str) -> None:
    assert len(list((FIXTURES / platform).glob("*.html"))) >= 8


def test_expected_text_is_in_canonical_display_form() -> None:
    # NFC throughout; the corpus does not test encodings (normalise's own tests do)
    import unicodedata

    for page in CASES:
        text = page.with_suffix(".json").read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", text) == text, page
