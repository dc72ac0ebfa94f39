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

from collections.abc import Mapping

from . import generic, kontum
from .article import Article, Attachment, Listing
from .dom import load
from .engine import extract
from .errors import ParseError
from .listing import extract_listing
from .normalise import decode
from .platform import Platform

__all__ = [
    "PARSER_VERSION", "PLATFORMS", "Article", "Attachment", "Listing", "ParseError",
    "detect", "parse", "parse_bytes", "parse_listing",
]

# Bump when extraction changes in a way that can change stored versions (see `reparse`).
PARSER_VERSION = "2"  # 2: display() places tones canonically and repairs legacy text

PLATFORMS: dict[str, Platform] = {p.name: p for p in (kontum.PLATFORM, generic.PLATFORM)}
_MIN_SCORE = 2


def _load(html: str, url: str):
    try:
        return load(html)
    except ValueError as exc:
        raise ParseError(url, f"not an HTML page ({exc})") from None


def detect(html: str, url: str) -> str:
    """The platform a page was made with, or "generic"."""
    doc = _load(html, url)
    best, best_score = "generic", _MIN_SCORE - 1
    for name, platform in PLATFORMS.items():
        score = platform.score(doc, html, url)
        if score > best_score:
            best, best_score = name, score
    return best


def _platform(name: str, html: str, url: str) -> Platform:
    if name == "auto":
        name = detect(html, url)
    try:
        return PLATFORMS[name]
    except KeyError:
        raise ValueError(f"unknown platform {name!r}; known: auto, {', '.join(PLATFORMS)}") from None


def parse(
    html: str,
    url: str,
    platform: str = "auto",
    selectors: Mapping[str, str | list[str]] | None = None,
) -> Article:
    """Read the article on a page. Raises ParseError (with the reason) when there is none.

    The platform's parser runs first; if it cannot read the page, the generic parser tries,
    and the error names both reasons when neither can.
    """
    chosen = _platform(platform, html, url)
    profile = chosen.profile.with_overrides(dict(selectors) if selectors else None)
    try:
        return extract(_load(html, url), url, profile)
    except ParseError as first:
        if chosen.name == "generic":
            raise
        fallback = generic.PLATFORM.profile.with_overrides(dict(selectors) if selectors else None)
        try:
            return extract(_load(html, url), url, fallback)
        except ParseError as second:
            raise ParseError(url, f"{chosen.name}: {first.reason}; generic: {second.reason}") from None


def parse_listing(html: str, url: str, platform: str = "auto") -> Listing:
    """The article links and next-page links of a listing page."""
    chosen = _platform(platform, html, url)
    return extract_listing(_load(html, url), url, chosen.listing_links, chosen.pagination)


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
