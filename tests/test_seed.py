"""The seed page (sldtbxh.kontum.gov.vn, 16/09/2023, 544 views) and its traps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester.cli import cli
from parsers import ParseError, detect, parse, parse_bytes

SEED = Path(__file__).parent / "fixtures" / "kontum" / "seed-doi-thoai-giam-ngheo.html"
URL = "https://sldtbxh.kontum.gov.vn/tro-giup-xa-hoi-va-giam-ngheo/To-chuc-doi-thoai-chinh-sach-va-truyen-thong-ve-cong-tac-giam-ngheo-tren-dia-ban-tinh-nam-2023-8814"


@pytest.fixture(scope="module")
def seed() -> dict:
    return parse_bytes(SEED.read_bytes(), URL, "text/html").as_dict()


def test_detected_as_kontum_portal() -> None:
    assert detect(SEED.read_text(encoding="utf-8"), URL) == "kontum"


def test_views_are_the_articles_not_the_site_counter(seed: dict) -> None:
    assert seed["views"] == 544
    assert "69" not in str(seed["views"])


def test_metadata_line(seed: dict) -> None:
    assert seed["published_at"] == "2023-09-16"
    assert seed["poster"] == "SLDTBXH Kontum"
    assert seed["author"] == "Nguyễn Hương"
    assert seed["category"] == "TRỢ GIÚP XÃ HỘI VÀ GIẢM NGHÈO"


def test_body_is_paragraphs_without_captions_byline_or_chrome(seed: dict) -> None:
    body = seed["body"]
    paragraphs = body.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("Sở Lao động - TB&XH đã tổ chức đối thoại")
    assert paragraphs[-1].endswith("liên hệ bán sản phẩm được giá và ổn định.")
    for chrome in ("Tin và ảnh", "Nguyễn Hương", "Đăng bởi", "Lượt xem", "Quay Về", "LƯỢT TRUY CẬP",
                   "69.534", "THÔNG BÁO", "THÔNG TIN CHUNG", "Baner", "thực hiện đối thoại với người dân"):
        assert chrome not in body


def test_captions_each_on_its_own(seed: dict) -> None:
    assert seed["captions"] == [
        "Đồng chí Bạch Thị Mân, Phó Giám đốc Sở Lao động -Thương binh và Xã hội thực hiện đối thoại với người dân",
        "Lãnh đạo phòng Trợ giúp xã hội và Giảm nghèo, Sở Lao động- Thương binh và Xã hội thực hiện đối thoại với người dân",
        "Báo cáo viên pháp luật thuộc Sở Lao động – Thương binh và Xã hội thực hiện truyền thông về công tác giảm nghèo",
    ]
    assert len(seed["images"]) == 3
    assert all(u.startswith("https://sldtbxh.kontum.gov.vn/Uploads/images/") for u in seed["images"])


def test_parse_command_prints_the_json_contract() -> None:
    result = CliRunner().invoke(cli, ["parse", str(SEED), "--url", URL])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["url", "platform", "title", "body", "captions", "author", "poster",
                          "published_at", "views", "category", "images", "attachments"]
    assert data["views"] == 544 and data["platform"] == "kontum"


def test_the_generic_parser_reads_the_seed_without_its_class_names() -> None:
    html = SEED.read_text(encoding="utf-8").replace('class="', 'data-c="').replace('id="', 'data-i="')
    got = parse(html, URL, platform="generic").as_dict()
    assert got["views"] == 544
    assert got["published_at"] == "2023-09-16"
    assert got["author"] == "Nguyễn Hương"
    assert len(got["captions"]) == 3
    assert "Tin và ảnh" not in got["body"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"%PDF-1.4\n...", "PDF"),
        ("<html><head><title>Lỗi</title></head><body><h1>Không tìm thấy trang</h1><p>Trang bạn yêu cầu không tồn tại.</p></body></html>".encode(), "error page"),
        ("<html><body><h1>Đăng nhập hệ thống</h1><form><input name=u><input type=password name=p></form></body></html>".encode(), "login"),
        (b"<html><body><div>   </div></body></html>", "no article"),
    ],
)
def test_pages_that_are_not_articles_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_bytes(raw, "https://example.gov.vn/x", "text/html")
    assert reason.lower() in info.value.reason.lower()


def test_parse_command_reports_the_reason(tmp_path: Path) -> None:
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4 data")
    result = CliRunner().invoke(cli, ["parse", str(pdf), "--url", "https://example.gov.vn/x"])
    assert result.exit_code == 1
    assert "PDF" in result.output
