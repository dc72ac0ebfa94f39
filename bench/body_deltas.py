"""Raw pages per re-visit: what a re-visit whose page printed a new view count adds to the
archive, with bodies stored as zstd deltas (migration 010, store.py) and without (zlib, as
before: `DELTA_MAX_SHARE = 0`), and the CPU a stored and a read page costs each way.

    .venv/bin/python -m bench.body_deltas [--nights 10] [--no-write]

Pages, each fetched once and then re-visited on `--nights` nights through `Archive.save_page`:
- portal: the gold article pages at a real portal's weight (`bench.score.with_site_chrome`,
  ~89 KB), the printed view count raised each night (found by parsing the page; a page whose
  count cannot be found once in its bytes, or that parses to another count after the change,
  is left out);
- portal, news box moves: the same, and the chrome's 60-item "Tin mới" box gains two items a
  night (newest first, the oldest two dropped), as a portal's sidebar does;
- fixture: the fixture site's 4.5 KB article pages (`FixtureSite.grow_views`).
Bytes are the `bodies.data` of the re-visits, and the file's growth (its pages, so row and
index overhead and the identical `pages` rows included). CPU is process time of `save_page`
for a re-visit and of `page_body` for reading it back (what reparse pays), and the parts of
a delta: reading the base, compressing against it, decompressing to verify.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import score  # noqa: E402
from bench._results import append_results, load, table  # noqa: E402
from harvester import store  # noqa: E402
from harvester.clock import VN_TZ  # noqa: E402
from harvester.demo import FixtureSite  # noqa: E402
from harvester.fetch import Page  # noqa: E402
from harvester.store import Archive  # noqa: E402
from parsers import parse_bytes  # noqa: E402

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=VN_TZ)
HTML = {"content-type": "text/html; charset=utf-8"}


@dataclass
class Visits:
    """One URL's page on night 0..n: `render(night)` gives the bytes served that night."""

    site: str
    url: str
    render: Callable[[int], bytes]


def _sidebar(offset: int) -> str:
    """score._SIDEBAR with `offset` newer items on top and as many old ones dropped."""
    return "".join(
        f'<div class="item-news"><a href="/tin-{i}.html"><img src="/thumb/{i}.jpg" width="80" height="60"></a>'
        f'<a href="/tin-{i}.html">Tin tức hoạt động số {i} của các đơn vị trực thuộc Sở trong tháng</a>'
        f'<span class="date">({i % 28 + 1}/06/2023)</span></div>'
        for i in range(-offset, 60 - offset)
    )


def _count_formats(views: int) -> list[str]:
    return list(dict.fromkeys([f"{views:,}".replace(",", "."), f"{views:,}", f"{views:,}".replace(",", " "), str(views)]))


def _portal_visits(news_box_moves: bool) -> list[Visits]:
    assert _sidebar(0) == score._SIDEBAR
    out = []
    for case in score.load_corpus(ROOT / "tests" / "fixtures"):
        page = score.with_site_chrome(case)
        raw = page.raw.decode("utf-8")
        views = parse_bytes(page.raw, case.url, "text/html; charset=utf-8").views
        if not views:
            continue
        fmt = next((i for i, f in enumerate(_count_formats(views)) if len(re.findall(rf"(?<![\d.,]){re.escape(f)}(?![\d.,])", raw)) == 1), None)
        if fmt is None:
            continue
        printed = _count_formats(views)[fmt]

        def render(night: int, raw: str = raw, views: int = views, printed: str = printed, fmt: int = fmt) -> bytes:
            new = views + 37 * night
            html = re.sub(rf"(?<![\d.,]){re.escape(printed)}(?![\d.,])", _count_formats(new)[fmt], raw, count=1)
            if news_box_moves:
                html = html.replace(score._SIDEBAR, _sidebar(2 * night), 1)
            return html.encode("utf-8")

        if parse_bytes(render(3), case.url, "text/html; charset=utf-8").views != views + 37 * 3:
            continue  # another number than the count was changed
        out.append(Visits(case.platform, case.url, render))
    return out


def _fixture_visits(n: int = 40) -> list[Visits]:
    site = FixtureSite("bench-deltas", n_articles=n, seed=7)
    site.base_url = "http://127.0.0.1:1"
    start = {a.id: a.views for a in site.articles}

    def visits(a_id: int) -> Visits:
        a = site.by_id(a_id)

        def render(night: int) -> bytes:
            a.views = start[a_id] + 11 * night
            return site.render_article(a).encode()

        return Visits(site.name, site.url_of(a), render)

    return [visits(a.id) for a in site.articles]


def _file_bytes(archive: Archive) -> int:
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return int(archive.conn.execute("PRAGMA page_count").fetchone()[0]) * int(
        archive.conn.execute("PRAGMA page_size").fetchone()[0]
    )


def run(visits: list[Visits], nights: int, deltas: bool) -> dict[str, float]:
    saved = store.DELTA_MAX_SHARE
    store.DELTA_MAX_SHARE = saved if deltas else 0.0
    try:
        with tempfile.TemporaryDirectory(prefix="deltas-bench-") as tmp, Archive.open(Path(tmp) / "a.db") as archive:
            for v in visits:
                archive.save_page(_page(v, 0), site=v.site, kind="article")
            before = _file_bytes(archive)
            store_s, ids = 0.0, []
            for night in range(1, nights + 1):
                for v in visits:
                    page = _page(v, night)
                    t = time.process_time()
                    ids.append(archive.save_page(page, site=v.site, kind="article"))
                    store_s += time.process_time() - t
            growth = _file_bytes(archive) - before
            data = archive.conn.execute(
                f"SELECT sum(length(b.data)), sum(b.size), sum(b.compression = 'zstd-delta') FROM pages p "
                f"JOIN bodies b ON b.sha256 = p.body_sha256 WHERE p.id IN ({','.join(map(str, ids))})"
            ).fetchone()
            t = time.process_time()
            for page_id in ids:
                archive.page_body(page_id)
            read_s = time.process_time() - t
    finally:
        store.DELTA_MAX_SHARE = saved
    n = len(ids)
    return {
        "revisits": n, "raw": data[1] / n, "data": data[0] / n, "deltas": data[2] / n, "growth": growth / n,
        "store_ms": 1000 * store_s / n, "read_ms": 1000 * read_s / n,
    }


def _page(v: Visits, night: int) -> Page:
    return Page(url=v.url, final_url=v.url, status=200, headers=HTML, body=v.render(night),
                fetched_at=T0 + timedelta(days=night))


def parts(visits: list[Visits]) -> dict[str, float]:
    """ms a page of each step of a delta, night 1 against night 0, best of three passes."""
    pairs = [(v.render(0), v.render(1)) for v in visits]
    zipped = [zlib.compress(base, 6) for base, _ in pairs]
    frames = [store._delta_encode(new, base) for base, new in pairs]
    steps: dict[str, Callable[[int], object]] = {
        "zlib-compress the page (as before)": lambda i: zlib.compress(pairs[i][1], 6),
        "sha256 of the page (as before)": lambda i: hashlib.sha256(pairs[i][1]).digest(),
        "read the base (zlib-decompress)": lambda i: zlib.decompress(zipped[i]),
        "zstd-compress against the base": lambda i: store._delta_encode(pairs[i][1], pairs[i][0]),
        "decompress to verify (and each read)": lambda i: store._delta_decode(frames[i], pairs[i][0]),
        "sha256 of the verified bytes": lambda i: hashlib.sha256(pairs[i][1]).digest(),
    }
    out = {}
    for name, step in steps.items():
        best = float("inf")
        for _ in range(3):
            t = time.process_time()
            for i in range(len(pairs)):
                step(i)
            best = min(best, time.process_time() - t)
        out[name] = 1000 * best / len(pairs)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--nights", type=int, default=10)
    ap.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = ap.parse_args()
    load_before = load()
    sets = {
        "portal": _portal_visits(False),
        "portal, news box moves": _portal_visits(True),
        "fixture": _fixture_visits(),
    }
    rows, results = [], {}
    for name, visits in sets.items():
        zl = run(visits, args.nights, deltas=False)
        dz = run(visits, args.nights, deltas=True)
        results[name] = (zl, dz)
        rows.append((
            f"{name} ({len(visits)} pages × {args.nights} nights)",
            f"{dz['raw'] / 1000:.1f} KB",
            f"{zl['data']:,.0f} B",
            f"{dz['data']:,.0f} B ({100 * dz['deltas']:.0f}% deltas)",
            f"{zl['growth']:,.0f} B",
            f"{dz['growth']:,.0f} B",
            f"{zl['store_ms']:.2f} → {dz['store_ms']:.2f}",
            f"{zl['read_ms']:.2f} → {dz['read_ms']:.2f}",
        ))
    text = table(
        ("pages", "page", "stored, zlib", "stored, deltas", "file growth, zlib", "file growth, deltas",
         "save_page CPU ms", "page_body CPU ms"),
        rows,
    )
    steps = parts(sets["portal"])
    text += "\n\n" + table(("a portal page's delta, step", "CPU ms"), [(k, f"{v:.3f}") for k, v in steps.items()])
    portal_zl, portal_dz = results["portal"]
    moving_zl, moving_dz = results["portal, news box moves"]
    note = (
        f"Per re-visit of an 89 KB portal page whose printed count changed: {portal_zl['growth']:,.0f} B of "
        f"archive before, {portal_dz['growth']:,.0f} B with deltas (stored data {portal_zl['data']:,.0f} → "
        f"{portal_dz['data']:,.0f} B); with the news box moving too, {moving_zl['growth']:,.0f} → "
        f"{moving_dz['growth']:,.0f} B. The rest of a re-visit's growth is the `pages` row (same both ways). "
        f"Storing a re-visit costs {portal_dz['store_ms'] - portal_zl['store_ms']:+.2f} CPU ms "
        f"({portal_zl['store_ms']:.2f} → {portal_dz['store_ms']:.2f}); reading it back "
        f"{portal_dz['read_ms'] - portal_zl['read_ms']:+.2f} ms."
    )
    print(text)
    print(note)
    if not args.no_write:
        append_results("Raw pages per re-visit (bench/body_deltas.py)", text, note, load_before=load_before)


if __name__ == "__main__":
    main()
