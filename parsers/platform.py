"""What a platform module declares: its Profile (where fields live), its listing selectors,
and the fingerprints that recognise its pages. All data; `score()` applies fingerprints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.html import HtmlElement

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


@dataclass(frozen=True)
class Platform:
    name: str
    profile: Profile
    fingerprints: tuple[Fingerprint, ...] = ()
    listing_links: tuple[str, ...] = ()
    pagination: tuple[str, ...] = ()
    # regex on an article URL's path whose group 1 is the portal's own article id: two URLs
    # of one site with the same id (another category, a slug rewritten after an edit) are
    # one article. None: the platform's URLs carry no reliable id.
    article_id: str | None = None

    def article_id_of(self, url: str) -> str | None:
        """The portal's id of the article at `url`, when the platform declares where it is."""
        if not self.article_id:
            return None
        m = re.search(self.article_id, urlsplit(url).path)
        return m.group(1) if m else None

    def score(self, doc: HtmlElement, html: str, url: str) -> int:
        total = 0
        generator = " ".join(
            (m.get("content") or "") for m in doc.iter("meta") if (m.get("name") or "").lower() == "generator"
        )
        for fp in self.fingerprints:
            if fp.kind == "generator":
                hit = bool(re.search(fp.pattern, generator, re.I))
            elif fp.kind == "html":
                hit = bool(re.search(fp.pattern, html, re.I))
            elif fp.kind == "css":
                hit = bool(select(doc, fp.pattern))
            elif fp.kind == "url":
                hit = bool(re.search(fp.pattern, url, re.I))
            else:
                raise ValueError(f"unknown fingerprint kind {fp.kind!r}")
            total += fp.weight if hit else 0
        return total
