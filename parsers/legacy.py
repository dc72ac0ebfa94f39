"""Text that was typed in a legacy Vietnamese font or decoded with the wrong codec, repaired.

Before Unicode, Vietnamese pages were typed in 8-bit fonts: TCVN3 (ABC; `.VnTime`,
`.VnArial`: one byte per letter, `ViÖt` is Việt) and VNI (`VNI-Times`: a base letter plus a
mark byte, `Vieät`). Read as Latin-1 they look like Western text with odd letters. Two more
accidents look alike: Windows-1258 bytes read as Windows-1252 (`Viêòt`) and UTF-8 read as
Windows-1252 or Latin-1 (mojibake: `Sá»Ÿ Ná»™i vá»¥`).

- `fix_mojibake(text)`: re-decodes each run of UTF-8-as-cp1252 characters on its own, so it
  works on a lone token (`Ná»™i`) and beside genuine curly quotes, where `ftfy.fix_encoding`
  leaves text unchanged; ftfy then gets what is left, token by token.
- `repair_legacy(text, prior=None)`: finds words that are not Vietnamese as they stand but
  are after a TCVN3, VNI or cp1258 reading, and converts the runs of them, between words that
  are plainly Unicode. `prior` is the encoding a page's fonts name (`legacy_font(html)`):
  with it, one such word is enough to convert its run; without, two are (or one, in a line
  with no Unicode word at all).

The conversion tables are the standards' (TCVN 5712:1993 VN3; VNI-Windows). TCVN3 has no
capital toned letters: `.VnTimeH` fonts draw lowercase codes as capitals, so a converted run
whose plain letters are all capitals is upper-cased.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from functools import lru_cache

from .vietnamese import is_syllable, place_tone

__all__ = [
    "fix_mojibake",
    "repair_legacy",
    "legacy_font",
    "from_tcvn3",
    "from_vni",
    "from_cp1258_as_cp1252",
    "CONVERTERS",
]

# --- TCVN3 (VN3: no capital toned letters) -------------------------------------------------

_TCVN3 = str.maketrans(
    "¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾ÆÇÈÉÊËÌÎÏÐÑÒÓÔÕÖ×ØÜÝÞßáâãäåæçèéêëìíîïñòóôõö÷øùúûüþ",
    "ĂÂÊÔƠƯĐăâêôơưđàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹỵ",
)


def from_tcvn3(text: str) -> str:
    """TCVN3 (ABC, `.VnTime`) text read as Latin-1, converted.

    >>> from_tcvn3("Së Gi¸o dôc vµ §µo t¹o")
    'Sở Giáo dục và Đào tạo'
    """
    return text.translate(_TCVN3)


# --- VNI-Windows: a base letter followed by a mark byte ------------------------------------

_VNI_TONE = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_CIRC = {None: "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {None: "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}
_VIET_LOWER = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"


def _vni_lower(ch: str) -> str:
    if ch == "đ":
        return "ñ"
    d = unicodedata.normalize("NFD", ch)
    base, marks = d[0], d[1:]
    tone = next((m for m in marks if m in _VNI_TONE), None)
    quality = next((m for m in marks if m not in _VNI_TONE), None)
    if base == "i" and tone:
        return _VNI_I[tone]
    if base == "y" and tone == "\u0323":
        return "î"
    if quality == "\u0302":
        return base + _VNI_CIRC[tone]
    if quality == "\u0306":
        return base + _VNI_BREVE[tone]
    if quality == "\u031b":
        return {"o": "ô", "u": "ö"}[base] + (_VNI_TONE[tone] if tone else "")
    return base + (_VNI_TONE[tone] if tone else "")


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for ch in _VIET_LOWER:
        code = _vni_lower(ch)
        if code == ch:
            continue
        for c, u in ((code, ch), (code.upper(), ch.upper())):
            table[c] = u
        if len(code) == 2:  # caps-lock typing mixes the cases of letter and mark
            table[code[0].upper() + code[1]] = ch.upper()
            table[code[0] + code[1].upper()] = ch
    table.update({"yï": "ỵ", "YÏ": "Ỵ"})  # also seen for ỵ
    return table


_VNI = _vni_table()
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))


def from_vni(text: str) -> str:
    """VNI-Windows (`VNI-Times`) text read as Latin-1, converted.

    >>> from_vni("Ñaø Naüng, Sôû Giaùo duïc")
    'Đà Nẵng, Sở Giáo dục'
    """
    return _VNI_RE.sub(lambda m: _VNI[m.group()], text)


def from_cp1258_as_cp1252(text: str) -> str:
    """Windows-1258 bytes that were decoded as Windows-1252, decoded again (and composed).

    >>> from_cp1258_as_cp1252("Viêòt Nam")
    'Việt Nam'
    """
    try:
        raw = text.encode("cp1252")
    except UnicodeEncodeError:
        return text
    return unicodedata.normalize("NFC", raw.decode("cp1258", errors="replace"))


CONVERTERS = {"tcvn3": from_tcvn3, "vni": from_vni, "cp1258": from_cp1258_as_cp1252}

# --- fonts named in markup -----------------------------------------------------------------

_FONT_RE = re.compile(
    r"""(?:face|font-family|font)\s*[=:]\s*["']?[^;"'>]*?(?P<name>\.Vn[A-Z][\w ]*|VNI[- ][A-Z][\w-]*)""",
    re.I,
)


def legacy_font(html: str) -> str | None:
    """ "tcvn3" or "vni" when the page's markup names such a font for its text, else None.

    >>> legacy_font('<font face=".VnTime">ViÖt Nam</font>'), legacy_font("<p style='font-family: VNI-Times'>")
    ('tcvn3', 'vni')
    """
    counts = {"tcvn3": 0, "vni": 0}
    for m in _FONT_RE.finditer(html):
        name = m.group("name")
        counts["tcvn3" if name.startswith(".") else "vni"] += 1
    if not any(counts.values()):
        return None
    return max(counts, key=lambda k: counts[k])


# --- deciding, word by word, and converting runs -------------------------------------------

_TOKEN = re.compile(r"\S+")
_EDGE_PUNCT = (
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\u2010\u2011\u2012\u2013\u2014\u2018\u2019\u201c\u201d\u2026"
)
_WORD_CHARS = re.compile(r"[A-Za-z\u00a1-\u00ff]+")
_HIGH = re.compile(r"[\u00a1-\u00ff]")
# the only places a legacy word can be: runs of letters and Latin-1 marks with one of the marks
_CANDIDATE = re.compile(r"[A-Za-z\u00a1-\u00ff]*[\u00a1-\u00ff][A-Za-z\u00a1-\u00ff]*")
_ONLY_I_MARKS = re.compile("[A-Za-zíìÍÌ]+")
U, T, A, N = "U", "T", "A", "N"  # Unicode, legacy, ambiguous, neutral


@lru_cache(maxsize=65536)
def _classify(core: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """(U or N, {converter: converted} for legacy-only readings, {…} for ambiguous ones).

    A soft hyphen is TCVN3's ư; read as Unicode it is dropped (display removes it), so the
    Unicode reading, and a conversion that fails with it, use the word without it.
    """
    if not core or core.isascii():
        return N, {}, {}
    if any(ord(ch) > 0xFF for ch in core):
        return (U if any(ch.isalpha() for ch in core if ord(ch) > 0xFF) else N), {}, {}
    if not _WORD_CHARS.fullmatch(core) or not _HIGH.search(core):
        return N, {}, {}
    unicode_reading = core.replace("\xad", "")
    if "\xad" in core:
        # a soft hyphen that makes a word of TCVN3 (cư, như, ưu) is its ư: evidence
        tcvn = from_tcvn3(core)
        if is_syllable(tcvn) and _plausible_legacy(core):
            return N, {"tcvn3": tcvn}, {}
        if unicode_reading.isascii():
            return N, {}, {}
    valid_u = is_syllable(unicode_reading)
    legacy: dict[str, str] = {}
    ambiguous: dict[str, str] = {}
    for name, convert in CONVERTERS.items():
        conv = _convert(convert, core, unicode_reading)
        if conv is None:
            continue
        if valid_u:
            ambiguous[name] = conv
        elif _plausible_legacy(core):
            legacy[name] = conv
        else:
            ambiguous[name] = conv
    if valid_u and not ambiguous:
        # A Unicode word is judged as display will show it too (tone placed: hoà → hòa),
        # so that text judged again after display is judged the same.
        shown = place_tone(unicode_reading)
        if shown != unicode_reading and any(_convert(c, shown, shown) for c in CONVERTERS.values()):
            return N, {}, {name: shown for name in CONVERTERS}
        if _ONLY_I_MARKS.fullmatch(core):
            # VNI writes í and ì as Latin-1 does: "Chính", "Bình" read the same either way,
            # so they do not end a legacy run ("Thuû töôùng Chính phuû")
            return N, {}, {}
        return U, {}, {}
    return N, legacy, ambiguous


def _convert(convert, core: str, unicode_reading: str) -> str | None:
    conv = convert(core)
    if (conv == core or not is_syllable(conv)) and unicode_reading != core:
        conv = convert(unicode_reading)
    if conv in (core, unicode_reading) or not is_syllable(conv):
        return None
    return conv


def _plausible_legacy(core: str) -> bool:
    # a word with a plain letter in it (µm, "©" alone and the like are not evidence)
    if not any("a" <= ch.lower() <= "z" for ch in core):
        return False
    return not (core[0] == "µ" and len(core) <= 3 and core[1:].isascii())


def _split(token: str) -> tuple[str, str, str]:
    """(leading punctuation, the word, trailing punctuation). A soft hyphen touching the
    word is kept in it (TCVN3's ư: "nh\xad" is như); one beyond punctuation is not."""
    core = token.strip(_EDGE_PUNCT + "\xad")
    if not core:
        return token, "", ""
    start = token.index(core)
    end = start + len(core)
    while start and token[start - 1] == "\xad":
        start -= 1
    while end < len(token) and token[end] == "\xad":
        end += 1
    return token[:start], token[start:end], token[end:]


def _holds_legacy(text: str, fonts_only: bool) -> bool:
    """Whether any word of the line reads as legacy only: the fast path of `repair_legacy`.

    A word's core (the \\S+ token less its edge punctuation) can only be legacy when it is all
    letters and Latin-1 marks, so it is a candidate run less the same edge punctuation; most
    lines of Unicode Vietnamese have few such runs, and their verdicts are cached."""
    for m in _CANDIDATE.finditer(text):
        _, legacy, _ = _classify(_split(m.group())[1])
        if legacy and (not fonts_only or any(k != "cp1258" for k in legacy)):
            return True
    return False


def repair_legacy(text: str, prior: str | None = None, fonts_only: bool = False) -> str:
    """Convert the runs of TCVN3, VNI or cp1258-as-cp1252 words in a line of text
    (`fonts_only`: TCVN3 and VNI only, for judging a decoding).

    >>> repair_legacy("Céng hßa x· héi chñ nghÜa ViÖt Nam")
    'Cộng hòa xã hội chủ nghĩa Việt Nam'
    >>> repair_legacy("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam")
    'Cộng hòa xã hội chủ nghĩa Việt Nam'
    >>> repair_legacy("Hòa Bình, “Trích yếu” – Café")
    'Hòa Bình, “Trích yếu” – Café'
    """
    if not _HIGH.search(text) or not _holds_legacy(text, fonts_only):
        return text
    spans = []
    for m in _TOKEN.finditer(text):
        pre, core, _ = _split(m.group())
        kind, legacy, ambiguous = _classify(core)
        if fonts_only:
            legacy = {k: v for k, v in legacy.items() if k != "cp1258"}
            ambiguous = {k: v for k, v in ambiguous.items() if k != "cp1258"}
        if legacy:
            kind = T
        elif ambiguous:
            kind = A
        start = m.start() + len(pre)
        spans.append((start, start + len(core), core, kind, legacy, ambiguous))
    if not any(s[3] == T for s in spans):
        return text
    line_has_unicode = any(s[3] == U for s in spans)
    # Runs between plainly Unicode words. Windows-1258 read as Windows-1252 is the
    # exception: its words without tone bytes (Giáo, và) look like Unicode, so its words
    # are counted over the whole line, and its plain-looking words are left as they are.
    legacy_counts = {name: sum(1 for s in spans if name in s[4]) for name in CONVERTERS}
    if legacy_counts["cp1258"] >= 2 and legacy_counts["cp1258"] == max(legacy_counts.values()):
        runs = [[s for s in spans if s[3] != U]]
        prior = "cp1258"
    else:
        runs = [[]]
        for s in spans:
            if s[3] == U:
                runs.append([])
            else:
                runs[-1].append(s)
    out = []
    last = 0
    for run in runs:
        choice = _choose(run, prior, line_has_unicode)
        if choice is None:
            continue
        converted = []
        for start, end, _core, _, legacy, ambiguous in run:
            conv = legacy.get(choice) or ambiguous.get(choice)
            if conv is not None:
                converted.append((start, end, conv))
        plain = [ch for s in run for ch in s[2] if "a" <= ch.lower() <= "z"]
        upper = choice == "tcvn3" and len(plain) >= 3 and all(ch.isupper() for ch in plain)
        for start, end, conv in converted:
            out.append(text[last:start])
            out.append(conv.upper() if upper else conv)
            last = end
    out.append(text[last:])
    return "".join(out)


def _choose(run: list[tuple], prior: str | None, line_has_unicode: bool) -> str | None:
    best, best_t = None, 0
    for name in CONVERTERS:
        t = sum(1 for s in run if name in s[4])
        if t > best_t or (t == best_t and t and name == prior):
            best, best_t = name, t
    if best is None:
        return None
    if best_t >= 2 or (best_t >= 1 and best == prior):
        return best
    if best_t == 1 and not line_has_unicode and not any(_contradicts(best, s[2]) for s in run):
        return best  # one legacy word in a line of nothing but candidates: "ViÖt Nam"
    return None


@lru_cache(maxsize=16384)
def _contradicts(name: str, core: str) -> bool:
    """The converter changes this word into something that is not Vietnamese."""
    if not _HIGH.search(core) or any(ord(ch) > 0xFF for ch in core):
        return False
    reading = core.replace("\xad", "")
    convert = CONVERTERS[name]
    if is_syllable(reading) or _convert(convert, core, reading) is not None:
        return False
    return convert(reading) != reading


# --- UTF-8 read as Windows-1252 / Latin-1 --------------------------------------------------


def _byte_of() -> dict[str, int]:
    table = {}
    for b in range(256):
        with contextlib.suppress(UnicodeDecodeError):
            table[bytes([b]).decode("cp1252")] = b
        if 0x80 <= b <= 0x9F:
            table.setdefault(chr(b), b)  # Latin-1's C1 controls, and cp1252's five holes
    # UTF-8 read as Windows-1258 differs from the cp1252 view, among the bytes Vietnamese
    # UTF-8 is made of, only in C3, the lead byte of à á â ã è é ê ì í ò ó ô õ ù ú ý: Ă
    table["Ă"] = 0xC3
    return table


_BYTE_OF = _byte_of()
_CONT = "".join(re.escape(ch) for ch, b in _BYTE_OF.items() if 0x80 <= b <= 0xBF)
_LEAD2 = "".join(re.escape(ch) for ch, b in _BYTE_OF.items() if 0xC2 <= b <= 0xDF)
_LEAD3 = "".join(re.escape(ch) for ch, b in _BYTE_OF.items() if 0xE0 <= b <= 0xEF)
_LEAD4 = "".join(re.escape(ch) for ch, b in _BYTE_OF.items() if 0xF0 <= b <= 0xF4)
_SEQUENCE = re.compile(f"[{_LEAD2}][{_CONT}]|[{_LEAD3}][{_CONT}]{{2}}|[{_LEAD4}][{_CONT}]{{3}}")
# à (C3 A0) whose NBSP became a space: "vÃ  cÃ¡c", "HoÃ ng"; "vÃ cÃ¡c" when the spaces
# were collapsed too
_NBSP_A = re.compile(r"[ÃĂ](?:\s(?!\s)|(?=\s\s))")  # any space: display collapses them all


def _lost_nbsp(text: str, m: re.Match[str], beside_mojibake: bool = False) -> str | None:
    """The à a lost NBSP leaves ("à" joined to the letters after it, or "à " when joining
    makes no word), or None for a genuine capital Ã ("XÃ HỘI", "UBND XÃ Hòa Bình", "ĐÃ
    có") or one opening a word. After capitals only ("HÃ  Nội") it is mojibake only
    beside other mojibake: alone, "XÃ", "ĐÃ", "NGÃ" are words."""
    start = m.start()
    while start and text[start - 1].isalpha():
        start -= 1
    before = text[start : m.start()]
    rest = text[m.end() :].lstrip()
    n = 0
    while n < len(rest) and rest[n].isalpha():
        n += 1
    after = rest[:n]
    if not before or before.isupper() and (not beside_mojibake or not after or after.isupper()):
        return None  # à seldom opens a word; Ã after capitals is genuine unless the text is mojibake
    if len(m.group()) == 1:
        return "à"  # "Ã  x": the NBSP's space is lost, the word's own space is there
    return "à" if is_syllable(before + "à" + after) else "à "


def _sub_lost_nbsp(text: str, beside_mojibake: bool) -> str:
    return _NBSP_A.sub(lambda m: _lost_nbsp(text, m, beside_mojibake) or m.group(), text)


def _plausible_char(ch: str) -> bool:
    """A character a Vietnamese page holds (letters, marks, punctuation), or one of the
    cp1252 characters that text encoded twice passes through."""
    o = ord(ch)
    return (
        0x80 <= o <= 0x17F  # (C1 controls: the inner layer of text encoded twice, Ä\x90)  # Latin-1 and Latin Extended-A (ă đ ĩ ũ, Œ š ž…)
        or 0x1E00 <= o <= 0x1EFF  # Latin Extended Additional: the toned letters
        or ch in "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"  # Vietnamese marks (NFD text)
        or 0x2000 <= o <= 0x206F  # punctuation, zero-width characters
        or ch in "ƠơƯưƒˆ˜€™₫"
    )


def _redecode(seq: str) -> str | None:
    try:
        fixed = bytes(_BYTE_OF[ch] for ch in seq).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return None
    return fixed if all(_plausible_char(ch) for ch in fixed) else None


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Windows-1252 or Latin-1, sequence by sequence.

    >>> fix_mojibake("Sá»Ÿ Ná»™i vá»¥ “Trích yếu”")
    'Sở Nội vụ “Trích yếu”'
    >>> fix_mojibake("HÃ\xa0 Ná»™i"), fix_mojibake("SÃ¡Â»Å¸")
    ('Hà Nội', 'Sở')
    >>> fix_mojibake("XÃ\xa0HỘI, “CẤP XÔ")  # genuine Ã before &nbsp; or a quote
    'XÃ\xa0HỘI, “CẤP XÔ'
    """
    for _ in range(3):  # text encoded twice needs two passes
        fixed = _fix_once(text)
        if fixed == text:
            break
        text = fixed
    return text


def _weak(text: str, m: re.Match[str]) -> bool:
    """A sequence genuine text also makes: a capital Ã or Â ending a word before a
    no-break space or a quote ("XÃ\xa0HỘI", “CẤP XÔ)."""
    seq = m.group()
    if len(seq) != 2 or seq[0] not in "ÃÂĂ":
        return False
    before = text[: m.start()].rstrip(_INVISIBLE)[-1:]
    if before and not before.isupper():
        return False
    after = text[m.end() :].lstrip(_INVISIBLE)[:1]
    return seq[1] == "\xa0" or not after.isalpha()


_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"


def _fix_once(text: str) -> str:
    if text.isascii():
        return text
    # UTF-8 sequences stand alone, so each is re-decoded on its own: a lone token and one
    # beside genuine curly quotes are repaired alike. Weak sequences need a strong one.
    found = [
        (m, fixed, _weak(text, m))
        for m in _SEQUENCE.finditer(text)
        if (fixed := _redecode(m.group()))
    ]
    strong = any(not weak for _, _, weak in found)
    if not strong and not any(_lost_nbsp(text, m) for m in _NBSP_A.finditer(text)):
        return text
    out = []
    last = 0
    for m, fixed, _ in found:
        out.append(text[last : m.start()])
        out.append(fixed)
        last = m.end()
    out.append(text[last:])
    result = _sub_lost_nbsp("".join(out), strong)
    result = _LOST_BYTE.sub(lambda m: _lost_byte(result, m), result)
    return _ftfy_leftovers(result)


# A strict cp1252 decoder drops the five bytes it has no character for (81 8D 8F 90 9D),
# so Đ (C4 90) arrives as a lone Ä and ” (E2 80 9D) as â€. Beside other mojibake, such a
# truncated sequence is completed with the lost byte that makes a Vietnamese letter, and
# when several do, the one that makes its word a syllable (ọ, ỏ, ờ, ề for á»).
# A decoder with errors='replace' left U+FFFD where the byte was: the same repair.
_LOST_BYTE = re.compile(f"(?:Ä|á[{_CONT}]|â€)\ufffd?(?![{_CONT}])")
_LOST = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
_VIETNAMESE_LETTERS = frozenset(
    "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"
)


def _lost_byte(text: str, m: re.Match[str]) -> str:
    seq = m.group().rstrip("\ufffd")
    if seq == "â€":
        return "”"
    raw = bytes(_BYTE_OF[ch] for ch in seq)
    letters = []
    for b in _LOST:
        try:
            ch = (raw + bytes([b])).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if ch.lower() in _VIETNAMESE_LETTERS:
            letters.append(ch)
    if len(letters) > 1:
        start, end = m.start(), m.end()
        while start and text[start - 1].isalpha():
            start -= 1
        while end < len(text) and text[end].isalpha():
            end += 1
        around = text[start : m.start()] + text[m.end() : end]
        if around.islower() or around.isupper():  # the case of the letters around it
            letters = [ch for ch in letters if ch.islower() == around.islower()]
        letters = [
            ch for ch in letters if is_syllable(text[start : m.start()] + ch + text[m.end() : end])
        ]
    return letters[0] if len(letters) == 1 else m.group()


_SMELL = re.compile(f"[{_LEAD2}{_LEAD3}][{_CONT}]")


def _ftfy_leftovers(text: str) -> str:
    """ftfy for what our decoder left (other codecs, sloppy sequences), one token at a time
    and only where it helps: whole-line ftfy also rewrites genuine text ("XÃ HỘI")."""
    if not _SMELL.search(text):
        return text
    import ftfy

    def fix(m: re.Match[str]) -> str:
        token = m.group()
        if not _SMELL.search(token) or "\xa0" in token:
            return token
        fixed = ftfy.fix_encoding(token)
        return (
            fixed
            if len(fixed) < len(token) and all(_plausible_char(c) or c.isascii() for c in fixed)
            else token
        )

    return re.sub(r"[^ \t\n\r]+", fix, text)
