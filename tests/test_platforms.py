"""Detection, fallback and what a platform knows beyond its page (Joomla's canonical URL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import PLATFORMS, ParseError, detect, parse, parse_bytes

FIXTURES = Path(__file__).parent / "fixtures"


def _page(name: str) -> tuple[str, str]:
    html = FIXTURES / f"{name}.html"
    return html.read_text(encoding="utf-8"), json.loads(
        html.with_suffix(".json").read_text(encoding="utf-8")
    )["url"]


def test_a_generator_that_names_a_platform_decides() -> None:
    html = "<html><head><meta name='generator' content='WordPress 6.4'></head><body><h1>x</h1></body></html>"
    assert detect(html, "https://x.gov.vn/?p=1") == "wordpress"
    assert (
        detect(
            html.replace("WordPress 6.4", "Joomla! - Open Source Content Management"),
            "https://x.gov.vn/a",
        )
        == "joomla"
    )


def test_one_weak_sign_is_not_a_platform() -> None:
    # an ASP.NET form alone, or a URL that ends in "-1234", is every other portal too
    html = "<html><body><form><input type='hidden' name='__VIEWSTATE' value='x'></form><h1>Tin</h1></body></html>"
    assert detect(html, "https://x.gov.vn/tin-tuc/Hoi-nghi-1234") == "generic"


def test_every_platform_is_in_the_registry() -> None:
    assert set(PLATFORMS) == {
        "kontum",
        "nukeviet",
        "joomla",
        "liferay",
        "sharepoint",
        "wordpress",
        "generic",
    }


def test_a_forced_platform_whose_selectors_fit_nothing_still_reads_by_structure() -> None:
    html, url = _page("generic/drupal-gui-boi-vao")
    forced = parse(html, url, platform="nukeviet")
    assert forced.platform == "nukeviet"
    assert forced.title == "Lục Nam tổ chức Lễ hội Thác Ba Tia năm 2023"
    assert forced.category == "Tin tức - Sự kiện"


def test_when_the_platform_cannot_read_a_page_the_generic_parser_does() -> None:
    # a theme that reuses NukeViet's "bodytext" class for a one-line notice
    text = " ".join(
        ["Sở Nội vụ tổ chức hội nghị tổng kết công tác năm 2023 với sự tham gia của các đơn vị."]
        * 4
    )
    html = (
        "<html><head><meta name='generator' content='NukeViet v4.5'><title>Hội nghị tổng kết - Sở Nội vụ</title></head>"
        "<body><h1>Hội nghị tổng kết công tác năm 2023</h1><div class='bodytext'>Mới</div>"
        f"<div class='noi-dung'><p>{text}</p><p>{text}</p></div></body></html>"
    )
    got = parse(html, "https://snv.example.gov.vn/tin-tuc/hoi-nghi-12.html")
    assert got.platform == "generic"
    assert got.body.startswith("Sở Nội vụ tổ chức hội nghị")


def test_a_page_no_parser_can_read_names_both_reasons() -> None:
    html = "<html><head><title>Trang chủ</title></head><body><div class='news_column'></div><p>x</p></body></html>"
    with pytest.raises(ParseError) as info:
        parse(html, "https://x.gov.vn/a", platform="kontum")
    assert info.value.reason.startswith("kontum: ") and "; generic: " in info.value.reason


def test_a_definite_refusal_is_not_retried() -> None:
    html, url = _page("refused/nukeviet-empty-body")
    with pytest.raises(ParseError) as info:
        parse(html, url)
    assert info.value.definite and "; generic:" not in info.value.reason


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://sotnmt.hoabinh.gov.vn/index.php?option=com_content&view=article&id=1245:hoi-nghi&catid=9&Itemid=115",
            "https://sotnmt.hoabinh.gov.vn/index.php?option=com_content&view=article&id=1245:hoi-nghi&catid=9",
        ),
        (
            "https://sotnmt.hoabinh.gov.vn/index.php?option=com_content&view=article&id=1252:canh-bao&catid=9&Itemid=115&tmpl=component&print=1&layout=default",
            "https://sotnmt.hoabinh.gov.vn/index.php?option=com_content&view=article&id=1252:canh-bao&catid=9",
        ),
    ],
)
def test_joomla_canonical_url_drops_the_menu_and_print_switches(url: str, canonical: str) -> None:
    from parsers.joomla import canonical_url

    assert canonical_url(url) == canonical
    assert canonical_url("https://x.gov.vn/index.php/tin-tuc/12-bai") is None


def test_a_joomla_article_carries_its_canonical_url() -> None:
    page = FIXTURES / "joomla" / "j3-info-below-itemid.html"
    url = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))["url"]
    article = parse_bytes(page.read_bytes(), url, "text/html")
    assert article.canonical_url and "Itemid" not in article.canonical_url
    assert "Itemid" in article.url  # the fetched URL is kept as it was


def test_decomposed_text_reads_as_composed() -> None:
    import unicodedata

    html, url = _page("kontum/seed-doi-thoai-giam-ngheo")
    nfd = unicodedata.normalize("NFD", html)
    assert nfd != html
    assert parse(nfd, url).as_dict() == parse(html, url).as_dict()
