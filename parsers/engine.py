"""The extraction cascade every platform shares, driven by a `Profile` of selectors.

A platform module is mostly data: a Profile naming where its title, body, date, views,
author and category live. `extract(doc, url, profile)` applies it in numbered steps and
falls back to structure and Vietnamese labels wherever a selector finds nothing:

1. Drop what is never content: scripts, the profile's `remove` selectors, related-article
   lists (a heading like "Các tin khác" or a list of dated links) and site visit counters.
2. Title: profile selectors, else the h1 (or title-classed heading) that best matches
   `<title>`, else og:title, else `<title>` without the site-name suffix.
3. Body: profile selectors, else the element holding the most paragraph text (link text
   discounted), preferring what follows the title.
4. Split the body into paragraphs, captions (figcaption, or a short centred/italic line
   right after an image), the closing byline ("Tin và ảnh: X", a bare right-aligned name)
   and chrome lines ("Quay về", "In bài viết").
5. Metadata from the article's own zone (the title's and body's common container), never
   from the page header or a sidebar: date, views, poster and author by their labels, or
   the profile's selectors; an unlabelled date right beside the title as a fallback.
6. Category: profile selectors, the breadcrumb's last item, or the heading just above the
   title. Images and attachments from the body.
7. Refuse what is not an article (a listing, a login or error page, an empty body) with a
   `ParseError` that says why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from . import labels as L
from .article import Article, Attachment
from .dates import all_dates, find_date
from .dom import Block, absolute, blocks, iter_elements, select, select_first, text_of
from .errors import ParseError
from .normalise import display, search_key

__all__ = ["Profile", "extract", "page_title", "meta_content"]

ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|odt|ods|rtf|zip|rar|7z)(?:$|[?#])", re.I)
_SEPARATORS = re.compile(r"\s+[-|–—:»]\s+|\s*\|\s*")
_TERMINAL = re.compile(r"[.!?…:;]\s*[\"”’)\]]*$|\./\.?$")
_ORG_WORDS = (
    "phòng", "ban", "sở", "ubnd", "trung tâm", "văn phòng", "chi cục", "trường", "hội", "đoàn",
    "huyện", "xã", "phường", "thị trấn", "cổng", "báo", "đài", "tạp chí", "bộ", "cục", "tổng cục",
    "ttxvn", "vnexpress", "mttq", "đảng ủy", "huyện ủy", "tỉnh ủy", "công an", "bchqs", "ttvh",
)
_NOT_NAME_WORDS = {"và", "của", "các", "những", "được", "đã", "cho", "tại", "với", "trong", "là", "có"}
_ERROR_PAGE = re.compile(
    r"(khong tim thay|khong ton tai|page not found|not found|loi 404|error 404|404 error|"
    r"trang ban yeu cau|an error occurred|da xay ra loi|server error|bai viet khong ton tai|"
    r"noi dung khong ton tai|access denied|truy cap bi tu choi)"
)
_LOGIN = re.compile(r"(dang nhap|login|sign in|mat khau|password)")


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
    # May <meta property="article:published_time"> / JSON-LD be used when the page shows no
    # date? NukeViet's are wrong (edit time, malformed), so its profile says no.
    trust_meta_date: bool = True

    def with_overrides(self, overrides: dict[str, str | list[str]] | None) -> Profile:
        """This profile with per-site selectors (config `selectors:`) tried first."""
        if not overrides:
            return self
        changes = {}
        for key, value in overrides.items():
            sels = (value,) if isinstance(value, str) else tuple(value)
            changes[key] = sels + getattr(self, key)
        return replace(self, **changes)


GENERIC_REMOVE = (
    "nav", "[role=navigation]", "[id*=menu]", "[class*=menu]", "[class*=breadcrumb] ~ [class*=menu]",
    "[class*=share]", "[class*=social]", "[id*=comment]", "[class*=comment]",
    "[class*=counter]", "[id*=counter]", "[class*=thongke]", "[id*=thongke]",
    "[class*=visitor]", "[id*=visitor]", "[class*=online]", "[class*=banner]",
    "[id*=banner]", "[class*=related]", "[class*=other-news]", "[class*=othernews]",
    "[class*=tin-khac]", "[class*=tinkhac]", "[class*=tag-list]", "[class*=tags]",
    "[class*=print]", "[class*=toolbar]", "[class*=font-size]", "[class*=fontsize]",
)


# --- small helpers ------------------------------------------------------------------------

def meta_content(doc: HtmlElement, *names: str) -> str | None:
    """The content of the first `<meta name|property=…>` among names."""
    for name in names:
        for el in doc.iter("meta"):
            if (el.get("property") or el.get("name") or el.get("itemprop") or "").lower() == name:
                value = display(el.get("content") or "")
                if value:
                    return value
    return None


def page_title(doc: HtmlElement) -> str | None:
    el = doc.find(".//title")
    return display(el.text_content()) if el is not None and el.text_content() else None


def _site_suffix_stripped(title: str) -> str:
    """'Tiêu đề bài - Sở Lao động tỉnh Kon Tum' → 'Tiêu đề bài' (the longest segment)."""
    parts = [p for p in _SEPARATORS.split(title) if p.strip()]
    return max(parts, key=len).strip() if parts else title


def _similar(a: str, b: str) -> float:
    """Share of a's words (folded) found in b."""
    wa = search_key(a).split()
    wb = set(search_key(b).split())
    return sum(w in wb for w in wa) / len(wa) if wa else 0.0


def _ancestors(el: HtmlElement) -> list[HtmlElement]:
    out = []
    p = el.getparent()
    while p is not None:
        out.append(p)
        p = p.getparent()
    return out


def _common_ancestor(a: HtmlElement, b: HtmlElement) -> HtmlElement:
    chain = [a, *_ancestors(a)]
    seen = set(chain)
    for el in [b, *_ancestors(b)]:
        if el in seen:
            return el
    return chain[-1]


def _drop(el: HtmlElement) -> None:
    """Remove an element but keep its tail text in the tree."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail and tail.strip():
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _doc_order(doc: HtmlElement) -> dict[HtmlElement, int]:
    return {el: i for i, el in enumerate(iter_elements(doc))}


# --- step 1: clean ------------------------------------------------------------------------

def _is_related_list(el: HtmlElement) -> bool:
    """A list of several links, most of them followed by their own date."""
    links = [a for a in el.iter("a") if a.get("href")]
    if len(links) < 3:
        return False
    text = text_of(el)
    dated = len(all_dates(text))
    link_chars = sum(len(text_of(a)) for a in links)
    return dated >= max(2, len(links) // 2) or (link_chars > 0.8 * max(1, len(text)) and len(links) >= 4)


def _remove_related(root: HtmlElement) -> None:
    for el in list(iter_elements(root)):
        if el.getparent() is None or not el.text_content():
            continue
        tag = el.tag.lower()
        if tag in ("h2", "h3", "h4", "h5", "p", "div", "span", "strong", "b", "li") and len(el.text_content()) < 60:
            own = text_of(el)
            if own and L.matches_any(own, L.RELATED_HEADINGS):
                # the heading and the list that follows it
                target = el
                # climb out of inline wrappers to the block that holds only the heading
                while (
                    target.getparent() is not None
                    and target.getparent().tag.lower() in ("strong", "b", "span", "p", "h2", "h3", "h4", "div")
                    and text_of(target.getparent()) == own
                ):
                    target = target.getparent()
                nxt = target.getnext()
                if nxt is not None and nxt.tag.lower() in ("ul", "ol", "div", "table", "p") and _is_related_list(nxt):
                    _drop(nxt)
                parent = target.getparent()
                if parent is not None and parent.tag.lower() not in ("body", "html", "form") and _is_related_list(parent):
                    _drop(parent)
                elif target.getparent() is not None:
                    _drop(target)
    for el in list(root.iter("ul", "ol")):
        if el.getparent() is not None and _is_related_list(el):
            _drop(el)


def _clean(doc: HtmlElement, profile: Profile) -> None:
    for el in list(doc.iter("script", "style", "noscript", "template", "svg", "iframe", "object", "embed")):
        _drop(el)
    for sel in profile.remove:
        for el in select(doc, sel):
            _drop(el)
    for sel in GENERIC_REMOVE:
        for el in select(doc, sel):
            # a wrapper named "menu" or "share" around the whole article is kept
            if el.getparent() is not None and el.find(".//h1") is None and len(el.text_content()) < 1500:
                _drop(el)
    for el in list(iter_elements(doc)):
        if el.getparent() is None:
            continue
        t = text_of(el)
        if len(t) < 120 and L.is_counter(t) and re.search(r"\d", t) and not L.find_views(t):
            # climb to the widget box (a block whose text is all counter)
            box = el
            while box.getparent() is not None and box.getparent().tag.lower() not in ("body", "html", "form"):
                pt = text_of(box.getparent())
                if len(pt) > 160:
                    break
                box = box.getparent()
            _drop(box)


# --- step 2: title ------------------------------------------------------------------------

def _find_title(doc: HtmlElement, profile: Profile) -> tuple[str | None, HtmlElement | None]:
    el = select_first(doc, profile.title)
    if el is not None:
        return text_of(el), el
    ref = meta_content(doc, "og:title") or page_title(doc) or ""
    candidates: list[tuple[float, int, HtmlElement]] = []
    lone_h1 = len(doc.findall(".//h1")) == 1
    for i, h in enumerate(doc.iter("h1", "h2", "h3")):
        t = text_of(h)
        if len(t) < 8 or len(t) > 400:
            continue
        cls = (h.get("class") or "") + " " + (h.get("id") or "")
        score = _similar(t, ref) if ref else 0.0
        if h.tag == "h1":
            score += 0.7 if lone_h1 else 0.5
        if re.search(r"title|tieu-?de|headline|ten-?bai", cls, re.I):
            score += 0.4
        if h.get("itemprop") == "headline":
            score += 1.0
        if any(a.tag in ("header", "nav", "footer") or re.search(r"logo|header|banner|menu", (a.get("class") or "") + (a.get("id") or ""), re.I) for a in _ancestors(h)):
            score -= 1.0
        candidates.append((score, -i, h))
    if candidates:
        score, _, h = max(candidates, key=lambda c: (c[0], c[1]))
        if score >= 0.6:
            return text_of(h), h
    if ref:
        return _site_suffix_stripped(ref), None
    return None, None


# --- step 3: body -------------------------------------------------------------------------

_CONTAINERS = frozenset(("div", "td", "article", "section", "main", "body", "form", "center", "span", "font"))


def _find_body(doc: HtmlElement, profile: Profile, title_el: HtmlElement | None) -> HtmlElement | None:
    el = select_first(doc, profile.body)
    if el is not None:
        return el
    order = _doc_order(doc)
    title_pos = order.get(title_el, -1) if title_el is not None else -1
    scores: dict[HtmlElement, float] = {}
    for e in iter_elements(doc):
        tag = e.tag.lower()
        if tag in ("a", "li", "h1", "h2", "h3", "h4", "h5", "h6", "title", "option", "button", "label"):
            continue
        own = (e.text or "") + "".join(
            (text_of(c) if c.tag in ("em", "i", "strong", "b", "span", "font", "u", "sup", "sub") else "") + (c.tail or "")
            for c in e if isinstance(c.tag, str)
        )
        n = len(own.strip())
        if n < 25:
            continue
        links = sum(len(text_of(a)) for a in e.iter("a"))
        weight = max(0.0, n - links) * (1.0 if order[e] > title_pos else 0.6)
        weight += 15 * own.count(".") + 5 * own.count(",")
        if tag in _CONTAINERS and tag not in ("span", "font"):
            scores[e] = scores.get(e, 0) + weight
        parent = e.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + weight
            grand = parent.getparent()
            if grand is not None:
                scores[grand] = scores.get(grand, 0) + weight / 2
    best: tuple[float, int, HtmlElement] | None = None
    for e, s in scores.items():
        if e.tag.lower() in ("html", "body", "p", "span", "font", "a", "em", "strong", "b", "i", "u", "tr", "tbody", "table", "ul", "ol"):
            continue
        text_len = len(text_of(e)) or 1
        link_len = sum(len(text_of(a)) for a in e.iter("a"))
        s *= 1 - min(0.9, link_len / text_len)
        key = (s, order[e])
        if best is None or key > best[:2]:
            best = (s, order[e], e)
    return best[2] if best else None


# --- step 4: split the body ---------------------------------------------------------------

@dataclass
class _Split:
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    author: str | None = None
    images: list[str] = field(default_factory=list)
    meta_lines: list[str] = field(default_factory=list)


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 6 or len(text) > 50 or _TERMINAL.search(text):
        return False
    if any(search_key(w) in {search_key(x) for x in _NOT_NAME_WORDS} for w in words):
        return False
    if re.search(r"\d", text):
        return False
    return words[0][:1].isupper()


def _author_from(value: str) -> str | None:
    """'Lê Thị Mai, Phó Chi cục trưởng …' → 'Lê Thị Mai'; 'Anh Đức/kyanh.hatinh.gov.vn' → 'Anh Đức';
    'Nguyễn Hà - Phòng VHXH' → 'Nguyễn Hà'."""
    value = display(value).strip(" .;:-–()")
    if not value:
        return None
    value = re.split(r"\s*/\s*\S+\.\S+|\s*\(\s*", value)[0]
    if "," in value:
        head, tail = value.split(",", 1)
        if _looks_like_org(tail) or len(tail.split()) > 2:
            value = head
    m = re.match(r"^(.*?)\s+[-–—]\s+(.*)$", value)
    if m and _looks_like_org(m.group(2)):
        value = m.group(1)
    value = value.strip(" .;:-–")
    return value or None


def _looks_like_org(text: str) -> bool:
    key = search_key(text.strip())
    return any(key.startswith(search_key(w)) for w in _ORG_WORDS) or bool(re.match(r"^[A-ZĐ]{2,}\b", text.strip()))


def _byline(block: Block, is_last: bool) -> str | None:
    """The author named by a closing line, or None when the line is not a byline."""
    text = block.text
    if len(text) > 160:
        return None
    hit = L.starts_with_label(text, L.BYLINE_LABELS + L.AUTHOR_LABELS)
    if hit:
        return _author_from(hit[1])
    key = search_key(text)
    m = re.match(r"^theo\s+(.+)$", key)
    if m and len(text) < 80:
        return _author_from(text[m.start(1):])
    if not is_last:
        return None
    dash = re.match(r"^(.*?)\s+[-–—]\s+(.*)$", text)
    if dash and _looks_like_name(dash.group(1)) and (_looks_like_org(dash.group(2)) or _looks_like_name(dash.group(2))):
        return _author_from(text)
    if _looks_like_name(text) and (block.align == "right" or block.bold or block.italic):
        return text
    if _looks_like_name(text) and len(text.split()) <= 4 and all(w[:1].isupper() for w in text.split()):
        return text
    return None


def _is_meta_line(text: str) -> bool:
    if len(text) > 300:
        return False
    hits = L.label_values(text)
    if not hits:
        return False
    if len(hits) >= 2:
        return True
    hit = hits[0]
    labelled_len = len(hit.label) + len(hit.value)
    return labelled_len >= 0.7 * len(text) and (hit.kind != "date" or find_date(hit.value) is not None) and len(text) < 120


def _is_caption_after_image(block: Block) -> bool:
    text = block.text
    if block.caption:
        return True
    if len(text) > 300 or block.heading:
        return False
    if block.align == "center" or block.italic:
        return True
    return len(text) < 200 and not _TERMINAL.search(text)


def _split(body_blocks: list[Block], title: str | None, caption_els: set[HtmlElement]) -> _Split:
    out = _Split()
    title_key = search_key(title or "")
    texts: list[Block] = []
    after_image = False
    for b in body_blocks:
        if b.is_image:
            if b.image and b.image not in out.images:
                out.images.append(b.image)
            after_image = True
            continue
        t = b.text
        if not t:
            continue
        if (b.element is not None and b.element in caption_els) or (b.caption and after_image) or b.caption and len(t) < 300:
            out.captions.append(t)
            after_image = False
            continue
        if after_image and _is_caption_after_image(b):
            out.captions.append(t)
            after_image = False
            continue
        after_image = False
        if title_key and search_key(t) == title_key:
            continue
        if L.matches_any(t, L.CHROME_LINES):
            continue
        if _is_meta_line(t):
            out.meta_lines.append(t)
            continue
        if L.is_counter(t) and len(t) < 60 and re.search(r"\d", t):
            continue
        texts.append(b)
    # a caption repeated as the next paragraph (pasted twice) is not body text
    caption_keys = {search_key(c) for c in out.captions}
    texts = [b for b in texts if search_key(b.text) not in caption_keys]
    # the closing byline: scan up from the end past chrome and source lines
    i = len(texts) - 1
    while i >= 0 and i >= len(texts) - 3:
        b = texts[i]
        if L.starts_with_label(b.text, L.SOURCE_LABELS) and len(b.text) < 160:
            texts.pop(i)
            i -= 1
            continue
        author = _byline(b, is_last=(i == len(texts) - 1))
        if author and len(texts) > 1:
            out.author = out.author or author
            texts.pop(i)
            i -= 1
            continue
        break
    out.paragraphs = [b.text for b in texts]
    return out


# --- step 5: metadata ---------------------------------------------------------------------

def _labelled(lines: Iterable[str]) -> dict[str, str]:
    """First value per label kind over the lines, in order."""
    found: dict[str, str] = {}
    for line in lines:
        for hit in L.label_values(line):
            if hit.value and hit.kind not in found:
                if hit.kind == "date" and find_date(hit.value) is None:
                    continue
                if hit.kind == "views" and L.parse_count(hit.value.split()[0]) is None:
                    continue
                found[hit.kind] = hit.value
    return found


def _zone_lines(zone: HtmlElement, body: HtmlElement | None, base_url: str) -> list[Block]:
    return [b for b in blocks(zone, base_url) if not b.is_image and len(b.text) < 300]


def _structured_date(doc: HtmlElement) -> date | datetime | None:
    for name in ("article:published_time", "datepublished", "pubdate", "publishdate", "date", "dc.date.issued"):
        v = meta_content(doc, name)
        if v and (d := find_date(v)):
            return d
    for el in doc.iter("time"):
        v = el.get("datetime") or text_of(el)
        if v and (d := find_date(v)):
            return d
    for el in select(doc, "script[type='application/ld+json']"):
        try:
            data = json.loads(el.text or "")
        except ValueError:
            continue
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("datePublished"), str):
                if d := find_date(item["datePublished"]):
                    return d
    return None


def _date_near_title(zone: HtmlElement, title_el: HtmlElement | None, order: dict[HtmlElement, int]) -> date | datetime | None:
    """An unlabelled short date line right after (or else right before) the title."""
    if title_el is None:
        return None
    tpos = order.get(title_el, 0)
    after: list[tuple[int, date | datetime]] = []
    before: list[tuple[int, date | datetime]] = []
    for b in blocks(zone):
        if b.is_image or b.element is None or len(b.text) > 90:
            continue
        if L.is_counter(b.text):
            continue
        found = all_dates(b.text)
        if not found:
            continue
        pos = order.get(b.element, 0)
        (after if pos >= tpos else before).append((pos, found[0][1]))
    if after:
        return min(after, key=lambda x: x[0])[1]
    if before:
        return max(before, key=lambda x: x[0])[1]
    return None


def _category(doc: HtmlElement, profile: Profile, title_el: HtmlElement | None, title: str) -> str | None:
    el = select_first(doc, profile.category)
    if el is not None:
        return text_of(el) or None
    title_key = search_key(title)
    for crumb in select(doc, "[class*=breadcrumb], [id*=breadcrumb], [class*=duong-dan], [class*=path]"):
        items = [text_of(a) for a in crumb.iter("a", "li", "span")]
        items = [t for t in items if t and search_key(t) != title_key and len(t) < 80 and t not in ("»", ">", "/")]
        items = [t for t in items if not L.matches_any(t, ("trang chủ", "home", "trang chu"))]
        if items:
            return items[-1]
    if title_el is not None:
        # the nearest category-classed element before the title (within the article's column)
        order = _doc_order(doc)
        tpos = order[title_el]
        best = None
        for c in select(doc, "[class*=cate], [class*=chuyen-muc], [class*=chuyenmuc], [id*=cate], [class*=cat-title], [class*=catname]"):
            t = text_of(c)
            if t and len(t) < 80 and order.get(c, 10**9) < tpos and search_key(t) != title_key:
                best = (order[c], t) if best is None or order[c] > best[0] else best
        if best:
            return best[1]
    return None


# --- step 7: what is not an article -------------------------------------------------------

def _refuse(url: str, doc: HtmlElement, title: str | None, paragraphs: list[str]) -> None:
    text_len = sum(len(p) for p in paragraphs)
    head = search_key(" ".join([title or "", page_title(doc) or "", *paragraphs[:2]]))[:600]
    visible = text_of(doc)
    if text_len < 400 and (_ERROR_PAGE.search(head) or (len(visible) < 1500 and _ERROR_PAGE.search(search_key(visible)))):
        raise ParseError(url, "an error page served as a normal page (it says the content was not found)")
    if doc.find(".//input[@type='password']") is not None and text_len < 600 and _LOGIN.search(head + search_key(text_of(doc))[:2000]):
        raise ParseError(url, "a login page, not an article")
    if not title:
        raise ParseError(url, "no article title found")
    if not paragraphs or text_len < 40:
        raise ParseError(url, "no article body found (the page has a title but no paragraphs of text)")


def looks_like_listing(doc: HtmlElement, body: HtmlElement | None, paragraphs: list[str]) -> str | None:
    """A reason when the page is a list of links rather than one article."""
    if body is None:
        return None
    links = [a for a in body.iter("a") if a.get("href") and len(text_of(a)) >= 20]
    text = sum(len(p) for p in paragraphs)
    link_text = sum(len(text_of(a)) for a in links)
    if len(links) >= 6 and link_text > 0.45 * max(1, text):
        return f"a listing page ({len(links)} article links, {text} characters of text)"
    return None


# --- the cascade --------------------------------------------------------------------------

def extract(doc: HtmlElement, url: str, profile: Profile) -> Article:
    """Read one article from a parsed page with a platform profile (see the module doc)."""
    canonical = None
    for link in doc.iter("link"):
        if (link.get("rel") or "").lower() == "canonical":
            canonical = absolute(url, link.get("href"))
            break
    structured_date = _structured_date(doc) if profile.trust_meta_date else None

    # 1. clean
    _clean(doc, profile)
    _remove_related(doc)

    # 2. title
    title, title_el = _find_title(doc, profile)

    # 3. body
    body_el = _find_body(doc, profile, title_el)
    if body_el is None:
        _refuse(url, doc, title, [])
    assert body_el is not None

    # 4. split
    order = _doc_order(doc)
    lead_el = select_first(doc, profile.lead)
    skip: set[HtmlElement] = set()
    if title_el is not None and title_el is not body_el and body_el in _ancestors(title_el):
        skip.add(title_el)
    if lead_el is not None and body_el in _ancestors(lead_el):
        skip.add(lead_el)
    caption_els: set[HtmlElement] = set()
    for sel in profile.captions:
        caption_els.update(select(body_el, sel))
    body_blocks = blocks(body_el, url, skip=frozenset(skip))
    if title_el is not None and body_el in _ancestors(title_el):
        # the body starts after the title
        tpos = order[title_el]
        body_blocks = [b for b in body_blocks if b.element is None or order.get(b.element, tpos + 1) > tpos or b.element in _ancestors(title_el)]
    split = _split(body_blocks, title, caption_els)
    if lead_el is not None:
        lead = text_of(lead_el)
        if lead and search_key(lead) not in {search_key(p) for p in split.paragraphs[:2]}:
            split.paragraphs.insert(0, lead)
    if reason := looks_like_listing(doc, body_el, split.paragraphs):
        raise ParseError(url, reason)
    _refuse(url, doc, title, split.paragraphs)
    assert title is not None

    # 5. metadata from the article's zone
    zone = _common_ancestor(title_el, body_el) if title_el is not None else body_el
    if zone.tag.lower() in ("html",):
        zone = body_el
    meta_lines: list[str] = []
    for sel in profile.meta:
        meta_lines += [text_of(e) for e in select(doc, sel)]
    meta_lines += split.meta_lines
    meta_lines += [b.text for b in _zone_lines(zone, body_el, url) if _is_meta_line(b.text)]
    found = _labelled(meta_lines)

    published: date | datetime | None = None
    el = select_first(doc, profile.date)
    if el is not None:
        published = find_date(el.get("datetime") or el.get("content") or text_of(el))
    if published is None and "date" in found:
        published = find_date(found["date"])
    if published is None:
        published = _date_near_title(zone, title_el, order)
    if published is None and profile.trust_meta_date:
        published = structured_date

    views: int | None = None
    el = select_first(doc, profile.views)
    if el is not None:
        views = L.find_views(text_of(el)) or L.parse_count(re.sub(r"\D", "", text_of(el)) or "x")
    if views is None and "views" in found:
        views = L.parse_count(found["views"].split()[0])
    if views is None:
        for line in meta_lines:
            if (v := L.find_views(line)) is not None:
                views = v
                break

    poster = None
    el = select_first(doc, profile.poster)
    if el is not None:
        poster = _author_from(text_of(el))
    poster = poster or (_author_from(found["poster"]) if "poster" in found else None)

    author = None
    el = select_first(doc, profile.author)
    if el is not None:
        t = text_of(el)
        hit = L.starts_with_label(t, L.AUTHOR_LABELS + L.BYLINE_LABELS)
        author = _author_from(hit[1] if hit else t)
    author = author or split.author or (_author_from(found["author"]) if "author" in found else None)

    # 6. category, images, attachments
    category = _category(doc, profile, title_el, title)
    attachments: list[Attachment] = []
    seen: set[str] = set()
    for a in [*body_el.iter("a"), *(zone.iter("a") if zone is not body_el else ())]:
        href = absolute(url, a.get("href"))
        if href and ATTACHMENT_EXT.search(urlsplit(href).path + ("?" + urlsplit(href).query if urlsplit(href).query else "")) and href not in seen:
            seen.add(href)
            attachments.append(Attachment(href, text_of(a) or None))

    return Article(
        url=url,
        platform=profile.name,
        title=title,
        body="\n\n".join(split.paragraphs),
        captions=tuple(split.captions),
        author=author,
        poster=poster,
        published_at=published,
        views=views,
        category=category,
        images=tuple(split.images),
        attachments=tuple(attachments),
        canonical_url=canonical,
    )
