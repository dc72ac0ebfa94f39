"""What the health checks and `harvester status` cost on a year of nightly runs.

    .venv/bin/python bench/health_cost.py [--sites 50] [--nights 365]

Builds an archive with `sites` x `nights` run_sites rows (stats as a real run writes them,
a few flags), then times assess() for one more night of every site, and site_overview()
(what `harvester status` runs). Not a test: numbers go to bench/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from harvester.health import assess, site_overview
from harvester.pipeline import RunResult, SiteResult
from harvester.store import Archive


def _result(site: str, rng: random.Random, broken: bool) -> SiteResult:
    r = SiteResult(site, status="ok", listing_pages=3, articles_seen=40, requests=45)
    r.articles_new = rng.choice((0, 1, 2, 3, 5))
    r.versions_new = r.articles_new
    r.observations = r.parsed = 40
    r.filled = Counter(
        {
            "published_at": 40,
            "author": 30,
            "views": 0 if broken else 40,
            "captions": 20,
            "category": 40,
        }
    )
    r.bodies = [(rng.randint(600, 3000), f"https://{site}.gov.vn/a/{i}") for i in range(40)]
    r.missing = {"views": [f"https://{site}.gov.vn/a/{i}" for i in range(5)]} if broken else {}
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=50)
    ap.add_argument("--nights", type=int, default=365)
    args = ap.parse_args()
    rng = random.Random(1)
    names = [f"site{i:03d}" for i in range(args.sites)]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "archive.db"
        with Archive.open(db) as archive:
            t = time.perf_counter()
            with archive.transaction():
                for _night in range(args.nights):
                    run_id = archive.start_run("schedule", names)
                    for name in names:
                        archive.save_run_site(run_id, name, _result(name, rng, broken=False).row())
                    archive.finish_run(run_id, "ok", {})
            built = time.perf_counter() - t
            run_id = archive.start_run("schedule", names)
            results = [_result(n, rng, broken=(i % 10 == 0)) for i, n in enumerate(names)]
            for r in results:
                archive.save_run_site(run_id, r.site, r.row())
            t = time.perf_counter()
            flags = assess(archive, RunResult(run_id, "ok", results))
            assessed = time.perf_counter() - t
        with Archive.open(db, readonly=True) as archive:
            t = time.perf_counter()
            rows = site_overview(archive)
            overview = time.perf_counter() - t
        size = db.stat().st_size
    print(
        json.dumps(
            {
                "sites": args.sites,
                "nights": args.nights,
                "build_s": round(built, 2),
                "assess_one_night_s": round(assessed, 3),
                "assess_per_site_ms": round(assessed / args.sites * 1000, 2),
                "flags": len(flags),
                "status_s": round(overview, 3),
                "status_rows": len(rows),
                "db_mb": round(size / 1e6, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
