"""Bytes to text: real encodings, missing and wrong declarations, legacy fonts."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from harvester.demo import FixtureSite
from parsers import parse_bytes
from parsers.legacy import _TCVN3, _vni_lower
from parsers.normalise import decode, decode_page

TEXT = "Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum tổ chức đối thoại chính sách về công tác giảm nghèo tại huyện Đăk Glei."
URL = "http://127.0.0.1:9/tin-tuc/bai-viet-1"


def page(body: str, meta: str | None = None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<!DOCTYPE html><html><head>{head}<title>Tin tức</title></head><body><p>{body}</p></body></html>"


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters plus combining tones."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            tone = "".join(m for m in d if m in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(m for m in d if m not in tone))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def test_utf8_declared_and_undeclared() -> None:
    raw = page(TEXT, "utf-8").encode("utf-8")
    assert TEXT in decode(raw, "text/html; charset=utf-8")
    assert TEXT in decode(page(TEXT).encode("utf-8"), None)
    # requests would read a bare text/html as ISO-8859-1: we never do
    got = decode_page(page(TEXT).encode("utf-8"), "text/html")
    assert TEXT in got.text and got.encoding == "utf-8"


def test_cp1258_declared_in_header_or_meta_composes_to_nfc() -> None:
    raw = cp1258(page(TEXT))
    assert len(raw) < len(page(TEXT).encode("utf-8"))
    text = decode(raw, "text/html; charset=windows-1258")
    assert TEXT in text and unicodedata.is_normalized("NFC", text)
    assert TEXT in decode(cp1258(page(TEXT, "windows-1258")), "text/html")


def test_cp1258_undeclared_is_detected() -> None:
    got = decode_page(cp1258(page(TEXT)), None)
    assert TEXT in got.text
    assert got.encoding == "cp1258" and got.source == "detected"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    got = decode_page(bom + page(TEXT).encode(codec), "text/html; charset=iso-8859-1")
    assert TEXT in got.text and got.source == "bom"


def test_utf16_without_bom() -> None:
    assert TEXT in decode(page(TEXT).encode("utf-16-le"), "text/html; charset=utf-16")


def test_utf8_bom_wins_over_a_wrong_header() -> None:
    assert TEXT in decode(
        codecs.BOM_UTF8 + page(TEXT).encode("utf-8"), "text/html; charset=windows-1252"
    )


def test_a_wrong_single_byte_declaration_loses_to_valid_utf8() -> None:
    """Đ is C4 90 in UTF-8; 0x90 is undefined in cp1252, so a strict cp1252 read loses it."""
    raw = page("Đào tạo " + TEXT, "iso-8859-1").encode("utf-8")
    got = decode_page(raw, "text/html; charset=ISO-8859-1")
    assert "Đào tạo " + TEXT in got.text and got.encoding == "utf-8"


def test_a_wrong_utf8_declaration_on_cp1258_bytes() -> None:
    raw = cp1258(page(TEXT, "utf-8"))
    got = decode_page(raw, "text/html; charset=utf-8")
    assert TEXT in got.text and got.encoding == "cp1258"


def test_a_cp1252_declaration_on_cp1258_bytes() -> None:
    got = decode_page(cp1258(page(TEXT, "windows-1252")), "text/html; charset=windows-1252")
    assert TEXT in got.text


def test_utf8_with_a_few_broken_bytes_stays_utf8() -> None:
    raw = page(TEXT + " " + TEXT).encode("utf-8").replace(b"Kon", b"K\xffn", 1)
    text = decode(raw, "text/html; charset=utf-8")
    assert text.count("giảm nghèo") == 2 and "\ufffd" in text


_TCVN3_OF = {chr(v): chr(k) for k, v in _TCVN3.items()}


def tcvn3_bytes(text: str) -> bytes:
    return "".join(_TCVN3_OF.get(ch.lower(), ch) for ch in text).encode("latin-1")


def vni_bytes(text: str) -> bytes:
    letters = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"
    return "".join(_vni_lower(c.lower()) if c.lower() in letters else c for c in text).encode(
        "latin-1"
    )


ARTICLE = """<html><head><title>{title}</title></head><body>
<h1 class="title"><font face="{font}">{title}</font></h1>
<div class="content"><p><font face="{font}">{p1}</font></p><p><font face="{font}">{p2}</font></p>
<p><font face="{font}">{p3}</font></p></div></body></html>"""
TITLE = "đối thoại chính sách về giảm nghèo tại huyện kon plông"
PARAS = (
    "sở lao động thương binh và xã hội đã tổ chức đối thoại chính sách và truyền thông về công tác giảm nghèo.",
    "tham gia các buổi truyền thông là người nghèo, cộng đồng dân cư, cán bộ các cấp của mười một xã.",
    "các đơn vị, địa phương đã thực hiện đảm bảo các chính sách về giáo dục, y tế, nhà ở cho người dân.",
)


@pytest.mark.parametrize(("font", "encode"), [(".VnTime", tcvn3_bytes), ("VNI-Times", vni_bytes)])
def test_a_legacy_font_page_is_converted_before_parsing(font: str, encode) -> None:
    html = ARTICLE.format(font=font, title=TITLE, p1=PARAS[0], p2=PARAS[1], p3=PARAS[2])
    raw = encode(html)
    assert TITLE.encode("utf-8") not in raw
    got = decode_page(raw, "text/html")
    assert got.legacy == ("tcvn3" if font.startswith(".") else "vni")
    article = parse_bytes(raw, URL, "text/html")
    assert article.title.lower() == TITLE
    assert article.body.split("\n\n") == list(PARAS)


def test_a_tcvn3_page_with_entities_and_unicode_chrome() -> None:
    """An old article in a Unicode page: the chrome stays, the .VnTime text is converted,
    entities for Latin-1 letters (&sect; is TCVN3's Đ) are read first."""
    html = (
        '<html><head><meta charset="utf-8"><title>Sở Tư pháp</title></head><body>'
        '<div class="menu">Trang chủ | Giới thiệu | Văn bản</div>'
        '<p><font face=".VnTime">&sect;µo t¹o nghÒ cho lao ®éng n«ng th«n</font></p></body></html>'
    )
    text = decode(html.encode("utf-8"), "text/html; charset=utf-8")
    assert "Trang chủ | Giới thiệu | Văn bản" in text
    assert "Đào tạo nghề cho lao động nông thôn" in text


def test_the_fixture_site_pages_decode_unchanged() -> None:
    site = FixtureSite("decode-check", n_articles=3, seed=3)
    for a in site.articles:
        html = site.render_article(a)
        assert decode(html.encode("utf-8"), "text/html; charset=utf-8") == html
