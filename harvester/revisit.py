"""Re-visits: which archived articles to fetch again tonight, for their view counts.

The policy is config (`revisit`, `revisit_budget`): tiers by the article's age, each with
how many days pass between two visits, and a per-site nightly budget. With the default
(under 7 days old nightly, under 90 days weekly, older monthly, 200 a night) the cost of a
night grows with new and recent articles, not with the size of the archive.

An article's age counts from its published date (else from when we first saw it); its last
visit is the last fetch or attempt. Days are calendar days at +07:00, so a nightly run at
02:00 always finds yesterday's 02:05 visit one day old. Under the budget, younger tiers go
first, then the longest unvisited.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from datetime import date, datetime
from typing import Any

from .clock import VN_TZ
from .config import RevisitTier
from .urls import url_key

__all__ = ["due_revisits", "tier_of"]


def _day(value: str | None) -> date | None:
    """The +07:00 calendar day of an ISO date or datetime text."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ)
    return moment.date()


def tier_of(age_days: int, tiers: Iterable[RevisitTier]) -> tuple[int, RevisitTier] | None:
    """The first tier an article of this age falls in (index, tier), or None: never again.

    >>> from harvester.config import DEFAULT_REVISIT
    >>> tier_of(3, DEFAULT_REVISIT)[1].every, tier_of(30, DEFAULT_REVISIT)[1].every, tier_of(900, DEFAULT_REVISIT)[1].every
    (1, 7, 30)
    """
    for i, tier in enumerate(tiers):
        if tier.younger_than is None or age_days < tier.younger_than:
            return i, tier
    return None


def due_revisits(
    rows: Iterable[Any],
    tiers: tuple[RevisitTier, ...],
    budget: int,
    today: date,
    skip: Container[str] = frozenset(),
) -> list[str]:
    """The URLs to re-visit tonight, most urgent first, at most `budget`.

    `rows` carry `url`, `born` (published date or first seen) and `last_visit`; a URL whose
    `url_key` is in `skip` (already fetched tonight) is left out.
    """
    due: list[tuple[int, str, str]] = []
    for row in rows:
        url = row["url"]
        born = _day(row["born"])
        last = _day(row["last_visit"])
        if born is None or last is None:
            continue
        found = tier_of(max(0, (today - born).days), tiers)
        if found is None:
            continue
        index, tier = found
        if (today - last).days < tier.every:
            continue
        if url_key(url) in skip:
            continue
        due.append((index, row["last_visit"] or "", url))
    due.sort()
    return [url for _, _, url in due[: max(0, budget)]]
