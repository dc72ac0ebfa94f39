"""`datasette archive.db` finds the search index for the versions table and searches it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from harvester.store import Archive
from tests.test_search import DOCS, SiteRow, put

datasette_app = pytest.importorskip("datasette.app")


def test_datasette_finds_and_uses_the_fts_table(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    with Archive.open(path) as archive:
        archive.sync_sites([SiteRow("sldtbxh-kontum", "Kon Tum")])
        for slug, doc in DOCS.items():
            put(archive, slug, doc)
        put(archive, "giam-ngheo", DOCS["giam-ngheo"].__class__("Hội nghị sơ kết", "Nội dung mới."))

    async def check() -> None:
        ds = datasette_app.Datasette([str(path)])
        db = ds.get_database("archive")
        assert await db.fts_table("versions") == "search_fts"

        async def titles(query: str) -> list[str]:
            r = await ds.client.get(
                "/archive/versions.json",
                params={"_search": query, "_shape": "array", "_col": "title"},
            )
            assert r.status_code == 200, r.text
            return sorted(row["title"] for row in r.json())

        # folded: with or without diacritics, and only the latest version of each article
        assert await titles("dak glei") == [
            "Phiên giao dịch việc làm tại Đăk Glei",
            "Tin hoạt động",
        ]
        assert await titles("giảm nghèo") == []  # the article's latest version no longer has it
        assert await titles("so ket") == [
            "Giám đốc Sở nghe báo cáo",
            "Hội nghị sơ kết",
        ]  # all words, anywhere
        assert await titles('"(') == []

    asyncio.run(check())
