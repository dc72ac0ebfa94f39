"""Full-text search over the archive: the latest version of each article, found the way
researchers type, with or without diacritics and with either tone placement.

    search(archive, "giam ngheo", province="Kon Tum", limit=20) -> list[Hit]

A query runs in four steps:

1. It is put in display form (`parsers.normalise.display`: NFC, canonical tone placement,
   so "hoà bình" and "hòa bình" are one query) and split into terms the way FTS5's
   unicode61 tokenizer splits text; a trailing `*` makes a term a prefix. Every term is
   quoted, so nothing typed reaches FTS5's syntax: quotes, parentheses, AND/OR/NOT, `-`
   and `:` are searched as text, never an error.
2. A query with any diacritic matches `search_accents_fts` (the display text: "Đăng" is
   not "đang"); one without matches `search_fts` (folded: "dang" finds both). A query of
   several terms is tried as a phrase first, then as all terms anywhere.
3. An accented query that finds nothing is tried again folded, and its hits say so
   (`Hit.fallback`): "Đà Nang" still finds Đà Nẵng.
4. Hits are ranked by bm25 (title weighted 10, captions 3, body 1). The snippet marks the
   matched words on the display text: its words are folded one code point for one, so a
   match found on the folded word is marked at the same offsets in the text shown.

The index itself (migration 004 in store.py, docs/schema.md) is kept in step by triggers.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from parsers.normalise import display, has_diacritics, search_key

from .errors import StoreError
from .store import Archive

__all__ = ["Hit", "Query", "parse_day", "parse_query", "search", "COLUMNS"]

# the columns of `harvester search` output, in order
COLUMNS = ("article_id", "url", "site", "title", "published_at", "views", "snippet")
_MAX_TERMS = 32
_TERM = re.compile(r"([^\W_]+)(\*?)")
_START, _END = "\x02", "\x03"


@dataclass(frozen=True, slots=True)
class Query:
    """A user's query made safe for FTS5: its display form, its terms and which of them
    are prefixes (`giam*`), and whether it carries diacritics.

    >>> q = parse_query('"Hoà bình" AND (giảm*')
    >>> q.terms, q.prefixes, q.accented
    (('hòa', 'bình', 'and', 'giảm'), (False, False, False, True), True)
    >>> q.expression(folded=True, phrase=True)
    '{title body captions} : ("hoa" + "binh" + "and" + "giam"*)'
    """

    text: str
    terms: tuple[str, ...]
    prefixes: tuple[bool, ...]
    accented: bool

    def expression(self, *, folded: bool, phrase: bool) -> str:
        """The FTS5 MATCH expression: a phrase, or all terms anywhere (implicit AND)."""
        parts = []
        for term, prefix in zip(self.terms, self.prefixes, strict=True):
            t = search_key(term) if folded else term
            parts.append(f'"{t}"' + ("*" if prefix else ""))
        # the text columns only: never the filter tokens
        return "{title body captions} : (" + (" + " if phrase else " ").join(parts) + ")"


def parse_query(text: str) -> Query:
    """Split a query into quoted terms (see Query)."""
    shown = display(text or "")
    terms: list[str] = []
    prefixes: list[bool] = []
    for m in _TERM.finditer(shown):
        terms.append(m.group(1).lower())
        prefixes.append(bool(m.group(2)))
        if len(terms) == _MAX_TERMS:
            break
    return Query(shown, tuple(terms), tuple(prefixes), has_diacritics(" ".join(terms)))


@dataclass(frozen=True, slots=True)
class Hit:
    """One article found. `views` is its latest non-null count. `rank` is its bm25 score
    (lower is better), or None when the query was too common to weigh and hits come title
    matches first, newest first. `mode` says how it matched ("phrase" or "all terms", with
    or "ignoring diacritics", ", newest first"); `fallback` is True when an accented query
    found nothing with its diacritics and these hits ignore them."""

    url: str
    site: str
    title: str
    published_at: str | None
    views: int | None
    snippet: str
    article_id: int
    version_id: int
    rank: float | None
    mode: str
    fallback: bool = False

    def as_row(self) -> dict[str, Any]:
        """The `harvester search` output row."""
        return {c: getattr(self, c) for c in COLUMNS}


def search(
    archive: Archive | str | os.PathLike[str],
    query: str,
    *,
    site: str | Sequence[str] | None = None,
    province: str | None = None,
    category: str | None = None,
    since: date | str | None = None,
    until: date | str | None = None,
    limit: int = 20,
    marks: tuple[str, str] = ("[", "]"),
) -> list[Hit]:
    """The articles whose latest version matches `query`, best first.

    `site` (one name or several), `province` and `category` filter (province and category
    ignoring case and diacritics); `since`/`until` bound `published_at`, both days
    included. An empty or punctuation-only query finds nothing. Raises ValueError for a bad
    date or limit, StoreError for a file that is not an archive or an archive without a
    search index. Given a path, it opens the file read-only.
    """
    if isinstance(archive, Archive):
        return _search(archive, query, site, province, category, since, until, limit, marks)
    from .web import is_archive

    path = Path(archive)
    if not path.exists():
        raise StoreError(f"{path}: no archive here (run 'harvester run' or 'harvester demo' first)")
    if not is_archive(path):
        raise StoreError(f"{path} is not an archive (no harvester tables in it)")
    with Archive.open(path, readonly=True) as opened:  # a search never writes
        return _search(opened, query, site, province, category, since, until, limit, marks)


def _search(
    archive: Archive,
    query: str,
    site: str | Sequence[str] | None,
    province: str | None,
    category: str | None,
    since: date | str | None,
    until: date | str | None,
    limit: int,
    marks: tuple[str, str],
) -> list[Hit]:
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit: expected a positive number, got {limit!r}")
    _require_index(archive)
    q = parse_query(query)
    if not q.terms:
        return []
    filters = _filters(archive, site, province, category, since, until)
    if filters is None:
        return []  # a filter nothing can pass (a province without sites, an unknown category)
    match_filter, filter_tokens, where, params = filters
    attempts: list[tuple[bool, bool]] = []  # (folded, phrase)
    for folded in (False, True) if q.accented else (True,):
        attempts.append((folded, True))
        if len(q.terms) > 1:
            attempts.append((folded, False))
    for folded, phrase in attempts:
        table = "search_fts" if folded else "search_accents_fts"
        expr = q.expression(folded=folded, phrase=phrase) + match_filter
        weigh = _weighing_cost(archive, q, phrase, filter_tokens) <= BM25_BUDGET
        if weigh:
            rows = _ranked(archive, table, expr, where, params, limit)
        else:
            rows = _newest(archive, table, expr, where, params, limit, q, folded, phrase)
        if rows:
            mode = (
                ("phrase" if phrase else "all terms")
                + (", ignoring diacritics" if folded else "")
                + ("" if weigh else ", newest first")
            )
            return [_hit(q, folded, phrase, row, mode, marks) for row in rows]
    return []


def _require_index(archive: Archive) -> None:
    row = archive.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'search_accents_fts'"
    ).fetchone()
    if row is None:
        raise StoreError(
            f"{archive.path}: this archive has no search index yet; open it once for writing "
            "(any 'harvester run') to add it"
        )


def parse_day(value: date | str, name: str = "date") -> date:
    """A day as YYYY-MM-DD exactly (the one form --since/--until take), or ValueError.

    >>> parse_day("2023-01-05")
    datetime.date(2023, 1, 5)
    >>> parse_day("2023-W01-1")
    Traceback (most recent call last):
    ValueError: date: expected a date like 2023-09-16, got '2023-W01-1'
    """
    if isinstance(value, date):
        return value
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", str(value).strip()):
            return date.fromisoformat(str(value).strip())
    except ValueError:
        pass
    raise ValueError(f"{name}: expected a date like 2023-09-16, got {value!r}")


def _filters(
    archive: Archive,
    site: str | Sequence[str] | None,
    province: str | None,
    category: str | None,
    since: date | str | None,
    until: date | str | None,
) -> tuple[str, list[str], list[str], dict[str, Any]] | None:
    """The filters as FTS5 terms on the `filters` column (site, category, year and month
    tokens, so FTS5 intersects them with the query instead of SQL joining every match),
    plus SQL for the exact first and last day. None when nothing can pass."""
    groups: list[list[str]] = []
    where: list[str] = []
    params: dict[str, Any] = {}
    sites = [site] if isinstance(site, str) else list(site or [])
    if province:
        in_province = sites_in_province(archive, province)
        sites = [s for s in sites if s in in_province] if sites else in_province
        if not sites:
            return None
    if sites:
        groups.append(["zs" + s.encode("utf-8").hex() for s in sites])
    if category:
        key = _words_key(category)
        tokens = [t for t, shown in _categories(archive) if _words_key(shown) == key]
        if not tokens:
            return None
        groups.append(tokens)
    first = parse_day(since, "since") if since is not None else None
    last = parse_day(until, "until") if until is not None else None
    if first is not None or last is not None:
        groups.append(_date_tokens(first, last))
        if first is not None:
            where.append("v.published_at >= :since")
            params["since"] = first.isoformat()
        if last is not None:
            where.append("v.published_at < :until")
            params["until"] = (last + timedelta(days=1)).isoformat()
    match = "".join(" AND filters : (" + " OR ".join(f'"{t}"' for t in g) + ")" for g in groups)
    return match, [t for g in groups for t in g], where, params


def _categories(archive: Archive) -> list[tuple[str, str]]:
    """(filter token, category as shown) for every category in the index. fts5vocab counts
    each token's articles as it lists it (15 ms at a million): kept on the archive object and
    read again only after the archive changed (data_version: another connection's commit;
    total_changes: this one's)."""
    conn = archive.conn
    changed = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    memo = archive.memo.get("search_categories")
    if memo is not None and memo[0] == changed:
        return memo[1]
    out = []
    for (term,) in conn.execute("SELECT term FROM search_fts_vocab WHERE term >= 'zc' AND term < 'zd'"):
        try:
            out.append((term, bytes.fromhex(term[2:]).decode("utf-8")))
        except ValueError:
            continue
    archive.memo["search_categories"] = (changed, out)
    return out


def _date_tokens(first: date | None, last: date | None) -> list[str]:
    """Year tokens for whole years, month tokens for the rest, from first to last."""
    first = first or date(1990, 1, 1)
    last = last or date(date.today().year + 1, 12, 31)
    tokens = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        if m == 1 and (y < last.year or last.month == 12):
            tokens.append(f"zy{y}")
            y += 1
            continue
        tokens.append(f"zm{y}{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tokens


def sites_in_province(archive: Archive, province: str) -> list[str]:
    """The archive's sites in a province, its name compared folded ("kon tum" = "Kon Tum")."""
    key = _words_key(province)
    return [r[0] for r in archive.conn.execute("SELECT name, province FROM sites") if _words_key(r[1] or "") == key]


def _words_key(text: str | None) -> str:
    """Province and category names compared folded, spacing and punctuation ignored."""
    return " ".join(re.findall(r"[^\W_]+", search_key(display(text or ""))))


# Ranking. bm25 weighs each term (and filter token) by how many articles hold it, and
# FTS5 finds that out by visiting all of them: for "người xã" in a million articles that is
# a hundred milliseconds before the first score. So a query is weighed with bm25 when the
# articles it makes FTS5 visit (estimated from search_fts_vocab) stay within BM25_BUDGET;
# otherwise its newest RANK_WINDOW matches are ordered by whether the title matches, then
# newest first. Either way at most RANK_WINDOW matches, newest first, are considered: a
# narrower query, or --since/--until, reaches further back.
RANK_WINDOW = 2000
BM25_BUDGET = 30_000


def _weighing_cost(archive: Archive, q: Query, phrase: bool, filter_tokens: list[str]) -> int:
    """About how many articles bm25 would visit: a phrase's rarest word bounds its
    articles; all-terms words, and every filter token, count in full."""
    sample = _Sample(archive)
    counts = [
        sample.articles_with(f'"{search_key(t)}"' + ("*" if p else ""))
        for t, p in zip(q.terms, q.prefixes, strict=True)
    ]
    words = min(counts) if phrase else sum(counts)
    return words + sum(sample.articles_with(f'filters : "{t}"') for t in filter_tokens)


class _Sample:
    """Article counts estimated from five slices of the index spread over its version ids
    (FTS5 has no cheap count of the articles holding a word: fts5vocab visits them all)."""

    SLICES = 5

    def __init__(self, archive: Archive) -> None:
        self.conn = archive.conn
        # two queries: SQLite answers min() or max() from the index end, not both at once
        lo = self.conn.execute("SELECT min(id) FROM search_fts_docsize").fetchone()[0]
        hi = self.conn.execute("SELECT max(id) FROM search_fts_docsize").fetchone()[0]
        self.windows: list[tuple[int, int]] = []
        self.scale = 1.0
        if lo is None:
            return
        span = hi - lo + 1
        width = max(1000, span // 200)
        if span <= width * self.SLICES:
            self.windows = [(lo, hi)]
            return
        step = (span - width) // (self.SLICES - 1)
        self.windows = [(lo + i * step, lo + i * step + width - 1) for i in range(self.SLICES)]
        self.scale = span / (width * self.SLICES)

    def articles_with(self, expr: str) -> int:
        found = 0
        for lo, hi in self.windows:
            found += self.conn.execute(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH ? AND rowid BETWEEN ? AND ?",
                (expr, lo, hi),
            ).fetchone()[0]
        return int(found * self.scale)


_SHOWN = """
        SELECT a.id AS article_id, v.id AS version_id, a.url, a.site, {rank} AS rank, v.title, v.body,
               v.captions, v.published_at,
               (SELECT vc.views FROM view_counts vc
                WHERE vc.article_id = a.id AND vc.views IS NOT NULL
                ORDER BY vc.observed_at DESC, vc.id DESC LIMIT 1) AS views
        FROM {source}
        JOIN versions v ON v.id = {id}
        JOIN articles a ON a.id = v.article_id AND a.latest_version_id = v.id
"""


def _ranked(
    archive: Archive, table: str, expr: str, where: list[str], params: dict[str, Any], limit: int
) -> list[Any]:
    """bm25 over the newest RANK_WINDOW matches, in one pass; the best get text and views."""
    conditions = " AND ".join(["1", *where])
    sql = f"""
        SELECT h.article_id, h.version_id, h.url, h.site, h.rank, v.title, v.body, v.captions,
               v.published_at,
               (SELECT vc.views FROM view_counts vc
                WHERE vc.article_id = h.article_id AND vc.views IS NOT NULL
                ORDER BY vc.observed_at DESC, vc.id DESC LIMIT 1) AS views
        FROM (
            SELECT a.id AS article_id, v.id AS version_id, a.url, a.site, m.rank
            FROM (SELECT rowid, rank FROM {table} WHERE {table} MATCH :expr
                  ORDER BY rowid DESC LIMIT :window) m
            JOIN versions v ON v.id = m.rowid
            JOIN articles a ON a.id = v.article_id AND a.latest_version_id = v.id
            WHERE {conditions}
            ORDER BY m.rank
            LIMIT :limit
        ) h JOIN versions v ON v.id = h.version_id
        ORDER BY h.rank
    """
    args = {**params, "expr": expr, "limit": limit, "window": RANK_WINDOW}
    return archive.conn.execute(sql, args).fetchall()


def _newest(
    archive: Archive,
    table: str,
    expr: str,
    where: list[str],
    params: dict[str, Any],
    limit: int,
    q: Query,
    folded: bool,
    phrase: bool,
) -> list[Any]:
    """The newest RANK_WINDOW matches, those matching in the title first, newest first."""
    conditions = " AND ".join(["1", *where])
    candidates = archive.conn.execute(
        f"""SELECT v.id, v.title FROM
              (SELECT rowid FROM {table} WHERE {table} MATCH :expr ORDER BY rowid DESC LIMIT :window) m
            JOIN versions v ON v.id = m.rowid
            JOIN articles a ON a.id = v.article_id AND a.latest_version_id = v.id
            WHERE {conditions}""",
        {**params, "expr": expr, "window": RANK_WINDOW},
    ).fetchall()
    ordered = sorted(
        candidates,
        key=lambda r: (not match_spans(q, r[1] or "", folded=folded, phrase=phrase), -r[0]),
    )[:limit]
    if not ordered:
        return []
    ids = json.dumps([r[0] for r in ordered])
    rows = archive.conn.execute(
        _SHOWN.format(rank="NULL", source="json_each(:ids) j", id="j.value"), {"ids": ids}
    ).fetchall()
    position = {r[0]: i for i, r in enumerate(ordered)}
    return sorted(rows, key=lambda r: position[r["version_id"]])


def _hit(q: Query, folded: bool, phrase: bool, row: Any, mode: str, marks: tuple[str, str]) -> Hit:
    return Hit(
        url=row["url"],
        site=row["site"],
        title=row["title"],
        published_at=row["published_at"],
        views=row["views"],
        snippet=snippet(q, folded, phrase, row["title"], row["body"], row["captions"], marks),
        article_id=row["article_id"],
        version_id=row["version_id"],
        rank=row["rank"],
        mode=mode,
        fallback=folded and q.accented,
    )


# --- snippets ---------------------------------------------------------------------------------


def snippet(
    q: Query,
    folded: bool,
    phrase: bool,
    title: str,
    body: str,
    captions_json: str | None,
    marks: tuple[str, str] = ("[", "]"),
) -> str:
    """A stretch of the body (else of the caption, else the title) around the first match,
    the matched words marked.

    >>> snippet(parse_query("dao tao"), True, True, "Tin", "Sở Giáo dục và Đào tạo tỉnh Kon Tum", None)
    'Sở Giáo dục và [Đào tạo] tỉnh Kon Tum'
    """
    spans = match_spans(q, body or "", folded=folded, phrase=phrase)
    if spans:
        return window(body, spans, marks)
    try:
        captions = json.loads(captions_json) if captions_json else []
    except ValueError:
        captions = []
    for caption in captions:
        if isinstance(caption, str) and (
            spans := match_spans(q, caption, folded=folded, phrase=phrase)
        ):
            return window(caption, spans, marks)
    spans = match_spans(q, title or "", folded=folded, phrase=phrase)
    return window(title if spans else body or title or "", spans, marks)


def match_spans(q: Query, text: str, *, folded: bool, phrase: bool) -> list[tuple[int, int]]:
    """Where the query's terms match in a display text, as FTS5 matched them: a phrase is
    consecutive words, all-terms any word matching a term; `*` terms match a prefix.
    Folded, the text is compared by its search key, which has the text's length.

    >>> match_spans(parse_query("dak gl*"), "Huyện Đăk Glei, Đăk Tô", folded=True, phrase=True)
    [(6, 14)]
    """
    key = search_key(text) if folded else text.lower()
    if len(key) != len(text):  # lower() can change lengths (İ); then there is nothing to map
        return []
    return [m.span() for m in _pattern(q.terms, q.prefixes, folded, phrase).finditer(key)]


@lru_cache(maxsize=64)
def _pattern(terms: tuple[str, ...], prefixes: tuple[bool, ...], folded: bool, phrase: bool) -> re.Pattern[str]:
    """The query's terms as one regular expression, built once a query (a query too common
    for bm25 checks 2,000 titles with it)."""
    parts = [
        re.escape(search_key(t) if folded else t) + (r"[^\W_]*" if p else "")
        for t, p in zip(terms, prefixes, strict=True)
    ]
    body = r"[\W_]+".join(parts) if phrase else "|".join(parts)
    return re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])")


def window(
    text: str,
    spans: Iterable[tuple[int, int]],
    marks: tuple[str, str] = ("[", "]"),
    width: int = 240,
) -> str:
    """About `width` characters of text around its first marked span, cut at word
    boundaries, with the spans inside marked.

    >>> window("Sở Giáo dục và Đào tạo tỉnh Kon Tum", [(15, 18), (19, 22)], width=20)
    '… dục và [Đào] [tạo] tỉnh Kon…'
    """
    spans = sorted(spans)
    text = text.replace("\n", " ")  # one for one: the spans' offsets stay right
    if not spans:
        start, end = 0, min(len(text), width)
    else:
        first = spans[0][0]
        start = max(0, first - width // 3)
        end = min(len(text), start + width)
        start = max(0, min(start, end - width))
    if start > 0:
        cut = text.rfind(" ", 0, start + 1)
        start = cut + 1 if cut >= 0 and start - cut < 20 else start
    if end < len(text):
        cut = text.find(" ", end)
        end = cut if cut >= 0 and cut - end < 20 else end
    out = []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(text[pos:s])
        out.append(marks[0] + text[s:e] + marks[1])
        pos = e
    out.append(text[pos:end])
    snippet = re.sub(r"\s{2,}", " ", "".join(out)).strip()
    return ("… " if start > 0 else "") + snippet + ("…" if end < len(text) else "")
