"""The values a parser returns: an Article (one news item) and a Listing (links found on a
listing page). Both are frozen; `Article.as_dict()` is the `harvester parse` JSON contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = ["Article", "Attachment", "Listing", "format_published"]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file linked from the article (`.pdf`, `.docx`, …), with the link's text as its name."""

    url: str
    name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "name": self.name}


@dataclass(frozen=True, slots=True)
class Article:
    """One article as read from its page.

    `body` holds the paragraphs separated by a blank line, without captions, byline or
    chrome. `published_at` is a `date` when the page shows only a day, an aware `datetime`
    (+07:00) when it shows a time. `None` means "not on the page", never "" or 0.
    """

    url: str
    platform: str
    title: str
    body: str
    captions: tuple[str, ...] = ()
    author: str | None = None
    poster: str | None = None
    published_at: date | datetime | None = None
    views: int | None = None
    category: str | None = None
    images: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    canonical_url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The `harvester parse` JSON object (field order is part of the contract)."""
        return {
            "url": self.url,
            "platform": self.platform,
            "title": self.title,
            "body": self.body,
            "captions": list(self.captions),
            "author": self.author,
            "poster": self.poster,
            "published_at": format_published(self.published_at),
            "views": self.views,
            "category": self.category,
            "images": list(self.images),
            "attachments": [a.as_dict() for a in self.attachments],
        }

    def content(self) -> dict[str, Any]:
        """The fields that make a version: everything but the URL, views and platform."""
        d = self.as_dict()
        for volatile in ("url", "views", "platform"):
            d.pop(volatile)
        return d


def format_published(value: date | datetime | None) -> str | None:
    """`2023-09-16` for a day, `2023-09-16T08:30:00+07:00` for a moment."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


@dataclass(frozen=True, slots=True)
class Listing:
    """What a listing page leads to: article links in page order, and further listing pages
    (pagination) in order. `kind` is "listing", "feed" or "sitemap"."""

    url: str
    article_urls: tuple[str, ...] = ()
    next_urls: tuple[str, ...] = ()
    kind: str = "listing"
    dates: dict[str, str] = field(default_factory=dict)
