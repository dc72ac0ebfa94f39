"""Writes tests/data/adversarial_cases.json: normalisation cases derived from the issue's rules
(issue 4) and the research notes, not from what our code outputs.

The legacy inputs are built here with encoders written from the standards' tables (TCVN
5712:1993 VN3; VNI-Windows), independently of parsers/legacy.py; mojibake inputs with Python's
own codecs. Expected search keys come from the rule (lowercase, marks removed, đ→d, one code
point for one code point), also computed here.

    .venv/bin/python tests/data/make_adversarial_cases.py
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

OUT = Path(__file__).with_name("adversarial_cases.json")

# --- independent encoders ------------------------------------------------------------------

# TCVN3 (VN3): code → letter. Capital toned letters do not exist; only Ă Â Ê Ô Ơ Ư Đ.
_TCVN3_CODES = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip
_TCVN3_OF = {letter: chr(code) for code, letter in _TCVN3_CODES.items()}


def tcvn3(text: str) -> str:
    """Unicode → TCVN3 bytes shown as Latin-1. A capital toned letter has no code: its
    lowercase code is used (the case is lost, as in real .VnTime text)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _TCVN3_OF:
            out.append(_TCVN3_OF[ch])
        elif ch.lower() in _TCVN3_OF:
            out.append(_TCVN3_OF[ch.lower()])
        else:
            out.append(ch)
    return "".join(out)


# VNI-Windows: base letter + mark byte (lowercase marks / uppercase marks).
_VNI_TONE = {"\u0301": "ùÙ", "\u0300": "øØ", "\u0309": "ûÛ", "\u0303": "õÕ", "\u0323": "ïÏ"}
_VNI_CIRC = {None: "âÂ", "\u0301": "áÁ", "\u0300": "àÀ", "\u0309": "åÅ", "\u0303": "ãÃ", "\u0323": "äÄ"}
_VNI_BREVE = {None: "êÊ", "\u0301": "éÉ", "\u0300": "èÈ", "\u0309": "úÚ", "\u0303": "üÜ", "\u0323": "ëË"}
_VNI_I = {"\u0301": "íÍ", "\u0300": "ìÌ", "\u0309": "æÆ", "\u0303": "óÓ", "\u0323": "òÒ"}


def _vni_char(ch: str) -> str:
    if ch in "đĐ":
        return "ñ" if ch == "đ" else "Ñ"
    d = unicodedata.normalize("NFD", ch)
    base, marks = d[0], d[1:]
    if not marks or not base.isascii():
        return ch
    up = 1 if base.isupper() else 0
    low = base.lower()
    tone = next((m for m in marks if m in _VNI_TONE), None)
    quality = next((m for m in marks if m in "\u0302\u0306\u031b"), None)
    if low == "i" and tone and not quality:
        return _VNI_I[tone][up]
    if low == "y" and tone == "\u0323":
        return "îÎ"[up]
    if quality == "\u0302":
        return base + _VNI_CIRC[tone][up]
    if quality == "\u0306":
        return base + _VNI_BREVE[tone][up]
    if quality == "\u031b":
        horned = {"o": "ôÔ", "u": "öÖ"}[low][up]
        return horned + (_VNI_TONE[tone][up] if tone else "")
    return base + _VNI_TONE[tone][up] if tone else ch


def vni(text: str) -> str:
    return "".join(_vni_char(ch) for ch in unicodedata.normalize("NFC", text))


def cp1252_whatwg(text: str) -> str:
    """UTF-8 bytes read as Windows-1252 the browser way: the five holes become C1 controls."""
    raw = text.encode("utf-8")
    return "".join(
        chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252")
        for b in raw
    )


def latin1(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def cp1252_dropped(text: str) -> str:
    """A strict cp1252 decoder with errors='ignore': the five hole bytes are lost."""
    return text.encode("utf-8").decode("cp1252", errors="ignore")


def cp1258(text: str) -> str:
    """Text as Windows-1258 holds it: letters with their quality mark, tones combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(m for m in d if m in "\u0300\u0301\u0303\u0309\u0323")
        out.append(unicodedata.normalize("NFC", "".join(m for m in d if m not in tones)) + tones)
    return "".join(out)


def as_cp1258(text: str) -> str:
    """UTF-8 bytes read as Windows-1258 (its holes lost to U+FFFD, as a strict decoder with
    errors='replace' leaves them)."""
    return text.encode("utf-8").decode("cp1258", errors="replace")


def cp1252_replaced(text: str) -> str:
    return text.encode("utf-8").decode("cp1252", errors="replace")


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def key(text: str) -> str:
    """The rule: lowercase, marks removed, đ→d, one code point for one code point."""
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("d")
            continue
        low = ch.lower()
        if len(low) != 1:
            low = ch
        base = unicodedata.normalize("NFD", low)[0]
        out.append(low if unicodedata.combining(base) else base)
    return "".join(out)


# --- the cases -----------------------------------------------------------------------------

CASES: list[tuple[str, str, str]] = []


def case(raw: str, shown: str, why: str) -> None:
    CASES.append((raw, shown, why))


def same(text: str, why: str) -> None:
    case(text, text, why)


# [tone:open] oa / oe / uy with every tone, new style in, tone-on-first out
for new, old in [
    ("hoà", "hòa"), ("hoá", "hóa"), ("hoả", "hỏa"), ("hoã", "hõa"), ("hoạ", "họa"),
    ("khoẻ", "khỏe"), ("xoè", "xòe"), ("toé", "tóe"), ("loẽ", "lõe"), ("nôn oẹ", "nôn ọe"),
    ("thuỷ", "thủy"), ("tuỳ", "tùy"), ("tuý", "túy"), ("luỹ", "lũy"), ("thuỵ", "thụy"),
    ("toà án", "tòa án"), ("xoá bỏ", "xóa bỏ"), ("loà xoà", "lòa xòa"), ("ngoạ", "ngọa"),
    ("loè loẹt", "lòe loẹt"), ("huỷ bỏ", "hủy bỏ"), ("oà khóc", "òa khóc"),
]:  # fmt: skip
    case(new, old, "[tone:open] open oa/oe/uy: new style → tone on the first vowel (laws)")
for word in ("hòa", "hóa", "hỏa", "họa", "khỏe", "xòe", "thủy", "tùy", "lũy", "thụy", "Ủy"):
    same(word, "[tone:open] already tone-on-first: unchanged")

# [tone:case] uppercase, Title Case; the tone moves onto an uppercase letter
for raw, shown in [
    ("HOÀ BÌNH", "HÒA BÌNH"), ("THUỶ LỢI", "THỦY LỢI"), ("KHOẺ", "KHỎE"), ("Hoà Bình", "Hòa Bình"),
    ("Uỷ ban", "Ủy ban"), ("UỶ BAN", "ỦY BAN"), ("Oà", "Òa"), ("Khoẻ", "Khỏe"), ("QÚY", "QUÝ"),
    ("GÌA", "GIÀ"), ("HÒAN THÀNH", "HOÀN THÀNH"), ("HÙYNH", "HUỲNH"), ("NGỪƠI", "NGƯỜI"),
    ("Qùynh", "Quỳnh"), ("Tòan", "Toàn"), ("Thuỵ Điển", "Thụy Điển"),
]:  # fmt: skip
    case(raw, shown, "[tone:case] placement is the same in any case")

# [tone:closed] a coda: the mark on the last vowel in both conventions
for raw, shown in [
    ("hòan", "hoàn"), ("tóan", "toán"), ("họach", "hoạch"), ("khỏang", "khoảng"),
    ("hùynh", "huỳnh"), ("súyt", "suýt"), ("xòen", "xoèn"), ("khóet", "khoét"),
    ("hụych", "huỵch"), ("ngoan ngõan", "ngoan ngoãn"), ("chòang", "choàng"),
    ("hoàn", "hoàn"), ("huỳnh", "huỳnh"), ("hoạch", "hoạch"), ("xoắn", "xoắn"),
]:  # fmt: skip
    case(raw, shown, "[tone:closed] closed oa/oe/uy: mark on the last vowel")

# [tone:quality] ă â ê ô ơ ư take the mark (the last of them)
for raw, shown in [
    ("xóăn", "xoắn"), ("ngọăc", "ngoặc"), ("thúê", "thuế"), ("hụê", "huệ"), ("khúât", "khuất"),
    ("tùân", "tuần"), ("khúyên", "khuyến"), ("tụyêt", "tuyệt"), ("thủơ", "thuở"),
    ("ngừơi", "người"), ("nứơc", "nước"), ("trừơng", "trường"), ("đựơc", "được"),
    ("rựơu", "rượu"), ("tứơi", "tưới"), ("mừơi", "mười"), ("tìên", "tiền"), ("vịêt", "việt"),
    ("bỉên", "biển"), ("ýên", "yến"), ("ýêu", "yếu"), ("múôn", "muốn"), ("cụôc", "cuộc"),
    ("múôi", "muối"), ("tủôi", "tuổi"), ("chúôi", "chuối"), ("hỉêu", "hiểu"), ("tíêu", "tiếu"),
    ("khúây", "khuấy"), ("câý", "cấy"), ("đâú", "đấu"), ("nêú", "nếu"), ("tôí", "tối"),
    ("mơí", "mới"), ("gưỉ", "gửi"), ("cưú", "cứu"), ("hưũ", "hữu"), ("cưả", "cửa"),
    ("lưả", "lửa"), ("nghìên", "nghiền"), ("người", "người"), ("thuở", "thuở"),
]:  # fmt: skip
    case(raw, shown, "[tone:quality] the mark goes on the (last) ă/â/ê/ô/ơ/ư of the cluster")

# [tone:triphthong] open triphthongs without a quality letter: the middle vowel
for raw, shown in [
    ("ngòai", "ngoài"), ("ngóay", "ngoáy"), ("xóay", "xoáy"), ("ngọeo", "ngoẹo"),
    ("khủyu", "khuỷu"), ("khoái", "khoái"), ("ngoèo", "ngoèo"),
]:  # fmt: skip
    case(raw, shown, "[tone:triphthong] open oai/oay/oeo/uyu: the middle vowel")

# [tone:first] other open pairs: the first vowel
for raw, shown in [
    ("maí", "mái"), ("chaó", "cháo"), ("saú", "sáu"), ("maý", "máy"), ("keó", "kéo"),
    ("niú", "níu"), ("noí", "nói"), ("nuí", "núi"), ("miá", "mía"), ("kià", "kìa"),
    ("nghiã", "nghĩa"), ("cuả", "của"), ("muà", "mùa"), ("chuà", "chùa"), ("muá", "múa"),
]:  # fmt: skip
    case(raw, shown, "[tone:first] open ai/ao/au/ay/eo/iu/oi/ui/ia/ua: the first vowel")

# [qu] / [gi] onsets
for raw, shown in [
    ("quý", "quý"), ("qúy", "quý"), ("quỳnh", "quỳnh"), ("qùynh", "quỳnh"), ("qủa", "quả"),
    ("qúa", "quá"), ("qủy", "quỷ"), ("qụat", "quạt"), ("qúôc", "quốc"), ("qúyêt", "quyết"),
    ("qủyên", "quyển"), ("qụeo", "quẹo"), ("quỹ", "quỹ"), ("quí", "quí"), ("qúi", "quí"),
    ("quà", "quà"), ("quýt", "quýt"),
]:  # fmt: skip
    case(raw, shown, "[qu] qu is the onset: the u is not a vowel of the cluster")
for raw, shown in [
    ("già", "già"), ("gìa", "già"), ("giữ", "giữ"), ("gĩư", "giữ"), ("gìn", "gìn"), ("gì", "gì"),
    ("giặt", "giặt"), ("gịăt", "giặt"), ("gìương", "giường"), ("gíây", "giấy"), ("gỉoi", "giỏi"),
    ("gíêng", "giếng"), ("gĩưa", "giữa"), ("gíup", "giúp"), ("gìau", "giàu"), ("gìơ", "giờ"),
    ("gìo", "giò"), ("giữ gìn", "giữ gìn"),
]:  # fmt: skip
    case(raw, shown, "[gi] gi+vowel: gi is the onset; bare gi-: the i is the vowel (gì, gìn)")

# [nfd] decomposed, partly decomposed, marks in any order, the mark on the wrong letter
for text in ("Hoà Bình", "Thuỷ lợi", "người dân", "Việt Nam", "Đắk Lắk", "QUỲNH"):
    from_text = text
    shown = {"Hoà Bình": "Hòa Bình", "Thuỷ lợi": "Thủy lợi"}.get(text, text)
    case(nfd(from_text), shown, "[nfd] NFD input is composed, then placed")
for raw, shown in [
    ("Vie\u0323\u0302t", "Việt"), ("Vi\u00ea\u0323t", "Việt"), ("\u01b0\u0300a", "ừa"),
    ("ho\u0300a", "hòa"), ("hoa\u0300", "hòa"), ("ho\u0300an", "hoàn"), ("thu\u0309y", "thủy"),
    ("thuy\u0309", "thủy"), ("qu\u0309a", "quả"), ("gi\u0300a", "già"),
    ("ngu\u031bo\u031b\u0300i", "người"), ("ngu\u031b\u0300o\u031bi", "người"),
    ("ho\u0341a", "hóa"), ("ho\u0340a", "hòa"), ("Kho\u0309e", "Khỏe"),
]:  # fmt: skip
    case(raw, shown, "[nfd] combining marks composed (any order, U+0340/1 too), then placed")

# [cp1258] Windows-1258 text decoded: base letters plus combining tones
for text in ("Việt Nam", "Sở Giáo dục và Đào tạo", "người dân", "Hoà Bình"):
    raw = cp1258(text).encode("cp1258").decode("cp1258")
    shown = "Hòa Bình" if text == "Hoà Bình" else text
    case(raw, shown, "[cp1258] Windows-1258 decodes to combining tones: composed")

# [punct] words with punctuation attached; quotes and dashes kept
for raw, shown in [
    ("hoà,", "hòa,"), ("(thuỷ)", "(thủy)"), ("“Hoà Bình”", "“Hòa Bình”"), ("Hoà.", "Hòa."),
    ("khoẻ!", "khỏe!"), ("Hoà?", "Hòa?"), ("hoà…", "hòa…"), ("Hoà-Bình", "Hòa-Bình"),
    ("hoà/thuỷ", "hòa/thủy"), ("[khoẻ]", "[khỏe]"), ("'hoà'", "'hòa'"), ("«hoà»", "«hòa»"),
    ("‘Thuỷ’", "‘Thủy’"), ("— hoà —", "— hòa —"), ("Khánh Hoà: 3", "Khánh Hòa: 3"),
    ("hoà;thuỷ", "hòa;thủy"), ("Hòa's", "Hòa's"), ("Thuỷ's", "Thủy's"),
]:  # fmt: skip
    case(raw, shown, "[punct] punctuation around a word does not hide it; punctuation kept")
for text in (
    "“Trích yếu” – văn bản — số 12…",
    "‘Hội nghị’ - tổng kết",
    "Tin „mới“ ‹a› «b»",
    'Nói "có" và \'không\'',
    "Trang 1 / 10 · Tiếp ›",
):
    same(text, "[punct] curly quotes, dashes, ellipsis and guillemets are kept as they are")

# [num] numbers and units
for text in (
    "Nhiệt độ 30°C, độ ẩm 85%",
    "Diện tích 1.234,5 km² và 12 m³",
    "Giá 100.000đ, 2.500.000 đồng",
    "Số: 123/QĐ-UBND ngày 12/3/2024",
    "Quốc lộ 1A, QL.14, km 27+500",
    "½ dân số, 10 µm, 5 × 3",
    "20h30, 7:00–11:30",
    "Nghị định 30/2020/NĐ-CP",
):
    same(text, "[num] numbers, units and symbols are kept")
case("Giá  100.000\u00a0đ", "Giá 100.000 đ", "[num] a no-break space before the unit becomes a space")

# [url] URLs and e-mails left alone
for text in (
    "Xem tại https://hoabinh.gov.vn/tin-tuc/chi-tiet?id=12&p=3#top",
    "Liên hệ: sotuphap@hoabinh.gov.vn hoặc (0218) 385 2345",
    "Nguồn: http://www.khanhhoa.gov.vn/Portals/0/Hoa_Binh.pdf",
    "https://vi.wikipedia.org/wiki/Khánh_Hoà",
    "Email: thuy.hoa@gmail.com, web: www.thuyhoa.vn",
):
    same(text, "[url] URLs and e-mail addresses are kept as written")

# [foreign] non-Vietnamese words and double marks left alone
for text in (
    "Café", "naïve", "résumé", "Hòa's", "déjà vu", "crème brûlée", "Noël", "façade",
    "São Paulo", "Zürich", "El Niño", "Pokémon", "André", "Hélène", "Molière", "Hué", "Raúl",
    "Conceição", "Müller Straße", "Œuvre", "Ångström", "señor", "Dvořák", "Łódź",
    "Lucía Díaz", "Île-de-France",
):  # fmt: skip
    same(text, "[foreign] not Vietnamese-shaped: left alone")
for text in ("hủỷ", "gíá", "hòá", "ngườì", "ngừoi", "nguời", "tòán"):
    same(text, "[garbage] two tone marks or a half-horned ưo/uơ: left alone")

# [i/y] spelling variants kept
for text in ("kĩ thuật, kỹ thuật", "lí do, lý do", "Mĩ, Mỹ", "hi vọng, hy vọng", "quí, quý"):
    same(text, "[i/y] i/y spellings are variants, not normalisation: kept")

# [dstroke] đ/Đ and ð/Ð
for raw, shown in [
    ("Ðà Nẵng", "Đà Nẵng"), ("ðồng bào", "đồng bào"), ("ÐẢNG BỘ", "ĐẢNG BỘ"),
    ("Sở GD&ĐT, Ðắk Nông", "Sở GD&ĐT, Đắk Nông"), ("Đăk Glei", "Đăk Glei"),
]:  # fmt: skip
    case(raw, shown, "[dstroke] ð/Ð are đ/Đ in a Vietnamese corpus; đ→d in the key")

# [ws] whitespace and invisible characters
for raw, shown in [
    ("Sở\u00a0Nội\u00a0vụ", "Sở Nội vụ"), ("Giáo\u200b dục", "Giáo dục"),
    ("Giáo\u200bdục", "Giáodục"), ("Tin\ufefftức", "Tintức"), ("Tin \ufeff tức", "Tin tức"),
    ("\ufeffTin tức", "Tin tức"), ("nghiê\u00adng cứu", "nghiêng cứu"),
    ("Sở\u2009Tư\u202fpháp", "Sở Tư pháp"), ("Sở\tNội\t\tvụ", "Sở Nội vụ"),
    ("Dòng một\r\nDòng hai", "Dòng một Dòng hai"), ("Dòng một\rDòng hai\n", "Dòng một Dòng hai"),
    ("  Sở   Nội  vụ  ", "Sở Nội vụ"), ("a \u00a0 \u200b b", "a b"), ("Việ\u200ct", "Việt"),
    ("Việ\u2060t", "Việt"), ("ho\u00adà", "hòa"), ("ho\u200dà", "hòa"), ("thu\u200bỷ", "thủy"),
    ("Sở\u3000Nội vụ", "Sở Nội vụ"), ("Hà\u2028Nội", "Hà Nội"), ("\u00a0\u200b \t", ""),
    ("", ""), ("Sở\u00a0\u00a0Tư pháp", "Sở Tư pháp"),
]:  # fmt: skip
    case(raw, shown, "[ws] whitespace collapsed and trimmed, nbsp→space, zero-width/soft hyphen removed")

# [mojibake] UTF-8 read as cp1252 (browser holes), as Latin-1, twice; partial; isolated
SENTENCES = [
    "Ủy ban nhân dân tỉnh Đắk Lắk tổ chức hội nghị tổng kết",
    "Sở Giáo dục và Đào tạo tỉnh Quảng Nam",
    "Thành phố Hồ Chí Minh, ngày 12 tháng 3 năm 2024",
    "Người dân ở huyện Đăk Glei được hỗ trợ",
    "ĐẢNG BỘ TỈNH KHÁNH HÒA",
    "Trường Tiểu học Nguyễn Trãi, quận Hoàn Kiếm",
]
for s in SENTENCES:
    case(cp1252_whatwg(s), s, "[mojibake:cp1252] a whole sentence of UTF-8 read as cp1252")
    case(latin1(s), s, "[mojibake:latin1] a whole sentence of UTF-8 read as Latin-1 (C1 controls)")
for s in SENTENCES[:3]:
    case(
        cp1252_whatwg(cp1252_whatwg(s)), s, "[mojibake:twice] encoded twice: both layers undone"
    )
case(cp1252_whatwg("Hoà Bình, Thuỷ lợi"), "Hòa Bình, Thủy lợi", "[mojibake] repaired, then placed")
case(cp1252_whatwg(nfd("Việt Nam")), "Việt Nam", "[mojibake] NFD text's mojibake: repaired, composed")
case(
    cp1252_whatwg("“Hội nghị” – tổng kết…"),
    "“Hội nghị” – tổng kết…",
    "[mojibake] quotes, dashes and the ellipsis come back as themselves",
)
case(
    "Tỉnh Hòa Bình: " + cp1252_whatwg("Sở Tư pháp") + " “thông báo”",
    "Tỉnh Hòa Bình: Sở Tư pháp “thông báo”",
    "[mojibake:mixed] beside genuine text and curly quotes",
)
case(
    "Hội nghị " + cp1252_whatwg("tổng kết") + " năm 2024",
    "Hội nghị tổng kết năm 2024",
    "[mojibake:mixed] one mojibake phrase inside genuine text",
)
for w in ("Nội", "Đảng", "Sở", "tỉnh", "đào", "Nguyễn", "Lắk", "Quảng", "ở"):
    case(cp1252_whatwg(w), w, "[mojibake:isolated] an isolated word")
    case(latin1(w), w, "[mojibake:isolated] an isolated word, Latin-1 view")
case(cp1252_dropped("Đảng bộ"), "Đảng bộ", "[mojibake:lost] strict cp1252 dropped the 0x90 of Đ")
case(
    cp1252_dropped("“Trích yếu”"),
    "“Trích yếu”",
    "[mojibake:lost] strict cp1252 dropped the 0x9D of ”",
)

for s in ("Sở Giáo dục và Đào tạo", "Hà Nội và các xã", "Đà Nẵng", "Bà Rịa", "Hoàng Sa", "giàu"):
    lost = cp1252_whatwg(s).replace("\xa0", " ")
    case(lost, s, "[mojibake:nbsp] à is C3 A0: its NBSP became a space (Đà o → Đào)")
    collapsed = cp1252_whatwg(s).replace("\xa0 ", "  ").replace("\xa0", " ").replace("  ", " ")
    case(collapsed, s, "[mojibake:nbsp] and the spaces collapsed: join à only into a syllable")
case(
    "XÃ HỘI " + cp1252_whatwg("Nội vụ"),
    "XÃ HỘI Nội vụ",
    "[mojibake:nbsp] a genuine capital Ã among capitals stays, beside mojibake",
)
for s in ("UBND XÃ Hòa Bình tổ chức", "THÔNG BÁO CỦA UBND XÃ Đăk Tờ Re", "Sở Y tế ĐÃ có kế hoạch", "NGÃ Ba"):
    case(s, s, "[mojibake:nbsp] a genuine capital Ã after capitals, before a mixed-case word, in clean text: a word, not mojibake")
for s in ("Sở Giáo dục và Đào tạo tỉnh Quảng Nam", "Hòa Bình", "Người dân", "Ngành giáo dục",
          "Sở Y tế ĐÃ có kế hoạch"):
    case(as_cp1258(s), s, "[mojibake:cp1258] UTF-8 read as Windows-1258 (GiĂ¡o)")
for s in ("Người dân", "Đào tạo", "Hội nghị tổng kết"):
    case(
        cp1252_replaced(s),
        s,
        "[mojibake:replaced] a hole byte became U+FFFD: the one Vietnamese letter it can be",
    )

# [tcvn3] built with the VN3 table above; capitals lose their case unless all-caps (.VnTimeH)
for s, shown in [
    ("Ủy ban nhân dân tỉnh Quảng Nam", "ủy ban nhân dân tỉnh Quảng Nam"),
    ("Thủ tướng Chính phủ", "Thủ tướng Chính phủ"),
    ("Đắk Lắk", "Đắk Lắk"),
    ("Năm học mới", "Năm học mới"),
    ("Trường Đại học Huế", "Trường Đại học Huế"),
    ("Hội nghị tổng kết công tác năm 2023", "Hội nghị tổng kết công tác năm 2023"),
    ("Khánh Hoà, Thanh Hoá", "Khánh Hòa, Thanh Hóa"),
    ("Người dân được hỗ trợ", "Người dân được hỗ trợ"),
    ("Cộng hòa xã hội chủ nghĩa Việt Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ("Độc lập - Tự do - Hạnh phúc", "Độc lập - Tự do - Hạnh phúc"),
]:
    case(tcvn3(s), shown, "[tcvn3] .VnTime text read as Latin-1")
case(
    tcvn3("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "[tcvn3:caps] .VnTimeH: lowercase codes drawn as capitals; the run is all capitals",
)
case(
    "Tin mới: " + tcvn3("Hội nghị tổng kết") + " – “Sở Nội vụ”",
    "Tin mới: Hội nghị tổng kết – “Sở Nội vụ”",
    "[tcvn3:mixed] a TCVN3 run beside Unicode text",
)

# [vni] built with the VNI-Windows table above (capitals keep their case)
for s, shown in [
    ("Ủy ban nhân dân tỉnh Quảng Nam", "Ủy ban nhân dân tỉnh Quảng Nam"),
    ("Đắk Lắk", "Đắk Lắk"),
    ("Thủ tướng Chính phủ", "Thủ tướng Chính phủ"),
    ("Hội nghị tổng kết công tác năm 2023", "Hội nghị tổng kết công tác năm 2023"),
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("Khánh Hoà, Thanh Hoá", "Khánh Hòa, Thanh Hóa"),
    ("Người dân được hỗ trợ", "Người dân được hỗ trợ"),
    ("Trường Đại học Huế", "Trường Đại học Huế"),
    ("Độc lập - Tự do - Hạnh phúc", "Độc lập - Tự do - Hạnh phúc"),
]:
    case(vni(s), shown, "[vni] VNI-Times text read as Latin-1")


def main() -> None:
    seen = set()
    rows = []
    for raw, shown, why in CASES:
        if raw in seen:
            continue
        seen.add(raw)
        rows.append({"input": raw, "display": shown, "search_key": key(shown), "why": why})
    OUT.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(rows)} cases → {OUT}")


if __name__ == "__main__":
    main()
