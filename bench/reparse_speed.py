"""Reparse speed: harvest a fixture site of N articles on several nights (views grow each
night, so every fetch stores a distinct page), then time `reparse` with an unchanged parser
(a no-op that still reads every page) and with a parser change that touches every article
(the history issue's reparse; not one of issue 9's five benchmarks).

    .venv/bin/python -m bench.reparse_speed [--articles 300] [--nights 5] [--no-write]

Prints a table and appends it to bench/RESULTS.md with the machine's description.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import parsers  # noqa: E402
from bench._results import append_results, load, table  # noqa: E402
from harvester.demo import FixtureServer, FixtureSite  # noqa: E402
from harvester.demo.config import demo_config  # noqa: E402
from harvester.pipeline import harvest  # noqa: E402
from harvester.reparse import reparse  # noqa: E402
from harvester.store import Archive  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--nights", type=int, default=5)
    ap.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = ap.parse_args()
    load_before = load()
    site = FixtureSite("bench", n_articles=args.articles, per_page=50, seed=3)
    tmp = Path(tempfile.mkdtemp(prefix="reparse-bench-"))
    try:
        with FixtureServer([site]), Archive.open(tmp / "archive.db") as archive:
            t = time.perf_counter()
            for _ in range(args.nights):
                # every article re-visited every night, so every night stores a distinct page
                harvest(
                    demo_config([site], revisit=[{"every": 0}], revisit_budget=args.articles),
                    archive,
                )
                site.grow_views(7)
            harvest_s = time.perf_counter() - t
            pages = archive.counts()["pages"]

            t = time.perf_counter()
            same = reparse(archive)
            same_s = time.perf_counter() - t

            original = parsers.extract
            parsers.extract = lambda *a, **k: dataclasses.replace(
                original(*a, **k), author="Ban biên tập"
            )
            parsers.PARSER_VERSION = "bench"
            t = time.perf_counter()
            changed = reparse(archive)
            changed_s = time.perf_counter() - t
            parsers.extract = original
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = table(
        ("run", "time", "pages/s", "articles changed", "versions written"),
        [
            (
                "unchanged parser",
                f"{same_s:.1f} s",
                f"{same.pages / same_s:.0f}",
                same.articles_changed,
                0,
            ),
            (
                "changed parser",
                f"{changed_s:.1f} s",
                f"{changed.pages / changed_s:.0f}",
                changed.articles_changed,
                changed.versions_written,
            ),
        ],
    )
    note = (
        f"A {args.articles}-article fixture site harvested on {args.nights} nights "
        f"({pages:,} stored pages, {harvest_s:.0f} s), then `reparse` over every stored page."
    )
    print(text)
    print(note)
    if not args.no_write:
        append_results(
            "Reparse speed (bench/reparse_speed.py)", text, note, load_before=load_before
        )


if __name__ == "__main__":
    main()
