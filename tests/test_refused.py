"""Pages that are not articles are a ParseError with the reason, never an empty article:
login pages, error pages served with 200, an empty article body, a password-protected post,
PDFs (also behind an HTML content type), empty responses. Per platform where they differ."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester.cli import cli
from parsers import ParseError, parse_bytes

REFUSED = Path(__file__).parent / "fixtures" / "refused"
CASES = sorted(p for p in REFUSED.iterdir() if p.suffix != ".json")


def _expected(page: Path) -> dict:
    return json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", CASES, ids=[p.stem for p in CASES])
def test_refused_with_its_reason(page: Path) -> None:
    expected = _expected(page)
    with pytest.raises(ParseError) as info:
        parse_bytes(page.read_bytes(), expected["url"], expected["content_type"])
    assert expected["reason"].lower() in info.value.reason.lower()
    assert info.value.url == expected["url"]


@pytest.mark.parametrize(
    "page",
    [p for p in CASES if p.suffix == ".html" and p.stat().st_size > 100],
    ids=lambda p: p.stem,
)
def test_refused_whatever_the_platform(page: Path) -> None:
    # forcing any parser on such a page still says why, rather than inventing an article
    expected = _expected(page)
    for platform in (
        "generic",
        "kontum",
        "nukeviet",
        "joomla",
        "liferay",
        "sharepoint",
        "wordpress",
    ):
        with pytest.raises(ParseError):
            parse_bytes(
                page.read_bytes(), expected["url"], expected["content_type"], platform=platform
            )


def test_the_refusal_reaches_the_command_line() -> None:
    page = REFUSED / "joomla-login.html"
    result = CliRunner().invoke(cli, ["parse", str(page), "--url", _expected(page)["url"]])
    assert result.exit_code == 1
    assert "login" in result.output
