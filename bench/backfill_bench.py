"""Backfill throughput and the cost of time-ordered versions, measured locally (the
backfill issue's claims; not one of issue 9's five benchmarks, no issue-9 target).

    .venv/bin/python -m bench.backfill_bench [--articles 200] [--crawls 5] [--no-write]

1. A backfill over the fake Wayback Machine on 127.0.0.1 (delay 0): the local cost of a
   capture (HTTP, parse, store) apart from the archive's own delay and latency.
2. store_article in time order (a live harvest) against the same observations in reverse
   (a backfill arriving after live harvests): what placing versions by time costs.
Prints a table and appends it to bench/RESULTS.md with the machine's description.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._results import append_results, load, table  # noqa: E402
from harvester.backfill import BackfillOptions, backfill  # noqa: E402
from harvester.clock import VN_TZ  # noqa: E402
from harvester.config import parse_config  # noqa: E402
from harvester.demo import FixtureSite  # noqa: E402
from harvester.demo.wayback import FakeWayback  # noqa: E402
from harvester.store import Archive  # noqa: E402
from parsers import Article  # noqa: E402


def bench_backfill(n_articles: int, crawls: int, tmp: Path) -> dict[str, float]:
    site = FixtureSite("bench", n_articles=n_articles, seed=3)
    wayback = FakeWayback()
    for k in range(crawls):
        wayback.capture_site(site, f"{2019 + k}0310020000", host="sldtbxh.kontum.gov.vn")
        site.grow_views(10)
        site.articles[k % n_articles].paragraphs[0] += " Cập nhật."
    config = parse_config(
        {
            "sites": [
                {
                    "name": "bench",
                    "province": "Kon Tum",
                    "department": "x",
                    "start_urls": ["https://sldtbxh.kontum.gov.vn/"],
                    "platform": "kontum",
                }
            ]
        }
    )
    with wayback, Archive.open(tmp / "bench.db") as archive:
        started = time.perf_counter()
        report = backfill(
            config.sites[0], archive, BackfillOptions(archive_url=wayback.base_url, delay=0)
        )
        took = time.perf_counter() - started
        again = time.perf_counter()
        backfill(config.sites[0], archive, BackfillOptions(archive_url=wayback.base_url, delay=0))
        rerun = time.perf_counter() - again
        counts = archive.counts()
    return {
        "captures_listed": report.listed,
        "captures_stored": report.stored,
        "requests": report.requests,
        "seconds": round(took, 2),
        "captures_per_second": round(report.stored / took, 1),
        "ms_per_capture": round(1000 * took / max(1, report.stored), 2),
        "second_run_seconds": round(rerun, 3),
        "versions": counts["versions"],
        "articles": counts["articles"],
        "db_mb": round((tmp / "bench.db").stat().st_size / 1e6, 2),
    }


def bench_store(n_articles: int, observations: int, tmp: Path) -> dict[str, float]:
    def article(i: int, k: int) -> Article:
        body = f"Bài {i}, nội dung lần {k // 3}. " * 40  # content changes every third observation
        return Article(
            url=f"https://x.gov.vn/a-{i}", platform="kontum", title=f"Bài {i}", body=body, views=k
        )

    base = datetime(2020, 1, 1, tzinfo=VN_TZ)
    out = {}
    for name, order in (
        ("in_time_order", range(observations)),
        ("reverse_order", range(observations - 1, -1, -1)),
    ):
        with Archive.open(tmp / f"{name}.db") as archive:
            started = time.perf_counter()
            for k in order:
                with archive.transaction():
                    for i in range(n_articles):
                        url = f"https://x.gov.vn/a-{i}"
                        archive.store_article(
                            "s",
                            article(i, k),
                            requested_url=url,
                            final_url=url,
                            fetched_at=base + timedelta(days=k),
                            source="wayback",
                        )
            took = time.perf_counter() - started
            out[f"{name}_us_per_store"] = round(1e6 * took / (n_articles * observations), 1)
            out[f"{name}_versions"] = archive.counts()["versions"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--crawls", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args()
    load_before = load()
    with tempfile.TemporaryDirectory() as tmp:
        b = bench_backfill(args.articles, args.crawls, Path(tmp))
        st = bench_store(100, 30, Path(tmp))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = table(
        ("what", "number"),
        [
            (
                f"fake-archive backfill, {args.articles} articles × {args.crawls} crawls: "
                "captures listed / stored",
                f"{b['captures_listed']:,} / {b['captures_stored']:,}",
            ),
            ("requests (CDX pages + snapshots)", f"{b['requests']:,}"),
            (
                "local cost per capture (HTTP on 127.0.0.1, parse, store)",
                f"{b['ms_per_capture']} ms ({b['captures_per_second']} captures/s)",
            ),
            ("second run over the finished site", f"{b['second_run_seconds']} s"),
            (
                "archive after it",
                f"{b['articles']} articles, {b['versions']} versions, {b['db_mb']} MB",
            ),
            (
                "store_article, observations in time order",
                f"{st['in_time_order_us_per_store']} µs each",
            ),
            (
                "the same in reverse time order (a backfill after live harvests)",
                f"{st['reverse_order_us_per_store']} µs each; versions "
                f"{st['reverse_order_versions']} vs {st['in_time_order_versions']}",
            ),
            ("peak RSS of the whole benchmark", f"{rss:.0f} MB"),
        ],
        right="nn",
    )
    print(text)
    if not args.no_write:
        append_results(
            "Backfill (bench/backfill_bench.py)",
            text,
            "At the default archive_delay of 3 s a backfill reads 1,200 captures an hour: the "
            "local cost per capture is under 1% of a run.",
            load_before=load_before,
        )


if __name__ == "__main__":
    main()
