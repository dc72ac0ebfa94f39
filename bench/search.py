"""Search at scale (issue 9, benchmark 5): a synthetic archive of N articles, the p50/p95
latency of accented, unaccented, phrase and prefix queries with and without filters, and
the archive's size per article-version, part by part.

    .venv/bin/python -m bench.search --articles 100000 --delete     # about 2 minutes
    .venv/bin/python -m bench.search --delete                        # 1,000,000: ~15 min, ~11 GB
    .venv/bin/python -m bench.search --reuse --db PATH               # query an archive built before
    .venv/bin/python -m bench.search --articles 1e5 --compare-prefix # with and without the
                                                                     # accents table's prefix index

Targets: p95 under 50 ms over subject queries; under 10 KB (10,000 bytes) per
article-version, raw pages excluded. Prints its tables and appends them to
bench/RESULTS.md with the machine's description (`--no-write`: print only).

The text is realistic Vietnamese in shape: the syllables and two-syllable words of the
fixture generator and the seed article, plus generated well-formed syllables for a long
tail, drawn with Zipf frequencies; each article has a topic (a real headline template and
place) repeated in its body, the way department news repeats its subject. Articles are
spread over 60 sites in 12 provinces and ten years of dates, with 1-3 view observations.

The archive is built the way a harvest builds it, through the real schema (migrations and
triggers), in one transaction per 20,000 articles with the search triggers dropped and
the index built afterwards (migration 004's own statements), then FTS5 'optimize'.

Latency is measured warm (the archive's pages in the OS cache, as on a machine whose RAM
holds the index) and cold (`--cold` queries per kind, each after the archive file is
dropped from the OS cache with posix_fadvise: every page read from disk, the worst case of
an archive much larger than RAM). Raw pages are not in the synthetic archive; their
stored size (zlib level 6, as store.py keeps them) is measured on the gold corpus pages,
as served and at a real portal's weight.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import time
import unicodedata
import zlib
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._results import append_results, load, table, verdict  # noqa: E402
from harvester.demo.sitegen import _CAPTIONS, _PLACES, _SENTENCES, _TOPICS  # noqa: E402
from harvester.search import search  # noqa: E402
from harvester.store import MIGRATIONS, Archive, _index, _statements  # noqa: E402
from parsers.normalise import search_key  # noqa: E402
from parsers.vietnamese import is_syllable  # noqa: E402

SEED_JSON = ROOT / "tests" / "fixtures" / "kontum" / "seed-doi-thoai-giam-ngheo.json"
PROVINCES = (
    "Kon Tum",
    "Gia Lai",
    "Đắk Lắk",
    "Đắk Nông",
    "Lâm Đồng",
    "Quảng Nam",
    "Quảng Ngãi",
    "Bình Định",
    "Thừa Thiên Huế",
    "Hòa Bình",
    "Thanh Hóa",
    "Khánh Hòa",
)
CATEGORIES = (
    "Tin tức - Sự kiện",
    "Trợ giúp xã hội và giảm nghèo",
    "Văn bản chỉ đạo",
    "Hoạt động cơ sở",
)
_WORD = re.compile(r"[^\W\d_]+")


# --- vocabulary ------------------------------------------------------------------------------


def corpus() -> list[str]:
    seed = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    texts = [
        *_SENTENCES,
        *_TOPICS,
        *_CAPTIONS,
        *_PLACES,
        seed["title"],
        seed["body"],
        *seed["captions"],
    ]
    return [t.replace("{place}", "").replace("{year}", "").replace("{year2}", "") for t in texts]


def vocabulary(rng: random.Random, tail: int = 6000) -> tuple[list[str], list[float]]:
    """Words (one or two syllables) and their Zipf weights: the corpus's own words and
    pairs first, by frequency, then generated syllables and pairs for the long tail."""
    counts: dict[str, int] = {}
    for text in corpus():
        words = [w.lower() for w in _WORD.findall(text)]
        for w in words:
            counts[w] = counts.get(w, 0) + 1
        for a, b in itertools.pairwise(words):
            counts[f"{a} {b}"] = counts.get(f"{a} {b}", 0) + 1
    real = sorted(counts, key=lambda w: -counts[w])
    onsets = "b c ch d đ g gi h kh l m n ng nh ph qu s t th tr v x".split()
    rhymes = (
        "a ai am an ang anh ao au ay e em en eng eo ê êm ên ênh êu i im in inh iu o oa oan oang oi om "
        "on ong ô ôi ôm ôn ông ơ ơi ơm ơn u ui um un ung uôn uông ư ưa ươn ương"
    ).split()
    tones = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
    made: set[str] = set()
    while len(made) < tail:
        rhyme = rng.choice(rhymes)
        tone = rng.choice(tones)
        v = next(i for i, ch in enumerate(rhyme) if ch in "aăâeêioôơuưy")
        word = unicodedata.normalize(
            "NFC", rng.choice(onsets) + rhyme[: v + 1] + tone + rhyme[v + 1 :]
        )
        if is_syllable(word) and word not in counts:
            made.add(word)
    tail_words = sorted(made)
    rng.shuffle(tail_words)
    pairs = [f"{a} {b}" for a, b in zip(tail_words[::2], tail_words[1::2], strict=False)]
    # Function words keep the top ranks (và, của, các, …); the corpus's other words and its
    # word pairs ("giảm nghèo", "Ủy ban") are spread through the ranks among the generated
    # ones, so that a topical phrase is in a few per cent of articles, not in all of them.
    top = [w for w in real if " " not in w][:40]
    rest = [w for w in real if w not in top]
    words = [w for pair in itertools.zip_longest(tail_words, pairs) for w in pair if w]
    for w in rest:
        words.insert(rng.randrange(0, len(words) // 3), w)
    words = top + words
    weights = [1.0 / (rank + 8) ** 1.05 for rank in range(len(words))]
    return words, weights


class Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words, weights = vocabulary(self.rng)
        self.cum = list(itertools.accumulate(weights))
        self.topics = [t for t in _TOPICS]
        self.places = list(_PLACES) + [w.title() for w in self.words[200:260]]

    def words_(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    def sentence(self, n: int, topic: str | None = None) -> str:
        ws = self.words_(n)
        if topic and self.rng.random() < 0.5:
            ws.insert(self.rng.randrange(len(ws) + 1), topic)
        text = " ".join(ws)
        return text[0].upper() + text[1:] + "."

    def article(self, i: int) -> dict[str, object]:
        rng = self.rng
        place = rng.choice(self.places)
        year = 2015 + i * 10 // max(1, self.total)
        if rng.random() < 0.1:  # one article in ten on a fixture-site topic
            title = rng.choice(self.topics).format(place=place, year=year, year2=year + 2)
        else:
            title = self.sentence(rng.randint(6, 12)).rstrip(".") + f" tại {place}"
        topic = " ".join(_WORD.findall(title)[:3]).lower()
        paragraphs = []
        for _ in range(rng.randint(3, 6)):
            paragraphs.append(
                " ".join(
                    self.sentence(rng.randint(12, 24), topic) for _ in range(rng.randint(2, 4))
                )
            )
        captions = [
            self.sentence(rng.randint(5, 10)).rstrip(".") for _ in range(rng.choice((0, 0, 1, 2)))
        ]
        return {"title": title, "body": "\n\n".join(paragraphs), "captions": captions}

    total = 1


# --- building the archive ----------------------------------------------------------------------


def build(path: Path, n: int, seed: int = 1, accents_prefix: str | None = None) -> dict[str, float]:
    """Build the archive; `accents_prefix` ("2 3", "none") overrides migration 004's prefix
    index on search_accents_fts. Returns the seconds spent on rows and on the index."""
    if path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    archive = Archive.open(path)
    conn = archive.conn
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    triggers = [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_index_%'"
        )
    ]
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_index_%'"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    if accents_prefix is not None:
        set_accents_prefix(conn, accents_prefix, fill=False)
    sites = [(f"site-{i:02d}", PROVINCES[i % len(PROVINCES)], f"Sở số {i}") for i in range(60)]
    conn.executemany(
        "INSERT INTO sites (name, province, department, platform, start_urls, status) VALUES (?, ?, ?, 'generic', '[]', 'live')",
        sites,
    )
    writer = Writer(seed)
    writer.total = n
    rng = random.Random(seed + 1)
    first_day = date(2015, 1, 1)
    batch = 20_000
    for start in range(0, n, batch):
        conn.execute("BEGIN")
        arts, vers, views = [], [], []
        for i in range(start, min(n, start + batch)):
            a = writer.article(i)
            site = sites[rng.randrange(len(sites))][0]
            day = (first_day + timedelta(days=i * 3650 // n)).isoformat()
            at = f"{day}T02:00:00+07:00"
            aid = i + 1
            arts.append((aid, site, f"https://{site}.gov.vn/tin-tuc/bai-viet-{aid}", at, at, aid))
            vers.append(
                (
                    aid,
                    aid,
                    at,
                    f"{aid:064x}",
                    a["title"],
                    a["body"],
                    json.dumps(a["captions"], ensure_ascii=False),
                    day,
                    rng.choice(CATEGORIES),
                )
            )
            for k in range(rng.randint(1, 3)):
                views.append((aid, f"{day}T0{2 + k}:00:00+07:00", rng.randint(10, 5000) + 50 * k))
        conn.executemany(
            "INSERT INTO articles (id, site, url, first_seen_at, last_seen_at, latest_version_id) VALUES (?, ?, ?, ?, ?, ?)",
            arts,
        )
        conn.executemany(
            "INSERT INTO versions (id, article_id, fetched_at, content_hash, title, body, captions, published_at, category, platform) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'generic')",
            vers,
        )
        conn.executemany(
            "INSERT INTO view_counts (article_id, observed_at, views) VALUES (?, ?, ?)", views
        )
        conn.execute("COMMIT")
        print(
            f"\r  {min(n, start + batch):,} / {n:,} articles ({time.perf_counter() - started:.0f} s)",
            end="",
            file=sys.stderr,
        )
    print(file=sys.stderr)
    rows_s = time.perf_counter() - started
    t = time.perf_counter()
    archive.rebuild_search_index()
    for name in ("search_fts", "search_accents_fts"):
        conn.execute(f"INSERT INTO {name}({name}) VALUES ('optimize')")
    for sql in triggers:
        conn.execute(sql)
    index_s = time.perf_counter() - t
    print(f"  search index: {index_s:.0f} s", file=sys.stderr)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    archive.close()
    return {"rows_s": rows_s, "index_s": index_s}


def accents_prefix(conn: sqlite3.Connection) -> str:
    """The prefix option of search_accents_fts as created ("2 3"), or "none"."""
    sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'search_accents_fts'"
    ).fetchone()[0]
    m = re.search(r"prefix\s*=\s*['\"]([^'\"]*)['\"]", sql)
    return m.group(1) if m else "none"


def set_accents_prefix(conn: sqlite3.Connection, prefix: str, fill: bool = True) -> float:
    """Re-create search_accents_fts with another prefix option ("2 3" or "none") and, with
    `fill`, index every latest version in it again (as migration 004 does), then optimize.
    Returns the seconds it took."""
    started = time.perf_counter()
    sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'search_accents_fts'"
    ).fetchone()[0]
    bare = re.sub(r",\s*prefix\s*=\s*['\"][^'\"]*['\"]", "", sql)
    if prefix != "none":
        bare = bare[: bare.rindex(")")].rstrip() + f", prefix='{prefix}')"
    conn.execute("DROP TABLE search_accents_fts")
    conn.execute(bare)
    conn.execute(
        "INSERT INTO search_accents_fts(search_accents_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 3.0, 0.0)')"
    )
    if fill:
        # migration 004's indexing statement for the accents table alone
        statements = _statements(
            _index(
                "v.id = a.latest_version_id",
                source="articles a JOIN versions v ON v.id = a.latest_version_id",
            )
        )
        accents = next(s for s in statements if s.startswith("INSERT INTO search_accents_fts"))
        conn.execute("BEGIN")
        conn.execute(accents)
        conn.execute("INSERT INTO search_accents_fts(search_accents_fts) VALUES ('optimize')")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - started


# --- queries ---------------------------------------------------------------------------------


def queries(
    path: Path, per_kind: int, seed: int = 7
) -> dict[str, list[tuple[str, dict[str, object]]]]:
    """Queries drawn from the archive's own articles, so they find something.

    Researchers search for subjects: places, programmes, names, so the measured kinds are
    spans of one to three words of which at least one is not among the commonest (in more
    than 10% of articles: và, của, đã, về…). Spans made only of such words ("về hội đã")
    are measured apart, as "stress": a rare phrase of common syllables makes FTS5 check
    the positions in every article that holds them all.
    """
    rng = random.Random(seed)
    with Archive.open(path) as archive:
        n = archive.query("SELECT count(*) FROM articles")[0][0]
        common = {
            r[0]
            for r in archive.query(
                "SELECT term FROM search_fts_vocab WHERE doc > ? AND term NOT LIKE 'z%'", (n // 10,)
            )
        }
        max_id = archive.query("SELECT max(id) FROM versions")[0][0]
        texts = []
        for _ in range(per_kind * 8):
            row = archive.query(
                "SELECT title, body FROM versions WHERE id = ?", (rng.randint(1, max_id),)
            )[0]
            texts.append((row["title"], row["body"]))
    kinds: dict[str, list[tuple[str, dict[str, object]]]] = {
        k: []
        for k in (
            "accented",
            "unaccented",
            "phrase",
            "prefix",
            "accented prefix",
            "filtered",
            "stress",
        )
    }

    def add(kind: str, query: str, filters: dict[str, object] | None = None) -> None:
        if len(kinds[kind]) < per_kind:
            kinds[kind].append((query, filters or {}))

    for title, body in texts:
        words = _WORD.findall(title) + _WORD.findall(body)[:80]
        n_words = rng.choice((1, 2, 2, 3))
        at = rng.randrange(max(1, len(words) - n_words))
        span = words[at : at + n_words]
        phrase = " ".join(span)
        keys = [search_key(w.lower()) for w in span]
        if all(k in common for k in keys):
            add("stress", rng.choice((phrase, search_key(phrase))))
            continue
        add("accented", phrase)
        add("unaccented", search_key(phrase))
        if len(span) >= 2:
            add("phrase", search_key(" ".join(span[:2])))
        rare = [w for w, k in zip(span, keys, strict=True) if k not in common and len(k) >= 3]
        if rare:
            add("prefix", search_key(rare[0])[:3] + "*")
            word = rare[0].lower()
            marked = [i for i, ch in enumerate(word) if search_key(ch) != ch]
            if marked:  # "giả*": the prefix carries a mark, so the accents table answers it
                add("accented prefix", word[: max(3, marked[0] + 1)] + "*")
        filters: dict[str, object] = rng.choice(
            (
                {"province": rng.choice(PROVINCES)},
                {"since": "2020-01-01", "until": "2021-12-31"},
                {"site": f"site-{rng.randrange(60):02d}"},
                {"category": rng.choice(CATEGORIES)},
            )
        )
        add("filtered", rng.choice((phrase, search_key(phrase))), filters)
    return kinds


def measure(
    path: Path, kinds: dict[str, list[tuple[str, dict[str, object]]]], cold: int = 0
) -> dict[str, dict[str, float]]:
    """Latency per kind of query, warm (the whole file read into the OS cache first): each
    query's time is the faster of two runs, the whole set run in between (SQLite's own 2 MB
    cache has long forgotten it by then), so that a burst of other work on a shared machine
    is not counted. Then, for the first `cold` queries of each kind, once more with the
    archive dropped from the OS cache (and SQLite's) before each query."""
    out: dict[str, dict[str, float]] = {}
    warm_cache(path)
    with Archive.open(path) as archive:
        search(archive, "khởi động", limit=20)
        subject: list[float] = []
        best: dict[tuple[str, int], float] = {}
        found_by: dict[tuple[str, int], bool] = {}
        for _round in range(2):
            for kind, qs in kinds.items():
                for i, (q, filters) in enumerate(qs):
                    t = time.perf_counter()
                    hits = search(archive, q, limit=20, **filters)  # type: ignore[arg-type]
                    ms = (time.perf_counter() - t) * 1000
                    best[kind, i] = min(ms, best.get((kind, i), ms))
                    found_by[kind, i] = bool(hits)
        for kind, qs in kinds.items():
            if not qs:
                continue
            times = [best[kind, i] for i in range(len(qs))]
            found = sum(found_by[kind, i] for i in range(len(qs)))
            if kind != "stress":
                subject += times
            out[kind] = _stats(times) | {"found": found / len(qs)}
        out["all but stress"] = _stats(subject) | {"found": float("nan")}
        subject_cold: list[float] = []
        for kind, qs in kinds.items():
            cold_times = []
            for q, filters in qs[:cold]:
                drop_cache(path, archive)
                t = time.perf_counter()
                search(archive, q, limit=20, **filters)  # type: ignore[arg-type]
                cold_times.append((time.perf_counter() - t) * 1000)
            if kind in out:
                out[kind] |= _cold(cold_times)
            if kind != "stress":
                subject_cold += cold_times
        out["all but stress"] |= _cold(subject_cold)
    return out


def warm_cache(path: Path) -> None:
    """Read the archive's files once, so that they sit in the OS cache."""
    for suffix in ("", "-wal"):
        f = Path(str(path) + suffix)
        if f.exists():
            with f.open("rb") as fh:
                while fh.read(1 << 22):
                    pass


def drop_cache(path: Path, archive: Archive) -> None:
    """Forget the archive's pages: SQLite's page cache, and the OS's for its files."""
    archive.conn.execute("PRAGMA shrink_memory")
    for suffix in ("", "-wal"):
        f = Path(str(path) + suffix)
        if f.exists():
            fd = os.open(f, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def _cold(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {}
    s = _stats(ms)
    return {"cold_p50": s["p50"], "cold_p95": s["p95"]}


def _stats(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {
        "n": len(ms),
        "p50": statistics.median(ms),
        "p95": ms[min(len(ms) - 1, int(0.95 * len(ms)))],
        "max": ms[-1],
    }


# --- size --------------------------------------------------------------------------------------


def sizes(path: Path) -> dict[str, int]:
    """Bytes of the archive file by part (dbstat: every b-tree's pages, indexes with their
    table, FTS5 shadow tables with their index), and the file itself."""
    parts: dict[str, int] = {}
    with Archive.open(path) as archive:
        owner = {
            r[0]: r[1] for r in archive.conn.execute("SELECT name, tbl_name FROM sqlite_master")
        }
        # summed in Python: dbstat's aggregate mode counts a b-tree's bytes in 32 bits
        for name, size in archive.conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name"
        ):
            table_name = owner.get(name, name)
            if table_name.startswith("search_accents_fts"):
                part = "search_accents_fts (marks kept)"
            elif table_name.startswith("search_fts"):
                part = "search_fts (folded)"
            elif table_name == "versions":
                part = "versions (text, metadata)"
            else:
                part = "articles, view counts, the rest"
            parts[part] = parts.get(part, 0) + size
        versions = archive.conn.execute("SELECT count(*) FROM versions").fetchone()[0]
    file_size = sum(
        Path(str(path) + s).stat().st_size for s in ("", "-wal") if Path(str(path) + s).exists()
    )
    parts["free pages"] = max(0, file_size - sum(parts.values()))
    return {"versions": versions, "file": file_size, **dict(sorted(parts.items()))}


def raw_pages() -> dict[str, float]:
    """Stored size of raw article pages (zlib level 6, as store.py keeps them): the gold
    corpus as served, and at a real portal's weight (bench.score.with_site_chrome)."""
    from bench.score import load_corpus, with_site_chrome

    cases = load_corpus(ROOT / "tests" / "fixtures")
    out: dict[str, float] = {"pages": len(cases)}
    for name, pages in (
        ("gold", [c.raw for c in cases]),
        ("portal", [with_site_chrome(c).raw for c in cases]),
    ):
        out[f"{name}_raw"] = statistics.mean(len(p) for p in pages)
        started = time.perf_counter()
        out[f"{name}_zlib"] = statistics.mean(len(zlib.compress(p, 6)) for p in pages)
        out[f"{name}_zlib_ms"] = 1000 * (time.perf_counter() - started) / len(pages)
    return out


# --- report ------------------------------------------------------------------------------------


def latency_table(results: dict[str, dict[str, float]]) -> str:
    rows = []
    for kind, r in results.items():
        found = "" if r["found"] != r["found"] else f"{r['found']:.0%}"
        cold = (f"{r['cold_p50']:.1f}", f"{r['cold_p95']:.1f}") if "cold_p50" in r else ("", "")
        rows.append(
            (
                kind,
                f"{r['n']:.0f}",
                f"{r['p50']:.1f}",
                f"{r['p95']:.1f}",
                f"{r['max']:.1f}",
                *cold,
                found,
            )
        )
    return table(
        (
            "queries",
            "n",
            "p50 ms",
            "p95 ms",
            "max ms",
            "cold p50 ms",
            "cold p95 ms",
            "found something",
        ),
        rows,
    )


def size_table(variants: dict[str, dict[str, int]]) -> str:
    names = list(variants)
    parts = [k for k in next(iter(variants.values())) if k not in ("versions", "file")]
    rows = []
    for part in parts:
        rows.append(
            (part, *(f"{variants[v].get(part, 0) / variants[v]['versions']:,.0f}" for v in names))
        )
    rows.append(
        (
            "**file, per article-version**",
            *(f"**{variants[v]['file'] / variants[v]['versions']:,.0f}**" for v in names),
        )
    )
    rows.append(("file, total", *(f"{variants[v]['file'] / 1e9:.2f} GB" for v in names)))
    return table(("bytes per article-version", *names), rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=float, default=1e6, help="archive size (default 1e6)")
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "search-bench.db")
    parser.add_argument("--queries", type=int, default=100, help="queries per kind (default 100)")
    parser.add_argument("--cold", type=int, default=20, help="cold queries per kind (default 20)")
    parser.add_argument("--reuse", action="store_true", help="query the archive at --db as it is")
    parser.add_argument(
        "--accents-prefix",
        choices=("migration", "none", "2 3"),
        default="migration",
        help="prefix index of search_accents_fts (default: as migration 004 creates it)",
    )
    parser.add_argument(
        "--compare-prefix",
        action="store_true",
        help="then re-create search_accents_fts with the other prefix option and measure again",
    )
    parser.add_argument("--delete", action="store_true", help="delete the archive afterwards")
    parser.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args()
    load_before = load()
    n = int(args.articles)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    built = None
    if not args.reuse:
        print(f"building {n:,} articles into {args.db}", file=sys.stderr)
        override = None if args.accents_prefix == "migration" else args.accents_prefix
        built = build(args.db, n, accents_prefix=override)
    with Archive.open(args.db) as archive:
        n = archive.query("SELECT count(*) FROM articles")[0][0]
        first = accents_prefix(archive.conn)
    kinds = queries(args.db, args.queries)
    variants = {f"accents prefix {first}": (sizes(args.db), measure(args.db, kinds, args.cold))}
    switch_s = None
    if args.compare_prefix:
        other = "none" if first != "none" else "2 3"
        print(f"re-creating search_accents_fts with prefix {other}", file=sys.stderr)
        with Archive.open(args.db) as archive:
            switch_s = set_accents_prefix(archive.conn, other)
        variants[f"accents prefix {other}"] = (sizes(args.db), measure(args.db, kinds, args.cold))
        if not args.delete:
            with Archive.open(args.db) as archive:
                set_accents_prefix(archive.conn, first)
    raw = raw_pages()

    out = [
        f"{n:,} articles, one version each; schema {MIGRATIONS[-1][0]}; "
        f"{args.queries} queries per kind, {args.cold} of them also cold."
        + (
            f" Built in {(built['rows_s'] + built['index_s']) / 60:.1f} min "
            f"({built['rows_s'] / 60:.1f} rows, {built['index_s'] / 60:.1f} search index)."
            if built
            else ""
        ),
        "",
    ]
    for name, (_, lat) in variants.items():
        p95 = lat["all but stress"]["p95"]
        out += [
            f"Latency, {name}:",
            "",
            latency_table(lat),
            "",
            f"p95 over subject queries (all but stress): {p95:.1f} ms: "
            f"{verdict(p95 < 50)} (target < 50 ms).",
            "",
        ]
    size_by = {name: s for name, (s, _) in variants.items()}
    out += ["Size:", "", size_table(size_by), ""]
    for name, s in size_by.items():
        per = s["file"] / s["versions"]
        out.append(
            f"{name}: {per:,.0f} bytes per article-version: {verdict(per < 10_000)} (target < 10 KB)."
        )
    out += [
        "",
        f"Raw pages (not in this archive; {raw['pages']:.0f} gold article pages, zlib level 6 as "
        f"stored): as served {raw['gold_raw'] / 1000:.1f} KB → {raw['gold_zlib'] / 1000:.1f} KB; "
        f"at a real portal's weight {raw['portal_raw'] / 1000:.1f} KB → {raw['portal_zlib'] / 1000:.1f} KB "
        f"a page, {raw['portal_zlib_ms']:.2f} ms to compress (each distinct body is stored once; "
        "the synthetic chrome is repetitive and compresses better than real chrome does).",
    ]
    if switch_s is not None:
        out.append(
            f"Re-creating search_accents_fts with the other prefix option took {switch_s / 60:.1f} min."
        )
    text = "\n".join(out)
    print(text)
    if args.delete:
        for suffix in ("", "-wal", "-shm"):
            Path(str(args.db) + suffix).unlink(missing_ok=True)
    if not args.no_write:
        append_results(
            f"Search at scale: {n:,} articles (bench/search.py)", text, load_before=load_before
        )


if __name__ == "__main__":
    main()
