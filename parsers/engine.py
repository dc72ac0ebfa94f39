"""The extraction cascade every platform shares, driven by a `Profile` of selectors.

A platform module is mostly data: a Profile naming where its title, body, date, views,
author and category live. `extract(doc, url, profile)` applies it in numbered steps and
falls back to structure and Vietnamese labels wherever a selector finds nothing:

1. Survey and clean: one pass over the elements (`Survey`) notes their order, indexes
   them for the profile's selectors, and finds what is hidden, chrome, breadcrumb, title-,
   category- or views-like. Then drop what is never visible (scripts, comments,
   `hidden`/`display:none` elements: NukeViet hides an edit-time "datePublished" that way)
   and page chrome (menus, share bars, comments, visit counters, the profile's `remove`),
   keeping the profile's title, body and metadata elements.
2. Body: the profile's selector, else the element that holds the most paragraph text once
   link text is discounted.
3. Title: the profile's selector, else the heading (or title-classed element) that best
   matches `<title>`/og:title and stands near the body, else `<title>` without its site name.
4. Read the article's zone (the title's and body's common container) as lines once, and
   cut it into regions: before the title, between title and body (metadata, lead, home
   image), the body, and after the body (metadata, bylines, related lists).
5. Split the lead and body lines into paragraphs, captions (figcaption, a caption class, or
   a short centred/italic/plain line right after an image, a table row under an image),
   the closing byline ("Tin và ảnh: X", "Theo X/domain", a bare name on the last line),
   chrome ("Quay về", "In bài viết"), metadata lines and related-article lists.
6. Metadata by the profile's selectors, else by labels ("Ngày đăng", "Lượt xem", "Đăng bởi",
   "Tác giả", "Chuyên mục") on lines of the zone near the title and body, never from the
   page header or a sidebar; a date line right by the title when nothing is labelled;
   `<meta>`/JSON-LD dates only when the page shows none and the profile trusts them.
7. Category: the profile, a "Chuyên mục" label, the breadcrumb's last item, a
   category-classed element or a short heading right above the title. Images from the
   article's lines; attachments from the body and the profile's download panel.
8. Refuse what is not an article (a listing: the text found is one entry of a repeated list
   of headline links, or holds such entries; a login or error page; an empty body) with a
   `ParseError` that says why (`definite=True`: no other parser need try).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from . import labels as L
from .article import Article, Attachment
from .bylines import (
    _SENTENCE_BREAK,
    _TERMINAL,
    author_from,
    byline,
    looks_like_name,
    looks_like_org,
    opening_byline,
)
from .dates import all_dates, date_spans, find_date
from .dom import (
    ATTACHMENT_EXT,
    INLINE_TAGS,
    INVISIBLE_TAGS,
    Block,
    absolute,
    ancestors,
    blocks,
    class_and_id,
    collapse,
    common_ancestor,
    image_src,
    inside,
    page_title,
    select,
    text_content,
    text_of,
)
from .dom import clear_caches as dom_caches_clear
from .errors import ParseError
from .labels import search_key
from .normalise import display
from .refusal import listing_reason, looks_like_listing, refuse
from .survey import (
    _TITLE_WORDS,
    Survey,
    _class_tokens,
    _classify,
    is_chrome,
    strip_invisible,
)

__all__ = ["Profile", "extract", "page_title", "meta_content", "looks_like_listing"]

_SEPARATORS = re.compile(r"\s+[-|–—:»]\s+|\s*\|\s*|\s+::\s+")
_WEEKDAY = re.compile(
    r"\b(?:thu\s*(?:hai|ba|tu|nam|sau|bay|[2-7])|chu\s*nhat|cn|t[2-7]|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|ngay|luc|gio|sa|ch|am|pm|gmt\s*\+?\s*7|\+07:?00|vao|gui boi|dang boi|boi)\b"
)
_CONTENT_ATTR = re.compile(
    r"content|article|detail|body|noi-?dung|noidung|chi-?tiet|chitiet|entry|post|news|main", re.I
)
_NEGATIVE_ATTR = re.compile(
    r"comment|sidebar|footer|related|other|menu|nav|widget|banner|advert|tin-?khac|lien-?quan|most|xem-?nhieu|hot|popular",
    re.I,
)
_NOT_BODY = frozenset(
    (
        "html",
        "p",
        "span",
        "font",
        "a",
        "em",
        "strong",
        "b",
        "i",
        "u",
        "tr",
        "tbody",
        "thead",
        "table",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "blockquote",
        "label",
        "small",
        "time",
    )
)
_CONTAINERS = frozenset(("div", "td", "article", "section", "main", "form", "center", "blockquote"))


_LONG_TEXT_XPATH = etree.XPath("//body//text()[string-length(normalize-space(.)) > 20]")


@dataclass(frozen=True)
class Profile:
    """Where one platform keeps each field; CSS selectors (or XPath starting with '/' or './'),
    tried in order. Empty tuples mean "use the structural fallback"."""

    name: str
    title: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    lead: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    views: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    poster: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    meta: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    # Where files attached to an article are listed outside its body (NukeViet's download
    # panel links through `?download=1`, without a file extension).
    attachments: tuple[str, ...] = ()
    # May <meta property="article:published_time"> / JSON-LD be used when the page shows no
    # date? NukeViet's are wrong (edit time, malformed), so its profile says no.
    trust_meta_date: bool = True
    # Pictures of the article kept outside its body and lead (WordPress's featured image
    # above the title): listed first among its images.
    lead_images: tuple[str, ...] = ()

    def with_overrides(
        self, overrides: dict[str, str | list[str] | tuple[str, ...]] | None
    ) -> Profile:
        """This profile with per-site selectors (config `selectors:`) tried first.

        >>> Profile("x", title=("h1",)).with_overrides({"title": "div.tieu-de"}).title
        ('div.tieu-de', 'h1')
        """
        if not overrides:
            return self
        changes = {}
        for key, value in overrides.items():
            sels = (value,) if isinstance(value, str) else tuple(value)
            changes[key] = sels + getattr(self, key)
        return replace(self, **changes)


# --- small helpers ------------------------------------------------------------------------


def clear_caches() -> None:
    """Forget the per-line memos (metadata-line tests, label splits, phrase keys). They are
    bounded; benchmarks clear them between passes so that a page is never timed warm."""
    _is_meta_line.cache_clear()
    _class_tokens.cache_clear()
    _classify.cache_clear()
    dom_caches_clear()
    L.label_values.cache_clear()
    L.phrase_key.cache_clear()


def meta_content(doc: HtmlElement, *names: str) -> str | None:
    """The content of the first `<meta name|property|itemprop=…>` among names."""
    wanted = {n.lower(): i for i, n in enumerate(names)}
    best: tuple[int, str] | None = None
    for el in doc.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        i = wanted.get(key)
        if i is not None and (best is None or i < best[0]):
            value = collapse(el.get("content") or "")
            if value:
                best = (i, value)
    return best[1] if best else None


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", search_key(text))


def _select(
    root: HtmlElement, sel: str, source: str | None, survey: Survey | None
) -> list[HtmlElement]:
    if survey is not None:
        found = survey.select(sel)
        if found is not None:
            return found
        return [el for el in select(root, sel, source) if survey.present(el)]
    return select(root, sel, source)


def _select_all(
    root: HtmlElement,
    selectors: Iterable[str],
    source: str | None = None,
    memo: dict[tuple[int, str], list[HtmlElement]] | None = None,
    survey: Survey | None = None,
) -> list[HtmlElement]:
    """What the selectors match, in their order (from the survey's index when the whole
    page is searched and the selector is simple)."""
    out: list[HtmlElement] = []
    for sel in selectors:
        if memo is None:
            out += _select(root, sel, source, survey)
            continue
        key = (id(root), sel)
        if key not in memo:
            memo[key] = _select(root, sel, source, survey)
        out += memo[key]
    return out


def _has_text(el: HtmlElement) -> bool:
    """Whether any text stands below an element (stops at the first)."""
    return any(t.strip() for t in el.itertext())


def _first_with_text(
    root: HtmlElement,
    selectors: Iterable[str],
    source: str | None = None,
    survey: Survey | None = None,
) -> HtmlElement | None:
    for sel in selectors:
        for el in _select(root, sel, source, survey):
            if el.tag == "img" or _has_text(el) or el.get("content") or el.get("datetime"):
                return el
    return None


# --- step 1: clean ------------------------------------------------------------------------


def _remove_chrome(
    doc: HtmlElement,
    profile: Profile,
    keep: set[HtmlElement],
    survey: Survey,
    source: str | None = None,
) -> None:
    for el in _select_all(doc, profile.remove, source, survey=survey):
        if el not in keep and el.getparent() is not None and survey.present(el):
            survey.drop(el)
    # in document order, so a breadcrumb inside a dropped <nav> goes with it, whole
    for el in survey.chrome:
        if el not in keep and survey.present(el) and is_chrome(el):
            survey.drop(el)


# --- step 2: body -------------------------------------------------------------------------


def _score_body(doc: HtmlElement) -> HtmlElement | None:
    scores: dict[HtmlElement, float] = {}
    for t in _LONG_TEXT_XPATH(doc):
        holder = t.getparent()
        if holder is None:
            continue
        if t.is_tail:
            holder = holder.getparent()
            if holder is None:
                continue
        in_link = False
        while holder is not None and holder.tag in INLINE_TAGS:
            if holder.tag == "a":
                in_link = True
            holder = holder.getparent()
        if holder is None or holder.tag in (
            "h1",
            "h2",
            "h3",
            "h4",
            "title",
            "option",
            "li",
            "dt",
            "label",
        ):
            continue
        n = len(t.strip())
        weight = (0.15 if in_link else 1.0) * n + 12 * t.count(".") + 4 * t.count(",")
        if holder.tag in _CONTAINERS:
            scores[holder] = scores.get(holder, 0.0) + weight
        parent = holder.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + weight
            grand = parent.getparent()
            if grand is not None:
                scores[grand] = scores.get(grand, 0.0) + weight / 2
    best: tuple[float, HtmlElement] | None = None
    ranked = sorted(
        ((s, e) for e, s in scores.items() if e.tag not in _NOT_BODY), key=lambda x: -x[0]
    )[:8]
    for s, e in ranked:
        text_len = len(text_content(e)) or 1
        link_len = sum(len(text_content(a)) for a in e.iter("a"))
        s *= 1 - min(0.9, link_len / text_len)
        attrs = class_and_id(e)
        if _NEGATIVE_ATTR.search(attrs) and not _CONTENT_ATTR.search(attrs):
            s *= 0.3
        elif _CONTENT_ATTR.search(attrs):
            s *= 1.15
        if best is None or s > best[0]:
            best = (s, e)
    return best[1] if best else None


_BODY_ATTR = re.compile(
    r"news-?body|bodytext|body-?html|articlebody|content-?detail|detail-?content|noi-?dung|entry-content|"
    r"post-content|news-content|article-content|rtestate-field|journal-content-article",
    re.I,
)


_FOLLOWING = etree.XPath("following::*[position() <= 60]")


def _empty_body_between(
    doc: HtmlElement, title_el: HtmlElement, body_el: HtmlElement, order: Survey
) -> HtmlElement | None:
    """An article-body container right after the title that holds nothing, when the text
    found lies elsewhere (a sidebar): the article itself is empty."""
    tpos, bpos = order.get(title_el, 0), order.get(body_el, 0)
    if bpos <= tpos:
        return None
    for el in _FOLLOWING(title_el):
        if order.get(el, bpos) >= bpos:
            break
        if (
            (_BODY_ATTR.search(class_and_id(el)) or el.get("itemprop") == "articleBody")
            and not (text_content(el) or "").strip()
            and el.find(".//img") is None
            and not inside(body_el, el)
        ):
            return el
    return None


# --- step 3: title ------------------------------------------------------------------------


def _similarity(cand: str, ref_words: set[str], main_words: list[str]) -> float:
    words = _words(cand)
    if not words:
        return 0.0
    precision = sum(w in ref_words for w in words) / len(words)
    coverage = sum(w in set(words) for w in main_words) / len(main_words) if main_words else 0.0
    return 0.6 * precision + 0.4 * coverage


def _title_main(ref: str) -> str:
    """The part of `<title>` most likely to be the article's: the longest segment."""
    parts = [p for p in _SEPARATORS.split(ref) if p.strip()]
    return max(parts, key=len).strip() if parts else ref


def _find_title(
    doc: HtmlElement,
    ref: str,
    body_el: HtmlElement | None,
    order: Survey,
    source: str | None = None,
    metas: dict[str, str] | None = None,
) -> tuple[str | None, HtmlElement | None]:
    ref_words = set(_words(ref))
    main_words = _words(_title_main(ref)) if ref else []
    body_pos = order.get(body_el, 0) if body_el is not None else 0
    body_end = body_pos + sum(1 for _ in body_el.iter()) if body_el is not None else 0
    candidates: list[tuple[float, int, HtmlElement]] = []
    seen: set[HtmlElement] = set()
    h1s = doc.xpath("//h1")
    for el in (t for t in order.titles if order.present(t)):
        if el in seen or el.tag in ("html", "body", "head", "title", "meta", "a", "img"):
            continue
        seen.add(el)
        raw = text_content(el) or ""
        if len(raw) > 600:
            continue
        t = collapse(raw)
        if len(t) < 6 or len(t) > 400 or len(t.split()) < 2:
            continue
        tag = el.tag
        attrs = class_and_id(el)
        score = _similarity(t, ref_words, main_words) if ref else 0.0
        if tag == "h1":
            score += 0.6 if len(h1s) == 1 else 0.4
        elif tag == "h2":
            score += 0.3
        elif tag == "h3":
            score += 0.2
        if el.get("itemprop") == "headline":
            score += 1.0
        if _TITLE_WORDS.search(attrs) and not re.search(
            r"site|logo|box|block|module|widget|cate|menu", attrs, re.I
        ):
            score += 0.3
        pos = order.get(el, 0)
        if body_el is not None:
            if body_pos - 40 <= pos <= body_pos or (
                body_pos <= pos <= body_end and pos - body_pos < 25
            ):
                score += 0.5
            elif pos > body_end:
                score -= 0.5
        for a in ancestors(el)[:12]:
            if a.tag in ("header", "nav", "footer") or re.search(
                r"logo|header|banner|menu|sidebar|footer|widget|slide", class_and_id(a), re.I
            ):
                if body_el is None or not inside(body_el, a):
                    score -= 1.0
                    break
        if el.find(".//h1") is not None or el.find(".//h2") is not None and tag not in ("h1", "h2"):
            score -= 0.3
        if len(t.split()) <= 3:
            score -= 0.3
        candidates.append((score, -pos, el))
    if candidates:
        score, _, el = max(candidates, key=lambda c: (c[0], c[1]))
        if score >= 0.6:
            # the heading itself, not a wrapper whose text is the same
            return collapse(text_content(el)), el
    if ref:
        stripped = _strip_site_name(ref, doc, metas or {})
        return stripped, _element_saying(doc, collapse(stripped))
    return None, None


def _strip_site_name(ref: str, doc: HtmlElement, metas: dict[str, str]) -> str:
    """'Tiêu đề bài - Sở Lao động tỉnh Kon Tum' → 'Tiêu đề bài', and 'Sở Tư pháp - Tiêu đề' →
    'Tiêu đề': cut the end segments that name the site (og:site_name, or an organisation's
    name where the rest is not one)."""
    parts = re.split(r"(\s+[-|–—»]\s+|\s*\|\s*|\s+::\s+)", ref)
    if len(parts) < 3:
        return ref
    site = search_key(metas.get("og:site_name") or "")

    def is_site(text: str, others: list[str]) -> bool:
        k = search_key(text.strip())
        if not k:
            return True
        if site and (k in site or site in k):
            return True
        return looks_like_org(text) and not any(looks_like_org(o) for o in others if o.strip())

    while len(parts) >= 3 and is_site(parts[-1], parts[:-2:2]):
        parts = parts[:-2]
    while len(parts) >= 3 and is_site(parts[0], parts[2::2]):
        parts = parts[2:]
    return "".join(parts).strip()


def _element_saying(doc: HtmlElement, text: str) -> HtmlElement | None:
    """The innermost block whose whole text is `text` (the title `<title>` repeats)."""
    if len(text.split()) < 4 or '"' in text and "'" in text:
        return None
    quote = "'" if "'" not in text else '"'
    for el in doc.xpath(f"//body//*[normalize-space(.)={quote}{text}{quote}]")[::-1]:
        if el.tag not in INLINE_TAGS:
            return el
        parent = el.getparent()
        if parent is not None and collapse(text_content(parent)) == text:
            return parent
        return el
    return None


# --- step 5: split the article's lines ----------------------------------------------------


@dataclass
class _Split:
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    author: str | None = None
    author_rank: int = 9
    poster: str | None = None
    images: list[str] = field(default_factory=list)
    meta_lines: list[str] = field(default_factory=list)


# "544", "1.234 lượt xem", "90 views": a view count and nothing else
_VIEW_VALUE = re.compile(rf"^\d[\d.,\s]*(?:\s*(?:{L.words_rx(L.VIEW_COUNT_UNITS)})\b.*)?$", re.I)


def _meta_value_ok(hit: L.LabelHit) -> bool:
    value = hit.value
    if hit.kind == "date":
        if not value or find_date(value) is None:
            return False
        return len(_date_remainder(value)) <= 24
    if hit.kind == "views":
        return bool(_VIEW_VALUE.match(value)) and len(value) < 30
    if hit.kind in ("poster", "author"):
        return (
            0 < len(value) <= 80
            and len(value.split()) <= 12
            and not _SENTENCE_BREAK.search(value)
            and bool(author_from(value))
        )
    if hit.kind == "source":
        return 0 < len(value) <= 120
    if hit.kind == "category":
        return 0 < len(value) <= 100
    return False


_CHROME_WORDS = re.compile(
    r"\b(?:"
    + "|".join(
        sorted(
            (re.escape(L.phrase_key(c)) for c in L.CHROME_LINES if len(c) > 3),
            key=len,
            reverse=True,
        )
    )
    + r")\b"
)


def _date_remainder(text: str) -> str:
    """What a line says besides its date, time, weekday and reading tools."""
    key = search_key(text)
    for s, e in sorted(date_spans(text), reverse=True):
        key = key[:s] + " " + key[e:]
    key = _WEEKDAY.sub(" ", key)
    key = _CHROME_WORDS.sub(" ", L.phrase_key(key))
    return re.sub(r"[\W_]+", "", key)


@lru_cache(maxsize=8192)
def _is_meta_line(text: str) -> bool:
    """A line of labelled metadata ("Ngày đăng: 16/09/2023 | Lượt xem: 544"), not a sentence
    that starts with a label-like word ("Ngày 15/8, UBND huyện …")."""
    if len(text) > 220 or (
        len(text) > 60 and ":" not in text and "：" not in text and not _DIGIT.search(text)
    ):
        return False  # a label without a colon or a number stands in a short line only
    hits = L.label_values(text)
    if not hits:
        return False
    first = search_key(text).find(search_key(hits[0].label))
    if first > 4 and len(re.sub(r"[\W\d_]+", "", text[:first])) > 3:
        return False
    return all(_meta_value_ok(h) for h in hits)


def _is_date_line(block: Block) -> bool:
    """A short line that is a date and little else ("Thứ ba - 27/06/2023 10:14")."""
    t = block.text
    if len(t) > 90 or L.is_counter(t):
        return False
    return find_date(t) is not None and len(_date_remainder(t)) <= 16


def _is_caption_after_image(block: Block) -> bool:
    text = block.text
    if block.caption:
        return True
    if (
        len(text) > 300
        or block.heading
        or L.starts_with_label(text, L.BYLINE_LABELS + L.SOURCE_LABELS)
    ):
        return False
    if block.align == "center" or block.italic:
        return True
    # a plain line: short, one phrase ("Toàn cảnh hội nghị"), not a paragraph that happens to
    # follow a picture
    return (
        len(text) <= 100 or (len(text) <= 150 and not _TERMINAL.search(text))
    ) and not _SENTENCE_BREAK.search(text)


_DIGIT = re.compile(r"\d")
_ATTACHMENT_KEYS = tuple(L.phrase_key(lbl) for lbl in L.ATTACHMENT_LABELS)
_CHROME_PREFIX = re.compile(rf"^(?:{L.words_rx(L.TAG_LABELS)})\s*:", re.I)
_ATTACHMENT_PREFIX = re.compile(rf"^\s*(?:{L.words_rx(L.ATTACHMENT_LINK_PREFIXES)})\s*:\s*", re.I)


def _starts_attachment(text: str, block: Block) -> bool:
    """'Tài liệu đính kèm KH 12.pdf': an attachment list's heading and its links."""
    return block.link_chars >= 0.3 * len(text) and L.phrase_key(text[:40]).startswith(
        _ATTACHMENT_KEYS
    )


def _is_related_item(block: Block) -> bool:
    t = block.text
    return block.link_chars >= 0.5 * len(t) and (
        bool(all_dates(t)) or block.link_chars >= 0.85 * len(t)
    )


def _split(
    lines: list[Block], title: str | None, caption_els: set[HtmlElement], body_el: HtmlElement
) -> _Split:
    out = _Split()
    title_key = search_key(title or "")
    texts: list[Block] = []
    after_image = False
    caption_el: HtmlElement | None = None
    in_related = False
    for b in lines:
        if b.is_image:
            if in_related:
                continue
            if b.image and b.image not in out.images:
                out.images.append(b.image)
            after_image = True
            caption_el = None
            continue
        t = b.text
        if not t:
            continue
        if in_related:
            if _is_related_item(b) or len(t) < 40 or L.matches_any(t, L.RELATED_HEADINGS):
                continue
            in_related = False
        if L.matches_any(t, L.RELATED_HEADINGS) or (
            len(t) < 60 and L.matches_any(t.rstrip(":"), L.RELATED_HEADINGS)
        ):
            in_related = True
            after_image = False
            continue
        el = b.element
        if (
            el is not None
            and el is caption_el
            and el is not body_el
            and out.captions
            and len(t) < 300
        ):
            out.captions[-1] = f"{out.captions[-1]} {t}"  # a caption broken by <br>
            continue
        if (el is not None and el in caption_els) or (b.caption and len(t) < 400):
            if caption_el is not None and el is caption_el and out.captions:
                out.captions[-1] = f"{out.captions[-1]} {t}"
            else:
                out.captions.append(t)
            caption_el = el
            after_image = False
            continue
        if (
            L.matches_any(t, L.CHROME_LINES)
            or _CHROME_PREFIX.match(t)
            or (L.matches_any(t, L.ATTACHMENT_LABELS) or _starts_attachment(t, b))
        ):
            after_image = False
            continue
        if _is_meta_line(t) or (len(texts) == 0 and _is_date_line(b)):
            # "Tác giả: X" after the text is the closing byline, not a metadata line
            if not (texts and {h.kind for h in L.label_values(t)} <= {"author", "source"}):
                out.meta_lines.append(t)
                continue
        if L.is_counter_line(t):
            continue
        if after_image and _is_caption_after_image(b):
            out.captions.append(t)
            caption_el = el
            after_image = False
            continue
        after_image = False
        caption_el = None
        if title_key and len(t) == len(title_key) and search_key(t) == title_key:
            continue
        if _is_related_item(b) and len(t) < 200:
            continue
        texts.append(b)
    # an author block opening the text: "Trần Quốc Khánh," then "Ban Tuyên giáo Tỉnh ủy"
    if len(texts) > 3:
        first, second = texts[0].text, texts[1].text
        if (
            first.endswith(",")
            and looks_like_name(first.rstrip(", "))
            and len(second) <= 80
            and looks_like_org(second)
        ):
            out.author, out.author_rank = first.rstrip(", "), 1
            texts = texts[2:]
    # a byline opening the text: "Bài, ảnh: Minh Thư" or "PV" above the first paragraph
    if len(texts) > 1 and out.author is None and (name := opening_byline(texts[0])):
        out.author, out.author_rank = name, 1
        texts = texts[1:]
    # a caption repeated as the next paragraph (pasted twice) is not body text
    if out.captions:
        caption_keys = {search_key(c) for c in out.captions}
        lengths = {len(c) for c in out.captions}
        texts = [
            b for b in texts if len(b.text) not in lengths or search_key(b.text) not in caption_keys
        ]
    # the closing byline: scan up from the end past source and account lines
    i = len(texts) - 1
    found: list[tuple[int, str | None]] = []
    while i >= 1 and i >= len(texts) - 4:
        b = texts[i]
        got = byline(b, is_last=(i == len(texts) - 1))
        if got is None:
            break
        rank, author = got
        if rank == 8:
            out.poster = out.poster or b.text.strip("()[] .")
        found.append((rank, author))
        texts.pop(i)
        i -= 1
    named = [(r, a) for r, a in found if a]
    if named and (out.author is None or min(named)[0] < out.author_rank):
        out.author_rank, out.author = min(named, key=lambda x: x[0])
    out.paragraphs = [b.text for b in texts]
    return out


# --- step 6: metadata ---------------------------------------------------------------------


def _labelled(lines: Iterable[str]) -> dict[str, L.LabelHit]:
    """The best value per label kind over the lines: the first one, except that a
    publication date beats a written-on date, which beats a last-updated date. A label alone
    on its line takes the next line as its value (`<td>Ngày đăng:</td><td>5/6/2023</td>`)."""
    found: dict[str, L.LabelHit] = {}
    lines = list(lines)
    for i, line in enumerate(lines):
        hits = L.label_values(line)
        if (
            len(hits) == 1
            and not hits[0].value
            and i + 1 < len(lines)
            and not L.label_values(lines[i + 1])
        ):
            h = hits[0]
            hits = (L.LabelHit(h.kind, h.label, lines[i + 1].strip(" :"), h.rank),)
        for hit in hits:
            if not hit.value or not _meta_value_ok(hit):
                continue
            have = found.get(hit.kind)
            if have is None or (hit.kind == "date" and hit.rank < have.rank):
                found[hit.kind] = hit
    return found


_LD_JSON = etree.XPath("//script[@type='application/ld+json']/text()")


def _metas(doc: HtmlElement) -> dict[str, str]:
    """`<meta name|property|itemprop=… content=…>` by lower-case name, first one kept."""
    out: dict[str, str] = {}
    for el in doc.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        if key and key not in out and (value := collapse(el.get("content") or "")):
            out[key] = value
    return out


def _structured_date(metas: dict[str, str], ld_json: list[str]) -> date | datetime | None:
    """The date `<meta>` tags or JSON-LD give, for pages that show none."""
    for name in (
        "article:published_time",
        "datepublished",
        "pubdate",
        "publishdate",
        "dc.date.issued",
        "date",
    ):
        v = metas.get(name)
        if v and (d := find_date(v)):
            return d
    for text in ld_json:
        try:
            data = json.loads(text or "")
        except ValueError:
            continue
        items = (
            data
            if isinstance(data, list)
            else data.get("@graph", [data])
            if isinstance(data, dict)
            else []
        )
        for item in items:
            if (
                isinstance(item, dict)
                and isinstance(item.get("datePublished"), str)
                and (d := find_date(item["datePublished"]))
            ):
                return d
    return None


def _date_of(el: HtmlElement) -> date | datetime | None:
    text = text_of(el)
    d = find_date(text) if text else None
    if d is None:
        d = find_date(el.get("datetime") or el.get("content") or el.get("title") or "")
    return d


def _views_of(text: str) -> int | None:
    v = L.find_views(text)
    if v is not None:
        return v
    t = text.strip(" :()[]")
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+|\d{1,9}", t):
        return L.parse_count(t)
    return None


def _crumb_value(el: HtmlElement, title: str) -> str | None:
    items = (
        [text_of(a) for a in el.iter("a", "li", "span") if a is not el]
        if len(el)
        else [text_of(el)]
    )
    if not items:
        items = [text_of(el)]
    title_key = search_key(title)
    good: list[str] = []
    for t in items:
        t = t.strip(" »>/›|-")
        k = search_key(t).rstrip(".… ")
        if not t or len(t) > 80 or k in ("trang chu", "home", "trang nhat", "") or t in good:
            continue
        if k == title_key or (len(k) > 15 and title_key.startswith(k.rstrip("."))):
            continue
        if good and search_key(good[-1]) == k:
            continue
        good.append(t)
    return good[-1] if good else None


def _category(
    doc: HtmlElement,
    category_els: list[HtmlElement],
    crumb_els: list[HtmlElement],
    title_el: HtmlElement | None,
    title: str,
    found: dict[str, L.LabelHit],
    order: Survey,
    source: str | None = None,
    before: list[Block] | None = None,
) -> str | None:
    for el in category_els:
        if value := _crumb_value(el, title):
            return value.strip(" :")
    if "category" in found:
        return found["category"].value.strip(" .")
    for crumb in crumb_els:
        if value := _crumb_value(crumb, title):
            return value
    if title_el is not None:
        # the nearest category-classed element before the title (within the article's column)
        tpos = order.get(title_el, 0)
        best: tuple[int, str] | None = None
        for c in (c for c in order.categories if order.present(c)):
            pos = order.get(c)
            if pos < 0 or pos >= tpos or c.find(".//ul") is not None:
                continue
            t = text_of(c)
            if (
                t
                and len(t) < 80
                and search_key(t) != search_key(title)
                and (best is None or pos > best[0])
            ):
                best = (pos, t)
        if best:
            return best[1]
    if before:
        return _section_heading(before, title)
    return _heading_above(title_el, title) if title_el is not None else None


def _heading_above(title_el: HtmlElement, title: str) -> str | None:
    """When the title opens its zone, the section heading may stand just outside it (the
    Kon Tum portal's `<h2>TRỢ GIÚP XÃ HỘI VÀ GIẢM NGHÈO</h2>` above the article's box): the
    nearest visible element before the title or one of its first three containers."""
    el: HtmlElement | None = title_el
    for _ in range(4):
        if el is None:
            return None
        sib = el.getprevious()
        while sib is not None:
            if isinstance(sib.tag, str) and sib.tag not in ("script", "style", "noscript"):
                lines = [b for b in blocks(sib) if b.text]
                if lines:  # the first real line above the title decides
                    return _section_heading(lines[-1:], title)
            sib = sib.getprevious()
        el = el.getparent()
    return None


def _section_heading(before: list[Block], title: str) -> str | None:
    """A short heading standing right above the title: the section the page is filed under
    ("VĂN HÓA", a linked "Tin hoạt động"), when nothing names it otherwise."""
    title_key = search_key(title)
    for b in reversed(before[-3:]):
        t = b.text
        if b.is_image or not t:
            continue
        if (
            _is_date_line(b)
            or L.is_counter(t)
            or L.matches_any(t, L.CHROME_LINES)
            or _is_meta_line(t)
        ):
            continue
        words = t.split()
        headingish = b.heading or b.bold or t.isupper() or b.link_chars >= len(t) - 2
        # a section name is short; an all-caps or <hN> one may run longer ("TRỢ GIÚP XÃ HỘI
        # VÀ GIẢM NGHÈO", seven words)
        if (
            headingish
            and (1 <= len(words) <= 6 and len(t) <= 50 or (b.heading or t.isupper()) and len(words) <= 10 and len(t) <= 70)
            and not _TERMINAL.search(t)
            and not re.search(r"\d{3,}", t)
            and search_key(t) != title_key
            and not looks_like_org(t)
        ):
            return t.strip(" :»>")
        return None  # the first real line above the title decides
    return None


# --- step 8: what is not an article -------------------------------------------------------


_PARA_MARK = "\ue000"  # a private-use character: display() leaves it, no page text holds it


def _display_paragraphs(paragraphs: list[str]) -> str:
    """The paragraphs in display form, separated by a blank line (one display() call)."""
    if any(_PARA_MARK in p for p in paragraphs):
        return "\n\n".join(display(p) for p in paragraphs)
    joined = display(_PARA_MARK.join(paragraphs))
    parts = [p.strip() for p in joined.split(_PARA_MARK)]
    if len(parts) != len(paragraphs):
        return "\n\n".join(display(p) for p in paragraphs)
    return "\n\n".join(parts)


# --- the cascade --------------------------------------------------------------------------


@dataclass
class _Regions:
    before: list[Block]  # zone lines before the title (category heading, a date above it)
    between: list[Block]  # after the title, before the body (date, author, lead, home image)
    body: list[Block]
    after: list[Block]  # after the body (metadata line, bylines, related lists)


def _regions(lines: list[Block], spans: dict[str, tuple[int, int]], excluded: set[int]) -> _Regions:
    """The zone's lines cut around the title and the body. Lines of the platform's metadata
    elements (`excluded`) are left out of the body only: around it they are what is read."""
    bs, be = spans.get("body", (0, len(lines)))
    ts, te = spans.get("title", (bs, bs))
    keep = [i not in excluded for i in range(len(lines))]
    if bs <= ts < be:
        # the title inside the body container: the body starts after it
        body = [lines[i] for i in range(te, be) if keep[i]]
        before = lines[max(0, bs - 12) : ts]
        between: list[Block] = []
    else:
        body = [lines[i] for i in range(bs, be) if keep[i]]
        before = lines[max(0, ts - 8) : ts] if ts <= bs else []
        between = lines[te:bs] if te <= bs else []
    after = lines[be : min(len(lines), be + 40)]
    return _Regions(before, between, body, after)


def _tail_meta(after: list[Block]) -> list[Block]:
    """The lines right after a body that may carry its metadata: up to a related-list heading
    or a run of links."""
    out: list[Block] = []
    links_in_a_row = 0
    for b in after:
        t = b.text
        if b.is_image:
            continue
        if L.matches_any(t, L.RELATED_HEADINGS) or (
            len(t) < 60 and L.matches_any(t.rstrip(":"), L.RELATED_HEADINGS)
        ):
            break
        if _is_related_item(b):
            links_in_a_row += 1
            # a dated link, or a second link in a row: a list of other articles begins
            if out and (all_dates(t) or links_in_a_row >= 2):
                break
        else:
            links_in_a_row = 0
        out.append(b)
        if len(out) >= 14:
            break
    return out


def extract(doc: HtmlElement, url: str, profile: Profile, source: str | None = None) -> Article:
    """Read one article from a parsed page with a platform profile (see the module doc).

    `source`, the page's text, lets selectors that cannot match be skipped (speed only).
    """
    canonical = None
    for link in doc.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            canonical = absolute(url, link.get("href"))
            break
    metas = _metas(doc)
    tag_title = page_title(doc)
    ref_title = metas.get("og:title") or metas.get("twitter:title") or tag_title or ""
    if tag_title and len(ref_title) < 8:
        ref_title = tag_title
    ld_json = [str(t) for t in _LD_JSON(doc)] if profile.trust_meta_date else []

    # 1. clean (the profile's category element first: NukeViet keeps its breadcrumb in a hidden
    # list that script copies into view)
    etree.strip_elements(doc, *INVISIBLE_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    survey = Survey(doc)
    category_els = _select_all(doc, profile.category, source, survey=survey)
    attachment_links = [
        a
        for el in _select_all(doc, profile.attachments, source, survey=survey)
        for a in el.iter("a")
    ]
    crumb_els = list(survey.crumbs)  # read before chrome removal takes them
    strip_invisible(doc, survey)
    title_el = _first_with_text(doc, profile.title, source, survey)
    body_el = _first_with_text(doc, profile.body, source, survey)
    if (
        body_el is None
        and profile.body
        and (matched_body := _select_all(doc, profile.body, source, survey=survey))
    ):
        # the platform's body element is there but holds nothing
        if matched_body[0].find(".//img") is None:
            raise ParseError(url, "the article body is empty", definite=True)
    lead_el = _first_with_text(doc, profile.lead, source, survey)
    keep: set[HtmlElement] = set()
    for el in (title_el, body_el, lead_el):
        if el is not None:
            keep.add(el)
            keep.update(ancestors(el))
    meta_sels = (*profile.meta, *profile.date, *profile.views, *profile.author, *profile.poster)
    memo: dict[tuple[int, str], list[HtmlElement]] = {}
    for el in _select_all(doc, meta_sels, source, memo, survey):
        keep.add(el)
        keep.update(ancestors(el))
    _remove_chrome(doc, profile, keep, survey, source)

    # 2. body
    profile_body = body_el is not None
    if body_el is None:
        body_el = _score_body(doc)
    if body_el is None:
        refuse(url, doc, page_title(doc), [])
        raise ParseError(url, "no article body found")

    # 3. title
    order = survey
    if title_el is not None:
        title: str | None = collapse(text_content(title_el))
    else:
        title, title_el = _find_title(doc, ref_title, body_el, order, source, metas)
    if (
        title_el is not None
        and not profile_body
        and (empty := _empty_body_between(doc, title_el, body_el, order)) is not None
    ):
        raise ParseError(
            url,
            f"the article body is empty ({empty.tag}.{empty.get('class') or empty.get('id')} holds nothing)",
            definite=True,
        )

    # 4. the zone, read once
    parent = body_el.getparent()
    zone = (
        common_ancestor(title_el, body_el)
        if title_el is not None
        else (parent if parent is not None else body_el)
    )
    if zone.tag in ("html", "body") or zone is doc:
        zone = doc.find("body") if doc.find("body") is not None else doc
    marks: dict[HtmlElement, str] = {body_el: "body"}
    if title_el is not None:
        marks[title_el] = "title"
    if lead_el is not None and inside(lead_el, zone):
        marks[lead_el] = "lead"
    meta_els: dict[str, list[HtmlElement]] = {}
    for kind, sels in (
        ("date", profile.date),
        ("views", profile.views),
        ("author", profile.author),
        ("poster", profile.poster),
        ("meta", profile.meta),
    ):
        els = [
            e
            for e in _select_all(doc, sels, source, memo, survey)
            if e is not body_el and not inside(body_el, e)
        ]
        meta_els[kind] = els
        for i, e in enumerate(els):
            if inside(e, zone) and e not in marks:
                marks[e] = f"{kind}:{i}"
    spans: dict[str, tuple[int, int]] = {}
    lines = blocks(zone, url, marks=marks, spans=spans)
    excluded: set[int] = set()
    for name, (s, e) in spans.items():
        if name not in ("body", "title", "lead"):
            excluded.update(range(s, e))
    regions = _regions(lines, spans, excluded)
    lead_lines: list[Block] = []
    if "lead" in spans:
        ls, le = spans["lead"]
        bs, be = spans.get("body", (0, 0))
        if not (bs <= ls < be):
            lead_lines = lines[ls:le]
            lead_ids = {id(b) for b in lead_lines}
            regions.between = [b for b in regions.between if id(b) not in lead_ids]
            regions.after = [b for b in regions.after if id(b) not in lead_ids]
            regions.before = [b for b in regions.before if id(b) not in lead_ids]

    # 5. split: the lines between title and body (lead, home image) and the body
    caption_els = set(_select_all(body_el, profile.captions, source)) if profile.captions else set()
    head = _split(regions.between, title, caption_els, body_el)
    lead = _split(lead_lines, title, caption_els, body_el) if lead_lines else _Split()
    split = _split(regions.body, title, caption_els, body_el)
    tail = _tail_meta(regions.after)
    # a byline just after the body container ("Tác giả: X" below it, a right-aligned name)
    tail_texts = [
        b
        for b in tail
        if b.text and not _is_meta_line(b.text) and not L.matches_any(b.text, L.CHROME_LINES)
    ]
    if split.author is None and tail_texts:
        for j, b in enumerate(tail_texts[:3]):
            got = byline(b, is_last=False)
            if got is None and j == 0 and b.align == "right" and looks_like_name(b.text):
                got = (3, b.text.strip(" ."))
            if got and got[1]:
                split.author, split.author_rank = got[1], got[0]
                break
    # the lead: the profile's lead element, or long sentences between the title and the body
    meta_texts = {lines[i].text for i in excluded}
    lead_paras = lead.paragraphs + [
        p for p in head.paragraphs if len(p) >= 60 and not _is_meta_line(p) and p not in meta_texts
    ]
    body_keys = {search_key(p) for p in split.paragraphs[:3]} if lead_paras else set()
    paragraphs = [p for p in lead_paras if search_key(p) not in body_keys] + split.paragraphs
    captions = lead.captions + head.captions + split.captions
    images = [*lead.images, *(i for i in head.images if i not in lead.images)]
    images += [i for i in split.images if i not in images]
    if profile.lead_images:
        featured = [
            u
            for el in _select_all(zone, profile.lead_images, source)
            if (src := image_src(el)) and (u := absolute(url, src)) and u not in images
        ]
        images = list(dict.fromkeys(featured)) + images

    if reason := listing_reason(doc, body_el, paragraphs):
        raise ParseError(url, reason, definite=True)
    try:
        refuse(url, doc, title, paragraphs)
    except ParseError as exc:
        if not exc.definite and (
            reason := listing_reason(doc, body_el, paragraphs, body_failed=True)
        ):
            raise ParseError(url, reason, definite=True) from None
        raise
    assert title is not None

    # 6. metadata near the title and the body
    meta_lines: list[str] = []
    for kind in ("meta", "date", "views", "author", "poster"):
        meta_lines += [text_of(e) for e in meta_els[kind] if kind == "meta"]
    meta_lines += [b.text for b in regions.between if not b.is_image and len(b.text) < 300]
    meta_lines += head.meta_lines + lead.meta_lines + split.meta_lines
    meta_lines += [b.text for b in tail if not b.is_image and len(b.text) < 300]
    meta_lines += [
        b.text
        for b in regions.before[-4:]
        if not b.is_image and len(b.text) < 200 and not L.is_counter(b.text)
    ]
    found = _labelled(t for t in meta_lines if _is_meta_line(t) or len(t) < 200)

    published: date | datetime | None = None
    for el in meta_els["date"]:
        if (published := _date_of(el)) is not None:
            break
    if published is None and "date" in found:
        published = find_date(found["date"].value)
    if published is None:
        for b in [*regions.between, *regions.body[:2], *regions.before[-3:][::-1], *tail[:6]]:
            if not b.is_image and _is_date_line(b):
                published = find_date(b.text)
                break
    if published is None:
        for el in zone.iter("time"):
            if (published := _date_of(el)) is not None:
                break
    if published is None and profile.trust_meta_date:
        published = _structured_date(metas, ld_json)

    views: int | None = None
    for el in meta_els["views"]:
        if (views := _views_of(text_of(el))) is not None:
            break
    if views is None and "views" in found:
        views = L.parse_count(found["views"].value.split()[0])
    if views is None:
        for line in meta_lines:
            if not L.is_counter(line) and (v := L.find_views(line)) is not None:
                views = v
                break
    if views is None:
        for el in (v for v in survey.views if survey.present(v) and inside(v, zone)):
            if inside(el, body_el) and el is not body_el:
                continue
            if re.search(r"review|overview|preview|viewport", class_and_id(el), re.I):
                continue
            t = text_of(el)
            if t and len(t) < 40 and not L.is_counter(t) and (v := _views_of(t)) is not None:
                views = v
                break

    poster = None
    for el in meta_els["poster"]:
        t = text_of(el)
        hit = L.starts_with_label(t, L.POSTER_LABELS)
        if poster := author_from(hit[1] if hit else t):
            break
    poster = (
        poster
        or (author_from(found["poster"].value) if "poster" in found else None)
        or split.poster
    )

    # the writer a body's closing byline names, else the platform's author field, else a label
    author = split.author
    for el in meta_els["author"] if author is None else ():
        t = text_of(el)
        if not t:
            continue
        hit = L.starts_with_label(t, L.AUTHOR_LABELS + L.BYLINE_LABELS)
        if hit is None and L.label_values(t) and L.label_values(t)[0].kind not in ("author",):
            continue  # "Nguồn tin: …" in the author's place
        if author := author_from(hit[1] if hit else t):
            break
    if author is None and "author" in found:
        author = author_from(found["author"].value)

    # 7. category, attachments
    category = _category(
        doc, category_els, crumb_els, title_el, title, found, order, source, regions.before
    )
    attachments: list[Attachment] = []
    seen: set[str] = set()
    for a in [*body_el.iter("a"), *attachment_links]:
        href = absolute(url, a.get("href"))
        if not href or href in seen:
            continue
        if ATTACHMENT_EXT.search(urlsplit(href).path + "?" + urlsplit(href).query) or (
            a in attachment_links and a.get("download") is not None
        ):
            seen.add(href)
            name = _ATTACHMENT_PREFIX.sub("", text_of(a))
            attachments.append(Attachment(href, display(name) or None))

    return Article(
        url=url,
        platform=profile.name,
        title=display(title),
        body=_display_paragraphs(paragraphs),
        captions=tuple(display(c) for c in captions),
        author=display(author) if author else None,
        poster=display(poster) if poster else None,
        published_at=published,
        views=views,
        category=display(category) if category else None,
        images=tuple(images),
        attachments=tuple(attachments),
        canonical_url=canonical,
    )
