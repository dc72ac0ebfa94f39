"""Which article a fetch belongs to (redirects, canonical links, merges) and when it is gone."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from harvester.clock import VN_TZ
from harvester.errors import StoreError
from harvester.store import Archive
from parsers import Article

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=VN_TZ)
SITE = "https://sotuphap.kontum.gov.vn"


def _article(url: str, title: str = "Hội nghị triển khai công tác tư pháp năm 2026", *,
             body: str = "Sáng nay, Sở Tư pháp tổ chức hội nghị.", canonical: str | None = None,
             views: int | None = 100) -> Article:
    return Article(url=url, platform="kontum", title=title, body=body, canonical_url=canonical, views=views)


def _store(archive: Archive, art: Article, at: datetime, requested: str | None = None, final: str | None = None):  # noqa: ANN202
    return archive.store_article("stp", art, requested_url=requested or art.url, final_url=final or art.url, fetched_at=at)


def _urls(archive: Archive, article_id: int) -> dict[str, str]:
    return {r["url"]: r["reason"] for r in archive.query("SELECT url, reason FROM article_urls WHERE article_id = ?", (article_id,))}


def test_a_redirect_to_a_url_never_seen_moves_the_article(archive: Archive) -> None:
    old, new = f"{SITE}/tin-tuc/Hoi-nghi-1", f"{SITE}/tin-tuc-moi/Hoi-nghi-1"
    first = _store(archive, _article(old), T0)
    second = _store(archive, _article(new, views=120), T0 + timedelta(days=1), requested=old, final=new)
    assert second.article_id == first.article_id
    assert not second.new_article and not second.new_version
    row = archive.query("SELECT url FROM articles WHERE id = ?", (first.article_id,))[0]
    assert row["url"] == new
    assert _urls(archive, first.article_id) == {old: "redirect", new: "canonical"}
    moved = [e for e in archive.events(first.article_id) if e["event"] == "moved"]
    assert json.loads(moved[0]["detail"]) == {"from": old, "to": new, "reason": "redirect"}
    assert archive.counts()["articles"] == 1


def test_the_same_story_at_a_new_url_is_one_article_at_once(archive: Archive) -> None:
    old, new = f"{SITE}/tin-tuc/Hoi-nghi-1", f"{SITE}/tin-tuc-moi/Hoi-nghi-1"
    first = _store(archive, _article(old), T0)
    stray = _store(archive, _article(new, views=120), T0 + timedelta(days=1))  # found on a listing
    assert stray.alias and stray.article_id == first.article_id and not stray.new_version
    assert _urls(archive, first.article_id) == {old: "canonical", new: "duplicate"}
    # a second URL does not move the article; a redirect to it does
    assert archive.query("SELECT url FROM articles")[0]["url"] == old
    _store(archive, _article(new, views=121), T0 + timedelta(days=2), requested=old, final=new)
    assert archive.query("SELECT url FROM articles")[0]["url"] == new
    assert _urls(archive, first.article_id) == {old: "redirect", new: "canonical"}
    assert archive.counts()["articles"] == 1


def test_a_new_url_seen_before_the_redirect_is_merged_into_the_old_article(archive: Archive) -> None:
    old, new = f"{SITE}/tin-tuc/Hoi-nghi-1", f"{SITE}/tin-tuc-moi/Hoi-nghi-tong-ket-2"  # a new portal id too
    first = _store(archive, _article(old), T0)
    later = T0 + timedelta(days=1)
    # found on a listing before the old URL is revisited, already edited: not recognisable yet
    edited = "Sáng nay, Sở Tư pháp tổ chức hội nghị tổng kết."
    stray = _store(archive, _article(new, body=edited, views=120), later)
    assert stray.new_article
    merged = _store(archive, _article(new, body=edited, views=121), later + timedelta(minutes=5), requested=old, final=new)
    assert merged.article_id == first.article_id
    assert archive.counts()["articles"] == 1
    # one history: the old content, then the edit (the stray's version is the article's second)
    current = archive.query(
        "SELECT body FROM versions WHERE article_id = ? AND superseded_at IS NULL ORDER BY fetched_at, id", (first.article_id,)
    )
    assert [r["body"] for r in current] == ["Sáng nay, Sở Tư pháp tổ chức hội nghị.", edited]
    views = [r["views"] for r in archive.query("SELECT views FROM view_counts WHERE article_id = ? ORDER BY observed_at, id", (first.article_id,))]
    assert views == [100, 120, 121]
    assert "merged" in [e["event"] for e in archive.events(first.article_id)]
    assert archive.query("PRAGMA foreign_key_check") == []


def test_a_changed_canonical_link_keeps_one_article_with_every_url(archive: Archive) -> None:
    page = f"{SITE}/Default.aspx?id=77"
    c1, c2 = f"{SITE}/tin-tuc/Hoi-nghi-77", f"{SITE}/tin-tuc/hoi-nghi-tu-phap-77"
    first = _store(archive, _article(page, canonical=c1), T0)
    assert archive.query("SELECT url FROM articles")[0]["url"] == c1
    second = _store(archive, _article(page, canonical=c2), T0 + timedelta(days=1))
    assert second.article_id == first.article_id and not second.new_version
    assert archive.query("SELECT url FROM articles")[0]["url"] == c2
    assert set(_urls(archive, first.article_id)) == {page, c1, c2}
    # a night without the link changes nothing: the fetched URL is already the article's
    _store(archive, _article(page), T0 + timedelta(days=2))
    assert archive.query("SELECT url FROM articles")[0]["url"] == c2
    assert [e["event"] for e in archive.events(first.article_id)] == ["moved"]


def test_a_canonical_link_shared_by_unrelated_pages_does_not_merge_them(archive: Archive) -> None:
    bogus = f"{SITE}/tin-tuc/trang-tin"  # a template that points every page's canonical link here
    a = _store(archive, _article(f"{SITE}/tin-tuc/A-1", "Bài A", canonical=bogus), T0)
    b = _store(archive, _article(f"{SITE}/tin-tuc/B-2", "Bài B", canonical=bogus), T0)
    assert a.article_id != b.article_id
    assert archive.query("SELECT url FROM articles WHERE id = ?", (b.article_id,))[0]["url"] == f"{SITE}/tin-tuc/B-2"
    titles = {r["title"] for r in archive.query("SELECT title FROM latest_versions")}
    assert titles == {"Bài A", "Bài B"}


def test_the_same_article_under_two_urls_joins_by_its_canonical_link(archive: Archive) -> None:
    main = f"{SITE}/tin-tuc/Hoi-nghi-5"
    a = _store(archive, _article(main, canonical=main), T0)
    b = _store(archive, _article(f"{SITE}/thong-bao/Hoi-nghi-5", canonical=main), T0 + timedelta(hours=1))
    assert a.article_id == b.article_id
    assert archive.counts()["articles"] == 1


def test_two_misses_in_one_run_count_once(archive: Archive) -> None:
    url = f"{SITE}/tin-tuc/Hoi-nghi-1"
    stored = _store(archive, _article(url), T0)
    assert archive.mark_missing(url, T0 + timedelta(days=1), run_id=2, status=404) == (stored.article_id, False)
    assert archive.mark_missing(url, T0 + timedelta(days=1, minutes=1), run_id=2, status=404) == (stored.article_id, False)
    assert archive.query("SELECT status, missing_count FROM articles")[0][:] == ("live", 1)
    assert archive.mark_missing(url, T0 + timedelta(days=2), run_id=3, status=410) == (stored.article_id, True)
    row = archive.query("SELECT status, gone_at FROM articles")[0]
    assert row["status"] == "gone" and row["gone_at"] == (T0 + timedelta(days=2)).isoformat()
    # a third miss changes nothing; the article and its version stay
    assert archive.mark_missing(url, T0 + timedelta(days=3), run_id=4, status=404) == (stored.article_id, False)
    assert archive.counts()["versions"] == 1


def test_a_miss_in_between_successes_does_not_add_up(archive: Archive) -> None:
    url = f"{SITE}/tin-tuc/Hoi-nghi-1"
    _store(archive, _article(url), T0)
    archive.mark_missing(url, T0 + timedelta(days=1), run_id=2, status=404)
    _store(archive, _article(url), T0 + timedelta(days=2))  # back: a transient 404
    archive.mark_missing(url, T0 + timedelta(days=3), run_id=4, status=404)
    assert archive.query("SELECT status, missing_count FROM articles")[0][:] == ("live", 1)


def test_an_old_address_answering_404_does_not_make_a_moved_article_gone(archive: Archive) -> None:
    old, new = f"{SITE}/tin-tuc/Hoi-nghi-1", f"{SITE}/tin-tuc-moi/Hoi-nghi-1"
    stored = _store(archive, _article(old), T0)
    _store(archive, _article(new), T0 + timedelta(days=1), requested=old, final=new)
    for day in (2, 3, 4):
        assert archive.mark_missing(old, T0 + timedelta(days=day), run_id=day, status=404) == (stored.article_id, False)
    assert archive.query("SELECT status FROM articles")[0][0] == "live"
    assert archive.mark_missing(f"{SITE}/never-seen", T0) is None


def test_a_gone_article_that_comes_back_is_live_again_with_the_gap_recorded(archive: Archive) -> None:
    url = f"{SITE}/tin-tuc/Hoi-nghi-1"
    stored = _store(archive, _article(url), T0)
    archive.mark_missing(url, T0 + timedelta(days=1), run_id=2, status=404)
    archive.mark_missing(url, T0 + timedelta(days=2), run_id=3, status=404)
    _store(archive, _article(url), T0 + timedelta(days=5))
    assert archive.query("SELECT status, gone_at FROM articles")[0][:] == ("live", None)
    assert [e["event"] for e in archive.events(stored.article_id)] == ["missing", "missing", "gone", "back"]


def test_a_back_dated_capture_never_becomes_the_latest_version(archive: Archive) -> None:
    url = f"{SITE}/tin-tuc/Hoi-nghi-1"
    _store(archive, _article(url, body="Bản sửa."), T0 + timedelta(days=10))
    old = _store(archive, _article(url, body="Bản đầu."), T0)  # e.g. a web-archive capture
    assert old.new_version
    latest = archive.query("SELECT body, fetched_at FROM latest_versions")[0]
    assert latest["body"] == "Bản sửa."
    row = archive.query("SELECT first_seen_at, last_seen_at FROM articles")[0]
    assert row["first_seen_at"] == T0.isoformat() and row["last_seen_at"] == (T0 + timedelta(days=10)).isoformat()


def test_a_merge_leaves_no_stale_portal_id_behind(archive: Archive) -> None:
    """The portal-id index still named the merged-away article: the next URL with its id
    resolved to a deleted row."""
    a, b = f"{SITE}/tin-tuc/Hoi-nghi-100", f"{SITE}/tin-tuc/Hoi-nghi-tong-ket-200"
    first = _store(archive, _article(a), T0)
    _store(archive, _article(b, body="Một bài khác."), T0 + timedelta(hours=1))
    _store(archive, _article(b, body="Một bài khác."), T0 + timedelta(days=1), requested=a, final=b)  # a merge
    assert archive.counts()["articles"] == 1
    again = _store(archive, _article(f"{SITE}/khac/Hoi-nghi-tong-ket-200", body="Một bài khác."), T0 + timedelta(days=2))
    assert again.article_id == first.article_id and not again.new_article
    assert archive.counts()["articles"] == 1


def test_a_url_naming_a_missing_article_is_a_store_error(archive: Archive) -> None:
    url = f"{SITE}/tin-tuc/Hoi-nghi-1"
    _store(archive, _article(url), T0)
    archive.conn.execute("PRAGMA foreign_keys = OFF")  # damage made by hand
    archive.conn.execute("DELETE FROM articles")
    with pytest.raises(StoreError, match=r"article_urls names article \d+, which is not in the archive"):
        _store(archive, _article(url), T0 + timedelta(days=1))


def test_an_archive_from_before_migration_009_finds_its_articles_by_key_and_portal_id(tmp_path) -> None:  # noqa: ANN001
    """URLs stored before the keys and portal ids were (or written by hand without them) are
    keyed on the next night, and a platform's portal ids are read from the URLs on first use."""
    with Archive.open(tmp_path / "a.db") as archive:
        first = _store(archive, _article(f"{SITE}/tin-tuc/Hoi-nghi-100"), T0)
        archive.enqueue("stp", [f"{SITE}/tin-tuc/Queued-7"])
        # as an archive that predates 009 would be after its migration's columns were added
        archive.conn.execute("UPDATE urls SET url_key = NULL")
        archive.conn.execute("UPDATE article_urls SET url_key = NULL")
        archive.conn.execute("DELETE FROM portal_ids")
        archive.conn.execute("DELETE FROM portal_id_rules")
    with Archive.open(tmp_path / "a.db") as archive:
        assert not archive.knows("stp", "https://sotuphap.kontum.gov.vn/tin-tuc/Hoi-nghi-100")
        assert archive.fill_url_keys() == 3  # the article's URL in urls and article_urls, the queued one
        assert archive.fill_url_keys() == 0
        assert archive.knows("stp", "https://sotuphap.kontum.gov.vn/tin-tuc/Hoi-nghi-100")
        assert archive.knows("stp", "https://sotuphap.kontum.gov.vn/tin-tuc/Queued-7")
        assert not archive.knows("other-site", "https://sotuphap.kontum.gov.vn/tin-tuc/Queued-7")
        # another URL, another text: only the portal id (100) says it is the same article
        again = _store(archive, _article(f"{SITE}/chuyen-muc-khac/Hoi-nghi-sua-100", body="Bản sửa."), T0 + timedelta(days=1))
        assert again.article_id == first.article_id and not again.new_article
        assert archive.query("SELECT pattern FROM portal_id_rules WHERE platform = 'kontum'")


def test_migration_009_keys_the_urls_already_stored(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from harvester import store

    before = [(name, sql) for name, sql in store.MIGRATIONS if name < "009"]
    monkeypatch.setattr(store, "MIGRATIONS", before)
    with Archive.open(tmp_path / "a.db") as archive:
        archive.conn.execute(
            "INSERT INTO urls (url, site, kind, first_seen_at) VALUES (?, 'stp', 'article', ?)",
            (f"{SITE}/tin-tuc/Cu-5/", T0.isoformat()),
        )
        assert archive.schema_version() < "009"
    monkeypatch.undo()
    with Archive.open(tmp_path / "a.db") as archive:
        assert "009_url_keys" in {r[0] for r in archive.query("SELECT name FROM migrations")}
        assert archive.query("SELECT url_key FROM urls")[0][0] == "https://sotuphap.kontum.gov.vn/tin-tuc/Cu-5"
        assert archive.knows("stp", "https://sotuphap.kontum.gov.vn/tin-tuc/Cu-5")


def test_keys_stored_under_older_key_rules_are_recomputed(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """Stored keys follow harvester.urls' rules: when those change (their fingerprint in
    key_rules differs), the next night re-keys every URL instead of missing what it holds."""
    import harvester.store as store

    with Archive.open(tmp_path / "a.db") as archive:
        _store(archive, _article(f"{SITE}/tin-tuc/Hoi-nghi-100"), T0)
        archive.enqueue("stp", [f"{SITE}/tin-tuc/Queued-7"])
        assert archive.fill_url_keys() == 0  # records the rules the keys were made with
        # keys as an older rule made them
        archive.conn.execute("UPDATE urls SET url_key = 'old:' || url_key")
        archive.conn.execute("UPDATE article_urls SET url_key = 'old:' || url_key")
        assert not archive.knows("stp", "https://sotuphap.kontum.gov.vn/tin-tuc/Queued-7")
        assert archive.fill_url_keys() == 0  # the same rules: nothing to redo
        monkeypatch.setattr(store, "URL_KEY_RULE", "a-newer-rule")
        assert archive.fill_url_keys() == 3
        assert archive.knows("stp", "https://sotuphap.kontum.gov.vn/tin-tuc/Queued-7")
        assert archive.knows("stp", "https://sotuphap.kontum.gov.vn/tin-tuc/Hoi-nghi-100")
        assert archive.fill_url_keys() == 0
