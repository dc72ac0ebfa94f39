"""What is not an article: a listing (the text found is one entry of a repeated list of
headline links, or holds such entries), an error page served with 200, a login or password
form, an empty body. Each is a `ParseError` with its reason.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml.html import HtmlElement

from .dates import all_dates
from .dom import (
    ATTACHMENT_EXT,
    INLINE_TAGS,
    class_and_id,
    collapse,
    page_title,
    text_content,
    text_of,
)
from .errors import ParseError
from .labels import ERROR_PAGE_RE, LOGIN_RE, search_key


def refuse(url: str, doc: HtmlElement, title: str | None, paragraphs: list[str]) -> None:
    text_len = sum(len(p) for p in paragraphs)
    if text_len < 600:
        h1 = " ".join(text_of(h) for h in doc.iter("h1"))[:300]
        head = search_key(
            " ".join([title or "", page_title(doc) or "", h1, *(p[:300] for p in paragraphs[:2])])
        )
        password = doc.find(".//input[@type='password']") is not None
        visible = ""
        if text_len < 150 or password:
            visible = text_of(doc.find("body") if doc.find("body") is not None else doc)
        if (text_len < 400 and ERROR_PAGE_RE.search(head)) or (
            text_len < 150 and len(visible) < 1500 and ERROR_PAGE_RE.search(search_key(visible))
        ):
            raise ParseError(
                url,
                "an error page served as a normal page (it says the content was not found)",
                definite=True,
            )
        if password and LOGIN_RE.search(head + " " + search_key(visible[:3000])):
            raise ParseError(url, "a login page, not an article", definite=True)
    if not title:
        raise ParseError(url, "no article title found")
    if not paragraphs or text_len < 40:
        raise ParseError(
            url, "no article body found (the page has a title but no paragraphs of text)"
        )


def _is_headline_link(a: HtmlElement) -> bool:
    href = a.get("href") or ""
    if not href and a.get("onclick"):
        href = "onclick"
    if not href or href.startswith("#") or ATTACHMENT_EXT.search(href):
        return False
    t = text_content(a) or ""
    return len(t) >= 20 and len(t.split()) >= 4


def _headline_links(root: HtmlElement) -> list[HtmlElement]:
    return [a for a in root.iter("a") if _is_headline_link(a)]


_TITLE_ATTR = re.compile(r"title|heading|tieu-?de|headline", re.I)


_NUMBERED = re.compile(r"\S*\d\S*")


@lru_cache(maxsize=2048)
def _shape_of(tag: str, cls: str) -> tuple[str, str]:
    return tag, " ".join(_NUMBERED.sub("", cls).split())


def _shape(el: HtmlElement) -> tuple[str, str]:
    """An element's tag and class with numbered tokens dropped ("post-12", "row-0")."""
    return _shape_of(el.tag if isinstance(el.tag, str) else "", el.get("class") or "")


def _list_items(
    root: HtmlElement, within: HtmlElement | None = None
) -> dict[HtmlElement, list[HtmlElement]]:
    """Repeated elements that each hold a headline link (the entries of a list of articles),
    by their parent: every ancestor of a headline link (below `within`) that has siblings
    of the same shape."""
    groups: dict[HtmlElement, list[HtmlElement]] = {}
    for a in _headline_links(root):
        el = a
        for _ in range(7):
            parent = el.getparent()
            if parent is None or parent.tag in ("body", "html") or el is within:
                break
            if el.tag not in INLINE_TAGS:
                shape = _shape(el)
                if sum(1 for c in parent if isinstance(c.tag, str) and _shape(c) == shape) >= 2:
                    items = groups.setdefault(parent, [])
                    if el not in items:
                        items.append(el)
            el = parent
    return {p: items for p, items in groups.items() if len(items) >= 2}


def _is_entry(item: HtmlElement) -> bool:
    """A list entry with more than a bare link: its headline in a heading, or a summary."""
    for a in item.iter("a"):
        p = a.getparent()
        if (
            p is not None
            and (p.tag in ("h2", "h3", "h4", "h5") or _TITLE_ATTR.search(class_and_id(p)))
            or _TITLE_ATTR.search(class_and_id(a))
        ):
            return True
    text = len(collapse(text_content(item) or ""))
    links = sum(len(collapse(text_content(a) or "")) for a in item.iter("a"))
    return text - links >= 40


def _entry_holding(body: HtmlElement) -> int:
    """How many entries the list has when the body found is (inside) one entry of a repeated
    list of headline links with summaries; 0 when it is not."""
    el = body
    limit = 3 * len(text_content(body)) + 400  # an entry is its summary, a title and a date
    for _ in range(8):
        parent = el.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return 0
        shape = _shape(el)
        siblings = [c for c in parent if isinstance(c.tag, str) and _shape(c) == shape]
        if len(siblings) < 2:
            el = parent
            continue
        if len(text_content(el)) > limit:
            return 0
        if any(_is_headline_link(a) for a in el.iter("a")):
            entries = [
                c
                for c in siblings
                if any(_is_headline_link(a) for a in c.iter("a")) and _is_entry(c)
            ]
            if len(entries) >= 2 and el in entries:
                return len(siblings)
        el = parent
    return 0


def listing_reason(
    doc: HtmlElement, body: HtmlElement | None, paragraphs: list[str], *, body_failed: bool = False
) -> str | None:
    """A reason when the page lists articles rather than being one: the text found is one
    entry of a repeated list of headline links, or the body holds such entries (headline plus
    summary), or, when no body was found, the page's content is such a list."""
    text = sum(len(p) for p in paragraphs)
    if not body_failed and text > 2500:
        return looks_like_listing(body, paragraphs)
    if body is not None and not body_failed:
        if text < 1200 and (n := _entry_holding(body)):
            return f"a listing page (the text found is one of {n} entries, each with its own headline link)"
        for items in _list_items(body, within=body).values():
            inside = [i for i in items if _is_entry(i)]
            if len(inside) >= 2 and sum(
                len(collapse(text_content(i) or "")) for i in inside
            ) >= 0.4 * max(1, text):
                return f"a listing page ({len(inside)} entries with headlines and summaries)"
    elif body_failed:
        for items in _list_items(doc).values():
            if len(items) >= 3:
                return (
                    f"a listing page ({len(items)} entries with headline links and no article text)"
                )
    return looks_like_listing(body, paragraphs)


def looks_like_listing(body: HtmlElement | None, paragraphs: list[str]) -> str | None:
    """A reason when the page is a list of article links rather than one article."""
    if body is None:
        return None
    headlines: set[str] = set()
    in_headings = 0
    for a in body.iter("a"):
        href = a.get("href") or ""
        if not href or href.startswith(("#", "javascript")) or ATTACHMENT_EXT.search(href):
            continue
        t = collapse(text_content(a) or "")
        if len(t.split()) >= 4 and len(t) >= 20:
            headlines.add(href)
            p = a.getparent()
            if p is not None and (
                p.tag in ("h2", "h3", "h4", "h5")
                or a.find(".//h2") is not None
                or a.find(".//h3") is not None
                or re.search(r"title|tieu-?de", class_and_id(p), re.I)
            ):
                in_headings += 1
    if len(headlines) < 4:
        return None
    text = sum(len(p) for p in paragraphs) or 1
    link_text = sum(len(collapse(text_content(a) or "")) for a in body.iter("a"))
    dated = sum(1 for p in paragraphs if len(p) < 60 and all_dates(p))
    if in_headings >= 4 or link_text > 0.3 * text or (len(headlines) >= 5 and dated >= 3):
        return f"a listing page ({len(headlines)} article links, {text} characters of text)"
    return None
