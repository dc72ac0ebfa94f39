"""Many sites at once (issue 9, benchmark 4): N department sites harvested together at the
default politeness (1 s between two requests to one host), against the bound that
politeness sets.

    .venv/bin/python -m bench.many_sites                       # 200 sites of 10 articles (~30 s)
    .venv/bin/python -m bench.many_sites --sites 20 200 2000   # how it grows
    .venv/bin/python -m bench.many_sites --sites 20 --articles 5 --no-write

Target: total time within 1.2x of the politeness bound. Prints a table and appends it to
bench/RESULTS.md with the machine's description (`--no-write`: print only).

Each fixture site is its own host (its own port on 127.0.0.1), all served by one separate
process. The bound is the longest any one site must take: its requests less one, times the
delay, since a host is never asked twice within `delay` seconds; with fewer workers than
sites, also the sum of those times shared by the workers. Sites run in parallel threads
(`workers`, default one per site up to 200), so the total should approach that bound, not
the sum over sites, until the machine's CPU cannot keep up with the requests the delay
allows (workers / delay a second). The harvester is one process, so past about 170
requests a second it is CPU-bound on one core (the GIL). 2,000 sites on a thread each
finish (148 s, CPU-bound) but take 2.5 GB of RSS against 0.4 GB on 200 shared workers,
for no gain: past a few hundred, sites share workers.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._results import append_results, load, served_run, table, verdict  # noqa: E402


def _cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _serve(n_sites: int, articles: int, ready: Any, stop: Any, done: Any) -> None:
    from harvester.demo import FixtureServer, FixtureSite

    sites = [
        FixtureSite(f"site-{i:04d}", n_articles=articles, per_page=articles, seed=i)
        for i in range(n_sites)
    ]
    cpu = _cpu_seconds()
    with FixtureServer(sites):
        ready.put([s.base_url for s in sites])
        stop.wait()
    done.put(_cpu_seconds() - cpu)


def _harvest(bases: list[str], delay: float, workers: int, out: Any) -> None:
    from harvester.config import parse_config
    from harvester.demo import FixtureSite
    from harvester.pipeline import harvest
    from harvester.store import Archive

    stubs = []
    for i, base in enumerate(bases):
        stub = FixtureSite(f"site-{i:04d}", n_articles=0)
        stub.base_url = base
        stubs.append(stub)
    config = parse_config(
        {
            "defaults": {"delay": delay, "timeout": 30, "workers": workers},
            "sites": [
                {
                    "name": s.name,
                    "province": "Kon Tum",
                    "department": s.site_title,
                    "start_urls": s.start_urls(),
                }
                for s in stubs
            ],
        },
        source="bench",
    )
    with tempfile.TemporaryDirectory() as tmp:
        cpu = _cpu_seconds()
        started = time.perf_counter()
        with Archive.open(Path(tmp) / "many.db") as archive:
            result = harvest(config, archive, command="bench")
            stored = archive.counts()["articles"]
        elapsed = time.perf_counter() - started
    requests = [s.requests for s in result.sites]
    out.put(
        {
            "articles": stored,
            "requests": sum(requests),
            "max_requests": max(requests),
            # no schedule beats the longest site, nor the sum over sites shared by the workers
            "bound_s": max(
                max((n - 1) * delay for n in requests),
                sum((n - 1) * delay for n in requests) / workers,
            ),
            "seconds": elapsed,
            "cpu_s": _cpu_seconds() - cpu,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "failed": sum(1 for s in result.sites if s.status != "ok"),
        }
    )


def run(n_sites: int, articles: int, delay: float, workers: int) -> dict[str, Any]:
    r = served_run(_serve, (n_sites, articles), _harvest, (delay, workers))
    r["ratio"] = r["seconds"] / r["bound_s"] if r["bound_s"] else float("nan")
    return r


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sites", type=int, nargs="+", default=[200])
    ap.add_argument("--articles", type=int, default=10, help="articles per site")
    ap.add_argument("--delay", type=float, default=1.0, help="per-host delay (the default is 1 s)")
    ap.add_argument(
        "--workers",
        type=int,
        default=0,
        help="sites at once (default: one thread per site, at most 200)",
    )
    ap.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = ap.parse_args()
    load_before = load()
    rows, results = [], []
    for n in args.sites:
        workers = args.workers or min(n, 200)
        r = run(n, args.articles, args.delay, workers)
        results.append((n, r))
        print(
            f"{n} sites: {r['seconds']:.1f} s against a bound of {r['bound_s']:.1f} s",
            file=sys.stderr,
        )
        rows.append(
            (
                f"{n:,}",
                workers,
                f"{r['articles']:,}",
                f"{r['requests']:,}",
                r["max_requests"],
                f"{r['requests'] / r['seconds']:.0f}",
                f"{r['bound_s']:.1f} s",
                f"{r['seconds']:.1f} s",
                f"{r['ratio']:.2f}×",
                f"{r['cpu_s']:.1f}",
                f"{r['server_cpu_s']:.1f}",
                f"{r['peak_rss_mb']:.0f}",
                r["failed"],
            )
        )
    text = table(
        (
            "sites",
            "workers",
            "articles",
            "requests",
            "most to one host",
            "requests/s",
            "politeness bound",
            "total time",
            "ratio",
            "harvester CPU s",
            "server CPU s",
            "peak RSS MB",
            "sites failed",
        ),
        rows,
    )
    verdicts = "; ".join(
        f"{n:,} sites {r['ratio']:.2f}× ({verdict(r['ratio'] <= 1.2)})" for n, r in results
    )
    # the harvester is one process: its Python work runs on one core at a time (the GIL)
    cpu_bound = [
        f"{n:,} sites: the harvester used {r['cpu_s']:.1f} CPU s, "
        f"{100 * r['cpu_s'] / r['seconds']:.0f}% of one core, for a {r['bound_s']:.1f} s bound"
        for n, r in results
        if r["cpu_s"] > 0.8 * r["bound_s"]
    ]
    summary = (
        f"{verdicts}. Target: within 1.2× of the bound: the longest site, (requests - 1) × "
        f"{args.delay:g} s, or with fewer workers than sites the sum of those over the workers. "
        "Past the point where workers / delay requests a second is more than the machine "
        "parses (bench/harvest.py), the total is CPU-bound, not politeness-bound."
        + (f" CPU-bound here: {'; '.join(cpu_bound)}." if cpu_bound else "")
    )
    print(text)
    print(summary)
    if not args.no_write:
        append_results(
            f"Many sites at once, delay {args.delay:g} s per host (bench/many_sites.py)",
            text,
            summary,
            load_before=load_before,
        )


if __name__ == "__main__":
    main()
