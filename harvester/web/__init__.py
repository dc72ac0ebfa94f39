"""The web view: the archive in Datasette, with the metadata shipped in `metadata.yaml`
(titles and descriptions of every table, view and column; facets; canned queries for
search, top growing articles and an article's history) and the SQL functions its queries
use. `harvester serve` starts it; `plugin.py` gives a plain `datasette archive.db` the
same when this package is installed.

    metadata = metadata_for("archive.db")     # Datasette's metadata dict for that file
    serve("archive.db", port=8001)            # blocks, serving http://127.0.0.1:8001/archive
"""

from __future__ import annotations

import copy
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from parsers.normalise import search_key

from ..store import register_raw_body
from ..urls import canonical

__all__ = ["METADATA_FILE", "database_name", "is_archive", "metadata_for", "register_functions", "serve"]

METADATA_FILE = Path(__file__).with_name("metadata.yaml")
_TEMPLATE_DB = "archive"


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    return yaml.safe_load(METADATA_FILE.read_text(encoding="utf-8"))


def database_name(path: str | Path) -> str:
    """The name Datasette gives a database file: its stem (demo.db → demo)."""
    return Path(path).stem


def _tables(path: str | Path) -> set[str]:
    conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    finally:
        conn.close()


def is_archive(path: str | Path) -> bool:
    """True for a SQLite file made by the harvester (it records its migrations)."""
    try:
        tables = _tables(path)
    except sqlite3.DatabaseError:
        return False
    return {"migrations", "articles", "versions", "view_counts"} <= tables


def metadata_for(path: str | Path, name: str | None = None) -> dict[str, Any]:
    """Datasette metadata for the archive at `path`, served as database `name` (default:
    the file's stem). The FTS parts are filled in when the archive has the FTS table."""
    meta = copy.deepcopy(_template())
    fts = meta.pop("fts")
    name = name or database_name(path)
    db = meta["databases"].pop(_TEMPLATE_DB)
    meta["databases"][name] = db
    meta["description_html"] = meta["description_html"].replace("{db}", name)
    tables = _tables(path)
    if fts["table"] in tables:
        for table in fts["tables"]:
            db["tables"].setdefault(table, {}).update(fts_table=fts["table"], fts_pk=fts["pk"])
        db["queries"]["search"]["sql"] = fts["search_sql"]
        db["queries"]["search"]["description"] += " Full-text search (SQLite FTS5, ranked)."
    # describe only what this archive has (an older archive may lack later tables)
    db["tables"] = {t: m for t, m in db["tables"].items() if t in tables}
    return meta


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the canned queries use: vn_fold(text) (the search key: lowercase,
    no marks, đ → d) and canonical_url(url) (the archive's URL form); and raw_body(sha256)
    (a stored page's raw bytes, whether kept in full or as a delta)."""
    conn.create_function("vn_fold", 1, lambda s: search_key(s) if isinstance(s, str) else s, deterministic=True)
    conn.create_function("canonical_url", 1, lambda s: canonical(s) if isinstance(s, str) and s else s, deterministic=True)
    register_raw_body(conn)


def serve(path: str | Path, *, host: str = "127.0.0.1", port: int = 8001, settings: dict[str, Any] | None = None,
          on_ready: Any = None) -> None:
    """Serve the archive with Datasette until interrupted."""
    import asyncio

    import uvicorn
    from datasette.app import Datasette

    ds = Datasette(
        [str(path)],
        metadata=metadata_for(path),
        settings={"sql_time_limit_ms": 5000, "facet_time_limit_ms": 500, "default_page_size": 50, **(settings or {})},
    )
    asyncio.run(ds.invoke_startup())
    if on_ready:
        on_ready(f"http://{host}:{port}/{database_name(path)}")
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
