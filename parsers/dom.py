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
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.etree import ParserError, XPath
from lxml.html import HtmlElement

# Lines are collapsed cheaply while the tree is read; the text a parser returns goes through
# `normalise.display` once, at the end (it is the one definition of the display form).
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def collapse(text: str) -> str:
    """Whitespace runs to one space, ends trimmed, zero-width characters dropped."""
    if (
        "\u200b" in text
        or "\u00ad" in text
        or "\ufeff" in text
        or "\u200c" in text
        or "\u200d" in text
        or "\u2060" in text
    ):
        text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


__all__ = [
    "Block",
    "blocks",
    "collapse",
    "load",
    "select",
    "select_first",
    "text_content",
    "text_of",
    "absolute",
    "iter_elements",
]

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "blockquote",
        "figure",
        "figcaption",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "pre",
        "address",
        "center",
        "hr",
        "form",
        "fieldset",
        "details",
        "summary",
        "caption",
    ]
)
# never shown, with what they hold: the engine strips them from the page before reading it
INVISIBLE_TAGS = (
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed",
    "select", "textarea", "button", "map", "canvas", "audio", "video",
)
# and what a walk over the visible lines passes by (form fields, the head)
SKIP_TAGS = frozenset([*INVISIBLE_TAGS, "option", "input", "head", "title", "meta", "link"])
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_ALIGN_RE = re.compile(r"text-align\s*:\s*(center|right|justify|left)", re.I)
_ITALIC_RE = re.compile(r"font-style\s*:\s*italic", re.I)
_BOLD_RE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.I)
_CAPTION_CLASS = re.compile(
    r"caption|chu-?thich|ghi-?chu-?anh|image_desc|image-desc|img-desc|imgdesc|photo-desc|pic-desc|"
    r"(^|\s)Image($|\s)|tplCaption|note-?image|image-?note",
    re.I,
)


# Plain lxml elements: lxml.html's per-element Python class lookup costs more than the
# few HtmlElement methods it adds (text_content is `text_content()` below).
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)


def load(html: str) -> HtmlElement:
    """An lxml tree for a page's text; raises ValueError for text that holds no HTML."""
    html = _XML_DECL.sub("", html, count=1)
    if not html.strip():
        raise ValueError("empty document")
    try:
        root = etree.fromstring(html, parser=_PARSER)
    except (ParserError, etree.XMLSyntaxError) as exc:  # "Document is empty"
        raise ValueError(str(exc)) from exc
    if root is None:
        raise ValueError("empty document")
    return root


_STRING = XPath("string()")


def text_content(el: HtmlElement) -> str:
    """All text below an element, as lxml.html's text_content() gives it."""
    return str(_STRING(el))


@lru_cache(maxsize=512)
def _compiled(selector: str) -> CSSSelector | XPath:
    if selector.startswith(("/", "./", "(")):
        return XPath(selector)
    return CSSSelector(selector, translator="html")


_CLASS_OR_ID = re.compile(r"(?<![\w-])[.#]([\w-]+)")
_ATTR_VALUE = re.compile(r"\[[\w-]+\s*[*^$~|]?=\s*[\"']?([^\"'\]]+)")


@lru_cache(maxsize=1024)
def _needs(selector: str) -> tuple[str, ...]:
    """Literal strings a page's source must contain for a selector to match anything: its
    class names, ids and attribute values (none for groups, pseudo-classes or XPath)."""
    if selector.startswith(("/", "./", "(")) or "," in selector or ":" in selector:
        return ()
    bare = re.sub(r"\[[^\]]*\]", " ", selector)
    return tuple(_CLASS_OR_ID.findall(bare)) + tuple(
        v.strip() for v in _ATTR_VALUE.findall(selector)
    )


def select(root: HtmlElement, selector: str, source: str | None = None) -> list[HtmlElement]:
    """Elements matching a CSS selector (or an XPath when it starts with '/' or './').

    With the page's `source` text, a selector whose class names, ids or attribute values do
    not occur in it is answered without walking the tree.
    """
    if source is not None and any(token not in source for token in _needs(selector)):
        return []
    return [
        e
        for e in _compiled(selector)(root)
        if isinstance(e, etree._Element) and isinstance(e.tag, str)
    ]


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
    """All visible text of an element on one line, whitespace collapsed."""
    parts: list[str] = []
    _collect(el, parts)
    return collapse(" ".join(parts))


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
    """An absolute http(s) URL for a link, or None for javascript:, mailto:, data:, '#' and a
    malformed link (an unclosed IPv6 bracket, a port that is not a port): one bad href on a
    page is no link, never an error.

    >>> absolute("http://a.gov.vn/tin/1", "x-2.html"), absolute("http://a.gov.vn/tin/1", "http://[bad/x.pdf")
    ('http://a.gov.vn/tin/x-2.html', None)
    """
    if not href:
        return None
    href = href.strip().replace("\\", "/")
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        url = urljoin(base_url, href)
        urlsplit(url).port  # noqa: B018 (raises for a port out of range or not a number)
    except ValueError:
        return None
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


_ITALIC_TAGS = frozenset(("em", "i", "cite"))
_BOLD_TAGS = frozenset(("strong", "b"))
_ALIGN_CLASS = re.compile(
    r"(?:^|[\s_-])(?:text-)?(center|centered|aligncenter|image-center|right|alignright)(?:$|\s)"
)


@lru_cache(maxsize=2048)
def _class_info(cls: str) -> tuple[str | None, bool]:
    """(alignment, is-caption) that a class attribute implies."""
    m = _ALIGN_CLASS.search(cls)
    align = None
    if m:
        align = "right" if "right" in m.group(1) else "center"
    return align, bool(_CAPTION_CLASS.search(cls))


@lru_cache(maxsize=1024)
def _style_info(style: str) -> tuple[str | None, bool, bool]:
    """(alignment, italic, bold) an inline style sets."""
    m = _ALIGN_RE.search(style)
    return (
        (m.group(1).lower() if m else None),
        bool(_ITALIC_RE.search(style)),
        bool(_BOLD_RE.search(style)),
    )


def _ctx_for(el: HtmlElement, tag: str, parent: _Ctx) -> _Ctx:
    style = el.get("style")
    cls = el.get("class")
    attr_align = el.get("align")
    is_block = tag in BLOCK_TAGS
    if style is None and cls is None and attr_align is None:
        if (
            not is_block
            and tag not in _ITALIC_TAGS
            and tag not in _BOLD_TAGS
            and tag not in HEADING_TAGS
            and tag != "a"
            and tag != "figcaption"
        ):
            return parent
    align = parent.align
    italic = parent.italic or tag in _ITALIC_TAGS
    bold = parent.bold or tag in _BOLD_TAGS
    caption = parent.caption or tag == "figcaption" or tag == "caption"
    style_align = None
    if style:
        style_align, s_italic, s_bold = _style_info(style)
        if style_align:
            align = style_align
        italic = italic or s_italic
        bold = bold or s_bold
    if (
        attr_align
        and not style_align
        and attr_align.lower() in ("center", "right", "left", "justify")
    ):
        align = attr_align.lower()
    if tag == "center":
        align = "center"
    if cls:
        calign, ccap = _class_info(cls)
        if calign and not style_align:
            align = calign
        caption = caption or ccap
    return _Ctx(
        align=align,
        italic=italic,
        bold=bold,
        caption=caption,
        heading=parent.heading or tag in HEADING_TAGS,
        link=parent.link or tag == "a",
        block=el if is_block else parent.block,
    )


def image_src(el: HtmlElement) -> str | None:
    for attr in ("data-src", "data-original", "data-lazy-src", "src"):
        v = el.get(attr)
        if v and not v.startswith("data:") and v.strip():
            return v.strip()
    return None


_ICON_SRC = re.compile(
    r"(?:^|/)(?:icons?|emoji|smilies|spacer|blank|pixel|loading|loader)[/._-]|\.svg(?:$|\?)", re.I
)


def _tiny(el: HtmlElement, src: str) -> bool:
    for attr in ("width", "height"):
        v = (el.get(attr) or "").strip().rstrip("px")
        if v.isdigit() and int(v) < 40:
            return True
    return bool(_ICON_SRC.search(src))


def blocks(
    root: HtmlElement,
    base_url: str = "",
    skip: frozenset[HtmlElement] | set[HtmlElement] = frozenset(),
    marks: dict[HtmlElement, str] | None = None,
    spans: dict[str, tuple[int, int]] | None = None,
) -> list[Block]:
    """The visible lines and images of `root`, in document order.

    Elements in `skip` (and their subtrees) are left out. Images smaller than 40 px by their
    attributes, and icons, are ignored. For each element in `marks`, `spans[name]` is set to
    the (start, end) range of the lines it produced, so a caller can tell which lines came
    from the title, the body or a metadata element without walking the tree again.
    """
    out: list[Block] = []
    parts: list[str] = []
    # accumulator state: [chars, italic chars, bold chars, link chars, first ctx]
    acc: list = [0, 0, 0, 0, None]
    marks = marks or {}

    def flush() -> None:
        if acc[0]:
            text = collapse("".join(parts))
            if text:
                ctx = acc[4] or _Ctx()
                n = acc[0]
                out.append(
                    Block(
                        text=text,
                        align=ctx.align,
                        italic=acc[1] >= 0.8 * n,
                        bold=acc[2] >= 0.8 * n,
                        caption=ctx.caption,
                        heading=ctx.heading,
                        link_chars=acc[3],
                        element=ctx.block,
                    )
                )
        parts.clear()
        acc[0] = acc[1] = acc[2] = acc[3] = 0
        acc[4] = None

    def add(text: str | None, ctx: _Ctx) -> None:
        if not text:
            return
        n = len(text.strip())
        if (
            parts
            and n
            and (prev := parts[-1])
            and not prev[-1].isspace()
            and not text[0].isspace()
            and (prev[-1].isdigit() != text[0].isdigit())
            and (prev[-1].isalnum() and text[0].isalnum())
        ):
            # "15:20" + "Lượt đọc" from two adjacent spans: a syllable never mixes digits and letters
            parts.append(" ")
        parts.append(text)
        if not n:
            return
        if acc[4] is None:
            acc[4] = ctx
        acc[0] += n
        if ctx.italic:
            acc[1] += n
        if ctx.bold:
            acc[2] += n
        if ctx.link:
            acc[3] += n

    def walk(el: HtmlElement, parent: _Ctx, depth: int) -> None:
        tag = el.tag
        if tag.__class__ is not str:
            return
        if tag in SKIP_TAGS or (skip and el in skip) or depth > 400:
            return
        if tag == "br" or tag == "hr":
            flush()
            return
        ctx = _ctx_for(el, tag, parent)
        if tag == "img":
            src = image_src(el)
            if src and not _tiny(el, src):
                flush()
                url = (absolute(base_url, src) or src) if base_url else src
                out.append(
                    Block(
                        text=collapse(el.get("alt") or ""),
                        image=url,
                        align=ctx.align,
                        caption=ctx.caption,
                        element=ctx.block,
                    )
                )
                # Joomla's caption.js shows an `img.caption`'s title under it as its caption
                title = el.get("title")
                if title and "caption" in (el.get("class") or "").split():
                    out.append(Block(text=collapse(title), caption=True, element=el))
            return
        name = marks.get(el)
        is_block = tag in BLOCK_TAGS
        if is_block:
            flush()
        start = len(out)
        add(el.text, ctx)
        for child in el:
            walk(child, ctx, depth + 1)
            tail = child.tail
            if tail:
                if isinstance(child.tag, str) and child.tag.lower() in BLOCK_TAGS:
                    flush()
                add(tail, ctx)
        if is_block:
            flush()
        if name and spans is not None and name not in spans:
            # an inline element marks the whole line it stands in
            spans[name] = (start, len(out) + (1 if acc[0] else 0))

    walk(root, _Ctx(), 0)
    flush()
    return out


# --- element helpers the parser modules share -------------------------------------------

ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|odt|ods|rtf|zip|rar|7z)(?:$|[?#&])", re.I)


INLINE_TAGS = frozenset(
    (
        "a",
        "span",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "font",
        "sup",
        "sub",
        "small",
        "big",
        "abbr",
        "cite",
        "label",
        "s",
        "strike",
        "mark",
        "q",
        "time",
    )
)


def ancestors(el: HtmlElement) -> list[HtmlElement]:
    out = []
    p = el.getparent()
    while p is not None:
        out.append(p)
        p = p.getparent()
    return out


def common_ancestor(a: HtmlElement, b: HtmlElement) -> HtmlElement:
    chain = [a, *ancestors(a)]
    seen = set(chain)
    for el in [b, *ancestors(b)]:
        if el in seen:
            return el
    return chain[-1]


def inside(el: HtmlElement, container: HtmlElement) -> bool:
    while el is not None:
        if el is container:
            return True
        el = el.getparent()
    return False


def drop(el: HtmlElement) -> None:
    """Remove an element but keep its tail text in the tree."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def class_and_id(el: HtmlElement) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def page_title(doc: HtmlElement) -> str | None:
    el = doc.find(".//title")
    if el is None:
        return None
    t = collapse(text_content(el) or "")
    return t or None


def clear_caches() -> None:
    """Forget the memos of class and style attributes (benchmarks time pages cold)."""
    _class_info.cache_clear()
    _style_info.cache_clear()


def check_selector(selector: str) -> None:
    """Raise ValueError when a CSS selector (or XPath) cannot be compiled."""
    try:
        _compiled(selector)
    except Exception as exc:  # cssselect and lxml raise several kinds
        raise ValueError(str(exc)) from None
