"""`harvester export`: the three exports, their filters, and flat memory (streaming)."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester.cli import cli
from harvester.export import COLUMNS, export
from harvester.output import emit
from harvester.store import Archive


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_views_export_holds_every_observation(three_nights: dict) -> None:
    db = str(three_nights["db"])
    rows = list(csv.DictReader(io.StringIO(_cli("export", "views", "--db", db, "--csv"))))
    with Archive.open(db) as archive:
        assert len(rows) == archive.counts()["view_counts"]
    assert list(rows[0]) == COLUMNS["views"]
    assert [r["observed_at"] for r in rows] == sorted(r["observed_at"] for r in rows)
    later = [json.loads(line) for line in _cli("export", "views", "--db", db, "--nl", "--since", "2026-03-03").splitlines()]
    assert {r["observed_at"] for r in later} == {"2026-03-03T02:00:00+07:00"} and len(later) == 13


def test_versions_export_is_the_numbered_history(three_nights: dict) -> None:
    plan = three_nights
    rows = json.loads(_cli("export", "versions", "--db", str(plan["db"])))
    assert len(rows) == 15  # 14 articles, one edited
    edited = [r for r in rows if r["url"] == plan["site"].url_of(plan["edited"])]
    assert [r["version"] for r in edited] == [1, 2]
    assert isinstance(rows[0]["captions"], list)
    assert list(rows[0]) == COLUMNS["versions"]


def test_articles_export_with_status_and_views(three_nights: dict) -> None:
    plan = three_nights
    rows = {r["url"]: r for r in json.loads(_cli("export", "articles", "--db", str(plan["db"])))}
    assert len(rows) == 14
    gone = rows[plan["site"].url_of(plan["deleted"])]
    assert gone["status"] == "gone" and gone["gone_at"] == "2026-03-03T02:00:00+07:00"
    popular = rows[plan["site"].url_of(plan["popular"])]
    assert popular["views"] == plan["popular"].views and popular["body"]
    # --since keeps the articles seen from then on: the gone one was last seen on night 1
    recent = json.loads(_cli("export", "articles", "--db", str(plan["db"]), "--since", "2026-03-02"))
    assert len(recent) == 13
    assert json.loads(_cli("export", "articles", "--db", str(plan["db"]), "--site", plan["site"].name, "--since", "2030-01-01")) == []


# --- flat memory ------------------------------------------------------------------------------


class _Sink(io.TextIOBase):
    """A stdout that keeps nothing (what it is sent would otherwise count as memory)."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, s: str) -> int:
        self.chars += len(s)
        return len(s)


def _fill(path: Path, rows: int) -> None:
    """An archive of `rows` observations, `rows` // 10 versions and `rows` // 20 articles."""
    n_articles = max(1, rows // 20)
    body = "Sở Lao động - Thương binh và Xã hội tổ chức đối thoại chính sách về giảm nghèo. " * 8
    with Archive.open(path) as archive, archive.transaction():
        c = archive.conn
        c.executemany(
            "INSERT INTO articles (id, site, url, first_seen_at, last_seen_at) VALUES (?, 's', ?, '2026-01-01T00:00:00+07:00', '2026-03-01T00:00:00+07:00')",
            ((i, f"https://s.gov.vn/a-{i}") for i in range(1, n_articles + 1)),
        )
        c.executemany(
            "INSERT INTO versions (article_id, fetched_at, content_hash, title, body) VALUES (?, ?, ?, ?, ?)",
            ((i % n_articles + 1, f"2026-02-{i % 28 + 1:02d}T02:00:00+07:00", f"h{i}", f"Bài {i}", body) for i in range(rows // 10)),
        )
        c.execute("UPDATE articles SET latest_version_id = (SELECT max(id) FROM versions WHERE article_id = articles.id)")
        c.executemany(
            "INSERT INTO view_counts (article_id, observed_at, views) VALUES (?, ?, ?)",
            ((i % n_articles + 1, f"2026-02-{i % 28 + 1:02d}T02:{i % 60:02d}:00+07:00", i) for i in range(rows)),
        )


def _peak(path: Path, kind: str, consume) -> tuple[int, int]:  # noqa: ANN001
    with Archive.open(path) as archive:
        tracemalloc.start()
        tracemalloc.reset_peak()
        n = consume(export(archive, kind))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return n, peak


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    out = {}
    for rows in (10_000, 100_000):
        path = tmp_path_factory.mktemp(f"rows{rows}") / "archive.db"
        _fill(path, rows)
        out[rows] = path
    return out


@pytest.mark.parametrize(("kind", "fmt"), [("views", "nl"), ("views", "csv"), ("views", "json"), ("versions", "nl"), ("articles", "csv")])
def test_an_export_ten_times_larger_needs_no_more_memory(archives: dict[int, Path], kind: str, fmt: str) -> None:
    def write(rows) -> int:  # noqa: ANN001
        return emit(rows, fmt, out=_Sink(), columns=COLUMNS[kind])

    small_n, small = _peak(archives[10_000], kind, write)
    big_n, big = _peak(archives[100_000], kind, write)
    assert big_n == 10 * small_n > 0
    # streaming: the peak is a few rows' worth whatever the size (measured: ~20-60 KB)
    print(f"{kind} {fmt}: peak {small:,} B at {small_n:,} rows, {big:,} B at {big_n:,} rows")
    assert big < small * 1.5 + 64_000, (small, big)


def test_the_memory_check_would_catch_an_export_that_collects(archives: dict[int, Path]) -> None:
    _, streamed = _peak(archives[10_000], "views", lambda rows: emit(rows, "nl", out=_Sink()))
    _, collected = _peak(archives[10_000], "views", lambda rows: len(list(rows)))
    assert collected > 20 * streamed, (streamed, collected)
