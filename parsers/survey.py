"""One pass over a page's elements before extraction: their document order, an index that
answers the platforms' simple CSS selectors, and the elements that are hidden, chrome,
breadcrumbs, title-, category- or views-like; then the cleaning that uses it (hidden
elements and page chrome dropped, remembered as ranges of that order).
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml.html import HtmlElement

from . import labels as L
from .dom import drop, text_content

# What makes an element chrome when its class or id says so (menus, share bars, counters…).
_CHROME_ATTR = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|mainmenu|topmenu|megamenu|submenu|breadcrumbs?|share|sharing|"
    r"social|addthis|sharedaddy|comments?|comment-?form|respond|counter|thongke|thong-?ke|"
    r"visitors?|statistics?|online|banner|advert|ads|quang-?cao|tags?|tag-?list|tags-links|"
    r"keywords?|toolbar|font-?size|rating|vote|related|other-?news|othernews|tin-?khac|"
    r"tinkhac|tin-?lien-?quan|post-?navigation|nav-?links|sidebar|widget|footer|copyright|"
    r"skip-?link|skip-to-content)(?:$|[\s_-])",
    re.I,
)


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


_HIDDEN_CLASS = frozenset(("hidden", "hide", "d-none"))


def _hidden(el: HtmlElement) -> bool:
    if el.get("hidden") is not None:
        return True
    if el.get("aria-hidden") == "true":
        return el.tag not in ("i", "em", "span") and el.find(".//img") is None
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return not _HIDDEN_CLASS.isdisjoint((el.get("class") or "").split())


# What an element's class and id say it is, as bits (computed once per distinct pair).
_CHROME, _CRUMB, _TITLE, _CATEGORY, _VIEWS = 1, 2, 4, 8, 16


_CRUMB_ATTR = re.compile(
    r"crumb|bread|duong-?dan|path|sitemapdirectional|vi-?tri|(?:^|[\s_-])bc(?:$|[\s_-])", re.I
)


# "tentin"/"ten-bai" (tên tin, tên bài: the item's name) on hand-made portals; not "tentinkhac"
_TITLE_WORDS = re.compile(
    r"title|tieu[-_]?de|heading|headline|ten[-_]?(?:tin|bai)(?![-_]?(?:khac|lien|moi))", re.I
)


_CATEGORY_ATTR = re.compile(r"cate|(?:^|[\s_-])cat[-_]|chuyen-?muc|danh-?muc|portlet-title", re.I)


_VIEWS_ATTR = re.compile(r"view|hits|luot-?xem", re.I)


_HEADINGS = frozenset(("h1", "h2", "h3", "h4"))


_CHROME_TAGS = frozenset(("nav", "aside", "footer", "header"))


@lru_cache(maxsize=4096)
def _classify(cls: str, eid: str) -> int:
    both = f"{cls} {eid}"
    return (
        (_CHROME if _CHROME_ATTR.search(cls) or _CHROME_ATTR.search(eid) else 0)
        | (_CRUMB if _CRUMB_ATTR.search(both) else 0)
        | (_TITLE if _TITLE_WORDS.search(both) else 0)
        | (_CATEGORY if _CATEGORY_ATTR.search(both) else 0)
        | (_VIEWS if _VIEWS_ATTR.search(both) else 0)
    )


class Survey:
    """One pass over the page's elements: their document order, and the elements that are
    hidden, look like chrome, breadcrumbs, titles, category headings or view counters. What
    later steps drop is remembered as ranges of that order, so a candidate inside a dropped
    element can be told without walking the tree again."""

    def __init__(self, doc: HtmlElement) -> None:
        self.order: dict[HtmlElement, int] = {}
        self.hidden: list[HtmlElement] = []
        self.chrome: list[HtmlElement] = []
        self.crumbs: list[HtmlElement] = []
        self.titles: list[HtmlElement] = []
        self.categories: list[HtmlElement] = []
        self.views: list[HtmlElement] = []
        self._gone: list[tuple[int, int]] = []
        # an index for the platform's selectors (see `select`)
        self.by_tag: dict[str, list[HtmlElement]] = {}
        self.by_class: dict[str, list[HtmlElement]] = {}
        self.by_id: dict[str, list[HtmlElement]] = {}
        order, by_tag, by_class, by_id = self.order, self.by_tag, self.by_class, self.by_id
        titles, chrome, hidden = self.titles, self.chrome, self.hidden
        for i, el in enumerate(doc.iter()):
            tag = el.tag
            if tag.__class__ is not str:
                continue
            order[el] = i
            same_tag = by_tag.get(tag)
            if same_tag is None:
                by_tag[tag] = [el]
            else:
                same_tag.append(el)
            if tag in _HEADINGS:
                titles.append(el)
            elif tag in _CHROME_TAGS:
                chrome.append(el)
            items = el.items()
            if not items:
                continue
            attrs = dict(items)
            cls = attrs.get("class", "")
            if cls:
                for token in _class_tokens(cls):
                    same = by_class.get(token)
                    if same is None:
                        by_class[token] = [el]
                    else:
                        same.append(el)
            if "id" in attrs:
                by_id.setdefault(attrs["id"], []).append(el)
            style = attrs.get("style")
            if (
                "hidden" in attrs
                or (style and _HIDDEN_STYLE.search(style))
                or (
                    cls
                    and ("hid" in cls or "d-none" in cls)
                    and not _HIDDEN_CLASS.isdisjoint(cls.split())
                )
                or (
                    attrs.get("aria-hidden") == "true"
                    and tag not in ("i", "em", "span")
                    and el.find(".//img") is None
                )
            ):
                hidden.append(el)
                continue
            eid = attrs.get("id", "")
            if cls or eid:
                kind = _classify(cls, eid)
                if kind:
                    if kind & _CHROME and tag not in _CHROME_TAGS:
                        chrome.append(el)
                    if kind & _CRUMB:
                        self.crumbs.append(el)
                    if kind & _TITLE and tag not in _HEADINGS:
                        titles.append(el)
                    if kind & _CATEGORY:
                        self.categories.append(el)
                    if kind & _VIEWS:
                        self.views.append(el)
            if (
                attrs.get("itemprop") == "headline"
                and tag not in _HEADINGS
                and not (kind & _TITLE if (cls or eid) else False)
            ):
                titles.append(el)
            if attrs.get("itemtype", "").endswith("BreadcrumbList") and el not in self.crumbs:
                self.crumbs.append(el)

    def get(self, el: HtmlElement | None, default: int = -1) -> int:
        """An element's position in document order (the order of the page as loaded)."""
        return self.order.get(el, default) if el is not None else default

    def drop(self, el: HtmlElement) -> None:
        start = self.order.get(el)
        if start is not None:
            self._gone.append((start, start + sum(1 for _ in el.iter())))
        drop(el)

    def present(self, el: HtmlElement) -> bool:
        """False for an element inside (or being) one that was dropped."""
        pos = self.order.get(el)
        return pos is not None and not any(s <= pos < e for s, e in self._gone)

    def select(self, selector: str) -> list[HtmlElement] | None:
        """What a selector of tags, classes and ids (with descendant and child combinators)
        matches among the elements still on the page, in document order, from the index;
        None for any other selector (the caller asks lxml)."""
        parts = simple_selector(selector)
        if parts is None:
            return None
        return self._match(parts)

    def _match(self, parts: tuple[_Compound, ...]) -> list[HtmlElement] | None:
        combinator, tag, eid, classes = parts[-1]
        if tag and not eid and not classes and len(parts) > 1:
            # ".cat-links a": down from the few contexts, not up from every link
            contexts = self._match(parts[:-1])
            if contexts is None:
                return None
            found: dict[HtmlElement, int] = {}
            for ctx in contexts:
                below = (
                    (c for c in ctx if c.tag == tag)
                    if combinator == ">"
                    else ctx.iterdescendants(tag)
                )
                for el in below:
                    if el not in found and self.present(el):
                        found[el] = self.order.get(el, -1)
            return sorted(found, key=found.__getitem__)
        if eid:
            candidates = self.by_id.get(eid, [])
        elif classes:
            candidates = min((self.by_class.get(c, []) for c in classes), key=len)
        elif tag:
            candidates = self.by_tag.get(tag, [])
        else:
            return None
        last = len(parts) - 1
        return [
            el
            for el in candidates
            if _compound_matches(el, parts[last])
            and _context_matches(el, parts, last)
            and self.present(el)
        ]


_Compound = tuple[str, str | None, str | None, tuple[str, ...]]  # (combinator, tag, id, classes)


_COMPOUND = re.compile(r"^([a-zA-Z][\w-]*)?((?:[.#][\w-]+)*)$")


@lru_cache(maxsize=4096)
def _class_tokens(cls: str) -> tuple[str, ...]:
    return tuple(cls.split())


@lru_cache(maxsize=1024)
def simple_selector(selector: str) -> tuple[_Compound, ...] | None:
    """'div.a > p.b #c' as compounds with the combinator that joins each to the one before;
    None when the selector uses anything else (attributes, pseudo-classes, groups, XPath)."""
    if any(ch in selector for ch in "[]:,*+~()\"'/\\") or not selector.strip():
        return None
    parts: list[_Compound] = []
    combinator = " "
    for word in re.sub(r"\s*>\s*", " > ", selector.strip()).split():
        if word == ">":
            combinator = ">"
            continue
        m = _COMPOUND.match(word)
        if not m or not (m.group(1) or m.group(2)):
            return None
        ids = re.findall(r"#([\w-]+)", m.group(2))
        if len(ids) > 1:
            return None
        classes = tuple(re.findall(r"\.([\w-]+)", m.group(2)))
        parts.append(
            (combinator, (m.group(1) or "").lower() or None, ids[0] if ids else None, classes)
        )
        combinator = " "
    return tuple(parts) if parts and parts[0][0] == " " else None


def _compound_matches(el: HtmlElement, part: _Compound) -> bool:
    _, tag, eid, classes = part
    if tag and el.tag != tag:
        return False
    if eid and el.get("id") != eid:
        return False
    if classes:
        tokens = _class_tokens(el.get("class") or "")
        return all(c in tokens for c in classes)
    return True


def _context_matches(el: HtmlElement, parts: tuple[_Compound, ...], i: int) -> bool:
    """Whether the compounds before parts[i] match el's ancestors as their combinators say."""
    if i == 0:
        return True
    combinator = parts[i][0]
    parent = el.getparent()
    if combinator == ">":
        return (
            parent is not None
            and _compound_matches(parent, parts[i - 1])
            and _context_matches(parent, parts, i - 1)
        )
    while parent is not None:
        if _compound_matches(parent, parts[i - 1]) and _context_matches(parent, parts, i - 1):
            return True
        parent = parent.getparent()
    return False


def strip_invisible(doc: HtmlElement, survey: Survey) -> None:
    for el in survey.hidden:
        if el.tag not in ("html", "body") and survey.present(el) and el.getparent() is not None:
            survey.drop(el)


def is_chrome(el: HtmlElement) -> bool:
    tag = el.tag
    if tag in ("nav", "aside", "footer"):
        return tag == "nav" or el.find(".//h1") is None
    if tag == "header":
        return el.find(".//h1") is None
    cls, eid = el.get("class"), el.get("id")
    if not cls and not eid or not _classify(cls or "", eid or "") & _CHROME:
        return False
    if el.find(".//h1") is not None:
        return False
    text = text_content(el) or ""
    if len(text) > 3000:
        return False
    # "post-views-counter": the article's own count
    return not (len(text) < 200 and L.find_views(text) is not None)
