"""Reparse speed: harvest a fixture site of N articles on several nights (views grow each
night, so every fetch stores a distinct page), then time `reparse` with an unchanged parser
(a no-op that still reads every page) and with a parser change that touches every article.

    .venv/bin/python bench/reparse_speed.py [--articles 300] [--nights 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import parsers  # noqa: E402
from harvester.demo import FixtureServer, FixtureSite  # noqa: E402
from harvester.demo.config import demo_config  # noqa: E402
from harvester.pipeline import harvest  # noqa: E402
from harvester.reparse import reparse  # noqa: E402
from harvester.store import Archive  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--nights", type=int, default=5)
    args = ap.parse_args()
    site = FixtureSite("bench", n_articles=args.articles, per_page=50, seed=3)
    db = Path(tempfile.mkdtemp(prefix="reparse-bench-")) / "archive.db"
    with FixtureServer([site]), Archive.open(db) as archive:
        t = time.perf_counter()
        for _ in range(args.nights):
            harvest(demo_config([site]), archive)
            site.grow_views(7)
        harvest_s = time.perf_counter() - t
        pages = archive.counts()["pages"]

        t = time.perf_counter()
        same = reparse(archive)
        same_s = time.perf_counter() - t

        original = parsers.extract
        parsers.extract = lambda d, u, p: dataclasses.replace(original(d, u, p), author="Ban biên tập")
        parsers.PARSER_VERSION = "bench"
        t = time.perf_counter()
        changed = reparse(archive)
        changed_s = time.perf_counter() - t
    print(json.dumps({
        "articles": args.articles, "nights": args.nights, "pages": pages, "harvest_s": round(harvest_s, 1),
        "reparse_unchanged": {"s": round(same_s, 2), "pages_per_s": round(same.pages / same_s), "changed": same.articles_changed},
        "reparse_changed": {"s": round(changed_s, 2), "pages_per_s": round(changed.pages / changed_s),
                            "changed": changed.articles_changed, "versions_written": changed.versions_written},
    }, indent=1))


if __name__ == "__main__":
    main()
