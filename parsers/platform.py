"""What a platform module declares: its Profile (where fields live), its listing selectors,
and the fingerprints that recognise its pages. All data; `score()` applies fingerprints.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from .article import Article
from .dom import select
from .engine import Profile

__all__ = ["Fingerprint", "Platform"]


@dataclass(frozen=True)
class Fingerprint:
    """One piece of evidence for a platform.

    kind: "generator" (regex on `<meta name=generator>`), "text" (literal strings separated by
    "|", any of them in the page source, case as written: the fast kind), "html" (regex on the
    page source, tried only when `needs` is in it), "css" (a selector that matches), "url"
    (regex on the URL).
    """

    kind: str
    pattern: str
    weight: int = 1
    needs: str = ""


@lru_cache(maxsize=256)
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


@lru_cache(maxsize=256)
def _literals(pattern: str) -> tuple[str, ...]:
    return tuple(pattern.split("|"))


def generator_of(doc: HtmlElement) -> str:
    """The content of a page's `<meta name="generator">` tags."""
    head = doc.find("head")
    return " ".join(
        (m.get("content") or "")
        for m in (head if head is not None else doc).iter("meta")
        if (m.get("name") or "").lower() == "generator"
    )


@dataclass(frozen=True)
class Platform:
    """A platform family: its profile, how to recognise its pages, where its listings keep
    article links and pagination, and (rarely) code for what data cannot say.

    `canonical_url(url)` gives the one URL of an article that the platform serves under
    several (Joomla: the same article under each menu's Itemid); None when it has no opinion.
    """

    name: str
    profile: Profile
    fingerprints: tuple[Fingerprint, ...] = ()
    listing_links: tuple[str, ...] = ()
    pagination: tuple[str, ...] = ()
    # regex on an article URL's path whose group 1 is the portal's own article id: two URLs
    # of one site with the same id (another category, a slug rewritten after an edit) are
    # one article. None: the platform's URLs carry no reliable id.
    article_id: str | None = None
    canonical_url: Callable[[str], str | None] | None = None

    def article_id_of(self, url: str) -> str | None:
        """The portal's id of the article at `url`, when the platform declares where it is."""
        if not self.article_id:
            return None
        m = re.search(self.article_id, urlsplit(url).path)
        return m.group(1) if m else None

    def score(self, doc: HtmlElement, html: str, url: str, generator: str | None = None) -> int:
        """The weight of this platform's fingerprints found on a page (`generator`: the page's
        `<meta name=generator>` content, when the caller has read it already)."""
        total = 0
        if generator is None:
            generator = generator_of(doc)
        for fp in self.fingerprints:
            if fp.kind == "generator":
                hit = bool(generator) and bool(_rx(fp.pattern).search(generator))
            elif fp.kind == "text":
                hit = any(lit in html for lit in _literals(fp.pattern))
            elif fp.kind == "html":
                hit = (not fp.needs or fp.needs in html) and bool(_rx(fp.pattern).search(html))
            elif fp.kind == "css":
                hit = bool(select(doc, fp.pattern))
            elif fp.kind == "url":
                hit = bool(_rx(fp.pattern).search(url))
            else:
                raise ValueError(f"unknown fingerprint kind {fp.kind!r}")
            total += fp.weight if hit else 0
        return total

    def names_generator(self, generator: str) -> bool:
        """True when a page's generator meta names this platform."""
        return any(
            fp.kind == "generator" and _rx(fp.pattern).search(generator) for fp in self.fingerprints
        )

    def canonical(self, url: str) -> str:
        """The platform's canonical form of an article URL (the URL itself by default)."""
        return (self.canonical_url(url) if self.canonical_url else None) or url

    def finish(self, article: Article) -> Article:
        """The article with what the platform knows beyond the page: its canonical URL when
        the page names none."""
        if article.canonical_url is None and self.canonical_url is not None:
            c = self.canonical_url(article.url)
            if c and c != article.url:
                return replace(article, canonical_url=c)
        return article
