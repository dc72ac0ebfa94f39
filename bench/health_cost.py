"""What the health checks and `harvester status` cost on a year of nightly runs (the
health issue's claim that the cost per site does not grow with the archive's age; not one
of issue 9's five benchmarks).

    .venv/bin/python -m bench.health_cost [--sites 50 200] [--nights 365] [--no-write]

Builds an archive with `sites` x `nights` run_sites rows (stats as a real run writes them,
a few flags), then times assess() for one more night of every site, and site_overview()
(what `harvester status` runs). Prints a table and appends it to bench/RESULTS.md with the
machine's description.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._results import append_results, load, table  # noqa: E402
from harvester.health import assess, site_overview  # noqa: E402
from harvester.pipeline import RunResult, SiteResult  # noqa: E402
from harvester.store import Archive  # noqa: E402


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


def one(n_sites: int, nights: int) -> dict[str, float]:
    rng = random.Random(1)
    names = [f"site{i:03d}" for i in range(n_sites)]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "archive.db"
        with Archive.open(db) as archive:
            with archive.transaction():
                for _night in range(nights):
                    run_id = archive.start_run("schedule", names)
                    for name in names:
                        archive.save_run_site(run_id, name, _result(name, rng, broken=False).row())
                    archive.finish_run(run_id, "ok", {})
            run_id = archive.start_run("schedule", names)
            results = [_result(n, rng, broken=(i % 10 == 0)) for i, n in enumerate(names)]
            for r in results:
                archive.save_run_site(run_id, r.site, r.row())
            t = time.perf_counter()
            flags = assess(archive, RunResult(run_id, "ok", results))
            assessed = time.perf_counter() - t
        with Archive.open(db, readonly=True) as archive:
            t = time.perf_counter()
            site_overview(archive)
            overview = time.perf_counter() - t
        size = db.stat().st_size
    return {"assess_s": assessed, "flags": len(flags), "status_s": overview, "db_mb": size / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sites", type=int, nargs="+", default=[50, 200])
    ap.add_argument("--nights", type=int, default=365)
    ap.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = ap.parse_args()
    load_before = load()
    rows = []
    for n in args.sites:
        r = one(n, args.nights)
        rows.append(
            (
                f"{n} × {args.nights}",
                f"{n * args.nights:,}",
                f"{r['assess_s']:.3f} s",
                f"{1000 * r['assess_s'] / n:.2f} ms",
                f"{r['status_s']:.3f} s",
                f"{r['db_mb']:.1f} MB",
            )
        )
    text = table(
        (
            "sites × nights",
            "run_sites rows",
            "assess(), one night",
            "per site",
            "status",
            "archive",
        ),
        rows,
    )
    print(text)
    if not args.no_write:
        append_results(
            "Health checks and harvester status (bench/health_cost.py)",
            text,
            "Each site reads at most 60 earlier rows (the run_sites_site index), so the cost "
            "per site does not grow with the archive's age.",
            load_before=load_before,
        )


if __name__ == "__main__":
    main()
