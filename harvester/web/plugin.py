"""A Datasette plugin (registered in pyproject.toml under `datasette` entry points), so a plain
`datasette archive.db` gets what `harvester serve` gives: the archive's metadata and canned
queries, and the SQL functions those queries use. Databases that are not archives are left
alone. In query results and SQL views, an article id links to that article's history."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from markupsafe import Markup, escape

from . import is_archive, metadata_for, register_functions

_cache: dict[tuple[str, str], dict[str, Any] | None] = {}


def _archive_metadata(name: str, path: str | None) -> dict[str, Any] | None:
    if not path:
        return None
    key = (name, path)
    if key not in _cache:
        _cache[key] = metadata_for(path, name) if is_archive(path) else None
    return _cache[key]


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> dict[str, Any]:
    merged: dict[str, Any] = {"databases": {}}
    for name, db in datasette.databases.items():
        meta = _archive_metadata(name, getattr(db, "path", None))
        if meta is None:
            continue
        merged["databases"].update(meta["databases"])
        for k in ("title", "description_html"):
            merged.setdefault(k, meta[k])
    return merged if merged["databases"] else {}


@hookimpl
def prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    register_functions(conn)


# views and query results have no foreign keys for Datasette to link: link ids to histories
_LINKED = (None, "latest_versions", "article_summary", "article_versions", "article_daily_views", "view_growth_daily")


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if column != "article_id" or table not in _LINKED or not isinstance(value, int):
        return None
    db = datasette.databases.get(database)
    if db is None or _archive_metadata(database, getattr(db, "path", None)) is None:
        return None
    href = datasette.urls.database(database) + f"/article_history?article={value}"
    return Markup(f'<a href="{escape(href)}" title="history of article {value}">{value}</a>')
