"""What a platform module declares: its Profile (where fields live), its listing selectors,
and the fingerprints that recognise its pages. All data; `score()` applies fingerprints.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from lxml.html import HtmlElement

from .article import Article
from .dom import select
from .engine import Profile

__all__ = ["Fingerprint", "Platform"]


@dataclass(frozen=True)
class Fingerprint:
    """One piece of evidence for a platform.

    kind: "generator" (regex on `<meta name=generator>`), "html" (regex on the page source),
    "css" (a selector that matches), "url" (regex on the URL).
    """

    kind: str
    pattern: str
    weight: int = 1


@lru_cache(maxsize=256)
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


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
    canonical_url: Callable[[str], str | None] | None = None

    def score(self, doc: HtmlElement, html: str, url: str) -> int:
        total = 0
        generator = " ".join(
            (m.get("content") or "") for m in doc.iter("meta") if (m.get("name") or "").lower() == "generator"
        )
        for fp in self.fingerprints:
            if fp.kind == "generator":
                hit = bool(generator) and bool(_rx(fp.pattern).search(generator))
            elif fp.kind == "html":
                hit = bool(_rx(fp.pattern).search(html))
            elif fp.kind == "css":
                hit = bool(select(doc, fp.pattern))
            elif fp.kind == "url":
                hit = bool(_rx(fp.pattern).search(url))
            else:
                raise ValueError(f"unknown fingerprint kind {fp.kind!r}")
            total += fp.weight if hit else 0
        return total

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
