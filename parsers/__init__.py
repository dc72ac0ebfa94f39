"""Parsers: a page's text and URL in, an Article (or a Listing) out. Pure functions, no I/O.

    parse(html, url, platform="auto", selectors=None) -> Article   (or raises ParseError)
    parse_listing(html, url, platform="auto") -> Listing
    detect(html, url) -> platform name
    parse_bytes(raw, url, content_type=None, ...) -> Article       (decodes first)

One module per platform family holds its data (a `Platform`: profile of selectors,
fingerprints, listing selectors); `engine` holds the extraction cascade they share;
`normalise` the Vietnamese text handling; `labels` and `dates` the strings and formats.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from lxml.html import HtmlElement

from . import generic, joomla, kontum, liferay, nukeviet, sharepoint, wordpress
from .article import Article, Attachment, Listing
from .dom import load
from .engine import extract
from .errors import ParseError
from .listing import extract_listing
from .normalise import decode
from .platform import Platform, generator_of

__all__ = [
    "PARSER_VERSION",
    "PLATFORMS",
    "Article",
    "Attachment",
    "Listing",
    "ParseError",
    "detect",
    "parse",
    "parse_bytes",
    "parse_listing",
]

# Bump when extraction changes in a way that can change stored versions (see `reparse`).
PARSER_VERSION = "4"  # 2: six platform parsers; 3: display() places tones canonically and repairs legacy text; 4: opening bylines, "PV" credits, "tentin" titles, caption.js captions, featured images

PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        kontum.PLATFORM,
        nukeviet.PLATFORM,
        joomla.PLATFORM,
        liferay.PLATFORM,
        sharepoint.PLATFORM,
        wordpress.PLATFORM,
        generic.PLATFORM,
    )
}
_MIN_SCORE = 3  # one weak marker (a URL shape, __VIEWSTATE) is not enough


def _load(html: str, url: str):
    try:
        return load(html)
    except ValueError as exc:
        raise ParseError(url, f"not an HTML page ({exc})") from None


def detect(html: str, url: str) -> str:
    """The platform a page was made with, or "generic"."""
    return _detect(_load(html, url), html, url)


def _detect(doc: HtmlElement, html: str, url: str) -> str:
    generator = generator_of(doc)
    if generator:
        # a generator that names exactly one platform decides
        named = [n for n, p in PLATFORMS.items() if p.names_generator(generator)]
        if len(named) == 1:
            return named[0]
    best, best_score = "generic", _MIN_SCORE - 1
    for name, platform in PLATFORMS.items():
        score = platform.score(doc, html, url, generator)
        if score > best_score:
            best, best_score = name, score
    return best


def _known(name: str) -> None:
    if name != "auto" and name not in PLATFORMS:
        raise ValueError(f"unknown platform {name!r}; known: auto, {', '.join(PLATFORMS)}")


def _platform(name: str, doc: HtmlElement, html: str, url: str) -> Platform:
    return PLATFORMS[_detect(doc, html, url) if name == "auto" else name]


def _failed(url: str, exc: Exception) -> ParseError:
    """A parser bug met on one page (an exception other than ParseError) is that page's
    ParseError, naming the exception: the caller records the page, never dies on it."""
    return ParseError(url, f"the parser failed on this page ({type(exc).__name__}: {exc})")


def parse(
    html: str,
    url: str,
    platform: str = "auto",
    selectors: Mapping[str, str | list[str]] | None = None,
) -> Article:
    """Read the article on a page. Raises ParseError (with the reason) when there is none.

    The platform's parser runs first; if it cannot read the page, the generic parser tries,
    and the error names both reasons when neither can. Any other exception a parser raises
    on the page becomes a ParseError that names it.
    """
    _known(platform)
    try:
        return _parse(html, url, platform, selectors)
    except (ParseError, MemoryError):
        raise
    except Exception as exc:
        raise _failed(url, exc) from exc


def _parse(html: str, url: str, platform: str, selectors: Mapping[str, str | list[str]] | None) -> Article:
    if not unicodedata.is_normalized("NFC", html):
        html = unicodedata.normalize("NFC", html)  # labels and names are matched composed
    doc = _load(html, url)
    chosen = _platform(platform, doc, html, url)
    profile = chosen.profile.with_overrides(dict(selectors) if selectors else None)
    try:
        return chosen.finish(extract(doc, url, profile, html))
    except ParseError as first:
        if chosen.name == "generic" or first.definite:
            raise
        fallback = generic.PLATFORM.profile.with_overrides(dict(selectors) if selectors else None)
        try:
            return extract(_load(html, url), url, fallback, html)
        except ParseError as second:
            raise ParseError(
                url,
                f"{chosen.name}: {first.reason}; generic: {second.reason}",
                definite=second.definite,
            ) from None


def parse_listing(html: str, url: str, platform: str = "auto") -> Listing:
    """The article links and next-page links of a listing page (ParseError when the page
    cannot be read, as `parse`)."""
    _known(platform)
    try:
        doc = _load(html, url)
        chosen = _platform(platform, doc, html, url)
        return extract_listing(doc, url, chosen.listing_links, chosen.pagination, chosen.canonical)
    except (ParseError, MemoryError):
        raise
    except Exception as exc:
        raise _failed(url, exc) from exc


def parse_bytes(
    raw: bytes,
    url: str,
    content_type: str | None = None,
    platform: str = "auto",
    selectors: Mapping[str, str | list[str]] | None = None,
) -> Article:
    """Decode a page's bytes (see `normalise.decode`) and parse it."""
    head = raw[:1024].lstrip()
    if head.startswith(b"%PDF"):
        raise ParseError(url, "not an HTML page: a PDF document")
    if content_type and not any(t in content_type.lower() for t in ("html", "xml", "text/plain")):
        raise ParseError(url, f"not an HTML page: {content_type}")
    if not raw.strip():
        raise ParseError(url, "empty page")
    return parse(decode(raw, content_type), url, platform, selectors)
