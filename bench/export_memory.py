"""Export memory and speed: `harvester export views --nl` over archives of 100k and 1M
observations, each in a fresh process, reporting peak RSS (ru_maxrss) and wall time.

    .venv/bin/python bench/export_memory.py [--rows 100000 1000000] [--keep DIR]

Flat memory means the peak RSS of the 1M-row export is about that of the 100k-row one
(the interpreter, SQLite's page cache and a few rows), not ten times it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harvester.store import Archive  # noqa: E402


def fill(path: Path, rows: int) -> None:
    n_articles = max(1, rows // 20)
    with Archive.open(path) as archive, archive.transaction():
        c = archive.conn
        c.executemany(
            "INSERT INTO articles (id, site, url, first_seen_at, last_seen_at) VALUES (?, 's', ?, ?, ?)",
            ((i, f"https://s.gov.vn/tin-tuc/bai-{i}", "2026-01-01T00:00:00+07:00", "2026-03-01T00:00:00+07:00")
             for i in range(1, n_articles + 1)),
        )
        c.executemany(
            "INSERT INTO view_counts (article_id, observed_at, views) VALUES (?, ?, ?)",
            ((i % n_articles + 1, f"2026-02-{i % 28 + 1:02d}T02:{i % 60:02d}:{i % 59:02d}+07:00", i) for i in range(rows)),
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
        proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], stdout=sink, stderr=subprocess.PIPE, text=True, check=True)
    seconds, rss_kb = proc.stderr.strip().splitlines()[-1].split()
    return {"seconds": float(seconds), "peak_rss_mb": round(int(rss_kb) / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="export-bench-"))
    results = []
    for rows in args.rows:
        path = base / f"views-{rows}.db"
        if not path.exists():
            t = time.perf_counter()
            fill(path, rows)
            print(f"filled {rows:,} rows in {time.perf_counter() - t:.1f}s", file=sys.stderr)
        r = {"rows": rows, **measure(path)}
        r["rows_per_s"] = round(rows / r["seconds"])
        results.append(r)
        print(json.dumps(r))


if __name__ == "__main__":
    main()
