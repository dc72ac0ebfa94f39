"""Export memory and speed: `harvester export views --nl` over archives of 100k and 1M
view observations, each in a fresh process, reporting peak RSS (ru_maxrss) and wall time
(the export issue's claim that exports stream; not one of issue 9's five benchmarks).

    .venv/bin/python -m bench.export_memory [--rows 100000 1000000] [--keep DIR] [--no-write]

Flat memory means the peak RSS of the 1M-row export is about that of the 100k-row one
(the interpreter, SQLite's page cache and a few rows), not ten times it. Prints a table and
appends it to bench/RESULTS.md with the machine's description.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._results import append_results, load, table  # noqa: E402
from harvester.store import Archive  # noqa: E402


def fill(path: Path, rows: int) -> None:
    n_articles = max(1, rows // 20)
    with Archive.open(path) as archive, archive.transaction():
        c = archive.conn
        c.executemany(
            "INSERT INTO articles (id, site, url, first_seen_at, last_seen_at) VALUES (?, 's', ?, ?, ?)",
            (
                (
                    i,
                    f"https://s.gov.vn/tin-tuc/bai-{i}",
                    "2026-01-01T00:00:00+07:00",
                    "2026-03-01T00:00:00+07:00",
                )
                for i in range(1, n_articles + 1)
            ),
        )
        c.executemany(
            "INSERT INTO view_counts (article_id, observed_at, views) VALUES (?, ?, ?)",
            (
                (
                    i % n_articles + 1,
                    f"2026-02-{i % 28 + 1:02d}T02:{i % 60:02d}:{i % 59:02d}+07:00",
                    i,
                )
                for i in range(rows)
            ),
        )


CHILD = """
import resource, sys, time
from harvester.cli import cli
t = time.perf_counter()
try:
    cli.main(["export", "views", "--nl", "--db", sys.argv[1]], standalone_mode=False)
finally:
    sys.stdout.flush()
    print(f"{time.perf_counter() - t:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
"""


def measure(path: Path) -> dict:
    with open("/dev/null", "w") as sink:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
            check=True,
        )
    seconds, rss_kb = proc.stderr.strip().splitlines()[-1].split()
    return {"seconds": float(seconds), "peak_rss_mb": round(int(rss_kb) / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep", type=Path, help="keep the archives in this folder")
    parser.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args()
    load_before = load()
    base = args.keep or Path(tempfile.mkdtemp(prefix="export-bench-"))
    results = []
    try:
        for rows in args.rows:
            path = base / f"views-{rows}.db"
            if not path.exists():
                t = time.perf_counter()
                fill(path, rows)
                print(f"filled {rows:,} rows in {time.perf_counter() - t:.1f}s", file=sys.stderr)
            results.append({"rows": rows, **measure(path)})
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    text = table(
        ("rows", "wall time", "rows/s", "peak RSS"),
        [
            (
                f"{r['rows']:,}",
                f"{r['seconds']:.1f} s",
                f"{r['rows'] / r['seconds']:,.0f}",
                f"{r['peak_rss_mb']:.1f} MB",
            )
            for r in results
        ],
    )
    print(text)
    if not args.no_write:
        append_results(
            "Export memory: harvester export views --nl (bench/export_memory.py)",
            text,
            "Peak RSS of a fresh process; flat across sizes means the export streams off the cursor.",
            load_before=load_before,
        )


if __name__ == "__main__":
    main()
