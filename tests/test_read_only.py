"""Read commands read: they never write to the file they are given, refuse a file that is
not an archive with a clear error, and bring an older archive up to date only when it is an
archive and writable. Writers refuse another SQLite database instead of adding tables to it."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester.cli import cli
from harvester.errors import StoreError
from harvester.search import search
from harvester.store import MIGRATIONS, Archive, _statements

READERS = [
    ["status"],
    ["search", "x"],
    ["history", "1"],
    ["views", "1"],
    ["views", "--by-site"],
    ["export", "articles"],
    ["plot", "1", "--out", "never.png"],
    ["serve", "--print-metadata"],
    ["reparse", "--dry-run"],
]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(params=["empty", "other-sqlite", "random-bytes"])
def not_an_archive(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / f"{request.param}.db"
    if request.param == "empty":
        path.write_bytes(b"")
    elif request.param == "other-sqlite":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('mine')")
        conn.commit()
        conn.close()
    else:
        path.write_bytes(os.urandom(3000))
    return path


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c))
def test_a_read_command_refuses_a_file_that_is_not_an_archive_and_leaves_it_alone(
    command: list[str], not_an_archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # reparse reads ./config.yaml when there is one: there is none
    before = _digest(not_an_archive)
    result = CliRunner().invoke(cli, [*command, "--db", str(not_an_archive)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    assert f"Error: {not_an_archive} is not an archive" in result.output
    assert _digest(not_an_archive) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [not_an_archive.name]  # no -wal, no lock


@pytest.mark.parametrize("command", [["run"], ["backfill", "s1", "--source", "warc", "x.warc"]],
                         ids=["run", "backfill"])
def test_a_writer_refuses_another_sqlite_database(command: list[str], tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    conn.close()
    (tmp_path / "x.warc").write_bytes(b"WARC/1.0\r\n")
    config = tmp_path / "config.yaml"
    config.write_text(
        "sites:\n  - {name: s1, province: P, department: D, start_urls: ['http://127.0.0.1:9/']}\n",
        encoding="utf-8",
    )
    before = _digest(other)
    args = [a if a != "x.warc" else str(tmp_path / "x.warc") for a in command]
    result = CliRunner().invoke(cli, [*args, "--config", str(config), "--db", str(other)])
    assert result.exit_code == 1 and f"Error: {other} is not an archive" in result.output
    assert _digest(other) == before


def test_the_search_function_opens_a_path_read_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(StoreError, match="is not an archive"):
        search(empty, "x")
    assert empty.read_bytes() == b""


def test_reading_an_archive_writes_nothing(three_nights: dict, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    shutil.copy(three_nights["db"], db)
    before = _digest(db)
    for command in (["status"], ["search", "dự án"], ["history", "1"], ["views", "--by-site"],
                    ["export", "versions", "--nl"]):
        result = CliRunner().invoke(cli, [*command, "--db", str(db)])
        assert result.exit_code == 0, (command, result.output)
    assert _digest(db) == before
    assert not Path(f"{db}.lock").exists()


def _old_archive(path: Path) -> None:
    """An archive as the first version wrote it: only migration 001 applied."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    name, sql = MIGRATIONS[0]
    for statement in _statements(sql):
        conn.execute(statement)
    conn.execute("INSERT INTO migrations VALUES (?, '2025-01-01T00:00:00+07:00')", (name,))
    conn.close()


def test_an_older_archive_is_brought_up_to_date_when_writable(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _old_archive(db)
    result = CliRunner().invoke(cli, ["views", "--by-site", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "[]"
    with Archive.open(db, readonly=True) as archive:
        assert archive.schema_version() == max(name for name, _ in MIGRATIONS)


def test_an_older_read_only_archive_is_read_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "old.db"
    _old_archive(db)
    before = _digest(db)
    access = os.access
    # as a user who may not write it
    monkeypatch.setattr(os, "access", lambda path, mode: mode != os.W_OK and access(path, mode))
    result = CliRunner().invoke(cli, ["views", "--by-site", "--db", str(db)])
    assert result.exit_code == 1
    assert "was written by an older version and is read-only here" in result.stderr
    assert f"Error: {db}: cannot read the archive (no such table: site_daily_views)" in result.stderr
    assert _digest(db) == before
    status = CliRunner().invoke(cli, ["status", "--db", str(db)])  # what it can read, it reads
    assert status.exit_code == 0 and status.stdout.strip() == "[]"


def test_a_writer_joins_an_archive_another_process_is_creating(tmp_path: Path) -> None:
    """Two harvests started at once on a new file: the second may find only the
    `migrations` table the first has made so far; that is an archive being made."""
    from harvester.cli import check_writable_archive

    db = tmp_path / "new.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    conn.close()
    check_writable_archive(str(db))  # no error
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (id INTEGER)")
    conn.close()
    with pytest.raises(StoreError, match="is not an archive"):
        check_writable_archive(str(db))
