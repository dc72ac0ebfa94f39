"""Search latency at scale: a synthetic archive of N articles (default 1,000,000) and the
p50/p95 of accented, unaccented, phrase and prefix queries, with and without filters.

    python bench/search.py                      # 1e6 articles (about 15-25 min on 2 cores)
    python bench/search.py --articles 50000     # a quick run
    python bench/search.py --reuse              # query an archive built before

The text is realistic Vietnamese in shape: the syllables and two-syllable words of the
fixture generator and the seed article, plus generated well-formed syllables for a long
tail, drawn with Zipf frequencies; each article has a topic (a real headline template and
place) repeated in its body, the way department news repeats its subject. Articles are
spread over 60 sites in 12 provinces and ten years of dates, with 1-3 view observations.

The archive is built the way a harvest builds it, through the real schema (migrations and
triggers), in one transaction per 20,000 articles with the search triggers dropped and
the index built afterwards by `Archive.rebuild_search_index()`. Results: a table on stdout
and a section appended to bench/RESULTS.md with the machine's description.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import re
import statistics
import sys
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harvester.demo.sitegen import _CAPTIONS, _PLACES, _SENTENCES, _TOPICS  # noqa: E402
from harvester.search import search  # noqa: E402
from harvester.store import MIGRATIONS, Archive  # noqa: E402
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


def build(path: Path, n: int, seed: int = 1) -> float:
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
    t = time.perf_counter()
    archive.rebuild_search_index()
    for table in ("search_fts", "search_accents_fts"):
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
    for sql in triggers:
        conn.execute(sql)
    print(f"  search index: {time.perf_counter() - t:.0f} s", file=sys.stderr)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    archive.close()
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
        k: [] for k in ("accented", "unaccented", "phrase", "prefix", "filtered", "stress")
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
    path: Path, kinds: dict[str, list[tuple[str, dict[str, object]]]]
) -> dict[str, dict[str, float]]:
    out = {}
    with Archive.open(path) as archive:
        search(archive, "khởi động", limit=20)
        subject_ms: list[float] = []
        for kind, qs in kinds.items():
            times = []
            found = 0
            for q, filters in qs:
                t = time.perf_counter()
                hits = search(archive, q, limit=20, **filters)  # type: ignore[arg-type]
                times.append((time.perf_counter() - t) * 1000)
                found += bool(hits)
            if kind != "stress":
                subject_ms += times
            if times:
                out[kind] = _stats(times) | {"found": found / len(qs)}
        out["all but stress"] = _stats(subject_ms) | {"found": float("nan")}
    return out


def _stats(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {
        "n": len(ms),
        "p50": statistics.median(ms),
        "p95": ms[min(len(ms) - 1, int(0.95 * len(ms)))],
        "max": ms[-1],
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    mem = ""
    try:
        kb = int(
            next(
                line
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            ).split()[1]
        )
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=float, default=1e6, help="archive size (default 1e6)")
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "search-bench.db")
    parser.add_argument("--queries", type=int, default=100, help="queries per kind (default 100)")
    parser.add_argument("--reuse", action="store_true", help="query the archive at --db as it is")
    parser.add_argument(
        "--no-record", action="store_true", help="do not append to bench/RESULTS.md"
    )
    args = parser.parse_args()
    n = int(args.articles)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    build_s = None
    if not args.reuse:
        print(f"building {n:,} articles into {args.db}", file=sys.stderr)
        build_s = build(args.db, n)
    with Archive.open(args.db) as archive:
        n = archive.query("SELECT count(*) FROM articles")[0][0]
    size = sum(
        Path(str(args.db) + s).stat().st_size
        for s in ("", "-wal")
        if Path(str(args.db) + s).exists()
    )
    results = measure(args.db, queries(args.db, args.queries))
    lines = [
        f"### {date.today().isoformat()}: {n:,} articles",
        "",
        f"Machine: {machine()}. Schema: {MIGRATIONS[-1][0]}.",
        f"Archive: {size / 1e9:.2f} GB, {size / n:,.0f} bytes per article (text, two FTS5 indexes, views)."
        + (f" Built in {build_s / 60:.1f} min." if build_s else ""),
        "",
        "| queries | n | p50 ms | p95 ms | max ms | found something |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, r in results.items():
        found = "" if r["found"] != r["found"] else f"{r['found']:.0%}"
        lines.append(
            f"| {kind} | {r['n']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {found} |"
        )
    p95 = results["all but stress"]["p95"]
    verdict = "meets" if p95 < 50 else "MISSES"
    lines += [
        "",
        f"p95 over subject queries (all but stress): {p95:.1f} ms ({verdict} the 50 ms target).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        out = ROOT / "bench" / "RESULTS.md"
        if not out.exists():
            out.write_text(
                "# Benchmark results\n\nAppended by the scripts in bench/. Newest last.\n\n",
                encoding="utf-8",
            )
        with out.open("a", encoding="utf-8") as f:
            f.write("## bench/search.py\n\n" + text + "\n")


if __name__ == "__main__":
    main()
