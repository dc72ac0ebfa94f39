"""Benchmark: a whole harvest (discover, fetch, parse, normalise, store) of a local fixture
site with delay 0, at several sizes: articles per second, requests per article, peak memory.

The fixture site is served by a separate process, so the server's work does not share the
harvester's interpreter. Run:

    .venv/bin/python bench/harvest.py                 # 1,000 and 10,000 articles
    .venv/bin/python bench/harvest.py --sizes 500     # a quick look

Prints a table and appends it to bench/RESULTS.md with the machine's description.
Targets (issue 9): >= 150 articles/s on 2 cores; peak RSS < 300 MB and flat as the site grows.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import append_results, machine  # noqa: E402

from harvester.demo import FixtureServer, FixtureSite  # noqa: E402
from harvester.demo.config import demo_config  # noqa: E402
from harvester.pipeline import harvest  # noqa: E402
from harvester.store import Archive  # noqa: E402


def _serve(n: int, per_page: int, ready: mp.Queue, stop: mp.Event) -> None:
    site = FixtureSite("bench-site", n_articles=n, per_page=per_page, seed=3)
    with FixtureServer([site]):
        ready.put(site.base_url)
        stop.wait()


def run_once(n: int, per_page: int) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    ready: mp.Queue = ctx.Queue()
    stop = ctx.Event()
    proc = ctx.Process(target=_serve, args=(n, per_page, ready, stop), daemon=True)
    proc.start()
    try:
        base_url = ready.get(timeout=120)
        site = FixtureSite("bench-site", n_articles=0)  # same URLs as the served one
        site.base_url = base_url
        config = demo_config([site], max_pages=n // per_page + 5, max_urls=n + 10)
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            with Archive.open(db) as archive:
                result = harvest(config, archive, command="bench")
                articles = archive.counts()["articles"]
            elapsed = time.perf_counter() - started
            peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            size = db.stat().st_size + sum(p.stat().st_size for p in Path(tmp).glob("bench.db-*"))
        requests = result.sites[0].requests
        return {
            "articles": articles,
            "seconds": elapsed,
            "articles_per_s": articles / elapsed,
            "requests_per_article": requests / max(1, articles),
            "peak_rss_mb": peak_kb / 1024,
            "rss_before_mb": before / 1024,
            "db_kb_per_article": size / 1024 / max(1, articles),
        }
    finally:
        stop.set()
        proc.join(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--per-page", type=int, default=20)
    ap.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = ap.parse_args()
    rows = []
    for n in args.sizes:
        r = run_once(n, args.per_page)
        rows.append(r)
        print(f"{n:>7} articles: {r['articles_per_s']:.0f} articles/s, {r['requests_per_article']:.2f} req/article, "
              f"peak RSS {r['peak_rss_mb']:.0f} MB", file=sys.stderr)
    lines = [
        "| site size | archived | seconds | articles/s | requests/article | peak RSS MB | archive KB/article |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, r in zip(args.sizes, rows):
        lines.append(
            f"| {n:,} | {r['articles']:,.0f} | {r['seconds']:.1f} | {r['articles_per_s']:.0f} | "
            f"{r['requests_per_article']:.2f} | {r['peak_rss_mb']:.0f} | {r['db_kb_per_article']:.1f} |"
        )
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        append_results("Harvest end to end (delay 0, fixture site in a separate process)", table,
                       note="Targets: >= 150 articles/s on 2 cores; peak RSS < 300 MB, flat as the site grows. "
                            "Peak RSS is the harvester process's (ru_maxrss), cumulative over the sizes run in order.")
    print(machine(), file=sys.stderr)


if __name__ == "__main__":
    main()
