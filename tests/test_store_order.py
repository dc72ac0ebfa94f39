"""Observations that arrive out of time order (a backfill after live harvests inserts older
history): versions stay a change history ordered by time, and the latest is the newest."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.clock import VN_TZ
from harvester.store import Archive
from parsers import Article

URL = "https://sldtbxh.kontum.gov.vn/tin-tuc-su-kien/Doi-thoai-8801"


def _at(year: int) -> datetime:
    return datetime(year, 3, 10, 9, 0, tzinfo=VN_TZ)


def _article(body: str, views: int) -> Article:
    return Article(url=URL, platform="kontum", title="Đối thoại chính sách", body=body, views=views)


def _store(archive: Archive, year: int, body: str, views: int, source: str = "live") -> None:
    archive.store_article(
        "s",
        _article(body, views),
        requested_url=URL,
        final_url=URL,
        fetched_at=_at(year),
        source=source,
    )


def _history(archive: Archive) -> list[tuple[str, str, str]]:
    rows = archive.query("SELECT fetched_at, body, source FROM versions ORDER BY fetched_at, id")
    return [(r["fetched_at"][:4], r["body"], r["source"]) for r in rows]


def _latest(archive: Archive) -> tuple[str, str]:
    row = archive.query("SELECT fetched_at, body FROM latest_versions")[0]
    return row["fetched_at"][:4], row["body"]


def test_an_older_capture_of_the_same_content_backdates_the_version(archive: Archive) -> None:
    _store(archive, 2026, "A", 900)
    _store(archive, 2021, "A", 400, "wayback")
    assert _history(archive) == [("2021", "A", "wayback")]
    assert _latest(archive) == ("2021", "A")
    views = archive.query("SELECT observed_at, views FROM view_counts ORDER BY observed_at")
    assert [(r[0][:4], r[1]) for r in views] == [("2021", 400), ("2026", 900)]
    first_seen = archive.query("SELECT first_seen_at, last_seen_at FROM articles")[0]
    assert (first_seen[0][:4], first_seen[1][:4]) == ("2021", "2026")


def test_an_older_capture_of_other_content_is_a_version_before_the_latest(archive: Archive) -> None:
    _store(archive, 2026, "B", 900)
    _store(archive, 2021, "A", 400, "wayback")
    assert _history(archive) == [("2021", "A", "wayback"), ("2026", "B", "live")]
    assert _latest(archive) == ("2026", "B")


def test_an_edit_later_reverted_is_found_between_live_observations(archive: Archive) -> None:
    # live saw A in 2021 and A again in 2026; the archive shows B in 2023: A → B → A
    _store(archive, 2021, "A", 100)
    _store(archive, 2026, "A", 900)
    _store(archive, 2023, "B", 500, "wayback")
    assert _history(archive) == [
        ("2021", "A", "live"),
        ("2023", "B", "wayback"),
        ("2026", "A", "live"),
    ]
    assert _latest(archive) == ("2026", "A")
    # each observation reads the version in force at its time
    rows = archive.query(
        """SELECT c.observed_at, (SELECT v.body FROM versions v WHERE v.article_id = c.article_id
               AND v.fetched_at <= c.observed_at ORDER BY v.fetched_at DESC, v.id DESC LIMIT 1) AS body
           FROM view_counts c ORDER BY c.observed_at"""
    )
    assert [(r[0][:4], r[1]) for r in rows] == [("2021", "A"), ("2023", "B"), ("2026", "A")]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from("ABC"), min_size=1, max_size=8).flatmap(
        lambda bodies: st.tuples(st.just(bodies), st.permutations(range(len(bodies))))
    )
)
def test_captures_in_any_order_give_the_history_of_the_sorted_captures(
    case: tuple[list[str], list[int]],
) -> None:
    bodies, order = case
    with Archive.open(":memory:") as archive:
        for i in order:
            _store(archive, 2010 + i, bodies[i], i, "live" if i == len(bodies) - 1 else "wayback")
        # one version at the start of each run of equal content, in time order
        expected = [
            (str(2010 + i), b) for i, b in enumerate(bodies) if i == 0 or bodies[i - 1] != b
        ]
        assert [(y, b) for y, b, _ in _history(archive)] == expected
        assert _latest(archive) == expected[-1]
        assert [
            r[0] for r in archive.query("SELECT views FROM view_counts ORDER BY observed_at")
        ] == list(range(len(bodies)))


def test_an_archive_capture_never_revives_a_gone_article(archive: Archive) -> None:
    _store(archive, 2026, "A", 900)
    archive.mark_missing(URL, _at(2026))
    archive.mark_missing(URL, _at(2026))
    assert archive.query("SELECT status FROM articles")[0][0] == "gone"
    _store(archive, 2021, "A", 400, "wayback")
    assert archive.query("SELECT status FROM articles")[0][0] == "gone"
    assert archive.query("SELECT count(*) FROM urls WHERE last_fetched_at LIKE '2021%'")[0][0] == 0
