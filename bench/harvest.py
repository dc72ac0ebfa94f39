"""Harvest end to end (issue 9, benchmark 2): discover, fetch, parse, normalise and store a
local fixture site of N articles at delay 0: articles per second, requests per article,
CPU and peak memory, at several sizes.

    .venv/bin/python -m bench.harvest                      # 1,000 and 10,000 articles (~1 min)
    .venv/bin/python -m bench.harvest --sizes 1000 10000 100000
    .venv/bin/python -m bench.harvest --sizes 500 --no-write

Targets: >= 150 articles/s on 2 cores; peak RSS under 300 MB and flat as the site grows
(the largest size's peak within 1.2x of the smallest's). Prints a table and appends it to
bench/RESULTS.md with the machine's description (`--no-write`: print only).

Each size runs in two fresh processes: the fixture server (its own interpreter, so serving
does not share the harvester's GIL) and the harvester, whose peak RSS (ru_maxrss) and CPU
time are its own. Both share the machine's cores: the server's CPU is reported beside the
harvester's, since on a real crawl that work is done by the departments' servers.
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


def _serve(n: int, per_page: int, ready: Any, stop: Any, done: Any) -> None:
    from harvester.demo import FixtureServer, FixtureSite

    site = FixtureSite("bench-site", n_articles=n, per_page=per_page, seed=3)
    cpu = _cpu_seconds()
    with FixtureServer([site]):
        ready.put(site.base_url)
        stop.wait()
    done.put(_cpu_seconds() - cpu)


def _harvest(base_url: str, n: int, per_page: int, out: Any) -> None:
    from harvester.demo import FixtureSite
    from harvester.demo.config import demo_config
    from harvester.pipeline import harvest
    from harvester.store import Archive

    site = FixtureSite("bench-site", n_articles=0)  # same URLs as the served one
    site.base_url = base_url
    config = demo_config([site], max_pages=n // per_page + 5, max_urls=n + 10)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu = _cpu_seconds()
        started = time.perf_counter()
        with Archive.open(db) as archive:
            result = harvest(config, archive, command="bench")
            articles = archive.counts()["articles"]
        elapsed = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu
        size = sum(p.stat().st_size for p in Path(tmp).glob("bench.db*"))
        with Archive.open(db) as archive:
            parts = archive_parts(archive)
    out.put(
        {
            "articles": articles,
            "seconds": elapsed,
            "requests": result.sites[0].requests,
            "cpu_s": cpu,
            "rss_start_mb": rss_start / 1024,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "db_bytes": size,
            "parts": parts,
        }
    )


PARTS = {
    "bodies": "raw pages (zlib)",
    "pages": "fetch log (pages)",
    "versions": "versions (text)",
    "search_fts": "search index (both FTS5 tables)",
    "search_accents_fts": "search index (both FTS5 tables)",
    "view_counts": "view counts",
    "articles": "articles, URLs, crawl state",
    "article_urls": "articles, URLs, crawl state",
    "urls": "articles, URLs, crawl state",
}


def archive_parts(archive: Any) -> dict[str, int]:
    """Bytes of the archive by part (dbstat; indexes and FTS5 shadow tables with their table)."""
    owner = {r[0]: r[1] for r in archive.conn.execute("SELECT name, tbl_name FROM sqlite_master")}
    out: dict[str, int] = {}
    for name, size in archive.conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        table_name = owner.get(name, name)
        base = next((k for k in PARTS if table_name == k or table_name.startswith(k + "_")), None)
        part = PARTS[base] if base else "the rest (runs, errors, schema)"
        out[part] = out.get(part, 0) + size
    return out


def run_once(n: int, per_page: int) -> dict[str, float]:
    r = served_run(_serve, (n, per_page), _harvest, (n, per_page))
    r["articles_per_s"] = r["articles"] / r["seconds"]
    r["requests_per_article"] = r["requests"] / max(1, r["articles"])
    return r


def fixture_pages(n: int = 200) -> dict[str, float]:
    """What one fixture article page weighs and costs to parse: parse_bytes over n distinct
    pages after 50 others (each page new, as in a harvest), the fastest of three such
    passes over different pages; to tell parsing from the rest of a harvest."""
    import zlib

    from harvester.demo import FixtureSite
    from parsers import parse_bytes

    def pages(seed: int, count: int) -> list[tuple[bytes, str]]:
        site = FixtureSite(f"s{seed}", n_articles=count, seed=seed)
        site.base_url = "http://127.0.0.1:1"
        return [(site.render_article(a).encode(), site.url_of(a)) for a in site.articles]

    for body, url in pages(99, 50):
        parse_bytes(body, url, "text/html; charset=utf-8")
    best, sample = float("inf"), []
    for seed in (3, 4, 5):
        sample = pages(seed, n)
        started = time.perf_counter()
        for body, url in sample:
            parse_bytes(body, url, "text/html; charset=utf-8")
        best = min(best, time.perf_counter() - started)
    return {
        "bytes": sum(len(b) for b, _ in sample) / n,
        "zlib": sum(len(zlib.compress(b, 6)) for b, _ in sample) / n,
        "parse_ms": 1000 * best / n,
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--per-page", type=int, default=20, help="articles per listing page")
    ap.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = ap.parse_args()
    load_before = load()
    rows = []
    for n in args.sizes:
        r = run_once(n, args.per_page)
        rows.append((n, r))
        print(
            f"{n:>7,} articles: {r['articles_per_s']:.0f} articles/s, "
            f"{r['requests_per_article']:.2f} requests/article, peak RSS {r['peak_rss_mb']:.0f} MB",
            file=sys.stderr,
        )
    text = table(
        (
            "site size",
            "archived",
            "seconds",
            "articles/s",
            "requests/article",
            "harvester CPU s",
            "CPU ms/article",
            "server CPU s",
            "peak RSS MB",
            "archive KB/article",
        ),
        [
            (
                f"{n:,}",
                f"{r['articles']:,}",
                f"{r['seconds']:.1f}",
                f"{r['articles_per_s']:.0f}",
                f"{r['requests_per_article']:.3f}",
                f"{r['cpu_s']:.1f}",
                f"{1000 * r['cpu_s'] / max(1, r['articles']):.2f}",
                f"{r['server_cpu_s']:.1f}",
                f"{r['peak_rss_mb']:.0f}",
                f"{r['db_bytes'] / 1024 / max(1, r['articles']):.1f}",
            )
            for n, r in rows
        ],
    )
    slowest = min(r["articles_per_s"] for _, r in rows)
    peaks = [r["peak_rss_mb"] for _, r in rows]
    flat = peaks[-1] <= 1.2 * peaks[0]
    summary = (
        f"{verdict(slowest >= 150)}: slowest {slowest:.0f} articles/s (target >= 150). "
        f"{verdict(max(peaks) < 300 and flat)}: peak RSS {' → '.join(f'{p:.0f}' for p in peaks)} MB "
        f"(target < 300 MB, flat: the largest within 1.2× of the smallest)."
    )
    n, last = rows[-1]
    parts = last["parts"]
    text += (
        "\n\nWhere the archive's bytes go, per article, at "
        + f"{n:,} articles:\n\n"
        + table(
            ("part", "bytes per article"),
            [
                (k, f"{v / max(1, last['articles']):,.0f}")
                for k, v in sorted(parts.items(), key=lambda kv: -kv[1])
            ],
        )
    )
    page = fixture_pages()
    cpu_ms = min(1000 * r["cpu_s"] / max(1, r["articles"]) for _, r in rows)
    note = (
        f"A fixture article page is {page['bytes'] / 1000:.1f} KB ({page['zlib'] / 1000:.1f} KB "
        f"stored, zlib 6) and parses in {page['parse_ms']:.2f} ms; so of the harvester's "
        f"{cpu_ms:.2f} CPU ms an article, about {max(0.0, cpu_ms - page['parse_ms']):.2f} ms is "
        "the rest (discovery, HTTP client, hashing, compressing and storing the page, the "
        "version, the search index). A portal's 90 KB pages parse in about 6 ms "
        "(bench/extraction.py)."
    )
    print(text)
    print(summary)
    print(note)
    if not args.no_write:
        append_results(
            "Harvest end to end, delay 0 (bench/harvest.py)",
            text,
            summary + "\n\n" + note,
            load_before=load_before,
        )


if __name__ == "__main__":
    main()
