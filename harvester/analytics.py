"""View-count analytics over the archive: an article's series, the articles whose views grew
most in a window, and per-site totals over time. Rows stream as dicts for `output.emit`.

Counts come from `view_counts` (one observation per fetch; NULL when the page showed none,
skipped here). Growth between two observations is their difference; growth per day divides
it by the time between them, so a weekly revisit and a nightly one compare fairly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from . import clock
from .store import Archive

__all__ = ["parse_since", "series", "top_growth", "site_totals", "days_between"]

_RELATIVE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.I)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime | None = None) -> str:
    """A window start as stored times are written: '7d', '24h', '2w', '90m' back from now,
    or a date / ISO time (read at +07:00 when it has no offset). ValueError otherwise.

    >>> parse_since("7d", datetime(2026, 3, 8, 2, 0, tzinfo=clock.VN_TZ))
    '2026-03-01T02:00:00+07:00'
    >>> parse_since("2026-03-01")
    '2026-03-01T00:00:00+07:00'
    """
    m = _RELATIVE.match(text)
    if m:
        start = (now or clock.now()) - timedelta(**{_UNITS[m.group(2).lower()]: int(m.group(1))})
        return clock.iso(start)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r}: expected a duration like 7d, 24h, 2w, 90m, or a date like 2026-03-01") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.VN_TZ)
    return clock.iso(moment)


def days_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 86400


def _per_day(growth: int, days: float) -> float | None:
    return round(growth / days, 2) if days > 0 else None


def series(archive: Archive, article_id: int, since: str | None = None) -> Iterator[dict[str, Any]]:
    """Every observation of one article, oldest first, with the growth since the previous
    count (`growth`, `days`, `growth_per_day`; null for the first)."""
    rows = archive.conn.execute(
        """SELECT c.article_id, a.site, c.observed_at, c.views, c.source FROM view_counts c
           JOIN articles a ON a.id = c.article_id
           WHERE c.article_id = ? AND c.observed_at >= ? ORDER BY c.observed_at, c.id""",
        (article_id, since or ""),
    )
    previous: tuple[str, int] | None = None
    for r in rows:
        row = dict(r)
        row.update(growth=None, days=None, growth_per_day=None)
        if r["views"] is not None:
            if previous is not None:
                growth, days = r["views"] - previous[1], days_between(previous[0], r["observed_at"])
                row.update(growth=growth, days=round(days, 4), growth_per_day=_per_day(growth, days))
            previous = (r["observed_at"], r["views"])
        yield row


def top_growth(archive: Archive, *, since: str, limit: int = 20, sites: Iterable[str] = ()) -> Iterator[dict[str, Any]]:
    """The articles whose views grew most since `since`: from the last count at or before the
    window's start (or the first inside it, for an article first seen in the window) to the
    newest count. Articles counted only once in that span are left out."""
    names = list(sites)
    site_filter = f"AND a.site IN ({', '.join('?' * len(names))})" if names else ""
    sql = f"""
        WITH recent AS (
            SELECT c.article_id, max(c.observed_at) AS to_at FROM view_counts c
            WHERE c.observed_at >= ? AND c.views IS NOT NULL GROUP BY c.article_id
        ), spans AS (
            SELECT r.article_id, r.to_at, coalesce(
                (SELECT max(b.observed_at) FROM view_counts b
                  WHERE b.article_id = r.article_id AND b.views IS NOT NULL AND b.observed_at <= ?),
                (SELECT min(b.observed_at) FROM view_counts b
                  WHERE b.article_id = r.article_id AND b.views IS NOT NULL AND b.observed_at >= ?)) AS from_at
            FROM recent r
        ), counted AS (
            SELECT s.article_id, s.from_at, s.to_at,
                   (SELECT views FROM view_counts WHERE article_id = s.article_id AND observed_at = s.from_at
                      AND views IS NOT NULL ORDER BY id LIMIT 1) AS views_from,
                   (SELECT views FROM view_counts WHERE article_id = s.article_id AND observed_at = s.to_at
                      AND views IS NOT NULL ORDER BY id DESC LIMIT 1) AS views_to
            FROM spans s WHERE s.from_at < s.to_at
        )
        SELECT k.article_id, a.site, v.title, a.url, a.status, k.views_from, k.views_to,
               k.views_to - k.views_from AS growth, k.from_at, k.to_at
        FROM counted k JOIN articles a ON a.id = k.article_id
        LEFT JOIN versions v ON v.id = a.latest_version_id
        WHERE 1 = 1 {site_filter}
        ORDER BY growth DESC, k.article_id LIMIT ?"""
    for r in archive.conn.execute(sql, (since, since, since, *names, limit)):
        row = dict(r)
        days = days_between(r["from_at"], r["to_at"])
        row["days"] = round(days, 4)
        row["growth_per_day"] = _per_day(r["growth"], days)
        yield row


def site_totals(archive: Archive, *, sites: Iterable[str] = (), since: str | None = None) -> Iterator[dict[str, Any]]:
    """Per site and day (at +07:00): articles counted that day, new ones, views gained since
    their previous counts, and the site's total (every article's newest count so far, carried
    forward) — the `site_daily_views` view."""
    names = list(sites)
    site_filter = f"AND site IN ({', '.join('?' * len(names))})" if names else ""
    day = since[:10] if since else ""
    yield from (dict(r) for r in archive.conn.execute(
        f"""SELECT site, day, articles_observed, new_articles, views_gained, total_views FROM site_daily_views
            WHERE day >= ? {site_filter} ORDER BY site, day""",
        (day, *names),
    ))
