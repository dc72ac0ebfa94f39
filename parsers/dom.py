"""HTML trees and the text blocks of an element, as a parser reads them.

`load()` builds an lxml tree from text (tolerant of XML declarations and broken markup).
`blocks()` walks an element in document order and yields its visible lines: paragraphs,
`<br>`-separated lines, table cells, and images, each with the formatting a caption or a
byline is recognised by (centred, right-aligned, italic, bold, inside a figcaption).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

import lxml.html
from lxml.cssselect import CSSSelector
from lxml.etree import ParserError, XPath
from lxml.html import HtmlElement

from .normalise import display

__all__ = ["Block", "blocks", "load", "select", "select_first", "text_of", "absolute", "iter_elements"]

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd table thead tbody tfoot tr td th blockquote "
    "figure figcaption section article header footer main aside nav pre address center hr "
    "form fieldset details summary caption".split()
)
SKIP_TAGS = frozenset(
    "script style noscript template svg iframe object embed button select option textarea "
    "input map canvas video audio head title meta link".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_ALIGN_RE = re.compile(r"text-align\s*:\s*(center|right|justify|left)", re.I)
_ITALIC_RE = re.compile(r"font-style\s*:\s*italic", re.I)
_BOLD_RE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.I)
_CAPTION_CLASS = re.compile(r"caption|chu-?thich|chuthich|image_desc|img-desc|photo-desc|(^|\s)Image($|\s)|tplCaption|desc", re.I)


def load(html: str) -> HtmlElement:
    """An lxml tree for a page's text; raises ValueError for text that holds no HTML."""
    html = _XML_DECL.sub("", html, count=1)
    if not html.strip():
        raise ValueError("empty document")
    try:
        return lxml.html.document_fromstring(html)
    except ParserError as exc:  # lxml: "Document is empty"
        raise ValueError(str(exc)) from exc


@lru_cache(maxsize=512)
def _compiled(selector: str) -> CSSSelector | XPath:
    if selector.startswith(("/", "./", "(")):
        return XPath(selector)
    return CSSSelector(selector, translator="html")


def select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """Elements matching a CSS selector (or an XPath when it starts with '/' or './')."""
    return [e for e in _compiled(selector)(root) if isinstance(e, HtmlElement)]


def select_first(root: HtmlElement, selectors: tuple[str, ...] | list[str]) -> HtmlElement | None:
    """The first element matching the first selector that matches anything with text."""
    for sel in selectors:
        for el in select(root, sel):
            if el.tag == "img" or text_of(el):
                return el
    return None


def iter_elements(root: HtmlElement) -> Iterator[HtmlElement]:
    """Every element below root (comments and processing instructions skipped)."""
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el


def text_of(el: HtmlElement) -> str:
    """All visible text of an element on one line, in display form."""
    parts: list[str] = []
    _collect(el, parts)
    return display(" ".join(parts))


def _collect(el: HtmlElement, parts: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag not in SKIP_TAGS and tag:
        if el.text:
            parts.append(el.text)
        for child in el:
            _collect(child, parts)
    if el.tail:
        parts.append(el.tail)


def absolute(base_url: str, href: str | None) -> str | None:
    """An absolute http(s) URL for a link, or None for javascript:, mailto:, data: and '#'."""
    if not href:
        return None
    href = href.strip().replace("\\", "/")
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    url = urljoin(base_url, href)
    return url if url.startswith(("http://", "https://")) else None


@dataclass(slots=True)
class Block:
    """One visible line of an element: a paragraph, a `<br>` line, a cell, or an image."""

    text: str = ""
    image: str | None = None
    align: str | None = None
    italic: bool = False
    bold: bool = False
    caption: bool = False
    heading: bool = False
    link_chars: int = 0
    element: HtmlElement | None = field(default=None, repr=False)

    @property
    def is_image(self) -> bool:
        return self.image is not None


@dataclass(slots=True)
class _Ctx:
    align: str | None = None
    italic: bool = False
    bold: bool = False
    caption: bool = False
    heading: bool = False
    link: bool = False
    block: HtmlElement | None = None


class _Acc:
    __slots__ = ("parts", "chars", "italic", "bold", "link", "ctx")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.chars = self.italic = self.bold = self.link = 0
        self.ctx: _Ctx | None = None

    def add(self, text: str, ctx: _Ctx) -> None:
        if not text:
            return
        n = len(text.strip())
        if n and self.ctx is None:
            self.ctx = ctx
        self.parts.append(text)
        self.chars += n
        if ctx.italic:
            self.italic += n
        if ctx.bold:
            self.bold += n
        if ctx.link:
            self.link += n


def _ctx_for(el: HtmlElement, tag: str, parent: _Ctx) -> _Ctx:
    style = el.get("style") or ""
    cls = el.get("class") or ""
    align = parent.align
    m = _ALIGN_RE.search(style)
    if m:
        align = m.group(1).lower()
    elif (a := (el.get("align") or "").lower()) in ("center", "right", "left", "justify"):
        align = a
    elif tag == "center" or re.search(r"(^|[\s-])(text-)?(center|centered|aligncenter|image-center)($|\s)", cls):
        align = "center"
    elif re.search(r"(^|[\s-])(text-right|right|alignright)($|\s)", cls):
        align = "right"
    return _Ctx(
        align=align,
        italic=parent.italic or tag in ("em", "i", "cite") or bool(_ITALIC_RE.search(style)),
        bold=parent.bold or tag in ("strong", "b") or bool(_BOLD_RE.search(style)),
        caption=parent.caption or tag in ("figcaption", "caption") or bool(cls and _CAPTION_CLASS.search(cls)),
        heading=parent.heading or tag in HEADING_TAGS,
        link=parent.link or tag == "a",
        block=el if tag in BLOCK_TAGS else parent.block,
    )


def _image_src(el: HtmlElement) -> str | None:
    for attr in ("src", "data-src", "data-original", "data-lazy-src"):
        v = el.get(attr)
        if v and not v.startswith("data:"):
            return v
    return None


def _tiny(el: HtmlElement) -> bool:
    for attr in ("width", "height"):
        v = (el.get(attr) or "").strip().rstrip("px")
        if v.isdigit() and int(v) < 40:
            return True
    return False


def blocks(root: HtmlElement, base_url: str = "", skip: frozenset[HtmlElement] | set[HtmlElement] = frozenset()) -> list[Block]:
    """The visible lines and images of `root`, in document order.

    Elements in `skip` (and their subtrees) are left out. Images smaller than 40 px by their
    attributes are ignored (icons, spacers).
    """
    out: list[Block] = []
    acc = _Acc()

    def flush() -> None:
        nonlocal acc
        if acc.chars:
            text = display("".join(acc.parts))
            if text:
                ctx = acc.ctx or _Ctx()
                out.append(
                    Block(
                        text=text,
                        align=ctx.align,
                        italic=acc.italic >= 0.8 * acc.chars,
                        bold=acc.bold >= 0.8 * acc.chars,
                        caption=ctx.caption,
                        heading=ctx.heading,
                        link_chars=acc.link,
                        element=ctx.block,
                    )
                )
        acc = _Acc()

    def walk(el: HtmlElement, parent: _Ctx, depth: int) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in SKIP_TAGS or el in skip or depth > 400:
            return
        if tag == "br":
            flush()
            return
        if tag == "hr":
            flush()
            return
        ctx = _ctx_for(el, tag, parent)
        if tag == "img":
            src = _image_src(el)
            if src and not _tiny(el):
                flush()
                url = absolute(base_url, src) if base_url else src
                out.append(Block(text=display(el.get("alt") or ""), image=url, align=ctx.align,
                                 caption=ctx.caption, element=ctx.block))
            return
        is_block = tag in BLOCK_TAGS
        if is_block:
            flush()
        acc.add(el.text or "", ctx)
        for child in el:
            walk(child, ctx, depth + 1)
            if child.tail:
                if isinstance(child.tag, str) and child.tag.lower() in BLOCK_TAGS:
                    flush()
                acc.add(child.tail, ctx)
        if is_block:
            flush()

    walk(root, _Ctx(), 0)
    flush()
    return out


def check_selector(selector: str) -> None:
    """Raise ValueError when a CSS selector (or XPath) cannot be compiled."""
    try:
        _compiled(selector)
    except Exception as exc:  # cssselect and lxml raise several kinds
        raise ValueError(str(exc)) from None
