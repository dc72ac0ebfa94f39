"""Vietnamese text: bytes to text, repair, display form and search key.

Owned here, used by every parser and by search:
- `decode(raw, content_type)`: a page's bytes to NFC text. The BOM, then the HTTP charset,
  then `<meta charset>`, then detection; never requests' ISO-8859-1 default. A declaration
  the bytes contradict loses: valid UTF-8 is UTF-8 whatever a page claims, and bytes that
  are not UTF-8 are read with whichever candidate (the declared codecs, Windows-1258,
  Windows-1252, charset-normalizer's guess) gives the most Vietnamese words. A page whose
  markup names a TCVN3 or VNI font (`.VnTime`, `VNI-Times`) has its text converted here.
- `display(text)`: the form stored and shown: mojibake and legacy-font runs repaired
  (`legacy.py`), NFC, zero-width characters and soft hyphens removed, ð/Ð read as đ/Đ,
  whitespace collapsed, tone marks on their canonical vowel (`vietnamese.py`: hòa, thủy,
  hoàn). Curly quotes, dashes and i/y spellings are kept.
- `search_key(text)`: lowercase, marks removed, đ→d, one code point for one code point of
  its input, so positions found in the key map straight back onto the display text.
"""

from __future__ import annotations

import codecs
import html as html_lib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes

from .legacy import fix_mojibake, legacy_font, repair_legacy
from .vietnamese import canonical_tones, is_syllable

__all__ = [
    "decode",
    "decode_page",
    "Decoded",
    "declared_encoding",
    "display",
    "search_key",
    "has_diacritics",
    "fold_char",
    "repair",
    "repair_html",
]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_ALIASES = {
    "utf8": "utf-8",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1258": "cp1258",
    "unicode": "utf-16",
}
# charsets old pages declared for legacy-font text: read the bytes as Latin-1, then convert
_LEGACY_CHARSETS = {
    "tcvn": "tcvn3",
    "tcvn3": "tcvn3",
    "tcvn-3": "tcvn3",
    "tcvn5712": "tcvn3",
    "tcvn-5712": "tcvn3",
    "x-viet-tcvn": "tcvn3",
    "x-viet-tcvn5712": "tcvn3",
    "vn3": "tcvn3",
    "abc": "tcvn3",
    "vni": "vni",
    "x-viet-vni": "vni",
    "vni-win": "vni",
    "vni-windows": "vni",
}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    key = name.strip().lower()
    if key in _LEGACY_CHARSETS:
        return "legacy-" + _LEGACY_CHARSETS[key]
    key = _ALIASES.get(key, key)
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def declared_encoding(raw: bytes, content_type: str | None = None) -> tuple[str | None, str]:
    """The encoding a page declares, and where it was found (bom, header, meta, none)."""
    found = _declarations(raw, content_type)
    return found[0] if found else (None, "none")


def _declarations(raw: bytes, content_type: str | None) -> list[tuple[str, str]]:
    for bom, bom_codec in _BOMS:
        if raw.startswith(bom):
            return [(bom_codec, "bom")]
    out: list[tuple[str, str]] = []
    if content_type:
        m = _CHARSET_RE.search(content_type)
        if m and (header := _codec(m.group(1))):
            out.append((header, "header"))
    meta = EncodingDetector.find_declared_encoding(
        raw[:8192], is_html=True, search_entire_document=False
    )
    if (declared := _codec(meta)) and declared not in [e for e, _ in out]:
        out.append((declared, "meta"))
    return out


@dataclass(frozen=True, slots=True)
class Decoded:
    """A page's text and how it was read: `encoding` the codec used, `source` where it came
    from (bom, header, meta, utf-8 when valid UTF-8 overrode or stood in for a declaration,
    detected), `legacy` the font encoding converted ("tcvn3", "vni") or None."""

    text: str
    encoding: str
    source: str
    legacy: str | None = None


def decode(raw: bytes, content_type: str | None = None) -> str:
    """Bytes of a page to NFC text (see `decode_page`).

    >>> decode("Sở Nội vụ".encode("utf-8"), "text/html")
    'Sở Nội vụ'
    >>> decode(b"Vi\\xea\\xf2t", "text/html; charset=windows-1258")
    'Việt'
    >>> decode("Sở Nội vụ".encode("utf-8"), "text/html; charset=ISO-8859-1")  # a wrong header
    'Sở Nội vụ'
    """
    return decode_page(raw, content_type).text


def decode_page(raw: bytes, content_type: str | None = None) -> Decoded:
    """Bytes of a page to text, with how they were read."""
    declared = _declarations(raw, content_type)
    if declared and declared[0][1] == "bom":
        enc = declared[0][0]
        body = raw[len(codecs.BOM_UTF8) :] if enc == "utf-8" else raw[2:]
        return _finish(body.decode(enc, errors="replace"), enc, "bom", None)
    for enc, source in declared:
        if enc.startswith("legacy-"):  # a TCVN3 or VNI charset: Latin-1 bytes, then convert
            return _finish(raw.decode("latin-1"), "latin-1", source, enc[len("legacy-") :])
    if raw.isascii():
        return _finish(
            raw.decode("ascii"),
            declared[0][0] if declared else "ascii",
            declared[0][1] if declared else "none",
            None,
        )
    utf16 = _utf16(raw, declared)
    if utf16:
        return _finish(raw.decode(utf16, errors="replace"), utf16, "detected", None)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Valid UTF-8 with non-ASCII bytes is UTF-8, whatever a page claims: legacy
        # single-byte text is practically never valid UTF-8 by accident.
        declared_utf8 = bool(declared) and declared[0][0] == "utf-8"
        return _finish(text, "utf-8", declared[0][1] if declared_utf8 else "utf-8", None)
    # Not UTF-8: the candidate that reads as the most Vietnamese wins; ties go to what the
    # page declared.
    candidates: list[tuple[str, str]] = [(e, s) for e, s in declared if not e.startswith("utf-16")]
    for enc in ("cp1258", "cp1252"):
        if enc not in [e for e, _ in candidates]:
            candidates.append((enc, "detected"))
    best = from_bytes(raw[:200_000]).best()
    if best is not None:
        guess = _codec(best.encoding)
        if guess and not guess.startswith("legacy-") and guess not in [e for e, _ in candidates]:
            candidates.append((guess, "detected"))
    scored = []
    for i, (enc, source) in enumerate(candidates):
        try:
            text = raw.decode(enc, errors="replace")
        except LookupError:
            continue
        text = unicodedata.normalize("NFC", text)
        scored.append((_vietnamese_score(text), -i, enc, source, text))
    score, _, enc, source, text = max(scored)
    return _finish(text, enc, source, None, normalised=True)


def _utf16(raw: bytes, declared: list[tuple[str, str]]) -> str | None:
    """utf-16-le/be for BOM-less UTF-16 (a declaration of UTF-16, or many NUL bytes)."""
    head = raw[:4096]
    nul_even = head[0::2].count(0)
    nul_odd = head[1::2].count(0)
    if max(nul_even, nul_odd) < max(1, len(head) // 8):
        return None  # a page declaring UTF-16 in ASCII-compatible bytes is UTF-8 (WHATWG)
    return "utf-16-le" if nul_odd > nul_even else "utf-16-be"


def _finish(
    text: str, enc: str, source: str, legacy: str | None, normalised: bool = False
) -> Decoded:
    if not normalised:
        text = unicodedata.normalize("NFC", text)
    prior = legacy or legacy_font(text)
    if prior:
        text = repair_html(text, prior)
    return Decoded(text, enc, source, prior if prior else None)


_TAGS = re.compile(r"<[^>]*>")
_WORDS = re.compile(r"[^\W\d_]+")


def _vietnamese_score(text: str) -> int:
    """How Vietnamese a decoding reads: + a Vietnamese syllable with marks, − a word with
    other non-ASCII letters, −3 a replacement character. Legacy-font runs count repaired."""
    sample = _TAGS.sub(" ", text[:300_000])[:60_000]
    score = -3 * sample.count("\ufffd")
    for line in sample.splitlines():
        if line.isascii():
            continue
        line = repair_legacy(line, fonts_only=True)  # cp1258 is a candidate of its own
        for w in _WORDS.findall(line):
            if not w.isascii():
                score += 1 if is_syllable(w) else -1
    return score


_SEGMENTS = re.compile(
    r"(<!--.*?-->|<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!\[CDATA\[.*?\]\]>|<[^>]*>)",
    re.S | re.I,
)
_LATIN1_ENTITY = re.compile(r"&(#\d{2,3}|#x[0-9a-f]{2}|[a-z]{2,6}\d?);", re.I)


def repair_html(html: str, prior: str) -> str:
    """Convert the legacy-font text (prior "tcvn3" or "vni") between the tags of a page.

    Markup, scripts and styles are untouched; entities for Latin-1 letters (`&sect;`, the
    TCVN3 Đ) are read first, and words that are plainly Unicode stay as they are.

    >>> repair_html('<p><font face=".VnTime">Së Gi&aacute;o</font> dôc</p>', "tcvn3")
    '<p><font face=".VnTime">Sở Giáo</font> dục</p>'
    """
    parts = _SEGMENTS.split(html)
    for i in range(0, len(parts), 2):
        seg = parts[i]
        if seg and not seg.isascii() or "&" in seg:
            seg = _LATIN1_ENTITY.sub(_latin1_entity, seg)
            parts[i] = repair_legacy(seg, prior)
    # a word split by a tag (<b>Gi</b>¸o) is rare; each text segment is repaired on its own
    return "".join(parts)


def _latin1_entity(m: re.Match[str]) -> str:
    ch = html_lib.unescape(m.group())
    return ch if len(ch) == 1 and 0xA1 <= ord(ch) <= 0xFF else m.group()


# --- display form ---------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_ETH = str.maketrans({"ð": "đ", "Ð": "Đ"})
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_NEEDS_REPAIR = re.compile(r"[\u0080-\u00ff]")


def repair(text: str) -> str:
    """Mojibake and legacy-font runs repaired, in NFC; nothing else changed.

    >>> repair("Ná»™i"), repair("ViÖt Nam")
    ('Nội', 'Việt Nam')
    """
    text = unicodedata.normalize("NFC", text)
    if _NEEDS_REPAIR.search(text):
        text = fix_mojibake(text)
    text = unicodedata.normalize("NFC", text.translate(_ZERO_WIDTH))
    if _NEEDS_REPAIR.search(text):
        text = repair_legacy(text)
    return text


def display(text: str) -> str:
    """The display form of one line of text.

    >>> display("  Giáo\\u200b dục\\u00a0 và  ðào tạo ")
    'Giáo dục và đào tạo'
    >>> display("Khánh Hoà, Sá»Ÿ Ná»™i vá»¥")
    'Khánh Hòa, Sở Nội vụ'
    """
    if not text:
        return ""
    if text.isascii():
        # nothing to repair or to place a tone on: spacing is all there is
        return _SPACES.sub(" ", text).strip()
    if len(text) <= 120:
        return _display_short(text)  # labels, captions and chrome lines repeat from page to page
    return _display(text)


@lru_cache(maxsize=8192)
def _display_short(text: str) -> str:
    return _display(text)


def _display(text: str) -> str:
    repaired = repair(text)
    tidied = _tidy(repaired)
    if repaired == text and tidied.split() == repaired.split():
        return tidied  # nothing repaired, only spacing tidied: a second look finds the same
    text = tidied
    # Repair judges words in context; tidying (tone placement, dropped soft hyphens) can
    # change a word's neighbours, so repair again until nothing changes: display(display(s))
    # is display(s).
    for _ in range(3):
        again = repair(text)
        if again == text:
            break
        text = _tidy(again)
    return text


def _tidy(text: str) -> str:
    # the soft hyphen goes after repair: in TCVN3 it is the letter ư
    text = unicodedata.normalize("NFC", text.replace("\xad", ""))
    text = text.translate(_ETH)
    text = _SPACES.sub(" ", text).strip()
    return canonical_tones(text)


# --- search key ------------------------------------------------------------------------------


def fold_char(ch: str) -> str:
    """One character's search-key form: always exactly one code point."""
    if ch in "đĐ":
        return "d"
    low = ch.lower()
    if len(low) != 1:
        low = ch
    if ord(low) < 128:
        return low
    base = unicodedata.normalize("NFD", low)[0]
    if unicodedata.combining(base):
        return low
    return base


class _FoldTable(dict[int, str]):
    """str.translate's table for the search key, filled on first sight of a character."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_char(chr(code))
        return folded


# Two tables, one answer: a plain dict built ahead for the characters department pages are
# written in (below U+2500: Latin, Vietnamese, punctuation, arrows), which str.translate runs
# fastest, and the self-filling one for the rare text that has anything above.
_FOLD_TABLE = _FoldTable()
_FOLD_COMMON = {c: fold_char(chr(c)) for c in range(0x2500)}
_UNCOMMON = re.compile("[\u2500-\U0010ffff]")


def search_key(text: str) -> str:
    """Lowercase, marks removed, đ→d; `len(search_key(s)) == len(s)` for every s. The one
    search key: labels, refusals, bylines and search all match on it.

    >>> search_key("Đăk Glei, GIẢM NGHÈO")
    'dak glei, giam ngheo'
    >>> search_key("ＴＩＮ") == "ｔｉｎ"
    True
    """
    if text.isascii():
        return text.lower()
    if _UNCOMMON.search(text) is None:
        return text.translate(_FOLD_COMMON)
    return text.translate(_FOLD_TABLE)


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese mark or đ (so a search should respect them)."""
    return search_key(text) != text.lower()
