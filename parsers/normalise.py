"""Vietnamese text: bytes to text, repair, display form and search key.

Owned here, used by every parser and by search:
- `decode(raw, content_type)`: BOM, then the HTTP charset, then `<meta charset>`, then
  detection; never requests' ISO-8859-1 default. Returns NFC text.
- `display(text)`: the form stored and shown: NFC, whitespace collapsed, zero-width
  characters and soft hyphens removed, ð/Ð repaired to đ/Đ.
- `search_key(text)`: lowercase, marks removed, đ→d, one code point for one code point of
  its input, so positions found in the key map straight back onto the display text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes

__all__ = ["decode", "display", "search_key", "has_diacritics", "fold_char"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_ALIASES = {"utf8": "utf-8", "iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252",
            "us-ascii": "cp1252", "ascii": "cp1252", "windows-1258": "cp1258"}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = _ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_encoding(raw: bytes, content_type: str | None = None) -> tuple[str | None, str]:
    """The encoding a page declares, and where it was found (bom, header, meta, none)."""
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            return enc, "bom"
    if content_type:
        m = _CHARSET_RE.search(content_type)
        if m and (enc := _codec(m.group(1))):
            return enc, "header"
    meta = EncodingDetector.find_declared_encoding(raw[:8192], is_html=True, search_entire_document=False)
    if enc := _codec(meta):
        return enc, "meta"
    return None, "none"


def decode(raw: bytes, content_type: str | None = None) -> str:
    """Bytes of a page to NFC text.

    >>> decode("Sở Nội vụ".encode("utf-8"), "text/html")
    'Sở Nội vụ'
    >>> decode(b"Vi\\xea\\xf2t", "text/html; charset=windows-1258")
    'Việt'
    """
    enc, _ = declared_encoding(raw, content_type)
    if enc is None:
        # Undeclared: UTF-8 when it is valid, otherwise detection.
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            best = from_bytes(raw[:200_000]).best()
            enc = best.encoding if best else "cp1252"
            text = raw.decode(enc, errors="replace")
    else:
        if enc.startswith("utf-16"):
            raw = raw[2:] if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else raw
        elif enc == "utf-8" and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            # A wrong declaration: UTF-8 if it fits, else the declared codec, lossily.
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode(enc, errors="replace")
    return unicodedata.normalize("NFC", text)


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_ETH = str.maketrans({"ð": "đ", "Ð": "Đ"})
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def display(text: str) -> str:
    """The display form of one line of text.

    >>> display("  Giáo\\u200b dục\\u00a0 và  ðào tạo ")
    'Giáo dục và đào tạo'
    """
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE))
    text = text.translate(_ETH)
    return _SPACES.sub(" ", text).strip()


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


_FOLD_CACHE: dict[str, str] = {}


def search_key(text: str) -> str:
    """Lowercase, marks removed, đ→d; `len(search_key(s)) == len(s)` for every s.

    >>> search_key("Đăk Glei, GIẢM NGHÈO")
    'dak glei, giam ngheo'
    """
    out = []
    cache = _FOLD_CACHE
    for ch in text:
        f = cache.get(ch)
        if f is None:
            f = cache[ch] = fold_char(ch)
        out.append(f)
    return "".join(out)


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese mark or đ (so a search should respect them)."""
    return search_key(text) != text.lower()
