"""Incremental night (issue 9, benchmark 3): the requests of a night with a few new articles
on a site whose articles are all archived already, against the fewest possible.

    .venv/bin/python -m bench.incremental                          # 10,000 archived, 5 new
    .venv/bin/python -m bench.incremental --articles 1000 10000 100000
    .venv/bin/python -m bench.incremental --new 20 --no-write

Target: within 1.5x of the minimum, which is robots.txt + the first listing page of each
category + the new articles (a crawler cannot know there is nothing newer without reading
each listing's first page). Prints a table and appends it to bench/RESULTS.md with the
machine's description (`--no-write`: print only).

Serves a fixture site of N articles on 127.0.0.1, seeds an archive with all of them (as if
harvested night after night, listings read to the end; `harvester.demo.seed`), publishes
`--new` articles, and runs one night with re-visits off (`revisit_budget: 0`): what
discovery costs. Then the same night on an archive last visited 40 days ago under the
default re-visit policy, which adds the view-count re-visits it allows (at most
`revisit_budget`, 200, a site and night): what a real night costs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._results import append_results, load, table, verdict  # noqa: E402
from harvester.clock import now  # noqa: E402
from harvester.config import parse_config  # noqa: E402
from harvester.demo import FixtureServer, FixtureSite  # noqa: E402
from harvester.demo.seed import seed_archive  # noqa: E402
from harvester.demo.sitegen import CATEGORIES  # noqa: E402
from harvester.pipeline import harvest  # noqa: E402
from harvester.store import Archive  # noqa: E402


def _config(site: FixtureSite, **settings: object) -> Any:
    return parse_config(
        {
            "defaults": {"delay": 0, "timeout": 10, "backoff": 0},
            "sites": [
                {
                    "name": site.name,
                    "province": "Kon Tum",
                    "department": site.site_title,
                    "start_urls": site.start_urls(),
                    **settings,
                }
            ],
        },
        source="bench",
    )


def _kind(path: str) -> str:
    if path == "/robots.txt":
        return "robots"
    if "?page=" in path or path.strip("/") in {slug for slug, _ in CATEGORIES}:
        return "listing"
    return "article"


def night(articles: int, new: int, *, age_days: int, **settings: object) -> dict[str, Any]:
    site = FixtureSite("bench", n_articles=articles, per_page=10, seed=99)
    with tempfile.TemporaryDirectory() as tmp, FixtureServer([site]) as server:
        db = Path(tmp) / "a.db"
        config = _config(site, **settings)
        started = time.perf_counter()
        with Archive.open(db) as archive:
            seed_archive(archive, site, config.sites[0], seen_at=now() - timedelta(days=age_days))
        seeded = time.perf_counter() - started
        site.add_articles(new)
        server.log.clear()
        started = time.perf_counter()
        with Archive.open(db) as archive:
            result = harvest(config, archive)
        took = time.perf_counter() - started
        requests = server.requests_for(site)
        s = result.sites[0]
        return {
            "requests": len(requests),
            "by_kind": Counter(_kind(r.path) for r in requests),
            "articles_new": s.articles_new,
            "revisits": s.revisits,
            "seconds": took,
            "seed_seconds": seeded,
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--articles", type=int, nargs="+", default=[10_000], help="archived articles"
    )
    parser.add_argument("--new", type=int, default=5, help="new articles tonight")
    parser.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args()
    load_before = load()
    minimum = 1 + len(CATEGORIES) + args.new
    rows, ratios = [], []
    for n in args.articles:
        for label, run in (
            ("discovery only (re-visits off)", night(n, args.new, age_days=0, revisit_budget=0)),
            ("default re-visit policy, last visit 40 days ago", night(n, args.new, age_days=40)),
        ):
            k = run["by_kind"]
            least = minimum + run["revisits"]  # the re-visits the policy asks for are work too
            ratio = run["requests"] / least
            if "off" in label:
                ratios.append(ratio)
            rows.append(
                (
                    f"{n:,}",
                    label,
                    run["requests"],
                    k["robots"],
                    k["listing"],
                    k["article"],
                    run["articles_new"],
                    run["revisits"],
                    least,
                    f"{ratio:.2f}×",
                    f"{run['seconds']:.2f}",
                )
            )
            print(f"{n:,} {label}: {run['requests']} requests ({dict(k)})", file=sys.stderr)
    text = table(
        (
            "archived",
            "night",
            "requests",
            "robots",
            "listing pages",
            "article pages",
            "new stored",
            "re-visits",
            "minimum (+ re-visits)",
            "ratio",
            "seconds",
        ),
        rows,
    )
    worst = max(ratios)
    summary = (
        f"{verdict(worst <= 1.5)}: {worst:.2f}× the minimum of {minimum} requests "
        f"(robots.txt + {len(CATEGORIES)} listing first pages + {args.new} new articles; "
        "target within 1.5×), whatever the archive's size. The listing pages beyond the first "
        "of each category are the `overlap` guard (10 known links in a row before stopping, "
        "for listings that reorder). The re-visit night adds the view-count re-visits the "
        "policy asks for, at most `revisit_budget` (200) a site and night, not more with the "
        "archive's size."
    )
    print(text)
    print(summary)
    if not args.no_write:
        append_results(
            f"Incremental night, {args.new} new articles (bench/incremental.py)",
            text,
            summary,
            load_before=load_before,
        )


if __name__ == "__main__":
    main()
