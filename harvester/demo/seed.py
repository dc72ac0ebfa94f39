"""An archive that already holds a fixture site, as if it had been harvested night after
night: for tests and benchmarks of incremental runs at a scale a real crawl would take
too long to build (10,000 articles in a few seconds, in one transaction)."""

from __future__ import annotations

from datetime import datetime

from parsers import Article

from ..clock import now
from ..config import Site
from ..store import Archive
from .sitegen import CATEGORIES, FixtureSite

__all__ = ["seed_archive"]


def seed_archive(archive: Archive, fixture: FixtureSite, site: Site, *, seen_at: datetime | None = None) -> int:
    """Store every live article of `fixture` as harvested at `seen_at` (default now), and mark
    each of the site's listings as read to its end. Returns the number of articles."""
    at = seen_at or now()
    live = fixture.live()
    with archive.transaction():
        for a in live:
            article = Article(
                url=fixture.url_of(a), platform="kontum", title=a.title, body="\n\n".join(a.paragraphs),
                captions=tuple(a.captions), author=a.author, poster=a.poster, published_at=a.published,
                views=a.views, category=CATEGORIES[a.category][1],
            )
            archive.store_article(site.name, article, requested_url=article.url, final_url=article.url, fetched_at=at)
        for start in site.start_urls:
            archive.save_listing_state(site.name, start, resume_url=None, reached_end=True,
                                       pages_read=max(1, len(live) // max(1, fixture.per_page)))
    return len(live)
