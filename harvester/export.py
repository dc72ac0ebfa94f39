"""Exports of the archive as rows: articles (each with its latest version and count),
versions (the history, numbered per article) and views (every observation).

Rows come straight off an SQLite cursor, one at a time, and `output.emit` writes each as it
comes, so an export of a million rows runs in the same memory as one of a thousand
(tests/test_export.py checks it; bench/export_memory.py measures it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .store import Archive

__all__ = ["KINDS", "COLUMNS", "export"]

_JSON_COLUMNS = ("captions", "images", "attachments")

COLUMNS: dict[str, list[str]] = {
    "articles": [
        "article_id", "site", "url", "status", "first_seen_at", "last_seen_at", "gone_at", "title", "published_at",
        "author", "poster", "category", "platform", "parser_version", "versions", "views", "urls", "body", "captions",
    ],
    "versions": [
        "version_id", "article_id", "site", "url", "version", "fetched_at", "title", "body", "captions", "author",
        "poster", "published_at", "category", "images", "attachments", "platform", "parser_version", "source",
        "page_id", "content_hash",
    ],
    "views": ["observation_id", "article_id", "site", "url", "observed_at", "views", "source", "page_id"],
}
KINDS = tuple(COLUMNS)

# (SQL, the column --since filters on); each ordered by an index so rows stream unsorted
_SQL = {
    "articles": (
        """SELECT s.*, v.body, v.captions FROM article_summary s
           JOIN articles a ON a.id = s.article_id LEFT JOIN versions v ON v.id = a.latest_version_id
           WHERE s.last_seen_at >= ? {sites} ORDER BY s.article_id""",
        "s.site",
    ),
    "versions": (
        "SELECT * FROM article_versions WHERE fetched_at >= ? {sites} ORDER BY article_id, version",
        "site",
    ),
    "views": (
        """SELECT c.id AS observation_id, c.article_id, a.site, a.url, c.observed_at, c.views, c.source, c.page_id
           FROM view_counts c JOIN articles a ON a.id = c.article_id
           WHERE c.observed_at >= ? {sites} ORDER BY c.observed_at, c.id""",
        "a.site",
    ),
}


def export(archive: Archive, kind: str, *, sites: Iterable[str] = (), since: str | None = None) -> Iterator[dict[str, Any]]:
    """Stream the rows of one export. `since` keeps articles seen, versions fetched and
    observations made at or after that time; `sites` keeps those sites' rows.

    articles: one row per article, its latest version's fields and newest view count.
    versions: the current versions (a reparse's superseded ones left out), numbered per article.
    views: every observation, oldest first.
    """
    if kind not in _SQL:
        raise ValueError(f"unknown export {kind!r}; known: {', '.join(KINDS)}")
    names = list(sites)
    sql, site_column = _SQL[kind]
    sql = sql.format(sites=f"AND {site_column} IN ({', '.join('?' * len(names))})" if names else "")
    cursor = archive.conn.execute(sql, (since or "", *names))
    columns = COLUMNS[kind]
    for row in cursor:  # one row at a time: never fetchall()
        out = {c: row[c] for c in columns}
        for c in _JSON_COLUMNS:
            if c in out and out[c] is not None:
                out[c] = json.loads(out[c])
        yield out
