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
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from parsers import PARSER_VERSION, Article

from .clock import iso, now
from .errors import StoreError
from .urls import canonical, trust_canonical

__all__ = ["Archive", "StoreResult", "content_hash", "MIGRATIONS"]


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
#   tone placement, and queries are canonicalised the same way).
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
        tokenize='unicode61 remove_diacritics 0', prefix='2 3'
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
            reason TEXT NOT NULL          -- canonical | fetched | redirect | link
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
            status TEXT,                  -- ok | partial | unreachable | failed | interrupted
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
]


@dataclass(frozen=True)
class StoreResult:
    article_id: int
    new_article: bool
    new_version: bool
    version_id: int


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Archive:
    """An open archive. One per thread; several processes may open the same file.

    >>> with Archive.open(":memory:") as archive:
    ...     archive.schema_version() >= "004_search_fts"
    True
    """

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._in_tx = False

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
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA foreign_keys = ON")
            if not readonly and path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
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
        """One write transaction (nested calls join the outer one)."""
        if self._in_tx:
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._in_tx = False

    def query(self, sql: str, params: Iterable[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
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
            cur = self.conn.execute(
                "INSERT INTO runs (started_at, status, command, pid, sites) VALUES (?, 'running', ?, ?, ?)",
                (iso(now()), command, os.getpid(), _json(list(sites))),
            )
        return int(cur.lastrowid or 0)

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

    def record_error(
        self, run_id: int | None, site: str | None, url: str | None, kind: str, message: str,
        status: int | None = None, page_id: int | None = None, url_kind: str = "article",
    ) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO errors (run_id, site, url, kind, status, message, at, page_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, site, url, kind, status, message, iso(now()), page_id),
            )
            if url:
                self._touch_url(url, site or "", status, kind=url_kind, error=f"{kind}: {message}")

    # --- pages ---------------------------------------------------------------------------

    def save_page(self, page: Any, *, site: str | None, kind: str, run_id: int | None = None) -> int:
        """Store a fetched page; identical bodies are stored once."""
        body: bytes = page.body or b""
        digest = hashlib.sha256(body).hexdigest()
        with self.transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO bodies (sha256, size, compression, data) VALUES (?, ?, 'zlib', ?)",
                (digest, len(body), zlib.compress(body, 6)),
            )
            cur = self.conn.execute(
                """INSERT INTO pages (site, url, final_url, status, headers, content_type, kind, fetched_at,
                                      body_sha256, source, run_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (site, page.url, page.final_url, page.status, _json(dict(page.headers)), page.content_type,
                 kind, iso(page.fetched_at), digest, page.source, run_id),
            )
        return int(cur.lastrowid or 0)

    def page_body(self, page_id: int) -> bytes:
        row = self.conn.execute(
            "SELECT b.data, b.compression FROM pages p JOIN bodies b ON b.sha256 = p.body_sha256 WHERE p.id = ?",
            (page_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"no stored body for page {page_id}")
        return zlib.decompress(row["data"]) if row["compression"] == "zlib" else bytes(row["data"])

    # --- articles ------------------------------------------------------------------------

    def article_id_for(self, url: str) -> int | None:
        row = self.conn.execute("SELECT article_id FROM article_urls WHERE url = ?", (canonical(url),)).fetchone()
        return int(row[0]) if row else None

    def known_urls(self, site: str) -> set[str]:
        """Every URL at which an article of this site has been seen."""
        rows = self.conn.execute(
            "SELECT u.url FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE a.site = ?", (site,)
        )
        return {r[0] for r in rows}

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
        """Record one fetch of an article: its URLs, a version if the content changed, and a
        view observation. Idempotent for unchanged content (only the observation is added)."""
        at = iso(fetched_at)
        key = trust_canonical(final_url, article.canonical_url) or canonical(final_url)
        urls = [(key, "canonical"), (canonical(final_url), "fetched"), (canonical(requested_url), "redirect" if requested_url != final_url else "fetched")]
        digest = content_hash(article)
        with self.transaction():
            article_id = None
            for url, _ in urls:
                row = self.conn.execute("SELECT article_id FROM article_urls WHERE url = ?", (url,)).fetchone()
                if row:
                    article_id = int(row[0])
                    break
            new_article = article_id is None
            if article_id is None:
                cur = self.conn.execute(
                    "INSERT INTO articles (site, url, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)",
                    (site, key, at, at),
                )
                article_id = int(cur.lastrowid or 0)
            for url, reason in urls:
                self.conn.execute(
                    "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen_at, reason) VALUES (?, ?, ?, ?)",
                    (url, article_id, at, reason),
                )
            latest = self.conn.execute(
                "SELECT v.id, v.content_hash FROM articles a LEFT JOIN versions v ON v.id = a.latest_version_id WHERE a.id = ?",
                (article_id,),
            ).fetchone()
            new_version = latest["content_hash"] != digest
            version_id = latest["id"]
            if new_version:
                d = article.as_dict()
                cur = self.conn.execute(
                    """INSERT INTO versions (article_id, fetched_at, content_hash, title, body, captions, author,
                           poster, published_at, category, images, attachments, platform, parser_version,
                           source, page_id)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (article_id, at, digest, d["title"], d["body"], _json(d["captions"]), d["author"], d["poster"],
                     d["published_at"], d["category"], _json(d["images"]), _json(d["attachments"]),
                     article.platform, PARSER_VERSION, source, page_id),
                )
                version_id = int(cur.lastrowid or 0)
            self.conn.execute(
                """UPDATE articles SET last_seen_at = max(last_seen_at, ?), status = 'live', gone_at = NULL,
                       missing_count = 0, latest_version_id = ? WHERE id = ?""",
                (at, version_id, article_id),
            )
            self.conn.execute(
                "INSERT INTO view_counts (article_id, observed_at, views, source, page_id) VALUES (?, ?, ?, ?, ?)",
                (article_id, at, article.views, source, page_id),
            )
            for url, _ in urls:
                self._touch_url(url, site, 200, article_id=article_id, fetched_at=at)
        return StoreResult(article_id, new_article, new_version, int(version_id))

    def mark_missing(self, url: str, at: datetime, *, threshold: int = 2) -> tuple[int, bool] | None:
        """A 404/410 for a known article: count it, and mark the article gone at the
        `threshold`-th miss in a row. Returns (article_id, gone now) or None if unknown."""
        article_id = self.article_id_for(url)
        if article_id is None:
            return None
        with self.transaction():
            self.conn.execute("UPDATE articles SET missing_count = missing_count + 1 WHERE id = ?", (article_id,))
            row = self.conn.execute("SELECT missing_count, status FROM articles WHERE id = ?", (article_id,)).fetchone()
            gone = row["missing_count"] >= threshold and row["status"] != "gone"
            if gone:
                self.conn.execute("UPDATE articles SET status = 'gone', gone_at = ? WHERE id = ?", (iso(at), article_id))
        return article_id, gone

    # --- crawl state -----------------------------------------------------------------------

    def _touch_url(
        self, url: str, site: str, status: int | None, *, kind: str = "article", article_id: int | None = None,
        fetched_at: str | None = None, error: str | None = None,
    ) -> None:
        at = fetched_at or iso(now())
        self.conn.execute(
            """INSERT INTO urls (url, site, kind, first_seen_at, last_fetched_at, last_status, failures, last_error, article_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET last_fetched_at = excluded.last_fetched_at,
                   last_status = coalesce(excluded.last_status, urls.last_status),
                   failures = CASE WHEN excluded.last_error IS NULL THEN 0 ELSE urls.failures + 1 END,
                   last_error = excluded.last_error,
                   article_id = coalesce(excluded.article_id, urls.article_id)""",
            (canonical(url), site, kind, at, at, status, 1 if error else 0, error, article_id),
        )

    def failed_urls(self, site: str, limit: int = 500) -> list[str]:
        """Article URLs whose last fetch failed: retried on the next run."""
        rows = self.conn.execute(
            "SELECT url FROM urls WHERE site = ? AND kind = 'article' AND last_error IS NOT NULL ORDER BY last_fetched_at LIMIT ?",
            (site, limit),
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
