"""Who wrote an article: the closing byline ("Tin và ảnh: X", "Tin bài: X, Phòng …",
"Theo X/domain", "X - Phòng VHXH", a bare right-aligned name), and whether a short text is
a person's name or an organisation's.
"""

from __future__ import annotations

import re

from . import labels as L
from .dates import date_spans
from .dom import Block, collapse
from .labels import search_key

_TERMINAL = re.compile(r"[.!?…:;]\s*[\"”’)\]]*$|\./\.?$")


_SENTENCE_BREAK = re.compile(r"[.!?…]\s+[\"“(]?[A-ZĐÀ-Ỹ]")


# Label words live in labels.py; here they are put in the forms the checks compare.
_ORG_KEYS = tuple(w + " " for w in L.ORG_WORDS) + L.ORG_ABBREVIATIONS
_NOT_NAME_WORDS = frozenset(L.NOT_NAME_WORDS)
_NOT_NAME_START = tuple(search_key(w) for w in L.NOT_NAME_STARTS)
_ACCOUNT_NAMES = frozenset(search_key(w) for w in L.ACCOUNT_NAMES)


def looks_like_org(text: str) -> bool:
    key = text.strip().lower() + " "
    return key.startswith(_ORG_KEYS) or bool(
        re.match(r"^[A-ZĐ]{2,}\b", text.strip()) and len(text.split()) > 1 and not text.isupper()
    )


def looks_like_name(text: str, loose: bool = False) -> bool:
    """A person's name: 1-6 capitalised words, no digits, no sentence punctuation."""
    text = text.strip(" .")
    words = text.split()
    if (
        not 1 <= len(words) <= 6
        or len(text) > 50
        or _TERMINAL.search(text)
        or re.search(r"[\d:;!?@/\\\"“”()]", text)
    ):
        return False
    key = search_key(text)
    if key.startswith(_NOT_NAME_START) or any(w.lower() in _NOT_NAME_WORDS for w in words):
        return False
    if looks_like_org(text):
        return False
    if text.isupper():
        return True
    if loose:
        return words[0][:1].isupper()
    return all(w[:1].isupper() for w in words if w[:1].isalpha())


_SECOND_LABEL = re.compile(rf"\s*[-–—,;/|]\s*(?:{L.words_rx(L.SECOND_CREDIT_LABELS)})\s*:.*$", re.I)
_NAME_DATE_JOIN = re.compile(rf"\s+(?:{L.words_rx(L.NAME_DATE_JOINERS)})\s+|\s*[|•]\s*")
_SOURCE_LINE = re.compile(
    rf"^\(?\s*(?:{'|'.join(re.escape(search_key(w)) for w in L.SOURCE_PREFIXES)})\s*:?\s+(.+?)\)?\.?$"
)


def author_from(value: str) -> str | None:
    """'Lê Thị Mai, Phó Chi cục trưởng …' → 'Lê Thị Mai'; 'Anh Đức/kyanh.hatinh.gov.vn' → 'Anh Đức';
    'Nguyễn Hà - Phòng VHXH' → 'Nguyễn Hà'; 'Y Bình - Ảnh: A Thút' → 'Y Bình'."""
    value = collapse(value).strip(" .;:-–()[]")
    if not value:
        return None
    value = _SECOND_LABEL.sub("", value)
    # "admin vào T5, 29/06/2023 - 10:14", "Lan | 12/05/2023": the name ends where the date begins
    value = _NAME_DATE_JOIN.split(value)[0]
    if spans := date_spans(value):
        value = value[: min(s for s, _ in spans)].rstrip(" ,-–")
    value = re.split(r"\s*/\s*\S+\.\S+|\s*\(\s*|\s*\[\s*", value)[0]
    if "," in value:
        head, tail = value.split(",", 1)
        if looks_like_org(tail) or len(tail.split()) > 2:
            value = head
    m = re.match(r"^(.*?)\s+[-–—]\s+(.*)$", value)
    if m and looks_like_org(m.group(2)):
        value = m.group(1)
    value = value.strip(" .;:-–")
    if not value or len(value) > 80:
        return None
    return value


def theo(text: str) -> tuple[bool, str | None] | None:
    """'Theo Anh Đức/kyanh.hatinh.gov.vn' → (True, 'Anh Đức'); 'Theo Báo Kon Tum' → (True, None)."""
    key = search_key(text)
    m = _SOURCE_LINE.match(key)
    if not m or len(text) > 100:
        return None
    value = text[m.start(1) : m.end(1)]
    name = author_from(value)
    if name and looks_like_name(name, loose=True) and not re.search(r"\.\w{2,}$", name):
        return True, name
    return True, None


_OPENING_EXCLUDED = frozenset(L.phrase_key(w) for w in L.OPENING_BYLINE_EXCLUDED)


def opening_byline(block: Block) -> str | None:
    """The writer a byline opening the text names ("Bài, ảnh: Minh Thư", "PV" in bold above
    the first paragraph), else None. Stricter than a closing byline: the line must be short,
    and a label that also opens a series title ("Bài 2: …") does not count."""
    text = block.text
    if len(text) > 80:
        return None
    if L.matches_any(text, L.STAFF_BYLINES):
        return text.strip(" .()[]")
    hit = L.starts_with_label(text, L.AUTHOR_LABELS + L.BYLINE_LABELS)
    if not hit or L.phrase_key(hit[0]) in _OPENING_EXCLUDED:
        return None
    name = author_from(hit[1])
    return name if name and looks_like_name(name, loose=True) else None


def byline(block: Block, is_last: bool) -> tuple[int, str | None] | None:
    """(rank, author) when a closing line is a byline (author None for a source line), else
    None. Lower rank is the better claim to authorship."""
    text = block.text
    if len(text) > 160:
        return None
    hit = L.starts_with_label(text, L.AUTHOR_LABELS)
    if hit:
        return 0, author_from(hit[1])
    hit = L.starts_with_label(text, L.BYLINE_LABELS)
    if hit:
        rank = 2 if L.phrase_key(hit[0]) in ("anh",) else 1
        return rank, author_from(hit[1])
    if L.starts_with_label(text, L.SOURCE_LABELS):
        return 5, None
    source_line = theo(text)
    if source_line:
        return (1, source_line[1]) if source_line[1] else (5, None)
    if L.matches_any(text, L.STAFF_BYLINES):
        return 3, text.strip(" .()[]")
    if not is_last:
        return None
    bare = text.strip()
    if re.fullmatch(r"\(.*\)|\[.*\]", bare):
        bare = bare[1:-1].strip()
    if search_key(bare).strip(" .") in _ACCOUNT_NAMES:
        return 8, None
    dash = re.match(r"^(.*?)\s+[-–—]\s+(.*)$", bare)
    if (
        dash
        and looks_like_name(dash.group(1), loose=True)
        and (looks_like_org(dash.group(2)) or looks_like_name(dash.group(2)))
    ):
        return 3, author_from(bare)
    styled = block.align == "right" or block.bold or block.italic
    # "Thu Hà (Trung tâm VHTT)", "Lê Lài, Văn phòng HĐND": a name and where the writer works
    m = re.match(r"^(.+?)\s*(?:\((.+)\)|,\s*(.+))$", bare)
    if m and (m.group(2) or looks_like_org(m.group(3) or "")):
        name = m.group(1).strip(" .")
        if looks_like_name(name, loose=styled):
            return 3, name
    if styled and looks_like_name(bare, loose=True):
        return 3, bare.strip(" .")
    if looks_like_name(bare) and 2 <= len(bare.split()) <= 5:
        return 4, bare.strip(" .")
    return None
