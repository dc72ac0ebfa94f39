"""Benchmark: many department sites at once, at the default politeness (1 s between two
requests to one host), against the bound that politeness sets.

Each fixture site is its own host (its own port on 127.0.0.1), served by a separate
process. The bound is the longest any one site must take: its requests × the delay, since
a host is never asked twice within `delay` seconds. Sites run in parallel threads
(`workers`), so the total should approach that bound, not the sum over sites.

    .venv/bin/python bench/many_sites.py                    # 200 sites of 10 articles
    .venv/bin/python bench/many_sites.py --sites 20 --articles 5

Target (issue 9): total time within 1.2x of the politeness bound.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import append_results  # noqa: E402

from harvester.config import parse_config  # noqa: E402
from harvester.demo import FixtureServer, FixtureSite  # noqa: E402
from harvester.pipeline import harvest  # noqa: E402
from harvester.store import Archive  # noqa: E402


def _serve(n_sites: int, articles: int, ready: mp.Queue, stop: mp.Event) -> None:
    sites = [FixtureSite(f"site-{i:03d}", n_articles=articles, per_page=articles, seed=i) for i in range(n_sites)]
    with FixtureServer(sites):
        ready.put([s.base_url for s in sites])
        stop.wait()


def run(n_sites: int, articles: int, delay: float, workers: int) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    ready: mp.Queue = ctx.Queue()
    stop = ctx.Event()
    proc = ctx.Process(target=_serve, args=(n_sites, articles, ready, stop), daemon=True)
    proc.start()
    try:
        bases = ready.get(timeout=300)
        stubs = []
        for i, base in enumerate(bases):
            stub = FixtureSite(f"site-{i:03d}", n_articles=0)
            stub.base_url = base
            stubs.append(stub)
        config = parse_config({
            "defaults": {"delay": delay, "timeout": 30, "workers": workers},
            "sites": [{"name": s.name, "province": "Kon Tum", "department": s.site_title,
                       "start_urls": s.start_urls()} for s in stubs],
        }, source="bench")
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            with Archive.open(Path(tmp) / "many.db") as archive:
                result = harvest(config, archive, command="bench")
                articles_stored = archive.counts()["articles"]
            elapsed = time.perf_counter() - started
        requests = [s.requests for s in result.sites]
        # a host's n requests need (n - 1) delays between them, plus the last answer
        bound = max((n - 1) * delay for n in requests)
        return {
            "sites": n_sites,
            "articles": articles_stored,
            "requests": sum(requests),
            "max_requests": max(requests),
            "bound_s": bound,
            "seconds": elapsed,
            "ratio": elapsed / bound if bound else float("nan"),
            "reached": sum(s.reached for s in result.sites),
        }
    finally:
        stop.set()
        proc.join(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--articles", type=int, default=10, help="articles per site")
    ap.add_argument("--delay", type=float, default=1.0, help="per-host delay (the default is 1 s)")
    ap.add_argument("--workers", type=int, default=0, help="sites at once (default: one thread per site)")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    r = run(args.sites, args.articles, args.delay, args.workers or args.sites)
    table = "\n".join([
        "| sites | workers | articles | requests | most requests to one host | politeness bound | total time | ratio |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {r['sites']} | {args.workers or args.sites} | {r['articles']:,} | {r['requests']:,} | {r['max_requests']} | "
        f"{r['bound_s']:.1f} s | {r['seconds']:.1f} s | {r['ratio']:.2f}x |",
    ])
    print(table)
    if not args.no_write:
        append_results(f"Many sites at once (delay {args.delay:g} s per host)", table,
                       note="Bound: max over sites of (requests - 1) x delay. Target: within 1.2x.")


if __name__ == "__main__":
    main()
