"""The shape of a Vietnamese syllable, and where its tone mark belongs.

A written syllable is an onset, a vowel cluster and an optional coda, with at most one tone
mark (acute, grave, hook, tilde, dot below). `parse_syllable()` reads that structure (or
says the word is not Vietnamese-shaped: `Café`, `André`, `hủỷ`); `place_tone()` moves the
one tone mark to its canonical vowel, the placement Vietnamese laws use (hòa, thủy, khỏe):

1. The onset is removed first; in qu+vowel and gi+vowel the u/i belongs to it (quý, già),
   while a bare gi- keeps its i as the vowel (gì, gìn).
2. A cluster holding ă â ê ô ơ ư takes the mark on the last of them (người, tuyển).
3. Otherwise a closed syllable takes it on the last vowel (hoàn, huỳnh, suýt).
4. Otherwise an open triphthong takes it on the middle vowel (khoái, khuỷu).
5. Otherwise (open oa, oe, uy and every other pair) on the first vowel (hòa, của, mía).

Words that are not one well-formed syllable with exactly one tone are left as they are.
The same checks tell a legacy-font word (`ViÖt`) from a Vietnamese one (`Việt`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Syllable", "parse_syllable", "is_syllable", "place_tone", "canonical_tones", "TONES"]

# combining tone marks → their names
TONES = {"\u0301": "sac", "\u0300": "huyen", "\u0309": "hoi", "\u0303": "nga", "\u0323": "nang"}
_QUALITY = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}
_WITH_QUALITY = {
    ("a", "breve"): "ă",
    ("a", "circumflex"): "â",
    ("e", "circumflex"): "ê",
    ("o", "circumflex"): "ô",
    ("o", "horn"): "ơ",
    ("u", "horn"): "ư",
}
VOWELS = frozenset("aăâeêioôơuưy")
# The last row: clusters of Central Highlands place names written in Vietnamese letters
# (Kon Plông, Đăk Glei, Krông Búk), which also end in k (Đắk Lắk).
_ONSETS: tuple[str, ...] = (
    "ngh",
    "ng",
    "gh",
    "gi",
    "kh",
    "nh",
    "ph",
    "th",
    "tr",
    "ch",
    "qu",
    "b",
    "c",
    "d",
    "đ",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "x",
    "",
    "bl",
    "br",
    "dr",
    "gl",
    "kl",
    "kr",
    "pl",
    "pr",
)
_ONSETS = tuple(sorted(_ONSETS, key=len, reverse=True))
_CODAS = ("ng", "nh", "ch", "c", "k", "m", "n", "p", "t", "")
_STOPS = frozenset(("c", "ch", "k", "p", "t"))
# Vowel clusters that end a syllable (no coda), take one, or must take one.
_OPEN_ONLY = frozenset(
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ui ưi ưu ua ưa uơ oai oay oao oeo uây uôi ươi ươu "
    "iêu yêu uyu uya y".split()
)
_EITHER = frozenset("a e ê i o ô ơ u ư oa oe uê uy".split())
_CLOSED_ONLY = frozenset("ă â iê yê uô ươ oă uâ uyê oo".split())
_FRONT = frozenset("ieêy")


@dataclass(frozen=True, slots=True)
class Syllable:
    """A parsed syllable: its letters without tone (lowercase), where the vowel cluster sits
    in them, the tone and the index (in the word) of the letter that carries it."""

    letters: str
    onset: str
    cluster: str
    coda: str
    tone: str | None
    tone_at: int | None

    @property
    def cluster_start(self) -> int:
        return len(self.onset)

    def canonical_tone_index(self) -> int:
        """Where the tone belongs: an index into the word."""
        c = self.cluster
        quality = [i for i, ch in enumerate(c) if ch in "ăâêôơư"]
        if quality:
            i = quality[-1]
        elif self.coda:
            i = len(c) - 1
        elif len(c) == 3:
            i = 1
        else:
            i = 0
        return self.cluster_start + i


def _letter(ch: str) -> tuple[str, str | None] | None:
    """(lowercase Vietnamese letter without tone, tone mark or None), or None when the
    character is not a Vietnamese letter (ß, é with two marks, ç, digits…)."""
    low = ch.lower()
    if len(low) != 1:
        return None
    if low == "đ":
        return "đ", None
    d = unicodedata.normalize("NFD", low)
    base, marks = d[0], d[1:]
    if not ("a" <= base <= "z"):
        return None
    tone = None
    quality = None
    for m in marks:
        if m in TONES:
            if tone is not None:
                return None
            tone = m
        elif m in _QUALITY:
            if quality is not None:
                return None
            quality = _QUALITY[m]
        else:
            return None
    if quality is not None:
        q = _WITH_QUALITY.get((base, quality))
        if q is None:
            return None
        base = q
    if base in "fjwz":
        return None
    return base, tone


@lru_cache(maxsize=65536)
def parse_syllable(word: str) -> Syllable | None:
    """The structure of one NFC word, or None when it is not one Vietnamese syllable with at
    most one tone mark.

    >>> parse_syllable("Quỳnh").cluster, parse_syllable("gìn").onset, parse_syllable("Café")
    ('y', 'g', None)
    """
    if not word or len(word) > 8:
        return None
    letters = []
    tone = None
    tone_at = None
    for i, ch in enumerate(word):
        got = _letter(ch)
        if got is None:
            return None
        base, t = got
        if t is not None:
            if base not in VOWELS:
                return None  # ñ, ǹ: a mark on a consonant
            if tone is not None:
                return None  # two tone marks: garbage, not a placement question
            tone, tone_at = t, i
        letters.append(base)
    s = "".join(letters)
    for onset in _ONSETS:
        if not s.startswith(onset):
            continue
        rest = s[len(onset) :]
        if onset in ("gi", "qu") and (not rest or rest[0] not in VOWELS):
            continue  # bare gi-: the i is the vowel (gì, gìn); qu needs a vowel
        if onset == "gi" and rest[0] in "iy":
            continue
        if onset == "qu" and rest[0] == "u":
            continue
        n = 0
        while n < len(rest) and rest[n] in VOWELS:
            n += 1
        cluster, coda = rest[:n], rest[n:]
        if not cluster or coda not in _CODAS:
            continue
        if not _valid(onset, cluster, coda, tone):
            continue
        return Syllable(s, onset, cluster, coda, TONES.get(tone) if tone else None, tone_at)
    return None


def _valid(onset: str, cluster: str, coda: str, tone: str | None) -> bool:
    if coda:
        if (
            cluster not in _EITHER
            and cluster not in _CLOSED_ONLY
            and not (cluster == "y" and onset == "qu")
        ):
            return False  # a closed y only follows qu (quỳnh, quýt)
    elif cluster not in _OPEN_ONLY and cluster not in _EITHER:
        return False
    if coda in _STOPS and tone not in ("\u0301", "\u0323") and not (coda == "k" and tone is None):
        return False  # a stop takes sắc or nặng (place names keep a toneless -k: Đăk Glei)
    last = cluster[-1]
    if coda in ("ch", "nh") and last not in "aêiy":
        return False
    if coda in ("c", "k", "ng") and cluster in ("i", "ê", "y", "uy", "uê"):
        return False
    first = cluster[0]
    if onset in ("k", "gh", "ngh") and first not in _FRONT:
        return False
    if (
        onset in ("c", "g", "ng")
        and first in "eêi"
        and not (onset == "g" and cluster.startswith("i"))
    ):
        return False
    if onset == "c" and first == "y":
        return False
    # yê opens a word (yêu, yến) or follows qu (quyển); elsewhere it is uyê (khuyên)
    return not (
        len(cluster) > 1
        and cluster[0] == "y"
        and (not cluster.startswith("yê") or onset not in ("", "qu"))
    )


def is_syllable(word: str) -> bool:
    """True when the word is one well-formed Vietnamese syllable (at most one tone)."""
    return parse_syllable(word) is not None


@lru_cache(maxsize=65536)
def place_tone(word: str) -> str:
    """The word with its tone mark on the canonical vowel; any other word unchanged.

    >>> [place_tone(w) for w in ("Hoà", "hòan", "qủa", "gìa", "tủyên", "khóai", "hủỷ", "Café")]
    ['Hòa', 'hoàn', 'quả', 'già', 'tuyển', 'khoái', 'hủỷ', 'Café']
    """
    if not (word.islower() or word.isupper() or word.istitle()):
        return word  # "ngoÃ", "iPhône": not a word as typed
    syl = parse_syllable(word)
    if syl is None or syl.tone is None or syl.tone_at is None:
        return word
    target = syl.canonical_tone_index()
    if target == syl.tone_at:
        return word
    mark = next(m for m, name in TONES.items() if name == syl.tone)
    chars = list(word)
    src = unicodedata.normalize("NFD", chars[syl.tone_at]).replace(mark, "")
    chars[syl.tone_at] = unicodedata.normalize("NFC", src)
    dst = unicodedata.normalize("NFD", chars[target])
    chars[target] = unicodedata.normalize("NFC", _add_mark(dst, mark))
    return "".join(chars)


def _add_mark(decomposed: str, mark: str) -> str:
    # canonical order puts dot below (ccc 220) before the others; NFC sorts it anyway
    return decomposed + mark


_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")


def _hazard_pattern() -> re.Pattern[str]:
    """A word (NFC, or with combining marks) in which a toned vowel touches another vowel."""
    import unicodedata

    plain = "aăâeêioôơuưy"
    plain += plain.upper()
    toned = "".join(
        unicodedata.normalize("NFC", v + mark) for v in plain for mark in "\u0300\u0301\u0309\u0303\u0323"
    )
    vowel = f"[{plain}{toned}]"
    tone = f"(?:[{toned}]|[{plain}][\u0300-\u036f]+)"
    word = r"(?:[^\W\d_]|[\u0300-\u036f])*"
    return re.compile(f"{word}(?:{tone}{vowel}|{vowel}{tone}){word}")


_TONE_HAZARD = _hazard_pattern()


def canonical_tones(text: str) -> str:
    """Every word of an NFC text with its tone on the canonical vowel.

    >>> canonical_tones("Thanh Hoá, Khánh Hoà; Café André")
    'Thanh Hóa, Khánh Hòa; Café André'
    >>> canonical_tones("Khánh Hoà: https://vi.wikipedia.org/wiki/Khánh_Hoà")
    'Khánh Hòa: https://vi.wikipedia.org/wiki/Khánh_Hoà'
    """
    if text.isascii():
        return text
    if "://" in text or "@" in text or "www." in text:
        # a link or an address is spelled as its owner wrote it (…/wiki/Khánh_Hoà)
        parts = _ADDRESS.split(text)
        parts[::2] = [_place_all(p) for p in parts[::2]]
        return "".join(parts)
    return _place_all(text)


def _place_all(text: str) -> str:
    # only a word with a toned vowel beside another vowel can have its tone in the wrong place
    return _TONE_HAZARD.sub(lambda m: place_tone(m.group()), text)


_ADDRESS = re.compile(r"((?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+|[^\s@]+@[^\s@]+\.\w+)", re.I)
