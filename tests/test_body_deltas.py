"""Raw pages stored as deltas: a re-visit whose page differs from the last one at its URL
only in the printed view count costs a zstd frame of its difference, reads back
byte-identical, and never at the price of a page: a delta that does not verify is stored
in full, and a damaged one is an error that names the page."""

from __future__ import annotations

import hashlib
import logging
import random
import shutil
import sqlite3
import textwrap
import zlib
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from harvester import store
from harvester.clock import VN_TZ
from harvester.demo import FixtureSite
from harvester.errors import StoreError
from harvester.fetch import Page
from harvester.reparse import reparse
from harvester.store import MIGRATIONS, Archive
from harvester.web import register_functions

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=VN_TZ)


@pytest.fixture
def site() -> FixtureSite:
    s = FixtureSite("delta-sxd", n_articles=3, seed=5)
    s.base_url = "http://127.0.0.1:1"
    return s


def _page(site: FixtureSite, article_index: int = 0, night: int = 0, url: str | None = None) -> Page:
    a = site.articles[article_index]
    return Page(
        url=url or site.url_of(a), final_url=url or site.url_of(a), status=200,
        headers={"content-type": "text/html; charset=utf-8"}, body=site.render_article(a).encode(),
        fetched_at=T0 + timedelta(days=night),
    )


def _body_row(archive: Archive, page_id: int) -> sqlite3.Row:
    return archive.query(
        "SELECT b.* FROM pages p JOIN bodies b ON b.sha256 = p.body_sha256 WHERE p.id = ?", (page_id,)
    )[0]


def test_a_revisit_that_differs_in_its_view_count_is_a_small_delta(site: FixtureSite) -> None:
    with Archive.open(":memory:") as archive:
        first = _page(site)
        first_id = archive.save_page(first, site=site.name, kind="article")
        site.grow_views(37)
        again = _page(site, night=1)
        assert again.body != first.body
        again_id = archive.save_page(again, site=site.name, kind="article")

        base, delta = _body_row(archive, first_id), _body_row(archive, again_id)
        assert (base["compression"], base["base_sha256"]) == ("zlib", None)  # a URL's first page is in full
        assert delta["compression"] == "zstd-delta" and delta["base_sha256"] == base["sha256"]
        assert len(delta["data"]) * 10 < len(zlib.compress(again.body, 6))
        assert archive.page_body(again_id) == again.body and archive.page_body(first_id) == first.body
        assert delta["size"] == len(again.body)


def test_a_deltas_base_is_never_a_delta(site: FixtureSite) -> None:
    with Archive.open(":memory:") as archive:
        ids, bodies = [], []
        for night in range(4):
            page = _page(site, night=night)
            ids.append(archive.save_page(page, site=site.name, kind="article"))
            bodies.append(page.body)
            site.grow_views(11)
        rows = [_body_row(archive, i) for i in ids]
        assert [r["compression"] for r in rows] == ["zlib"] + ["zstd-delta"] * 3
        assert {r["base_sha256"] for r in rows[1:]} == {rows[0]["sha256"]}
        assert [archive.page_body(i) for i in ids] == bodies
        # the invariant over the whole table: a base is always a full body
        assert not archive.query(
            "SELECT 1 FROM bodies d JOIN bodies b ON b.sha256 = d.base_sha256 WHERE b.compression != 'zlib'"
        )


def test_identical_bodies_are_stored_once_and_other_urls_or_sites_start_in_full(site: FixtureSite) -> None:
    with Archive.open(":memory:") as archive:
        archive.save_page(_page(site), site=site.name, kind="article")
        archive.save_page(_page(site, night=1), site=site.name, kind="article")
        assert archive.query("SELECT count(*) FROM bodies")[0][0] == 1
        # a sibling article is much like the first one, but never its base: bases are per URL
        other = archive.save_page(_page(site, 1), site=site.name, kind="article")
        assert _body_row(archive, other)["compression"] == "zlib"
        # the same URL under another site name: its own history, its own first page
        site.grow_views(5)
        elsewhere = archive.save_page(_page(site, night=2), site="another-site", kind="article")
        assert _body_row(archive, elsewhere)["compression"] == "zlib"


def test_a_page_that_changed_wholesale_is_stored_in_full(site: FixtureSite) -> None:
    with Archive.open(":memory:") as archive:
        archive.save_page(_page(site), site=site.name, kind="article")
        # the URL now serves something else entirely: a delta would not be under half of zlib
        # (another article of the same site would: the chrome is shared)
        other = random.Random(1).randbytes(3000).hex().encode()
        page_id = archive.save_page(replace(_page(site, night=1), body=other), site=site.name, kind="article")
        row = _body_row(archive, page_id)
        assert row["compression"] == "zlib" and row["base_sha256"] is None
        # empty bodies (a 304's, a redirect's) are never deltas either
        empty = archive.save_page(replace(_page(site, night=2), body=b""), site=site.name, kind="article")
        assert _body_row(archive, empty)["compression"] == "zlib" and archive.page_body(empty) == b""


def test_a_delta_that_does_not_verify_is_stored_in_full(
    site: FixtureSite, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with Archive.open(":memory:") as archive:
        archive.save_page(_page(site), site=site.name, kind="article")
        site.grow_views(3)
        monkeypatch.setattr(store, "_delta_decode", lambda frame, base: base)  # decompresses to other bytes
        with caplog.at_level(logging.WARNING, logger="harvester.store"):
            page_id = archive.save_page(_page(site, night=1), site=site.name, kind="article")
        assert _body_row(archive, page_id)["compression"] == "zlib"
        assert "decompresses to other bytes" in caplog.text
        assert archive.page_body(page_id) == _page(site, night=1).body

        def broken(frame: bytes, base: bytes) -> bytes:
            raise store.zstandard.ZstdError("simulated")

        site.grow_views(3)
        monkeypatch.setattr(store, "_delta_decode", broken)
        page_id = archive.save_page(_page(site, night=2), site=site.name, kind="article")
        assert _body_row(archive, page_id)["compression"] == "zlib"
        assert archive.page_body(page_id) == _page(site, night=2).body


def _two_visits(archive: Archive, site: FixtureSite) -> tuple[int, str, str]:
    """(page id of the delta, its sha256, its base's sha256)."""
    archive.save_page(_page(site), site=site.name, kind="article")
    site.grow_views(9)
    page_id = archive.save_page(_page(site, night=1), site=site.name, kind="article")
    row = _body_row(archive, page_id)
    assert row["compression"] == "zstd-delta"
    return page_id, row["sha256"], row["base_sha256"]


def test_a_damaged_delta_is_an_error_naming_the_page(site: FixtureSite) -> None:
    with Archive.open(":memory:") as archive:
        page_id, sha, _ = _two_visits(archive, site)
        data = bytearray(archive.query("SELECT data FROM bodies WHERE sha256 = ?", (sha,))[0][0])
        data[len(data) // 2] ^= 0xFF
        archive.conn.execute("UPDATE bodies SET data = ? WHERE sha256 = ?", (bytes(data), sha))
        with pytest.raises(StoreError, match=rf"page {page_id} \(http://127\.0\.0\.1:1/.*\): body {sha}: its delta"):
            archive.page_body(page_id)


def test_a_missing_base_is_an_error_naming_the_page(site: FixtureSite) -> None:
    with Archive.open(":memory:") as archive:
        page_id, sha, base = _two_visits(archive, site)
        with pytest.raises(sqlite3.IntegrityError):  # the foreign key keeps a base in place
            archive.conn.execute("DELETE FROM bodies WHERE sha256 = ?", (base,))
        archive.conn.execute("PRAGMA foreign_keys = OFF")
        archive.conn.execute("DELETE FROM bodies WHERE sha256 = ?", (base,))
        with pytest.raises(StoreError, match=rf"page {page_id} .*delta against body {base}, which is not in the archive"):
            archive.page_body(page_id)
        # the next visit does not build on what is gone: it is stored in full
        site.grow_views(1)
        later = archive.save_page(_page(site, night=2), site=site.name, kind="article")
        assert _body_row(archive, later)["compression"] == "zlib"


def test_raw_body_reads_both_forms_in_sql(site: FixtureSite, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Archive.open(db) as archive:
        first = _page(site).body
        page_id, sha, base = _two_visits(archive, site)
        expected = {sha: _page(site, night=1).body, base: first}
        got = {r[0]: r[1] for r in archive.query("SELECT sha256, raw_body(sha256) FROM bodies")}
        assert got == expected
        assert archive.query("SELECT raw_body(NULL), raw_body('nope')")[0][:] == (None, None)
    # a plain connection with the web view's functions (harvester serve, the Datasette plugin)
    conn = sqlite3.connect(db)
    register_functions(conn)
    assert conn.execute("SELECT raw_body(body_sha256) FROM pages WHERE id = ?", (page_id,)).fetchone()[0] == expected[sha]


def test_the_three_nights_hold_deltas_that_read_back_and_reparse(three_nights: dict, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    shutil.copy(three_nights["db"], db)
    with Archive.open(db) as archive:
        kinds = dict(archive.query("SELECT compression, count(*) FROM bodies GROUP BY compression"))
        assert kinds.get("zstd-delta", 0) >= 10, kinds  # nightly re-visits of 12 articles whose counts grew
        for page in archive.query("SELECT id, body_sha256 FROM pages WHERE body_sha256 IS NOT NULL"):
            assert hashlib.sha256(archive.page_body(page["id"])).hexdigest() == page["body_sha256"]
        # a parser that once missed the view counts: reparse reads the counts back off the deltas
        on_deltas = archive.query(
            "SELECT c.id, c.views FROM view_counts c JOIN pages p ON p.id = c.page_id "
            "JOIN bodies b ON b.sha256 = p.body_sha256 WHERE b.compression = 'zstd-delta' ORDER BY c.id"
        )
        assert on_deltas
        archive.conn.execute(
            f"UPDATE view_counts SET views = NULL WHERE id IN ({', '.join(str(r['id']) for r in on_deltas)})"
        )
        assert reparse(archive).views_corrected == len(on_deltas)
        assert [tuple(r) for r in archive.query(
            f"SELECT id, views FROM view_counts WHERE id IN ({', '.join(str(r['id']) for r in on_deltas)}) ORDER BY id"
        )] == [tuple(r) for r in on_deltas]


def test_an_archive_from_before_the_migration_keeps_reading(site: FixtureSite, tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    # an archive as the harvester wrote it before 010: zlib bodies, no base_sha256 column
    monkey = pytest.MonkeyPatch()
    monkey.setattr(store, "MIGRATIONS", [m for m in MIGRATIONS if m[0] < "010"])
    try:
        with Archive.open(db) as archive:
            archive.conn.execute(
                "INSERT INTO bodies (sha256, size, compression, data) VALUES (?, ?, 'zlib', ?)",
                (hashlib.sha256(_page(site).body).hexdigest(), len(_page(site).body), zlib.compress(_page(site).body, 6)),
            )
            archive.conn.execute(
                "INSERT INTO pages (site, url, final_url, status, headers, kind, fetched_at, body_sha256) "
                "VALUES (?, ?, ?, 200, '{}', 'article', ?, ?)",
                (site.name, _page(site).url, _page(site).url, T0.isoformat(), hashlib.sha256(_page(site).body).hexdigest()),
            )
            assert "base_sha256" not in {r[1] for r in archive.conn.execute("PRAGMA table_info(bodies)")}
    finally:
        monkey.undo()
    with Archive.open(db, readonly=True) as archive:  # read-only: not migrated, still reads
        assert archive.page_body(1) == _page(site).body
    with Archive.open(db) as archive:
        assert archive.schema_version() == max(name for name, _ in MIGRATIONS)
        assert archive.page_body(1) == _page(site).body
        site.grow_views(2)
        # the first re-visit after the upgrade is a delta against the page stored before it
        page_id = archive.save_page(_page(site, night=1), site=site.name, kind="article")
        assert _body_row(archive, page_id)["compression"] == "zstd-delta"
        assert archive.page_body(page_id) == _page(site, night=1).body


def test_the_schema_docs_python_reads_both_forms(site: FixtureSite) -> None:
    doc = (Path(__file__).parent.parent / "docs" / "schema.md").read_text(encoding="utf-8")
    code = doc[doc.index("    import zlib, zstandard\n"):].split("\n\n")[0]
    namespace: dict = {}
    exec(textwrap.dedent(code), namespace)  # noqa: S102 (our own documentation)
    with Archive.open(":memory:") as archive:
        first = _page(site).body
        page_id, sha, base = _two_visits(archive, site)
        assert namespace["raw"](archive.conn, sha) == archive.page_body(page_id) != first
        assert namespace["raw"](archive.conn, base) == first
