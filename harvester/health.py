"""Site health: after each run, compare every site with its own recent past and flag what
looks like a redesign before weeks of empty fields pile up (the silent failure every
scraper user complains of). Also the per-site overview behind `harvester status`.

Each site's run is checked against a baseline: the site's own trailing median over its
last `window` completed runs that were not themselves flagged for the same check (so a
broken site stays flagged until it recovers, for up to `lookback` runs, after which the
new state is taken as its normal). The checks, each a probable layout change:

1. fill_drop       a field (date, author, views, captions, category) found on far fewer
                   articles than usual: the views counter gone, a byline moved
2. short_bodies    the median body far shorter than usual: the text moved out of the page
                   (loaded by script) or out of the container the parser reads
3. parse_failures  most article pages no longer parse at all
4. no_new_articles its listings answer but no new article has come for longer than its
                   own publishing rhythm makes likely: the listing markup changed
5. moved / unreachable  it redirects to another host, or could not be reached twice in a row

`assess_site()` is a pure function of a run's stats and the site's history, for tests;
`assess()` reads the history from the archive and records the flags in `health_flags`.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .clock import now
from .pipeline import FIELDS, RunResult
from .store import Archive

__all__ = ["Flag", "SiteStats", "Thresholds", "assess", "assess_site", "site_overview"]

REACHED = ("ok", "partial")
# harvests only: a backfill (`harvester backfill`, recorded as a run with its own run_sites
# row) reads web archives, not the site, so it says nothing about the site's health
_HARVESTS = "coalesce(r.command, '') NOT LIKE 'backfill%'"


@dataclass(frozen=True)
class Thresholds:
    window: int = 14  # baseline: the median over this many earlier runs …
    lookback: int = 60  # … found among at most this many
    min_parsed: int = 5  # fewer articles in a run are too few to judge fill rates by
    fill_drop: float = 0.3  # a fill rate is flagged when this far below its baseline …
    fill_ratio: float = 0.5  # … and under this share of it
    body_ratio: float = 0.5  # median body under this share of its baseline
    parse_share: float = 0.5  # share of article pages that failed to parse
    quiet_chance: float = 0.001  # flag a quiet spell less likely than this (per site and night)
    min_active: int = 3  # earlier runs with new articles needed to judge a quiet streak
    unreachable_runs: int = 2


@dataclass(frozen=True)
class Flag:
    """One health flag on one site in one run."""

    site: str
    flag: str
    message: str
    field: str | None = None
    current: float | None = None
    baseline: float | None = None
    examples: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "flag": self.flag,
            "field": self.field,
            "message": self.message,
            "current": self.current,
            "baseline": self.baseline,
            "examples": list(self.examples),
        }


@dataclass(frozen=True)
class SiteStats:
    """What health needs from a `run_sites` row (and the flags it got)."""

    run_id: int
    status: str
    listing_pages: int = 0
    articles_new: int = 0
    parsed: int = 0
    parse_errors: int = 0
    fill_rates: Mapping[str, float] = field(default_factory=dict)
    body_median: int | None = None
    shortest_bodies: tuple[str, ...] = ()
    missing_examples: Mapping[str, Sequence[str]] = field(default_factory=dict)
    flags: frozenset[tuple[str, str | None]] = frozenset()

    @classmethod
    def from_row(
        cls, row: Mapping[str, Any], flags: Iterable[tuple[str, str | None]] = ()
    ) -> SiteStats:
        stats = (
            json.loads(row["stats"] or "{}")
            if isinstance(row["stats"], str)
            else (row["stats"] or {})
        )
        return cls(
            run_id=int(row["run_id"]),
            status=row["status"] or "",
            listing_pages=int(row["listing_pages"] or 0),
            articles_new=int(row["articles_new"] or 0),
            parsed=int(stats.get("parsed") or 0),
            parse_errors=int((stats.get("errors_by_kind") or {}).get("parse", 0)),
            fill_rates=stats.get("fill_rates") or {},
            body_median=stats.get("body_chars_median"),
            shortest_bodies=tuple(stats.get("shortest_bodies") or ()),
            missing_examples=stats.get("missing_examples") or {},
            flags=frozenset(flags),
        )

    @property
    def parse_share(self) -> float | None:
        attempts = self.parsed + self.parse_errors
        return self.parse_errors / attempts if attempts else None


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _baseline(
    history: Sequence[SiteStats], key: tuple[str, str | None], t: Thresholds
) -> list[SiteStats]:
    """The runs a check compares against: reached, not flagged for this check, newest first."""
    return [h for h in history if h.status in REACHED and key not in h.flags][: t.window]


def assess_site(
    site: str,
    current: SiteStats,
    history: Sequence[SiteStats],
    *,
    start_urls: Sequence[str] = (),
    parse_examples: Sequence[str] = (),
    thresholds: Thresholds | None = None,
) -> list[Flag]:
    """Flags for one site's run, given its earlier runs (newest first).

    >>> past = [SiteStats(i, "ok", 2, 5, 20, fill_rates={"views": 1.0}) for i in (3, 2, 1)]
    >>> now = SiteStats(4, "ok", 2, 5, 20, fill_rates={"views": 0.0},
    ...                 missing_examples={"views": ["https://a.gov.vn/1"]})
    >>> [(f.flag, f.field, f.examples) for f in assess_site("a", now, past)]
    [('fill_drop', 'views', ('https://a.gov.vn/1',))]
    """
    t = thresholds or Thresholds()
    flags: list[Flag] = []
    history = [h for h in history if h.run_id < current.run_id]

    if current.status == "moved":
        flags.append(
            Flag(
                site,
                "moved",
                "its start URLs redirect to another host: update start_urls or aliases",
                examples=tuple(start_urls[:3]),
            )
        )
    if current.status in ("unreachable", "failed"):
        streak = 1
        for h in history:
            if h.status not in ("unreachable", "failed"):
                break
            streak += 1
        if streak >= t.unreachable_runs:
            flags.append(
                Flag(
                    site,
                    "unreachable",
                    f"not harvested in the last {streak} runs ({current.status}); "
                    "if it is gone for good, set status: gone",
                    current=streak,
                    examples=tuple(start_urls[:3]),
                )
            )

    # 1. fill rates
    if current.parsed >= t.min_parsed:
        for f in FIELDS:
            if f not in current.fill_rates:
                continue
            base = [
                h.fill_rates[f]
                for h in _baseline(history, ("fill_drop", f), t)
                if h.parsed >= t.min_parsed and f in h.fill_rates
            ]
            if not base:
                continue
            median = statistics.median(base)
            rate = current.fill_rates[f]
            if median - rate >= t.fill_drop and rate <= median * t.fill_ratio:
                flags.append(
                    Flag(
                        site,
                        "fill_drop",
                        f"{f} found on {_pct(rate)} of {current.parsed} articles, against a median "
                        f"of {_pct(median)} over its last {len(base)} runs: probable layout change",
                        field=f,
                        current=rate,
                        baseline=median,
                        examples=tuple(current.missing_examples.get(f, ())[:5]),
                    )
                )

    # 2. body length
    if current.parsed >= t.min_parsed and current.body_median is not None:
        base = [
            h.body_median
            for h in _baseline(history, ("short_bodies", None), t)
            if h.parsed >= t.min_parsed and h.body_median
        ]
        if base:
            median = statistics.median(base)
            if current.body_median < median * t.body_ratio:
                flags.append(
                    Flag(
                        site,
                        "short_bodies",
                        f"median body {current.body_median} characters, against {median:.0f} "
                        f"over its last {len(base)} runs: the text may have moved out of the page "
                        "or out of the container the parser reads",
                        current=current.body_median,
                        baseline=median,
                        examples=current.shortest_bodies[:5],
                    )
                )

    # 3. pages that no longer parse
    share = current.parse_share
    if (
        share is not None
        and current.parsed + current.parse_errors >= t.min_parsed
        and share >= t.parse_share
    ):
        base = [
            s
            for h in _baseline(history, ("parse_failures", None), t)
            if (s := h.parse_share) is not None
        ]
        median = statistics.median(base) if base else 0.0
        if median < t.parse_share / 2:
            flags.append(
                Flag(
                    site,
                    "parse_failures",
                    f"{current.parse_errors} of {current.parsed + current.parse_errors} article "
                    f"pages did not parse (usually {_pct(median)}): probable layout change",
                    current=share,
                    baseline=median,
                    examples=tuple(parse_examples[:5]),
                )
            )

    # 4. listings answer, but nothing new for longer than the site's rhythm explains
    if current.status in REACHED and current.listing_pages > 0 and current.articles_new == 0:
        reached = [h for h in history if h.status in REACHED][: t.lookback]
        streak = 1
        for h in reached:
            if h.articles_new:
                break
            streak += 1
        before = reached[streak - 1 :][: t.window * 2]
        active = sum(1 for h in before if h.articles_new)
        if active >= t.min_active:
            p = (active + 1) / (len(before) + 2)  # share of runs with news, smoothed
            chance = (1 - p) ** streak
            if chance < t.quiet_chance:
                flags.append(
                    Flag(
                        site,
                        "no_new_articles",
                        f"no new article in {streak} runs although its listings answer "
                        f"({current.listing_pages} pages read); it had new ones in {active} of its "
                        f"{len(before)} runs before (chance of such a quiet spell {chance:.2%}): "
                        "probable listing layout change",
                        current=streak,
                        baseline=p,
                        examples=tuple(start_urls[:3]),
                    )
                )
    return flags


def _history(archive: Archive, site: str, before_run: int, t: Thresholds) -> list[SiteStats]:
    rows = archive.query(
        f"""SELECT rs.* FROM run_sites rs JOIN runs r ON r.id = rs.run_id
            WHERE rs.site = ? AND rs.run_id < ? AND {_HARVESTS}
            ORDER BY rs.run_id DESC LIMIT ?""",
        (site, before_run, t.lookback),
    )
    flagged: dict[int, list[tuple[str, str | None]]] = {}
    if rows:
        for r in archive.query(
            "SELECT run_id, flag, field FROM health_flags"
            " WHERE site = ? AND run_id >= ? AND run_id < ?",
            (site, rows[-1]["run_id"], before_run),
        ):
            flagged.setdefault(r["run_id"], []).append((r["flag"], r["field"]))
    return [SiteStats.from_row(dict(r), flagged.get(r["run_id"], ())) for r in rows]


def _start_urls(archive: Archive, site: str) -> list[str]:
    row = archive.query("SELECT start_urls FROM sites WHERE name = ?", (site,))
    return json.loads(row[0]["start_urls"] or "[]") if row else []


def assess(archive: Archive, run: RunResult, thresholds: Thresholds | None = None) -> list[Flag]:
    """Check every site of a finished run against its history; record and return the flags."""
    t = thresholds or Thresholds()
    out: list[Flag] = []
    for result in run.sites:
        if result.status == "gone":
            continue
        current = SiteStats.from_row({"run_id": run.run_id, "site": result.site, **result.row()})
        parse_examples = [
            r["url"]
            for r in archive.query(
                "SELECT url FROM errors WHERE run_id = ? AND site = ? AND kind = 'parse'"
                " ORDER BY id LIMIT 5",
                (run.run_id, result.site),
            )
        ]
        flags = assess_site(
            result.site,
            current,
            _history(archive, result.site, run.run_id, t),
            start_urls=_start_urls(archive, result.site),
            parse_examples=parse_examples,
            thresholds=t,
        )
        archive.save_health_flags(run.run_id, result.site, [f.as_dict() for f in flags])
        out.extend(flags)
    return out


def site_overview(
    archive: Archive, *, runs: int = 5, max_age: float | None = None
) -> list[dict[str, Any]]:
    """Per site: its latest run and the few before, archive counts, flags, the last error.

    A site is flagged when its latest run was, or (with `max_age` hours) when it has not
    been harvested for longer than that. Backfills are not harvests: they are left out of
    the runs, the flags, the age and the last error."""
    names = [
        r[0]
        for r in archive.query(
            "SELECT name FROM sites UNION SELECT DISTINCT site FROM run_sites ORDER BY 1"
        )
    ]
    counts = {
        r["site"]: (r["n"], r["live"])
        for r in archive.query(
            "SELECT site, count(*) AS n, sum(status = 'live') AS live FROM articles GROUP BY site"
        )
    }
    configured = {r["name"]: r["status"] for r in archive.query("SELECT name, status FROM sites")}
    # an archive written before health checks existed, opened read-only (so not migrated)
    has_flags = bool(archive.query("SELECT 1 FROM sqlite_master WHERE name = 'health_flags'"))
    out = []
    for site in names:
        recent = archive.query(
            f"""SELECT rs.*, r.started_at AS run_started_at, r.finished_at AS run_finished_at
                FROM run_sites rs JOIN runs r ON r.id = rs.run_id
                WHERE rs.site = ? AND {_HARVESTS} ORDER BY rs.run_id DESC LIMIT ?""",
            (site, runs),
        )
        last = recent[0] if recent else None
        flags: list[dict[str, Any]] = []
        if last is not None and has_flags:
            flags = [
                {
                    "flag": f["flag"],
                    "field": f["field"],
                    "message": f["message"],
                    "examples": json.loads(f["examples"] or "[]"),
                }
                for f in archive.query(
                    "SELECT * FROM health_flags WHERE site = ? AND run_id = ? ORDER BY id",
                    (site, last["run_id"]),
                )
            ]
        if max_age is not None and configured.get(site) != "gone":
            finished = last["run_finished_at"] if last is not None else None
            limit = now() - timedelta(hours=max_age)
            if finished is None or datetime.fromisoformat(finished) < limit:
                flags.append(
                    {
                        "flag": "overdue",
                        "field": None,
                        "examples": [],
                        "message": f"not harvested since {finished or 'ever'} "
                        f"(more than {max_age:g} hours)",
                    }
                )
        error = archive.query(
            f"""SELECT e.at, e.url, e.kind, e.message
                FROM errors e LEFT JOIN runs r ON r.id = e.run_id
                WHERE e.site = ? AND {_HARVESTS} ORDER BY e.id DESC LIMIT 1""",
            (site,),
        )
        stats = json.loads(last["stats"] or "{}") if last is not None else {}
        total, live = counts.get(site, (0, 0))
        out.append(
            {
                "site": site,
                "flagged": bool(flags),
                "flags": flags,
                "last_run": last["run_id"] if last is not None else None,
                "last_run_at": last["run_finished_at"] or last["run_started_at"]
                if last is not None
                else None,
                "last_status": last["status"] if last is not None else None,
                "articles": total,
                "articles_live": live or 0,
                "new_articles": last["articles_new"] if last is not None else None,
                "new_versions": last["versions_new"] if last is not None else None,
                "observations": last["observations"] if last is not None else None,
                "requests": last["requests"] if last is not None else None,
                "errors": last["errors"] if last is not None else None,
                "fill_rates": stats.get("fill_rates", {}),
                "duration_s": stats.get("duration_s"),
                "recent": [
                    {
                        "run": r["run_id"],
                        "at": r["run_started_at"],
                        "status": r["status"],
                        "new": r["articles_new"],
                        "errors": r["errors"],
                    }
                    for r in recent
                ],
                "last_error": dict(error[0]) if error else None,
                "message": last["message"] if last is not None else None,
            }
        )
    return out
