"""Per-site selectors (config `selectors:`) and forced platforms (config `platform:`).

A site whose markup is its own: the lone <h1> is the site's name, <title> names only the
site, the date and view count stand unlabelled at the foot of the article, the author above
the text, and a promotion box sits inside the body. The generic parser cannot know; five
selectors in config.yaml tell it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester.cli import cli
from harvester.config import parse_config
from harvester.demo import Fault, FixtureServer, FixtureSite
from harvester.store import Archive
from parsers import PLATFORMS, parse, parse_bytes
from parsers.engine import Profile
from parsers.normalise import decode
from tests.conftest import config_file

URL = "https://stnmt.example.gov.vn/chi-tiet.aspx?id=771"
OWN_MARKUP = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sở Tài nguyên và Môi trường</title></head>
<body>
<div class="dau-trang"><h1>Sở Tài nguyên và Môi trường</h1></div>
<div class="khung">
  <div class="tde">Cấp giấy chứng nhận quyền sử dụng đất lần đầu cho 1.200 hộ dân</div>
  <div class="tg">Hoàng Lan</div>
  <div class="nd">
    <p>Năm 2023, Văn phòng Đăng ký đất đai đã cấp giấy chứng nhận quyền sử dụng đất lần đầu cho hơn 1.200 hộ gia đình, cá nhân trên địa bàn tỉnh.</p>
    <div class="qc"><p>Mời bạn đọc đăng ký nhận bản tin điện tử của Sở để cập nhật thông tin mới nhất hằng tuần.</p></div>
    <p>Thời gian giải quyết hồ sơ được rút ngắn còn 15 ngày làm việc, thấp hơn 5 ngày so với quy định; 100% hồ sơ được tiếp nhận qua bộ phận một cửa.</p>
  </div>
  <div class="chan"><span class="ngay">27/06/2023</span> <span class="xem">1.234</span></div>
</div>
<div class="tin-moi"><p>Kỷ niệm ngày 20/5/2023 lúc 08:00 tại hội trường lớn với 300 đại biểu tham dự.</p></div>
</body></html>"""
SELECTORS = {
    "title": "div.tde",
    "body": "div.nd",
    "date": "span.ngay",
    "views": "span.xem",
    "author": "div.tg",
    "remove": "div.qc",
}


def test_the_generic_parser_alone_gets_this_site_wrong() -> None:
    got = parse(OWN_MARKUP, URL)
    assert (got.title, got.views, got.published_at) != (
        "Cấp giấy chứng nhận quyền sử dụng đất lần đầu cho 1.200 hộ dân",
        1234,
        None,
    )


def test_site_selectors_read_it_exactly() -> None:
    got = parse(OWN_MARKUP, URL, selectors=SELECTORS).as_dict()
    assert got["title"] == "Cấp giấy chứng nhận quyền sử dụng đất lần đầu cho 1.200 hộ dân"
    assert got["author"] == "Hoàng Lan"
    assert got["published_at"] == "2023-06-27"
    assert got["views"] == 1234
    assert got["body"].split("\n\n") == [
        "Năm 2023, Văn phòng Đăng ký đất đai đã cấp giấy chứng nhận quyền sử dụng đất lần đầu cho hơn 1.200 hộ gia đình, cá nhân trên địa bàn tỉnh.",
        "Thời gian giải quyết hồ sơ được rút ngắn còn 15 ngày làm việc, thấp hơn 5 ngày so với quy định; 100% hồ sơ được tiếp nhận qua bộ phận một cửa.",
    ]


def test_overrides_come_first_and_the_platform_selectors_stay_as_fallback() -> None:
    base = PLATFORMS["wordpress"].profile
    over = base.with_overrides({"body": ["div.nd", "div.noi-dung"], "views": "span.xem"})
    assert over.body[:2] == ("div.nd", "div.noi-dung") and over.body[2:] == base.body
    assert over.views[0] == "span.xem" and over.views[1:] == base.views
    assert over.title == base.title
    assert Profile("x").with_overrides(None) == Profile("x")


def test_a_selector_that_matches_nothing_falls_back_to_structure() -> None:
    seed = Path(__file__).parent / "fixtures" / "kontum" / "seed-doi-thoai-giam-ngheo.html"
    url = "https://sldtbxh.kontum.gov.vn/tro-giup-xa-hoi-va-giam-ngheo/To-chuc-doi-thoai-8814"
    plain = parse_bytes(seed.read_bytes(), url, "text/html").as_dict()
    odd = parse_bytes(
        seed.read_bytes(),
        url,
        "text/html",
        selectors={"title": "div.khong-co", "views": "span.khong-co"},
    ).as_dict()
    assert odd == plain


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_platform_can_be_forced(platform: str) -> None:
    got = parse(OWN_MARKUP, URL, platform=platform, selectors=SELECTORS)
    # a forced platform keeps its name; site selectors still win over its own
    assert got.platform in (platform, "generic")
    assert got.views == 1234 and got.author == "Hoàng Lan"


def test_an_unknown_platform_is_a_plain_error() -> None:
    with pytest.raises(ValueError, match="unknown platform 'drupal'"):
        parse(OWN_MARKUP, URL, platform="drupal")


def test_parse_command_takes_a_platform_and_selectors(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(OWN_MARKUP, encoding="utf-8")
    args = ["parse", str(page), "--url", URL, "--platform", "generic"]
    for field, css in SELECTORS.items():
        args += ["--selector", f"{field}={css}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert '"views": 1234' in result.output and '"author": "Hoàng Lan"' in result.output
    bad = CliRunner().invoke(cli, ["parse", str(page), "--url", URL, "--selector", "colour=h1"])
    assert bad.exit_code == 2 and "colour" in bad.output


def test_config_selectors_flow_through_a_harvest(tmp_path: Path) -> None:
    site = FixtureSite("fixture-stnmt", n_articles=3, seed=11)
    own = site.articles[1]
    with FixtureServer([site]) as server:
        server.add_fault(
            site,
            site.path_of(own),
            Fault(body=OWN_MARKUP.encode("utf-8"), content_type="text/html; charset=utf-8"),
            times=100,
        )
        config = config_file(tmp_path, [site], platform="kontum",
                             selectors={k: [v] for k, v in SELECTORS.items()})
        result = CliRunner().invoke(
            cli, ["run", "--config", str(config), "--db", str(tmp_path / "a.db")]
        )
        assert result.exit_code == 0, result.output
    with Archive.open(tmp_path / "a.db") as archive:
        row = archive.query("SELECT * FROM latest_versions WHERE url = ?", (site.url_of(own),))[0]
        assert row["title"] == "Cấp giấy chứng nhận quyền sử dụng đất lần đầu cho 1.200 hộ dân"
        assert row["author"] == "Hoàng Lan" and row["published_at"] == "2023-06-27"
        assert "đăng ký nhận bản tin" not in row["body"]
        others = archive.query("SELECT count(*) FROM latest_versions")[0][0]
        assert others == 3  # the site's own pages still parse with the forced platform


def test_config_keeps_a_forced_platform_and_the_selectors() -> None:
    cfg = parse_config(
        {
            "sites": [
                {
                    "name": "s",
                    "province": "P",
                    "department": "D",
                    "start_urls": ["https://s.gov.vn/"],
                    "platform": "nukeviet",
                    "selectors": {"date": "span.ngay", "body": ["div.nd", "div.noi-dung"]},
                }
            ]
        }
    )
    site = cfg.sites[0]
    assert site.platform == "nukeviet"
    assert site.selectors == {"date": ("span.ngay",), "body": ("div.nd", "div.noi-dung")}


def test_the_selector_index_answers_as_lxml_does() -> None:
    """The engine answers simple platform selectors from its one-pass index; on every gold page
    and for every selector of every platform, that must be what lxml's CSS selectors give."""
    from lxml import etree

    from parsers.dom import load, select
    from parsers.survey import Survey, simple_selector

    selectors = {
        sel
        for p in PLATFORMS.values()
        for field in (
            "title",
            "body",
            "lead",
            "date",
            "views",
            "author",
            "poster",
            "category",
            "meta",
            "remove",
            "attachments",
        )
        for sel in getattr(p.profile, field)
    } | {"div.nd > p", "td.contentheading", "div p", "ul.related li", "span", "#news-bodyhtml p"}
    simple = sorted(s for s in selectors if simple_selector(s) is not None)
    assert len(simple) > 40
    pages = [
        p
        for p in sorted((Path(__file__).parent / "fixtures").glob("*/*.html"))
        if p.stat().st_size > 100
    ]
    for page in pages:
        doc = load(decode(page.read_bytes()))  # as the harvester decodes it (one page is windows-1258)
        etree.strip_elements(doc, "script", "style", etree.Comment, with_tail=False)
        survey = Survey(doc)
        for sel in simple:
            assert survey.select(sel) == select(doc, sel), (page.name, sel)
