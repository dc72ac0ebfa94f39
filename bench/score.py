"""Scoring an extractor against the gold corpus: what counts as right, field by field.

A corpus is a folder of `<platform>/<case>.html` + `<case>.json` (the `harvester parse`
fields); `listings/` and `refused/` hold pages that are not articles and are skipped.

- title, published_at, author, views, captions, category: exact (after NFC), so a date
  with the wrong hour, a caption with a stray word or views of the site counter all count
  as wrong; `published_day` compares only the day, which is all some tools report;
- body: token F1 (bag of lowercase words, as trafilatura's own evaluation does);
- leaks: a body that carries a caption, the closing byline or page chrome ("Lượt xem",
  "Đăng bởi", "Quay về", a visit counter) as a paragraph of its own.

Used by `bench/extraction.py` and by the floor test in `tests/test_corpus_score.py`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parsers.normalise import decode

__all__ = [
    "FIELDS",
    "Case",
    "PageScore",
    "Summary",
    "body_f1",
    "load_corpus",
    "score_page",
    "summarise",
    "with_site_chrome",
]

FIELDS = ("title", "published_at", "published_day", "author", "views", "captions", "category")
NOT_ARTICLES = ("listings", "refused")
# a paragraph that is a metadata label with its value, or a chrome button, on its own
_CHROME = re.compile(
    r"^(?:(?:lượt xem|số lượt xem|ngày đăng|đăng bởi|người đăng|lượt truy cập|đang online|đang truy cập|"
    r"hôm nay|tất cả|tags?|từ khóa|được đăng|viết bởi|chuyên mục|cập nhật lần cuối)\s*:|"
    r"(?:quay về|quay lại|in bài viết|in bài này|gửi email|chia sẻ|về đầu trang)$)",
    re.I,
)


@dataclass(frozen=True)
class Case:
    platform: str
    name: str
    raw: bytes
    expected: dict[str, Any]

    @property
    def url(self) -> str:
        return str(self.expected["url"])


def load_corpus(root: Path) -> list[Case]:
    """Every article page of a corpus folder, in a stable order."""
    cases = []
    for html in sorted(root.glob("*/*.html")):
        if html.parent.name in NOT_ARTICLES or not html.with_suffix(".json").exists():
            continue
        expected = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
        cases.append(Case(html.parent.name, html.stem, html.read_bytes(), expected))
    return cases


_MENU = "".join(
    f'<li class="menu-item"><a href="/chuyen-muc-{i}/">Chuyên mục số {i}</a><ul class="sub-menu">'
    + "".join(
        f'<li><a href="/chuyen-muc-{i}/muc-{j}/">Mục con {j} của chuyên mục {i}</a></li>'
        for j in range(8)
    )
    + "</ul></li>"
    for i in range(25)
)
_SIDEBAR = "".join(
    f'<div class="item-news"><a href="/tin-{i}.html"><img src="/thumb/{i}.jpg" width="80" height="60"></a>'
    f'<a href="/tin-{i}.html">Tin tức hoạt động số {i} của các đơn vị trực thuộc Sở trong tháng</a>'
    f'<span class="date">({i % 28 + 1}/06/2023)</span></div>'
    for i in range(60)
)
_SCRIPT = "<script>" + "var x=1;" * 4000 + "</script>"


_CHARSET = re.compile(r"(<meta\b[^>]*?charset\s*=\s*[\"']?)([\w-]+)", re.I)


def _as_utf8(html: str) -> str:
    return _CHARSET.sub(lambda m: m.group(1) + "utf-8", html, count=1)


def with_site_chrome(case: Case) -> Case:
    """The page with the weight a real portal adds around an article: a 225-link menu at the
    top and again at the foot, a 60-item dated news box, 32 KB of inline script. Real pages
    are 50-150 KB; the gold pages carry only the chrome their traps need. The fields must
    not change."""
    # decoded as the parser decodes it, and served again as UTF-8 (a page in windows-1258
    # cannot carry the added Vietnamese chrome in its own charset)
    html = _as_utf8(decode(case.raw))
    top = f"{_SCRIPT}<div class='top-menu'><ul class='mega'>{_MENU}</ul></div>"
    html = re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + top, html, count=1, flags=re.I)
    foot = f"<div class='box-tin'><h3>Tin mới</h3>{_SIDEBAR}</div><div class='lien-ket'><ul>{_MENU}</ul></div>"
    html = re.sub(r"(</body>)", lambda m: foot + m.group(1), html, count=1, flags=re.I)
    return Case(case.platform, case.name, html.encode("utf-8"), case.expected)


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def tokens(text: str | None) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text or "").lower())


def body_f1(expected: str, got: str | None) -> float:
    """Token F1 of two texts (multiset overlap).

    >>> body_f1("Sở Nội vụ tổ chức hội nghị", "Sở Nội vụ tổ chức hội nghị")
    1.0
    >>> round(body_f1("một hai ba bốn", "một hai"), 3)
    0.667
    """
    e, g = Counter(tokens(expected)), Counter(tokens(got))
    if not e and not g:
        return 1.0
    overlap = sum((e & g).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(g.values()), overlap / sum(e.values())
    return 2 * precision * recall / (precision + recall)


@dataclass
class PageScore:
    case: Case
    correct: dict[str, bool]
    f1: float
    leaks: list[str] = field(default_factory=list)
    error: str | None = None


def _leaks(expected: dict[str, Any], body: str) -> list[str]:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", body or "") if p.strip()]
    keys = {unicodedata.normalize("NFC", p).lower() for p in paragraphs}
    found = []
    for cap in expected.get("captions") or []:
        if unicodedata.normalize("NFC", cap).lower() in keys:
            found.append(f"caption: {cap[:50]}")
    author = expected.get("author")
    for p in paragraphs[-3:]:
        if (
            author
            and author.lower() in p.lower()
            and len(p) < len(author) + 40
            and not re.search(r"[.!?…]\s*\w", p)
        ):
            found.append(f"byline: {p[:50]}")
    found += [f"chrome: {p[:50]}" for p in paragraphs if len(p) < 120 and _CHROME.match(p)]
    return found


def score_page(case: Case, got: dict[str, Any] | None, error: str | None = None) -> PageScore:
    """How a tool's fields for one page compare with the gold ones."""
    exp = case.expected
    if got is None:
        return PageScore(case, {f: False for f in FIELDS}, 0.0, [], error or "no result")
    correct = {}
    for f in FIELDS:
        if f == "published_day":
            e, g = exp.get("published_at"), got.get("published_at")
            correct[f] = (e or "")[:10] == (g or "")[:10] if (e or g) else True
        else:
            correct[f] = _nfc(exp.get(f)) == _nfc(got.get(f))
    return PageScore(
        case,
        correct,
        body_f1(exp.get("body", ""), got.get("body")),
        _leaks(exp, got.get("body") or ""),
    )


@dataclass
class Summary:
    pages: int
    accuracy: dict[str, float]
    f1: float
    min_f1: float
    leaking_pages: int
    failed_pages: int


def summarise(
    scores: Iterable[PageScore], where: Callable[[PageScore], bool] = lambda s: True
) -> Summary:
    chosen = [s for s in scores if where(s)]
    n = len(chosen) or 1
    return Summary(
        pages=len(chosen),
        accuracy={f: sum(s.correct[f] for s in chosen) / n for f in FIELDS},
        f1=sum(s.f1 for s in chosen) / n,
        min_f1=min((s.f1 for s in chosen), default=0.0),
        leaking_pages=sum(1 for s in chosen if s.leaks),
        failed_pages=sum(1 for s in chosen if s.error),
    )
