"""Benchmark: an incremental night on a site whose 10,000 articles are already archived.

    .venv/bin/python bench/incremental.py [--articles 10000] [--new 5]

Serves a fixture site of N articles on 127.0.0.1, seeds an archive with all of them (as if
harvested night after night, listings read to the end), publishes `--new` articles, and
runs one night. Prints the requests it took (the issue's bar: under 30, not counting the
re-visit policy), then a second night whose archive was last visited 40 days ago, to show
what the default re-visit policy adds (bounded by `revisit_budget`). Appends a line to
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harvester.clock import iso, now  # noqa: E402
from harvester.config import parse_config  # noqa: E402
from harvester.demo import FixtureServer, FixtureSite  # noqa: E402
from harvester.demo.seed import seed_archive  # noqa: E402
from harvester.pipeline import harvest  # noqa: E402
from harvester.store import Archive  # noqa: E402


def _config(site: FixtureSite, **settings: object):  # type: ignore[no-untyped-def]
    return parse_config({
        "defaults": {"delay": 0, "timeout": 10, "backoff": 0},
        "sites": [{"name": site.name, "province": "Kon Tum", "department": site.site_title,
                   "start_urls": site.start_urls(), **settings}],
    }, source="bench")


def night(articles: int, new: int, *, age_days: int, **settings: object) -> dict[str, float]:
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
        s = result.sites[0]
        return {"requests": len(server.requests_for(site)), "listing_pages": s.listing_pages,
                "articles_new": s.articles_new, "revisits": s.revisits, "seconds": took, "seed_seconds": seeded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=5)
    args = parser.parse_args()

    bare = night(args.articles, args.new, age_days=0, revisit_budget=0)
    policy = night(args.articles, args.new, age_days=40)
    lines = [
        f"{args.articles:,} archived, {args.new} new, no re-visits: {bare['requests']} requests "
        f"({bare['listing_pages']} listing pages, {bare['articles_new']} new articles) in {bare['seconds']:.2f} s "
        f"(seeding took {bare['seed_seconds']:.1f} s)",
        f"same, archive last visited 40 days ago, default policy: {policy['requests']} requests "
        f"({policy['revisits']:.0f} re-visits, the budget) in {policy['seconds']:.2f} s",
    ]
    for line in lines:
        print(line)
    verdict = "PASS" if bare["requests"] < 30 else "FAIL"
    print(f"under 30 requests without re-visits: {verdict}")
    results = ROOT / "bench" / "RESULTS.md"
    header = "" if results.exists() else "# Benchmark results\n\nAppended by the scripts in bench/; newest last.\n"
    with results.open("a", encoding="utf-8") as f:
        f.write(f"{header}\n## incremental.py — {iso(now())} — Python {platform.python_version()}, {platform.machine()}\n")
        for line in lines:
            f.write(f"- {line}\n")
        f.write(f"- under 30 requests without re-visits: {verdict}\n")


if __name__ == "__main__":
    main()
