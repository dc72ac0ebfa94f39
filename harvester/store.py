"""The archive: one SQLite file whose schema is the researchers' interface (docs/schema.md).

Owns the schema and its named migrations, and every write: a fetched page (raw bytes,
compressed, stored once per distinct body), an article under its canonical URL with every
URL it was seen at, a version only when the content hash changes, a view observation at
every fetch, runs and their per-site results, errors, and the crawl state of each URL.

The database runs in WAL mode with a busy timeout; each article is written in its own
transaction (`with archive.transaction():`), so a killed process loses at most the article
in hand and leaves an archive that passes `PRAGMA integrity_check`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import zstandard

import parsers
from parsers import PLATFORMS, Article

from .clock import iso, now
from .errors import NotFound, StoreError
from .urls import URL_KEY_RULE, canonical, trust_canonical, url_key, url_variants

__all__ = ["Archive", "StoreResult", "content_hash", "read_body", "register_raw_body", "MIGRATIONS", "MAX_FAILURES"]

log = logging.getLogger(__name__)


def content_hash(article: Article) -> str:
    """sha256 over the content fields (not views, URL, platform or fetch time)."""
    blob = json.dumps(article.content(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _fold_d(column: str) -> str:
    """SQL for a column with đ/Đ folded to d/D, as search_fts indexes it."""
    return f"replace(replace({column}, 'đ', 'd'), 'Đ', 'D')"


def _search_rows(source: str, where: str) -> tuple[str, str]:
    """SELECTs of one version's index rows, (folded, accents), from `source` (`v` joined
    to its article `a`): the filter tokens are versions.filters plus the site's."""
    filters = "coalesce(v.filters || ' ', '') || 'zs' || lower(hex(a.site))"
    folded = (
        f"SELECT v.id, {_fold_d('v.title')}, {_fold_d('v.body')}, {_fold_d('v.captions')}, {filters} "
        f"FROM {source} WHERE {where}"
    )
    accents = f"SELECT v.id, v.title, v.body, v.captions, {filters} FROM {source} WHERE {where}"
    return folded, accents


def _index(where: str, delete: bool = False, source: str = "versions v JOIN articles a ON a.id = v.article_id") -> str:
    folded, accents = _search_rows(source, where)
    if delete:
        folded = folded.replace("SELECT v.id", "SELECT 'delete', v.id", 1)
        accents = accents.replace("SELECT v.id", "SELECT 'delete', v.id", 1)
        return (
            f"INSERT INTO search_fts(search_fts, rowid, title, body, captions, filters) {folded};\n"
            f"INSERT INTO search_accents_fts(search_accents_fts, rowid, title, body, captions, filters) {accents};"
        )
    return (
        f"INSERT INTO search_fts(rowid, title, body, captions, filters) {folded};\n"
        f"INSERT INTO search_accents_fts(rowid, title, body, captions, filters) {accents};"
    )


def _old_version() -> str:
    # a version as it was before an in-place edit: OLD's columns, its article's site
    return (
        "(SELECT OLD.id AS id, OLD.title AS title, OLD.body AS body, OLD.captions AS captions, "
        "OLD.filters AS filters) v JOIN articles a ON a.id = OLD.article_id"
    )


# Full-text search over the latest version of each article (harvester/search.py,
# docs/schema.md). Two external-content FTS5 tables over `versions`, keyed by version id, so
# the text is stored once; Datasette finds search_fts for the versions table (it looks for
# content="versions"):
# - search_fts: the text folded, for queries without diacritics. It indexes the display
#   text with đ turned into d (FTS5's remove_diacritics never folds đ); its tokenizer
#   removes the other marks and case.
# - search_accents_fts: the display text as stored, marks kept (stored text has canonical
#   tone placement, and queries are canonicalised the same way). No prefix index: accented
#   prefixes ("giả*") are rare and FTS5 answers them from the term range as fast, while
#   the index cost 2.5 KB an article, a fifth of the archive (bench/search.py).
# Both index a `filters` column of tokens (site, category, year, month) so that filtered
# searches stay inside FTS5; versions.filters is the version's part, the site's is added.
# Pure-SQL triggers on articles.latest_version_id (and on in-place edits or deletes of a
# latest version) keep both in step for every writer: store_article, a reparse, the shell.
_SEARCH_MIGRATION = f"""
    ALTER TABLE versions ADD COLUMN filters TEXT GENERATED ALWAYS AS (
        'zc' || lower(hex(coalesce(category, ''))) ||
        coalesce(' zy' || substr(published_at, 1, 4) || ' zm' || substr(published_at, 1, 4) || substr(published_at, 6, 2), '')
    ) VIRTUAL;
    CREATE INDEX articles_latest_version ON articles(latest_version_id);
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, captions, filters,
        content="versions", content_rowid="id",
        tokenize="unicode61 remove_diacritics 2", prefix="2 3"
    );
    CREATE VIRTUAL TABLE search_accents_fts USING fts5(
        title, body, captions, filters,
        content='versions', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    );
    CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row');
    INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 3.0, 0.0)');
    INSERT INTO search_accents_fts(search_accents_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 3.0, 0.0)');
    CREATE TRIGGER search_index_article_insert AFTER INSERT ON articles
    WHEN NEW.latest_version_id IS NOT NULL BEGIN
        {_index("v.id = NEW.latest_version_id")}
    END;
    CREATE TRIGGER search_index_article_update AFTER UPDATE OF latest_version_id ON articles
    WHEN OLD.latest_version_id IS NOT NEW.latest_version_id BEGIN
        {_index("v.id = OLD.latest_version_id", delete=True, source="versions v JOIN (SELECT OLD.site AS site) a")}
        {_index("v.id = NEW.latest_version_id", source="versions v JOIN (SELECT NEW.site AS site) a")}
    END;
    CREATE TRIGGER search_index_article_site AFTER UPDATE OF site ON articles
    WHEN OLD.site IS NOT NEW.site AND OLD.latest_version_id IS NEW.latest_version_id BEGIN
        {_index("v.id = OLD.latest_version_id", delete=True, source="versions v JOIN (SELECT OLD.site AS site) a")}
        {_index("v.id = NEW.latest_version_id", source="versions v JOIN (SELECT NEW.site AS site) a")}
    END;
    CREATE TRIGGER search_index_article_delete AFTER DELETE ON articles
    WHEN OLD.latest_version_id IS NOT NULL BEGIN
        {_index("v.id = OLD.latest_version_id", delete=True, source="versions v JOIN (SELECT OLD.site AS site) a")}
    END;
    CREATE TRIGGER search_index_version_update AFTER UPDATE OF title, body, captions, category, published_at ON versions
    WHEN EXISTS (SELECT 1 FROM articles WHERE latest_version_id = OLD.id) BEGIN
        {_index("1", delete=True, source=_old_version())}
        {_index("v.id = NEW.id")}
    END;
    CREATE TRIGGER search_index_version_delete BEFORE DELETE ON versions
    WHEN EXISTS (SELECT 1 FROM articles WHERE latest_version_id = OLD.id) BEGIN
        {_index("v.id = OLD.id", delete=True)}
    END;
    {_index("v.id = a.latest_version_id", source="articles a JOIN versions v ON v.id = a.latest_version_id")}
"""


# Named migrations, applied in order, each once, recorded in `migrations`. Never edit one
# that has shipped: add another.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_initial",
        """
        CREATE TABLE sites (
            name TEXT PRIMARY KEY,
            province TEXT,
            department TEXT,
            platform TEXT,
            start_urls TEXT,              -- JSON list
            status TEXT,                  -- live | gone (from the config)
            updated_at TEXT
        );
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            url TEXT NOT NULL UNIQUE,     -- canonical URL
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'gone')),
            gone_at TEXT,
            missing_count INTEGER NOT NULL DEFAULT 0,
            latest_version_id INTEGER
        );
        CREATE INDEX articles_site ON articles(site);
        CREATE TABLE article_urls (
            url TEXT PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            first_seen_at TEXT NOT NULL,
            reason TEXT NOT NULL          -- canonical | fetched | redirect | duplicate
        );
        CREATE INDEX article_urls_article ON article_urls(article_id);
        CREATE TABLE bodies (
            sha256 TEXT PRIMARY KEY,      -- of the raw bytes
            size INTEGER NOT NULL,
            compression TEXT NOT NULL DEFAULT 'zlib',
            data BLOB NOT NULL
        );
        CREATE TABLE pages (
            id INTEGER PRIMARY KEY,
            site TEXT,
            url TEXT NOT NULL,            -- as requested
            final_url TEXT,               -- after redirects
            status INTEGER,
            headers TEXT,                 -- JSON object
            content_type TEXT,
            kind TEXT,                    -- article | listing | feed | sitemap
            fetched_at TEXT NOT NULL,
            body_sha256 TEXT REFERENCES bodies(sha256),
            source TEXT NOT NULL DEFAULT 'live',   -- live | wayback | warc
            run_id INTEGER
        );
        CREATE INDEX pages_url ON pages(url, fetched_at);
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            fetched_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            captions TEXT NOT NULL DEFAULT '[]',     -- JSON list
            author TEXT,
            poster TEXT,
            published_at TEXT,
            category TEXT,
            images TEXT NOT NULL DEFAULT '[]',       -- JSON list of URLs
            attachments TEXT NOT NULL DEFAULT '[]',  -- JSON list of {url, name}
            platform TEXT,
            parser_version TEXT,
            source TEXT NOT NULL DEFAULT 'live',
            page_id INTEGER REFERENCES pages(id)
        );
        CREATE INDEX versions_article ON versions(article_id, fetched_at);
        CREATE TABLE view_counts (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            observed_at TEXT NOT NULL,
            views INTEGER,                -- NULL: the page showed no count
            source TEXT NOT NULL DEFAULT 'live',
            page_id INTEGER REFERENCES pages(id)
        );
        CREATE INDEX view_counts_article ON view_counts(article_id, observed_at);
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,         -- running | ok | partial | failed | interrupted
            command TEXT,
            pid INTEGER,
            sites TEXT,                   -- JSON list of site names
            summary TEXT                  -- JSON
        );
        CREATE TABLE run_sites (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            site TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            status TEXT,                  -- ok | partial | unreachable | moved | gone | failed | interrupted
            message TEXT,
            requests INTEGER DEFAULT 0,
            listing_pages INTEGER DEFAULT 0,
            articles_seen INTEGER DEFAULT 0,
            articles_new INTEGER DEFAULT 0,
            versions_new INTEGER DEFAULT 0,
            observations INTEGER DEFAULT 0,
            errors INTEGER DEFAULT 0,
            stats TEXT,                   -- JSON: errors by kind, field fill rates, …
            PRIMARY KEY (run_id, site)
        );
        CREATE TABLE errors (
            id INTEGER PRIMARY KEY,
            run_id INTEGER,
            site TEXT,
            url TEXT,
            kind TEXT NOT NULL,           -- http | timeout | connection | tls | parse | robots | …
            status INTEGER,
            message TEXT NOT NULL,
            at TEXT NOT NULL,
            page_id INTEGER
        );
        CREATE INDEX errors_run ON errors(run_id);
        CREATE TABLE urls (
            url TEXT PRIMARY KEY,         -- crawl state per canonical URL
            site TEXT NOT NULL,
            kind TEXT NOT NULL,           -- article | listing | feed | sitemap
            first_seen_at TEXT NOT NULL,
            last_fetched_at TEXT,
            last_status INTEGER,
            etag TEXT,
            last_modified TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            article_id INTEGER
        );
        CREATE INDEX urls_site ON urls(site, kind);
        CREATE VIEW latest_versions AS
            SELECT a.id AS article_id, a.site, a.url, a.status, a.first_seen_at, a.last_seen_at,
                   v.id AS version_id, v.fetched_at, v.title, v.body, v.captions, v.author,
                   v.poster, v.published_at, v.category, v.images, v.attachments, v.platform
            FROM articles a JOIN versions v ON v.id = a.latest_version_id;
        """,
    ),
    ("004_search_fts", _SEARCH_MIGRATION),
    (
        "005_crawl_frontier",
        """
        CREATE TABLE listing_state (
            site TEXT NOT NULL,
            start_url TEXT NOT NULL,      -- as in the config
            resume_url TEXT,              -- the next page the catch-up walk has not read yet
            reached_end_at TEXT,          -- when paging last reached the listing's last page
            pages_read INTEGER NOT NULL DEFAULT 0,   -- how deep the walk has gone (the page number when the URL shows one)
            updated_at TEXT NOT NULL,
            PRIMARY KEY (site, start_url)
        );
        -- finds the same story filed at a second URL without scanning the site
        CREATE INDEX versions_title ON versions(title);
        """,
    ),
    (
        # issue 6: history and analytics. Versions replaced by a reparse (or left redundant by
        # a merge) are kept and marked; status changes are events; SQL views answer the
        # common questions (docs/schema.md).
        "006_history_analytics",
        """
        ALTER TABLE versions ADD COLUMN superseded_at TEXT;   -- NULL: part of the article's history
        ALTER TABLE versions ADD COLUMN superseded_reason TEXT;   -- reparse | merge
        CREATE TABLE article_events (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            at TEXT NOT NULL,
            event TEXT NOT NULL,          -- missing | gone | back | moved | merged | reparsed
            url TEXT,
            status INTEGER,               -- the HTTP status of a miss
            run_id INTEGER,
            detail TEXT                   -- JSON object
        );
        CREATE INDEX article_events_article ON article_events(article_id, at);
        CREATE INDEX view_counts_observed ON view_counts(observed_at);
        CREATE INDEX versions_fetched ON versions(fetched_at);
        CREATE VIEW article_versions AS
            SELECT v.id AS version_id, v.article_id, a.site, a.url,
                   row_number() OVER (PARTITION BY v.article_id ORDER BY v.fetched_at, v.id) AS version,
                   v.fetched_at, v.title, v.body, v.captions, v.author, v.poster, v.published_at,
                   v.category, v.images, v.attachments, v.platform, v.parser_version, v.source,
                   v.page_id, v.content_hash
            FROM versions v JOIN articles a ON a.id = v.article_id
            WHERE v.superseded_at IS NULL;
        CREATE VIEW article_summary AS
            SELECT a.id AS article_id, a.site, a.url, a.status, a.first_seen_at, a.last_seen_at,
                   a.gone_at, v.title, v.published_at, v.author, v.poster, v.category, v.platform,
                   v.parser_version,
                   (SELECT count(*) FROM versions x
                     WHERE x.article_id = a.id AND x.superseded_at IS NULL) AS versions,
                   (SELECT c.views FROM view_counts c WHERE c.article_id = a.id AND c.views IS NOT NULL
                     ORDER BY c.observed_at DESC, c.id DESC LIMIT 1) AS views,
                   (SELECT count(*) FROM article_urls u WHERE u.article_id = a.id) AS urls
            FROM articles a LEFT JOIN versions v ON v.id = a.latest_version_id;
        CREATE VIEW article_daily_views AS
            SELECT c.article_id, a.site, substr(c.observed_at, 1, 10) AS day,
                   c.views, max(c.observed_at) AS observed_at, count(*) AS observations
            FROM view_counts c JOIN articles a ON a.id = c.article_id
            WHERE c.views IS NOT NULL
            GROUP BY c.article_id, substr(c.observed_at, 1, 10);
        CREATE VIEW view_growth_daily AS
            SELECT article_id, site, day, views, observed_at, prev_day, prev_views,
                   views - prev_views AS growth,
                   round(julianday(observed_at) - julianday(prev_observed_at), 4) AS days,
                   CASE WHEN julianday(observed_at) > julianday(prev_observed_at)
                        THEN round((views - prev_views)
                                   / (julianday(observed_at) - julianday(prev_observed_at)), 2)
                   END AS growth_per_day
            FROM (SELECT d.*, lag(d.day) OVER w AS prev_day, lag(d.views) OVER w AS prev_views,
                         lag(d.observed_at) OVER w AS prev_observed_at
                  FROM article_daily_views d
                  WINDOW w AS (PARTITION BY d.article_id ORDER BY d.day));
        CREATE VIEW site_daily_views AS
            SELECT site, day, articles_observed, new_articles, views_gained,
                   sum(increment) OVER (PARTITION BY site ORDER BY day) AS total_views
            FROM (SELECT site, day, count(*) AS articles_observed,
                         sum(prev_views IS NULL) AS new_articles,
                         coalesce(sum(growth), 0) AS views_gained,
                         sum(coalesce(growth, views)) AS increment
                  FROM view_growth_daily GROUP BY site, day);
        """,
    ),
    (
        "007_health_flags",
        """
        CREATE INDEX run_sites_site ON run_sites(site, run_id);
        CREATE TABLE health_flags (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            site TEXT NOT NULL,
            flag TEXT NOT NULL,           -- no_new_articles | fill_drop | short_bodies | parse_failures | unreachable | moved
            field TEXT,                   -- fill_drop: the field whose fill rate fell
            current REAL,                 -- this run's value
            baseline REAL,                -- the site's trailing median
            message TEXT NOT NULL,
            examples TEXT NOT NULL DEFAULT '[]',   -- JSON list of URLs
            at TEXT NOT NULL
        );
        CREATE INDEX health_flags_site ON health_flags(site, run_id);
        """,
    ),
    (
        "007_schedule_slots",
        """
        CREATE TABLE schedule_slots (
            schedule TEXT NOT NULL,       -- the cron expression of a `harvester schedule` job
            slot TEXT NOT NULL,           -- the fire time it stands for, before jitter
            claimed_at TEXT NOT NULL,
            pid INTEGER,
            host TEXT,
            run_id INTEGER REFERENCES runs(id),
            PRIMARY KEY (schedule, slot)
        );
        """,
    ),
    (
        "008_backfill",
        """
        -- Backfill from web archives (harvester/backfill.py): where each CDX listing stands,
        -- and every capture listed, so a second run continues and fetches nothing twice.
        CREATE TABLE backfill_cdx (
            site TEXT NOT NULL,
            query TEXT NOT NULL,          -- the CDX query string, without its resume key
            resume_key TEXT,              -- where the next page starts; NULL before the first
            done INTEGER NOT NULL DEFAULT 0,
            pages INTEGER NOT NULL DEFAULT 0,
            captures INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (site, query)
        );
        CREATE TABLE backfill_captures (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            source TEXT NOT NULL,         -- wayback | warc
            url TEXT NOT NULL,            -- as the archive captured it (an old host, http:, :80)
            timestamp TEXT NOT NULL,      -- capture time, 14 digits UTC, as archives write it
            captured_at TEXT NOT NULL,    -- the same moment at +07:00
            digest TEXT,                  -- payload SHA-1 (base32) as the archive reports it
            mimetype TEXT,
            location TEXT NOT NULL,       -- the raw snapshot URL, or FILE#OFFSET in a WARC
            shape TEXT NOT NULL,          -- article | listing | other (from the URL)
            state TEXT NOT NULL,          -- pending | stored | skipped | failed
            reason TEXT,                  -- why skipped or failed (or what stored bytes were reused)
            attempts INTEGER NOT NULL DEFAULT 0,
            page_id INTEGER REFERENCES pages(id),
            article_id INTEGER REFERENCES articles(id),
            run_id INTEGER,
            listed_at TEXT NOT NULL,
            done_at TEXT,
            UNIQUE (site, source, url, timestamp)
        );
        CREATE INDEX backfill_captures_todo ON backfill_captures(site, source, state, timestamp);
        CREATE INDEX backfill_captures_digest ON backfill_captures(site, digest);
        """,
    ),
    (
        "009_url_keys",
        """
        -- issue 9: a night's local work follows its new links, not the archive's size.
        -- Each URL's key (harvester.urls.url_key) is stored beside it, so discovery asks the
        -- archive about each link it meets instead of loading and re-keying every URL met.
        ALTER TABLE urls ADD COLUMN url_key TEXT;
        ALTER TABLE article_urls ADD COLUMN url_key TEXT;
        UPDATE urls SET url_key = url_key(url);
        UPDATE article_urls SET url_key = url_key(url);
        CREATE INDEX urls_key ON urls(url_key);
        CREATE INDEX article_urls_key ON article_urls(url_key);
        -- the portal's own article id in each article URL (Platform.article_id), for each
        -- platform that declares one: finds the article behind a second URL by an index.
        -- Filled per platform when its rule first meets this archive or changes (portal_id_rules).
        CREATE TABLE portal_ids (
            url TEXT NOT NULL,            -- an article_urls.url
            platform TEXT NOT NULL,
            host TEXT NOT NULL,           -- the URL's host, without "www."
            portal_id TEXT NOT NULL,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            PRIMARY KEY (url, platform)
        );
        CREATE INDEX portal_ids_id ON portal_ids(platform, host, portal_id);
        CREATE TABLE portal_id_rules (
            platform TEXT PRIMARY KEY,
            pattern TEXT NOT NULL         -- the regex portal_ids was filled with
        );
        """,
    ),
    (
        # A re-visit's page differs from the last one at its URL in a few bytes (the view
        # count): it is stored as a zstd frame against that full body (compression
        # 'zstd-delta', see save_page). The base lookup (the URL's latest page) uses
        # pages_url(url, fetched_at) from 001. No index on base_sha256: bodies are never
        # deleted, and 100 bytes of index a delta would double what a re-visit costs.
        "010_body_deltas",
        """
        ALTER TABLE bodies ADD COLUMN base_sha256 TEXT REFERENCES bodies(sha256);   -- zstd-delta: the full body it is a delta against
        """,
    ),
    (
        # the rules stored keys were computed with: a change of harvester.urls' rules re-keys
        # urls and article_urls (fill_url_keys), as a changed portal id rule refills portal_ids
        "011_key_rules",
        """
        CREATE TABLE key_rules (
            name TEXT PRIMARY KEY,        -- url_key
            rule TEXT NOT NULL            -- the rules' fingerprint (harvester.urls.URL_KEY_RULE)
        );
        """,
    ),
]

DELTA_MAX_SHARE = 0.5
# bigger bodies (a 50 MB sitemap) are stored whole: a delta would load the base as a zstd
# dictionary and check itself on every save, for a page that is not an article's
DELTA_MAX_BYTES = 4 * 1024 * 1024
"""A body is stored as a zstd delta only when that is under this share of its zlib size."""

_DELTA_LEVEL = 3  # zstd's default: 0.3 ms a portal page, and higher levels find no more (bench/body_deltas.py)


def _raw_content_dict(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def _delta_encode(body: bytes, base: bytes) -> bytes:
    """A zstd frame of `body` with `base` as raw-content dictionary; the frame carries the
    content size and a checksum, so a damaged frame fails to decompress."""
    compressor = zstandard.ZstdCompressor(level=_DELTA_LEVEL, dict_data=_raw_content_dict(base), write_checksum=True)
    return compressor.compress(body)


def _delta_decode(frame: bytes, base: bytes) -> bytes:
    return zstandard.ZstdDecompressor(dict_data=_raw_content_dict(base)).decompress(frame)


def read_body(conn: sqlite3.Connection, sha256: str) -> bytes | None:
    """The raw bytes of the body with this sha256 (None when there is no such body), read
    back from either stored form:

    - `zlib`: `zlib.decompress(data)`;
    - `zstd-delta`: a zstd frame with the body `base_sha256` (always a `zlib` one) as
      raw-content dictionary, checked against the sha256.

    A damaged body or a missing base raises StoreError, which says which."""
    row = _body_row(conn, sha256)
    if row is None:
        return None
    compression, data, base_sha = row["compression"], row["data"], row.get("base_sha256")
    if compression == "zlib":
        try:
            return zlib.decompress(data)
        except zlib.error as exc:
            raise StoreError(f"body {sha256}: its zlib data is damaged ({exc})") from None
    if compression != "zstd-delta":
        raise StoreError(f"body {sha256}: unknown compression {compression!r} (written by a newer harvester?)")
    if not base_sha:
        raise StoreError(f"body {sha256}: a zstd-delta without a base_sha256")
    base_row = _body_row(conn, base_sha)
    if base_row is None:
        raise StoreError(f"body {sha256} is a delta against body {base_sha}, which is not in the archive")
    if base_row["compression"] != "zlib":
        raise StoreError(f"body {sha256} is a delta against body {base_sha}, which is not a full (zlib) body")
    try:
        body = _delta_decode(data, zlib.decompress(base_row["data"]))
    except (zstandard.ZstdError, zlib.error) as exc:
        raise StoreError(f"body {sha256}: its delta against body {base_sha} does not decompress ({exc})") from None
    if hashlib.sha256(body).hexdigest() != sha256:
        raise StoreError(f"body {sha256}: its delta against body {base_sha} decompresses to other bytes")
    return body


def _body_row(conn: sqlite3.Connection, sha256: str) -> dict[str, Any] | None:
    # by name, whatever the connection's row factory, and without naming base_sha256: an
    # archive opened read-only before migration 010 has no such column
    cur = conn.execute("SELECT * FROM bodies WHERE sha256 = ?", (sha256,))
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], tuple(row), strict=True))


def register_raw_body(conn: sqlite3.Connection) -> None:
    """The SQL function raw_body(sha256): a stored body's raw bytes, whatever its
    compression (NULL for NULL or an unknown sha256; a damaged body is an error)."""

    def raw_body(sha256: Any) -> bytes | None:
        return read_body(conn, sha256) if isinstance(sha256, str) else None

    conn.create_function("raw_body", 1, raw_body)


LIVE_SOURCES = ("live", "print")
"""Observations fetched from the site itself tonight (a print view is the site too): only
these change an article's live/gone status and the crawl state."""

MAX_FAILURES = 5
"""A URL whose fetch failed this many runs in a row leaves the retry queue (re-visits may
still try it by the policy)."""


@dataclass(frozen=True)
class StoreResult:
    article_id: int
    new_article: bool
    new_version: bool
    version_id: int
    page_id: int | None = None
    alias: bool = False   # a known story met at a URL new to it: URL and observation added, no version


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Archive:
    """An open archive. One per thread; several processes may open the same file.

    >>> with Archive.open(":memory:") as archive:
    ...     archive.schema_version() == max(name for name, _ in MIGRATIONS)
    True
    """

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._writers = _writer_lock(path)  # resolved once: realpath is a syscall a component
        self.memo: dict[str, Any] = {}  # what readers keep per connection (search: the category list)
        self._in_tx = False
        self._refs: list[tuple[str, str]] | None = None
        self._portal_rules: set[str] = set()   # platforms whose portal_ids rows are current

    @classmethod
    def open(cls, path: str | os.PathLike[str] = "archive.db", *, readonly: bool = False) -> Archive:
        path = str(path)
        try:
            if readonly:
                if not Path(path).exists():
                    raise StoreError(f"{path}: no archive here (run 'harvester run' or 'harvester demo' first)")
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, isolation_level=None, check_same_thread=False)
            else:
                if path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            register_raw_body(conn)
            # url_key(url) in SQL: migration 009 keys the URLs stored before it
            conn.create_function("url_key", 1, url_key, deterministic=True)
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA foreign_keys = ON")
            if not readonly and path != ":memory:":
                _journal_wal(conn)
                conn.execute("PRAGMA synchronous = NORMAL")
            archive = cls(conn, path)
            if not readonly:
                archive.migrate()
            return archive
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open the archive ({exc})") from None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # --- schema ------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded; returns their names."""
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {r[0] for r in self.conn.execute("SELECT name FROM migrations")}
        applied = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                # re-check under the write lock: another process may have just applied it
                if self.conn.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                    self.conn.execute("COMMIT")
                    continue
                for statement in _statements(sql):
                    self.conn.execute(statement)
                self.conn.execute("INSERT INTO migrations VALUES (?, ?)", (name, iso(now())))
                self.conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                self.conn.execute("ROLLBACK")
                raise StoreError(f"{self.path}: migration {name} failed ({exc})") from None
            applied.append(name)
        return applied

    def schema_version(self) -> str | None:
        row = self.conn.execute("SELECT name FROM migrations ORDER BY name DESC LIMIT 1").fetchone()
        return row[0] if row else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (nested calls join the outer one).

        Writers of one process take turns on a lock of their own before SQLite's: with many
        site threads, SQLite's busy handler would otherwise sleep in growing steps while the
        write lock passes from thread to thread. Other processes still meet busy_timeout."""
        if self._in_tx:
            yield
            return
        with self._writers:
            self.conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                self._portal_rules.clear()  # a rebuild of portal_ids may have been rolled back
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self._in_tx = False

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    # --- sites and runs ----------------------------------------------------------------

    def sync_sites(self, sites: Iterable[Any]) -> None:
        """Record each configured site (province and department feed search filters)."""
        with self.transaction():
            for s in sites:
                self.conn.execute(
                    """INSERT INTO sites (name, province, department, platform, start_urls, status, updated_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT(name) DO UPDATE SET province=excluded.province,
                         department=excluded.department, platform=excluded.platform,
                         start_urls=excluded.start_urls, status=excluded.status,
                         updated_at=excluded.updated_at""",
                    (s.name, s.province, s.department, s.platform, _json(list(s.start_urls)), s.status, iso(now())),
                )

    def start_run(self, command: str, sites: Iterable[str]) -> int:
        with self.transaction():
            self._end_dead_runs()
            cur = self.conn.execute(
                "INSERT INTO runs (started_at, status, command, pid, sites) VALUES (?, 'running', ?, ?, ?)",
                (iso(now()), command, os.getpid(), _json(list(sites))),
            )
        return int(cur.lastrowid or 0)

    def _end_dead_runs(self) -> None:
        """A run still 'running' whose process is gone was killed (SIGKILL, power loss): it
        can never finish itself, so the next run marks it interrupted, its end unknown."""
        for run_id, pid in self.conn.execute("SELECT id, pid FROM runs WHERE status = 'running'").fetchall():
            if pid is None or _process_alive(pid):
                continue
            self.conn.execute(
                "UPDATE runs SET status = 'interrupted', summary = ? WHERE id = ?",
                (_json({"status": "interrupted", "reason": f"process {pid} ended without finishing the run (killed?)"}),
                 run_id),
            )
            log.warning("run %d (pid %d) was left unfinished by a killed process: marked interrupted", run_id, pid)

    def finish_run(self, run_id: int, status: str, summary: Mapping[str, Any]) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
                (iso(now()), status, _json(summary), run_id),
            )

    def save_run_site(self, run_id: int, site: str, row: Mapping[str, Any]) -> None:
        cols = ["run_id", "site", *row.keys()]
        values = [run_id, site, *(_json(v) if isinstance(v, dict | list) else v for v in row.values())]
        with self.transaction():
            self.conn.execute(
                f"INSERT OR REPLACE INTO run_sites ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                values,
            )

    def save_health_flags(self, run_id: int, site: str, flags: Iterable[Mapping[str, Any]]) -> None:
        """Record a site's health flags for a run (replacing any recorded before for it)."""
        with self.transaction():
            self.conn.execute("DELETE FROM health_flags WHERE run_id = ? AND site = ?", (run_id, site))
            for f in flags:
                self.conn.execute(
                    """INSERT INTO health_flags (run_id, site, flag, field, current, baseline, message, examples, at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (run_id, site, f["flag"], f.get("field"), f.get("current"), f.get("baseline"), f["message"],
                     _json(list(f.get("examples", []))), iso(now())),
                )

    def claim_slot(self, schedule: str, slot: str, *, host: str) -> bool:
        """Claim a scheduled slot; False when another scheduler already has it."""
        with self.transaction():
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO schedule_slots (schedule, slot, claimed_at, pid, host) VALUES (?, ?, ?, ?, ?)",
                (schedule, slot, iso(now()), os.getpid(), host),
            )
        return cur.rowcount == 1

    def set_slot_run(self, schedule: str, slot: str, run_id: int) -> None:
        with self.transaction():
            self.conn.execute("UPDATE schedule_slots SET run_id = ? WHERE schedule = ? AND slot = ?", (run_id, schedule, slot))

    def record_error(
        self, run_id: int | None, site: str | None, url: str | None, kind: str, message: str,
        status: int | None = None, page_id: int | None = None, url_kind: str = "article",
        crawl_state: bool = True,
    ) -> None:
        """Record a page-level failure; with `crawl_state` (live fetches) the URL is also
        marked failed in `urls`, so the next run retries it. Archive captures pass False."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO errors (run_id, site, url, kind, status, message, at, page_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, site, url, kind, status, message, iso(now()), page_id),
            )
            if url and crawl_state:
                self._touch_url(url, site or "", status, kind=url_kind, error=f"{kind}: {message}")

    # --- pages ---------------------------------------------------------------------------

    def save_page(self, page: Any, *, site: str | None, kind: str, run_id: int | None = None) -> int:
        """Store a fetched page; identical bodies are stored once. A body new to the archive
        is stored zlib-compressed, or as a zstd delta against the latest full body at the
        same URL when that is under DELTA_MAX_SHARE of the zlib size (see `_encode_body`)."""
        body: bytes = page.body or b""
        digest = hashlib.sha256(body).hexdigest()
        with self.transaction():
            if self.conn.execute("SELECT 1 FROM bodies WHERE sha256 = ?", (digest,)).fetchone() is None:
                compression, data, base = self._encode_body(body, digest, url=page.url, site=site)
                self.conn.execute(
                    "INSERT OR IGNORE INTO bodies (sha256, size, compression, data, base_sha256) VALUES (?, ?, ?, ?, ?)",
                    (digest, len(body), compression, data, base),
                )
            cur = self.conn.execute(
                """INSERT INTO pages (site, url, final_url, status, headers, content_type, kind, fetched_at,
                                      body_sha256, source, run_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (site, page.url, page.final_url, page.status, _json(dict(page.headers)), page.content_type,
                 kind, iso(page.fetched_at), digest, page.source, run_id),
            )
        return int(cur.lastrowid or 0)

    def _encode_body(self, body: bytes, digest: str, *, url: str, site: str | None) -> tuple[str, bytes, str | None]:
        """(compression, data, base_sha256) for a body new to the archive.

        A re-visit of a page whose printed view count changed differs from the last page at
        its URL in a few bytes, which zlib cannot see (its 32 KB window does not reach back
        across a 90 KB portal page, and the last page is not in its input): a zstd frame
        with that page as a raw-content dictionary stores only the difference. The base is
        always a full body, so reading a delta takes one base, never a chain. The delta is
        decompressed and its sha256 checked before it is kept; any doubt stores zlib."""
        plain = zlib.compress(body, 6)
        base_sha = self._delta_base(url, site) if body and len(body) <= DELTA_MAX_BYTES else None
        if base_sha is None:
            return "zlib", plain, None
        try:
            base = read_body(self.conn, base_sha)
            if base is None:  # the URL's page names a body that is not stored: never guess
                raise StoreError("the base body is not in the archive")
            frame = _delta_encode(body, base)
            if len(frame) >= DELTA_MAX_SHARE * len(plain):
                return "zlib", plain, None
            if hashlib.sha256(_delta_decode(frame, base)).hexdigest() != digest:
                raise StoreError("the delta decompresses to other bytes")
        except (StoreError, zstandard.ZstdError) as exc:
            log.warning("%s: stored in full, not as a delta against body %s (%s)", url, base_sha[:12], exc)
            return "zlib", plain, None
        return "zstd-delta", frame, base_sha

    def _delta_base(self, url: str, site: str | None) -> str | None:
        """The full body a new body at `url` is a delta against: the body of the latest page
        fetched at that URL for that site (its base, when that body is itself a delta)."""
        row = self.conn.execute(
            """SELECT b.sha256, b.compression, b.base_sha256 FROM pages p JOIN bodies b ON b.sha256 = p.body_sha256
               WHERE p.url = ? AND p.site IS ? AND b.size > 0 ORDER BY p.fetched_at DESC, p.id DESC LIMIT 1""",
            (url, site),
        ).fetchone()
        if row is None:
            return None
        if row["compression"] == "zlib":
            return str(row["sha256"])
        if row["compression"] == "zstd-delta" and row["base_sha256"]:
            return str(row["base_sha256"])
        return None

    def page_body(self, page_id: int) -> bytes:
        """The raw bytes of a stored page, whatever their compression; StoreError naming the
        page when there are none or they cannot be read back."""
        row = self.conn.execute("SELECT url, body_sha256 FROM pages WHERE id = ?", (page_id,)).fetchone()
        if row is None or row["body_sha256"] is None:
            raise StoreError(f"no stored body for page {page_id}")
        try:
            body = read_body(self.conn, row["body_sha256"])
        except StoreError as exc:
            raise StoreError(f"page {page_id} ({row['url']}): {exc}") from None
        if body is None:
            raise StoreError(f"no stored body for page {page_id} ({row['url']}): body {row['body_sha256']} is not in the archive")
        return body

    # --- articles ------------------------------------------------------------------------

    def article_id_for(self, url: str) -> int | None:
        return self._article_by_url(url)

    def find_article(self, ref: str | int) -> int:
        """The id of the article named by an id or by any URL it was seen at; NotFound otherwise.

        >>> with Archive.open(":memory:") as archive:
        ...     archive.find_article("https://example.gov.vn/tin-tuc/1")
        Traceback (most recent call last):
        harvester.errors.NotFound: no article in the archive at https://example.gov.vn/tin-tuc/1
        """
        text = str(ref).strip()
        if text.isdigit():
            if self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (int(text),)).fetchone():
                return int(text)
            raise NotFound(f"no article with id {text} in the archive")
        if not text.lower().startswith(("http://", "https://")):
            raise NotFound(f"{text!r} is neither an article id nor an http(s) URL")
        article_id = self.article_id_for(text)
        if article_id is None:
            raise NotFound(f"no article in the archive at {canonical(text)}")
        return article_id

    def store_article(
        self,
        site: str,
        article: Article,
        *,
        requested_url: str,
        final_url: str,
        fetched_at: datetime,
        page_id: int | None = None,
        source: str = "live",
    ) -> StoreResult:
        """Record one observation of an article: its URLs, a version if the content changed,
        and a view observation. Idempotent for unchanged content (only the observation is added).

        Which article, in order:
        1. the one a URL of this fetch (final, then requested) is known for, with or without
           "www." and a trailing slash. A redirect from one known article's URL to another's
           makes them one article (merged, the older one kept);
        2. the one its trustworthy canonical link names, when the titles agree (some portals
           point every page's canonical link at one URL);
        3. the one with the same portal id in its URL (`Platform.article_id`);
        4. on the same site, the one whose latest version has the same title, body, date,
           captions and attachments.
        The same story met at a URL new to it (another category, a second URL) adds the URL and
        the observation but no version, and does not move the article. A redirect to a new URL,
        or a changed canonical link, moves it: `articles.url` follows, and every URL it was seen
        at stays in `article_urls`.

        Which version: observations may arrive out of time order (a backfill from a web archive
        adds captures older than the live fetches), so the version is placed by `fetched_at`
        among the others (see `_place_version`) and `latest_version_id` stays the newest by
        time. Only a live fetch changes the article's live/gone status and the crawl state in
        `urls`.
        """
        at = iso(fetched_at)
        final = canonical(final_url)
        requested = canonical(requested_url)
        redirected = final != requested
        link = trust_canonical(final_url, article.canonical_url)
        digest = content_hash(article)
        with self.transaction():
            ids = list(dict.fromkeys(i for i in (self._owner(final), self._owner(requested)) if i is not None))
            article_id = ids[0] if ids else None
            via = "fetched" if article_id is not None else None
            if len(ids) > 1:
                article_id = self._merge(ids, at, url=requested, reason=f"{requested} redirects to {final}")
            key = final
            if link and link != final:
                owner = self._owner(link)
                if owner is None or owner == article_id:
                    key = link
                elif self._same_title(owner, article.title):
                    key = link
                    if article_id is None:
                        article_id, via = owner, "canonical"
                    else:
                        article_id = self._merge(
                            [article_id, owner], at, url=final, reason=f"{final} names {link} as its canonical URL"
                        )
                # otherwise the link names an unrelated article: not trusted for this page
            if article_id is None:
                article_id, via = self._article_by_portal_id(site, final_url, article.platform), "id"
            if article_id is None:
                article_id, via = self._same_story_on_site(site, article), "story"
            # a story met at a URL new to it, unchanged: another category or a second URL
            duplicate = article_id is not None and not redirected and (
                via == "story" or (via != "fetched" and self._latest_is_same_story(article_id, article))
            )
            new_article = article_id is None
            was = None
            if article_id is None:
                cur = self.conn.execute(
                    "INSERT INTO articles (site, url, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)",
                    (site, key, at, at),
                )
                article_id = int(cur.lastrowid or 0)
            else:
                was = self.conn.execute("SELECT url, status FROM articles WHERE id = ?", (article_id,)).fetchone()
                if was is None:  # a row deleted by hand, or an index out of step: never guess
                    raise StoreError(
                        f"{self.path}: article_urls names article {article_id}, which is not in the archive "
                        f"(storing {final}); run PRAGMA foreign_key_check"
                    )
                key_is_new = self._owner(key) != article_id
                if was["url"] != key and (redirected or (key_is_new and not duplicate)):
                    self.conn.execute("UPDATE articles SET url = ? WHERE id = ?", (key, article_id))
                    # the address it moved to is its canonical one now, however it was first met
                    self.conn.execute(
                        "UPDATE article_urls SET reason = 'canonical' WHERE url = ? AND article_id = ?", (key, article_id)
                    )
                    self._event(article_id, at, "moved", url=key, detail={
                        "from": was["url"], "to": key, "reason": "redirect" if redirected else "canonical link",
                    })
            urls = [(key, "canonical"), (final, "fetched"), (requested, "redirect" if redirected else "fetched")]
            for url, reason in urls:
                self.conn.execute(
                    """INSERT INTO article_urls (url, article_id, first_seen_at, reason, url_key) VALUES (?, ?, ?, ?, ?)
                       ON CONFLICT(url) DO UPDATE SET first_seen_at = min(first_seen_at, excluded.first_seen_at)""",
                    (url, article_id, at, "duplicate" if duplicate and reason != "redirect" else reason, url_key(url)),
                )
                self._add_portal_ids(url, article_id)
            if redirected:  # an address the article was once at now redirects: say so
                self.conn.execute(
                    "UPDATE article_urls SET reason = 'redirect' WHERE url = ? AND article_id = ?", (requested, article_id)
                )
            if duplicate or (not redirected and self._is_duplicate_url(final, article_id)):
                # one story under a second URL differs at most in the category it is filed
                # under: no new version, the first time or any later (it would flip back and
                # forth between the two URLs); an edit shows at the article's own URL
                version_id, new_version = int(self._latest_version_id(article_id)), False
            else:
                version_id, new_version = self._place_version(article_id, at, digest, article, source, page_id)
            self.conn.execute(
                "UPDATE articles SET first_seen_at = min(first_seen_at, ?), last_seen_at = max(last_seen_at, ?) WHERE id = ?",
                (at, at, article_id),
            )
            if source in LIVE_SOURCES:
                if was is not None and was["status"] == "gone":
                    self._event(article_id, at, "back", url=final)
                self.conn.execute(
                    "UPDATE articles SET status = 'live', gone_at = NULL, missing_count = 0 WHERE id = ?", (article_id,)
                )
            self._set_latest(article_id)
            self.conn.execute(
                "INSERT INTO view_counts (article_id, observed_at, views, source, page_id) VALUES (?, ?, ?, ?, ?)",
                (article_id, at, article.views, source, page_id),
            )
            if source in LIVE_SOURCES:
                for url, _ in urls:
                    self._touch_url(url, site, 200, article_id=article_id, fetched_at=at)
        return StoreResult(article_id, new_article, new_version, int(version_id), page_id, alias=duplicate)

    def _is_duplicate_url(self, url: str, article_id: int) -> bool:
        """The URL is one of the article's second URLs (`article_urls.reason = 'duplicate'`)."""
        variants = url_variants(url)
        return self.conn.execute(
            f"SELECT 1 FROM article_urls WHERE url IN ({', '.join('?' * len(variants))}) AND article_id = ? "
            "AND reason = 'duplicate' LIMIT 1",
            (*variants, article_id),
        ).fetchone() is not None

    def duplicate_urls(self, article_id: int) -> set[str]:
        """The article's second URLs: observations fetched there make no version."""
        rows = self.conn.execute(
            "SELECT url FROM article_urls WHERE article_id = ? AND reason = 'duplicate'", (article_id,)
        )
        return {r[0] for r in rows}

    def _latest_version_id(self, article_id: int) -> int:
        row = self.conn.execute("SELECT latest_version_id FROM articles WHERE id = ?", (article_id,)).fetchone()
        return int(row[0])

    def _article_by_url(self, url: str) -> int | None:
        variants = url_variants(url)
        row = self.conn.execute(
            f"SELECT article_id FROM article_urls WHERE url IN ({', '.join('?' * len(variants))}) LIMIT 1", variants
        ).fetchone()
        return int(row[0]) if row else None

    def _article_by_portal_id(self, site: str, url: str, platform: str) -> int | None:
        """An article of the site at another URL with the same portal id (`Platform.article_id`);
        the oldest when several are (an index lookup: `portal_ids`)."""
        chosen = PLATFORMS.get(platform)
        portal_id = chosen.article_id_of(url) if chosen else None
        if portal_id is None or chosen is None:
            return None
        self._portal_rule_current(platform)
        row = self.conn.execute(
            """SELECT p.article_id FROM portal_ids p JOIN articles a ON a.id = p.article_id
               WHERE p.platform = ? AND p.host = ? AND p.portal_id = ? AND a.site = ?
               ORDER BY p.article_id LIMIT 1""",
            (platform, _host_key(url), portal_id, site),
        ).fetchone()
        return int(row[0]) if row else None

    def _add_portal_ids(self, url: str, article_id: int) -> None:
        """A new article URL's portal id under each platform that declares one."""
        for name, chosen in PLATFORMS.items():
            portal_id = chosen.article_id_of(url)
            if portal_id is not None:
                self.conn.execute(
                    "INSERT OR IGNORE INTO portal_ids (url, platform, host, portal_id, article_id) VALUES (?, ?, ?, ?, ?)",
                    (url, name, _host_key(url), portal_id, article_id),
                )

    def _portal_rule_current(self, platform: str) -> None:
        """Make `portal_ids` hold the platform's ids under its current rule: filled from every
        article URL the first time the rule meets this archive, or when it changed (a parser
        update); then kept up to date by `store_article`. Checked once per connection."""
        if platform in self._portal_rules:
            return
        pattern = PLATFORMS[platform].article_id or ""
        row = self.conn.execute("SELECT pattern FROM portal_id_rules WHERE platform = ?", (platform,)).fetchone()
        if row is None or row[0] != pattern:
            chosen = PLATFORMS[platform]
            with self.transaction():
                self.conn.execute("DELETE FROM portal_ids WHERE platform = ?", (platform,))
                for url, article_id in self.conn.execute("SELECT url, article_id FROM article_urls").fetchall():
                    portal_id = chosen.article_id_of(url)
                    if portal_id is not None:
                        self.conn.execute(
                            "INSERT INTO portal_ids (url, platform, host, portal_id, article_id) VALUES (?, ?, ?, ?, ?)",
                            (url, platform, _host_key(url), portal_id, article_id),
                        )
                self.conn.execute(
                    "INSERT OR REPLACE INTO portal_id_rules (platform, pattern) VALUES (?, ?)", (platform, pattern)
                )
        self._portal_rules.add(platform)

    _STORY = ("title", "body", "published_at", "captions", "attachments")

    def _same_story_on_site(self, site: str, article: Article) -> int | None:
        d = article.as_dict()
        row = self.conn.execute(
            """SELECT v.article_id FROM versions v
               WHERE v.title = ? AND v.body = ? AND v.published_at IS ? AND v.captions = ? AND v.attachments = ?
                 AND v.id = (SELECT a.latest_version_id FROM articles a WHERE a.id = v.article_id AND a.site = ?)
               LIMIT 1""",
            (d["title"], d["body"], d["published_at"], _json(d["captions"]), _json(d["attachments"]), site),
        ).fetchone()
        return int(row[0]) if row else None

    def _latest_is_same_story(self, article_id: int, article: Article) -> bool:
        d = article.as_dict()
        row = self.conn.execute(
            f"SELECT {', '.join('v.' + c for c in self._STORY)} FROM articles a JOIN versions v ON v.id = a.latest_version_id WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return False
        mine = {**{c: d[c] for c in self._STORY}, "captions": _json(d["captions"]), "attachments": _json(d["attachments"])}
        return all(row[c] == mine[c] for c in self._STORY)

    def _place_version(
        self, article_id: int, at: str, digest: str, article: Article, source: str, page_id: int | None,
    ) -> tuple[int, bool]:
        """The version an observation at `at` belongs to: (version id, whether it is new).

        The invariant kept: versions ordered by fetched_at never repeat a content hash twice
        in a row, and every observation reads the version in force at its time. A live fetch
        is the newest observation, so it only compares with the latest version. An older
        capture may fall inside the history:
        - same content as the version in force then: nothing to write;
        - same content as the next version, with no observation in between: that version
          is backdated to this capture (its content was there earlier);
        - otherwise a version is inserted at `at`; if later observations read the previous
          content before the next version, that content is restored at the first of them
          (the page was edited and then changed back)."""
        versions = (
            "SELECT id, content_hash, fetched_at FROM versions WHERE article_id = ? AND superseded_at IS NULL"
            " AND fetched_at {} ? ORDER BY fetched_at {}, id {} LIMIT 1"
        )
        prev = self.conn.execute(versions.format("<=", "DESC", "DESC"), (article_id, at)).fetchone()
        if prev is not None and prev["content_hash"] == digest:
            return int(prev["id"]), False
        nxt = self.conn.execute(versions.format(">", "ASC", "ASC"), (article_id, at)).fetchone()
        upto = nxt["fetched_at"] if nxt is not None else None
        # the first later observation that read the previous content (none for a live fetch)
        between = self.conn.execute(
            """SELECT observed_at, source, page_id FROM view_counts WHERE article_id = ? AND observed_at > ?
               AND (? IS NULL OR observed_at < ?) ORDER BY observed_at, id LIMIT 1""",
            (article_id, at, upto, upto),
        ).fetchone()
        if nxt is not None and nxt["content_hash"] == digest and between is None:
            self.conn.execute(
                "UPDATE versions SET fetched_at = ?, source = ?, page_id = ? WHERE id = ?",
                (at, source, page_id, nxt["id"]),
            )
            return int(nxt["id"]), False
        version_id = self._insert_version(article_id, article, at, digest, page_id, source)
        if between is not None and prev is not None:
            self._copy_version(int(prev["id"]), between["observed_at"], between["source"], between["page_id"])
        return version_id, True

    def _copy_version(self, version_id: int, at: str, source: str, page_id: int | None) -> None:
        """Write a version's content again at a later time (every column, including any a
        later migration adds, but the time and where it was read)."""
        cols = [r["name"] for r in self.conn.execute("PRAGMA table_info(versions)")
                if r["name"] not in ("id", "fetched_at", "source", "page_id", "superseded_at", "superseded_reason")]
        names = ", ".join(cols)
        self.conn.execute(
            f"INSERT INTO versions ({names}, fetched_at, source, page_id) SELECT {names}, ?, ?, ? FROM versions WHERE id = ?",
            (at, source, page_id, version_id),
        )

    def _insert_version(
        self, article_id: int, article: Article, at: str, digest: str, page_id: int | None, source: str,
    ) -> int:
        d = article.as_dict()
        cur = self.conn.execute(
            """INSERT INTO versions (article_id, fetched_at, content_hash, title, body, captions, author,
                   poster, published_at, category, images, attachments, platform, parser_version,
                   source, page_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (article_id, at, digest, d["title"], d["body"], _json(d["captions"]), d["author"], d["poster"],
             d["published_at"], d["category"], _json(d["images"]), _json(d["attachments"]),
             article.platform, parsers.PARSER_VERSION, source, page_id),
        )
        return int(cur.lastrowid or 0)

    def rewrite_history(
        self,
        article_id: int,
        *,
        add: Iterable[tuple[Article, str, int | None, str]],
        supersede: Iterable[int],
        views: Mapping[int, int | None],
        at: datetime,
        detail: Mapping[str, Any],
    ) -> None:
        """Apply a reparse to one article, in one transaction: write the versions in `add`
        ((article, fetched_at, page_id, source), stamped with today's PARSER_VERSION), mark the
        version ids in `supersede` as replaced, correct the observations in `views`
        ({view_counts.id: views}), point the article at its newest current version, and
        record a `reparsed` event with `detail`."""
        when = iso(at)
        with self.transaction():
            for article, fetched_at, page_id, source in add:
                self._insert_version(article_id, article, fetched_at, content_hash(article), page_id, source)
            for version_id in supersede:
                self.conn.execute(
                    "UPDATE versions SET superseded_at = ?, superseded_reason = 'reparse' WHERE id = ? AND article_id = ?",
                    (when, version_id, article_id),
                )
            for observation_id, value in views.items():
                self.conn.execute(
                    "UPDATE view_counts SET views = ? WHERE id = ? AND article_id = ?", (value, observation_id, article_id)
                )
            self._set_latest(article_id)
            self._event(article_id, when, "reparsed", detail=detail)

    def mark_missing(
        self, url: str, at: datetime, *, threshold: int = 2, run_id: int | None = None, status: int | None = None,
    ) -> tuple[int, bool] | None:
        """A 404/410 for a known article: count it, and mark the article gone (never delete
        it) at the `threshold`-th miss in a row. Returns (article_id, gone now), or None when
        no article is known at the URL.

        A miss counts only at the article's current address (its URL, or the URL that last
        served it): an old address answering 404 says nothing about an article that moved.
        One run counts at most one miss, so "twice in a row" means two runs. A successful
        fetch resets the count (`store_article`).
        """
        article_id = self.article_id_for(url)
        if article_id is None:
            return None
        when = iso(at)
        with self.transaction():
            row = self.conn.execute("SELECT url, status, missing_count FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row["status"] == "gone":
                return article_id, False
            if canonical(url) not in {row["url"], canonical(self.serving_url(article_id) or row["url"])}:
                return article_id, False
            if run_id is not None and self.conn.execute(
                "SELECT 1 FROM article_events WHERE article_id = ? AND event = 'missing' AND run_id = ? "
                "AND at >= (SELECT last_seen_at FROM articles WHERE id = ?)",
                (article_id, run_id, article_id),
            ).fetchone():
                return article_id, False
            count = int(row["missing_count"]) + 1
            self.conn.execute("UPDATE articles SET missing_count = ? WHERE id = ?", (count, article_id))
            self._event(article_id, when, "missing", url=canonical(url), status=status, run_id=run_id,
                        detail={"in_a_row": count})
            gone = count >= threshold
            if gone:
                self.conn.execute("UPDATE articles SET status = 'gone', gone_at = ? WHERE id = ?", (when, article_id))
                self._event(article_id, when, "gone", url=canonical(url), status=status, run_id=run_id,
                            detail={"misses": count})
        return article_id, gone

    def is_gone(self, article_id: int) -> bool:
        row = self.conn.execute("SELECT status FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None and row[0] == "gone"

    def serving_url(self, article_id: int) -> str | None:
        """The URL that last served the article (after redirects): where to look for it next."""
        row = self.conn.execute(
            """SELECT coalesce(p.final_url, p.url) FROM view_counts c JOIN pages p ON p.id = c.page_id
               WHERE c.article_id = ? ORDER BY c.observed_at DESC, c.id DESC LIMIT 1""",
            (article_id,),
        ).fetchone()
        return row[0] if row else None

    def events(self, article_id: int) -> list[sqlite3.Row]:
        """The article's status changes (missing, gone, back, moved, merged, reparsed), in time order."""
        return self.query("SELECT * FROM article_events WHERE article_id = ? ORDER BY at, id", (article_id,))

    # --- identity and the version timeline (private) -------------------------------------

    def _owner(self, url: str) -> int | None:
        """The article known at a URL, with or without "www." and a trailing slash."""
        return self._article_by_url(url)

    def _same_title(self, article_id: int, title: str) -> bool:
        row = self.conn.execute(
            "SELECT v.title FROM articles a JOIN versions v ON v.id = a.latest_version_id WHERE a.id = ?", (article_id,)
        ).fetchone()
        return row is None or " ".join(row[0].casefold().split()) == " ".join(title.casefold().split())

    def _event(
        self, article_id: int, at: str, event: str, *, url: str | None = None, status: int | None = None,
        run_id: int | None = None, detail: Mapping[str, Any] | None = None,
    ) -> None:
        self.conn.execute(
            "INSERT INTO article_events (article_id, at, event, url, status, run_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article_id, at, event, url, status, run_id, _json(dict(detail)) if detail else None),
        )

    def _set_latest(self, article_id: int) -> None:
        self.conn.execute(
            """UPDATE articles SET latest_version_id = (
                   SELECT id FROM versions WHERE article_id = ? AND superseded_at IS NULL
                   ORDER BY fetched_at DESC, id DESC LIMIT 1) WHERE id = ?""",
            (article_id, article_id),
        )

    def _merge(self, ids: list[int], at: str, *, url: str, reason: str) -> int:
        """Make several articles one: the oldest keeps its id and takes the others' URLs,
        versions, observations and events; the others' rows go. A version that no longer
        marks a change (the same content as the one before it) is marked superseded."""
        rows = [self.conn.execute("SELECT * FROM articles WHERE id = ?", (i,)).fetchone() for i in ids]
        rows.sort(key=lambda r: (r["first_seen_at"], r["id"]))
        keep = int(rows[0]["id"])
        for other in rows[1:]:
            gone = int(other["id"])
            for table, column in self._article_refs():
                try:
                    self.conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE "{column}" = ?', (keep, gone))
                except sqlite3.IntegrityError:
                    # a table with one row per article (derived state): keep the kept article's row
                    self.conn.execute(f'UPDATE OR IGNORE "{table}" SET "{column}" = ? WHERE "{column}" = ?', (keep, gone))
                    self.conn.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', (gone,))
            self.conn.execute(
                "UPDATE articles SET first_seen_at = min(first_seen_at, ?), last_seen_at = max(last_seen_at, ?) WHERE id = ?",
                (other["first_seen_at"], other["last_seen_at"], keep),
            )
            self.conn.execute("UPDATE articles SET latest_version_id = NULL WHERE id = ?", (gone,))
            self.conn.execute("DELETE FROM articles WHERE id = ?", (gone,))
            self._event(keep, at, "merged", url=url, detail={"article_id": gone, "url": other["url"], "reason": reason})
        previous = None
        for v in self.conn.execute(
            "SELECT id, content_hash FROM versions WHERE article_id = ? AND superseded_at IS NULL ORDER BY fetched_at, id",
            (keep,),
        ).fetchall():
            if v["content_hash"] == previous:
                self.conn.execute(
                    "UPDATE versions SET superseded_at = ?, superseded_reason = 'merge' WHERE id = ?", (at, v["id"])
                )
            previous = v["content_hash"]
        self._set_latest(keep)
        return keep

    def _article_refs(self) -> list[tuple[str, str]]:
        """(table, column) of every ordinary table pointing at articles.id: by foreign key or
        by an `article_id` column (other modules' tables included)."""
        if self._refs is None:
            tables = [r[0] for r in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND upper(coalesce(sql, '')) NOT LIKE 'CREATE VIRTUAL%'"
            )]
            virtual = [r[0] for r in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND upper(sql) LIKE 'CREATE VIRTUAL%'"
            )]
            refs: list[tuple[str, str]] = []
            for t in tables:
                if t == "articles" or any(t.startswith(v + "_") for v in virtual):
                    continue
                cols = {r[1] for r in self.conn.execute(f'PRAGMA table_info("{t}")')}
                fks = {r[3] for r in self.conn.execute(f'PRAGMA foreign_key_list("{t}")') if r[2] == "articles"}
                for c in sorted(fks | ({"article_id"} & cols)):
                    refs.append((t, c))
            self._refs = refs
        return self._refs

    # --- crawl state -----------------------------------------------------------------------

    def _touch_url(
        self, url: str, site: str, status: int | None, *, kind: str = "article", article_id: int | None = None,
        fetched_at: str | None = None, error: str | None = None,
    ) -> None:
        at = fetched_at or iso(now())
        self.conn.execute(
            """INSERT INTO urls (url, site, kind, first_seen_at, last_fetched_at, last_status, failures, last_error,
                                 article_id, url_key)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET last_fetched_at = excluded.last_fetched_at,
                   last_status = coalesce(excluded.last_status, urls.last_status),
                   failures = CASE WHEN excluded.last_error IS NULL THEN 0 ELSE urls.failures + 1 END,
                   last_error = excluded.last_error,
                   article_id = coalesce(excluded.article_id, urls.article_id)""",
            (key := canonical(url), site, kind, at, at, status, 1 if error else 0, error, article_id, url_key(key)),
        )

    def touch_url(self, url: str, site: str, status: int | None, *, kind: str = "article") -> None:
        """A fetch of the URL that answered as expected with nothing to store (a gone article
        still gone): its crawl state says when, with no failure (it leaves the retry queue)."""
        with self.transaction():
            self._touch_url(url, site, status, kind=kind)

    # --- crawl state: the queue, listings, validators, re-visits (issue 5) -------------------

    def knows(self, site: str, key: str) -> bool:
        """The crawler has met an article URL of the site with this `url_key`: archived, queued
        or failed. Discovery stops paging a listing when it reaches these. Two index lookups,
        whatever the archive's size."""
        return self.conn.execute(
            """SELECT 1 FROM urls WHERE url_key = ? AND site = ? AND kind = 'article'
               UNION ALL
               SELECT 1 FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url_key = ? AND a.site = ?
               LIMIT 1""",
            (key, site, key, site),
        ).fetchone() is not None

    def fill_url_keys(self) -> int:
        """Key the URLs written without one (by hand, or by code that predates migration 009),
        or every URL when the key rules changed since the keys were computed (key_rules);
        returns how many. Cheap when there is nothing to do: two index lookups."""
        stored = self.conn.execute("SELECT rule FROM key_rules WHERE name = 'url_key'").fetchone()
        if stored is None or stored[0] != URL_KEY_RULE:
            with self.transaction():
                n = 0
                if stored is not None:  # keys of an older rule: all of them again
                    n += self.conn.execute("UPDATE urls SET url_key = url_key(url)").rowcount
                    n += self.conn.execute("UPDATE article_urls SET url_key = url_key(url)").rowcount
                # (no row: the keys were computed by migration 009 or since, with these rules)
                self.conn.execute(
                    "INSERT OR REPLACE INTO key_rules (name, rule) VALUES ('url_key', ?)", (URL_KEY_RULE,)
                )
            if n:
                log.warning("URL key rules changed: %d stored URL keys recomputed", n)
                return n
        missing = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM urls WHERE url_key IS NULL) OR EXISTS (SELECT 1 FROM article_urls WHERE url_key IS NULL)"
        ).fetchone()[0]
        if not missing:
            return 0
        with self.transaction():
            n = self.conn.execute("UPDATE urls SET url_key = url_key(url) WHERE url_key IS NULL").rowcount
            n += self.conn.execute("UPDATE article_urls SET url_key = url_key(url) WHERE url_key IS NULL").rowcount
        return n

    def enqueue(self, site: str, urls: Iterable[str], *, kind: str = "article") -> int:
        """Remember URLs to fetch (not fetched yet), so a run killed before reaching them
        still fetches them next time. Returns how many were new."""
        at = iso(now())
        added = 0
        with self.transaction():
            for url in urls:
                key = canonical(url)
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO urls (url, site, kind, first_seen_at, url_key) VALUES (?, ?, ?, ?, ?)",
                    (key, site, kind, at, url_key(key)),
                )
                added += cur.rowcount
        return added

    def pending_urls(self, site: str, limit: int = 100_000, *, archived_only: bool = False) -> list[str]:
        """Article URLs to fetch: queued and never fetched, or failed fewer than
        MAX_FAILURES runs in a row; in the order they were found. `archived_only`: of
        those (the same `limit` first ones), the ones whose key an archived article's URL has."""
        pending = """SELECT url, url_key FROM urls WHERE site = ? AND kind = 'article'
                       AND (last_fetched_at IS NULL OR (last_error IS NOT NULL AND failures < ?))
                     ORDER BY last_fetched_at IS NOT NULL, rowid LIMIT ?"""
        if archived_only:
            pending = f"""SELECT url FROM ({pending}) p
                          WHERE EXISTS (SELECT 1 FROM article_urls a WHERE a.url_key = p.url_key)"""
        return [r[0] for r in self.conn.execute(pending, (site, MAX_FAILURES, limit))]

    def listing_state(self, site: str) -> dict[str, sqlite3.Row]:
        """Per start URL: where the catch-up walk resumes, and when the listing's end was reached."""
        rows = self.conn.execute("SELECT * FROM listing_state WHERE site = ?", (site,))
        return {r["start_url"]: r for r in rows}

    def save_listing_state(
        self, site: str, start_url: str, *, resume_url: str | None, reached_end: bool, pages_read: int
    ) -> None:
        at = iso(now())
        with self.transaction():
            self.conn.execute(
                """INSERT INTO listing_state (site, start_url, resume_url, reached_end_at, pages_read, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(site, start_url) DO UPDATE SET resume_url = excluded.resume_url,
                       reached_end_at = coalesce(excluded.reached_end_at, listing_state.reached_end_at),
                       pages_read = excluded.pages_read, updated_at = excluded.updated_at""",
                (site, start_url, resume_url, at if reached_end else None, pages_read, at),
            )

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the last 200 answer for this URL, for a conditional request."""
        row = self.conn.execute("SELECT etag, last_modified FROM urls WHERE url = ?", (canonical(url),)).fetchone()
        return (row["etag"], row["last_modified"]) if row else (None, None)

    def set_validators(self, url: str, site: str, kind: str, etag: str | None, last_modified: str | None) -> None:
        with self.transaction():
            self.conn.execute(
                """INSERT INTO urls (url, site, kind, first_seen_at, etag, last_modified, url_key) VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified""",
                (key := canonical(url), site, kind, iso(now()), etag, last_modified, url_key(key)),
            )

    def previous_body(self, url: str, *, article_id: int | None = None) -> bytes | None:
        """The bytes we hold for what a 304 answer vouches for: the page behind the article's
        latest view observation, or the latest page fetched at exactly this URL."""
        if article_id is not None:
            row = self.conn.execute(
                "SELECT page_id FROM view_counts WHERE article_id = ? AND page_id IS NOT NULL AND source = 'live' "
                "ORDER BY id DESC LIMIT 1",
                (article_id,),
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT id FROM pages WHERE url = ? AND status IN (200, 304) ORDER BY fetched_at DESC, id DESC LIMIT 1",
                (url,),
            ).fetchone()
        if row is None:
            return None
        try:
            return self.page_body(int(row[0]))
        except StoreError:
            return None

    def revisit_candidates(self, site: str) -> list[sqlite3.Row]:
        """Live articles of a site with what the re-visit policy needs: `url`, `born` (the
        published date, else first seen) and `last_visit` (the last fetch or attempt)."""
        return self.conn.execute(
            """SELECT a.id AS article_id, a.url, coalesce(v.published_at, a.first_seen_at) AS born,
                      max(a.last_seen_at, coalesce(u.last_fetched_at, '')) AS last_visit, a.missing_count
               FROM articles a LEFT JOIN versions v ON v.id = a.latest_version_id
                    LEFT JOIN urls u ON u.url = a.url
               WHERE a.site = ? AND a.status = 'live'""",
            (site,),
        ).fetchall()

    def gone_rechecks(self, site: str, *, tried_before: str, limit: int) -> list[str]:
        """URLs of the site's gone articles last tried (fetched, missed or re-checked) before
        the ISO time `tried_before`, longest untried first, at most `limit`: a gone article
        that answers again is live again, so each is asked again now and then."""
        if limit <= 0:
            return []
        rows = self.conn.execute(
            """SELECT url FROM (
                   SELECT a.id, a.url, max(a.last_seen_at, coalesce(a.gone_at, ''), coalesce(u.last_fetched_at, '')) AS tried
                   FROM articles a LEFT JOIN urls u ON u.url = a.url
                   WHERE a.site = ? AND a.status = 'gone')
               WHERE tried < ? ORDER BY tried, id LIMIT ?""",
            (site, tried_before, limit),
        )
        return [r[0] for r in rows]

    def rebuild_search_index(self) -> None:
        """Re-index the latest version of every article. Migration 004's triggers keep the
        index in step; this is for an index damaged by hand. FTS5's own 'rebuild' must not
        be used on these tables: it would index every version, search_fts unfolded, and
        without the site's filter token."""
        with self.transaction():
            for table in ("search_fts", "search_accents_fts"):
                self.conn.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")
            for statement in _statements(
                _index("v.id = a.latest_version_id", source="articles a JOIN versions v ON v.id = a.latest_version_id")
            ):
                self.conn.execute(statement)

    def counts(self) -> dict[str, int]:
        return {
            t: int(self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("articles", "versions", "view_counts", "pages", "runs", "errors")
        }


_WRITER_LOCKS: dict[str, threading.RLock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def _writer_lock(path: str) -> threading.RLock:
    """The in-process lock that writers of the archive file at `path` share."""
    key = path if path == ":memory:" else os.path.realpath(path)
    with _WRITER_LOCKS_GUARD:
        lock = _WRITER_LOCKS.get(key)
        if lock is None:
            lock = _WRITER_LOCKS[key] = threading.RLock()
        return lock


def _process_alive(pid: int) -> bool:
    """Whether a process of this machine exists (an archive is written from one machine: SQLite
    over a network file system is not supported). A reused pid reads as alive: the run then
    stays 'running' until that process is gone too, never marked wrongly."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _journal_wal(conn: sqlite3.Connection, wait: float = 30.0) -> None:
    """Switch to WAL. SQLite answers "database is locked" at once, without the busy
    handler, while another connection switches a new file: wait for it like busy_timeout."""
    deadline = time.monotonic() + wait
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _host_key(url: str) -> str:
    return url_key(url).split("/")[2]


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement knows about triggers)."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
