"""Search: the latest version of each article, found with or without diacritics, with
either tone placement, safe from FTS5 syntax, kept in step with new versions."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester import store
from harvester.cli import cli
from harvester.errors import StoreError
from harvester.search import parse_query, search, window
from harvester.store import Archive
from parsers import Article
from parsers.normalise import display

TZ = timezone(timedelta(hours=7))
T0 = datetime(2023, 9, 16, 8, 0, tzinfo=TZ)


@dataclass
class SiteRow:
    name: str
    province: str
    department: str = "Sở"
    platform: str = "auto"
    start_urls: tuple[str, ...] = ()
    status: str = "live"


@dataclass
class Doc:
    title: str
    body: str
    captions: tuple[str, ...] = ()
    site: str = "sldtbxh-kontum"
    published: date | None = date(2023, 9, 16)
    category: str | None = "Tin tức - Sự kiện"
    views: list[int | None] = field(default_factory=lambda: [100])


def put(archive: Archive, slug: str, doc: Doc, *, shown: bool = True) -> str:
    """Store an article as the pipeline would (its text in display form unless `shown`
    is False: an archive written before tone placement was canonical)."""
    url = f"http://{doc.site}.example/tin-tuc/{slug}"
    form = display if shown else (lambda s: s)
    body = "\n\n".join(form(p) for p in doc.body.split("\n\n"))
    for i, views in enumerate(doc.views):
        article = Article(
            url=url,
            platform="generic",
            title=form(doc.title),
            body=body,
            captions=tuple(form(c) for c in doc.captions),
            published_at=doc.published,
            views=views,
            category=doc.category,
        )
        archive.store_article(
            doc.site, article, requested_url=url, final_url=url, fetched_at=T0 + timedelta(hours=i)
        )
    return url


DOCS = {
    "giam-ngheo": Doc(
        "Đối thoại chính sách về công tác giảm nghèo",
        "Sở tổ chức đối thoại về giảm nghèo bền vững tại huyện Sa Thầy.",
    ),
    "dak-glei": Doc(
        "Phiên giao dịch việc làm tại Đăk Glei",
        "Hơn 30 doanh nghiệp tham gia tuyển dụng ở huyện Đăk Glei.",
        captions=("Toàn cảnh phiên giao dịch",),
        views=[10, 20, None],
    ),
    "hoa-binh": Doc(
        "Đoàn công tác tỉnh Hoà Bình thăm Kon Tum",
        "Đoàn công tác của tỉnh Hoà Bình đến thăm và làm việc.",
        site="sotuphap-hoabinh",
        category="TIN HOẠT ĐỘNG",
        published=date(2023, 6, 1),
    ),
    "giam-doc": Doc(
        "Giám đốc Sở nghe báo cáo", "Giám đốc Sở nghe báo cáo kết quả công tác quý III."
    ),
    "da-nang": Doc(
        "Tập huấn tại Đà Nẵng",
        "Cán bộ tham dự tập huấn nghiệp vụ tại thành phố Đà Nẵng.",
        published=date(2022, 1, 5),
    ),
    "captions": Doc(
        "Hội nghị tổng kết năm",
        "Hội nghị đã đánh giá kết quả thực hiện nhiệm vụ.",
        captions=("Đồng chí Giám đốc phát biểu", "Các đại biểu tham dự ở Ngọc Hồi"),
    ),
    "body-only": Doc(
        "Tin hoạt động", "Nhiều hộ dân ở Đăk Glei đã thoát nghèo nhờ mô hình trồng sâm."
    ),
}


@pytest.fixture
def filled(tmp_path: Path) -> Archive:
    archive = Archive.open(tmp_path / "archive.db")
    archive.sync_sites(
        [SiteRow("sldtbxh-kontum", "Kon Tum"), SiteRow("sotuphap-hoabinh", "Hòa Bình")]
    )
    for slug, doc in DOCS.items():
        put(archive, slug, doc)
    yield archive
    archive.close()


def slugs(hits) -> list[str]:
    return [h.url.rsplit("/", 1)[1] for h in hits]


def test_with_or_without_diacritics_case_and_nfd_find_the_same_articles(filled: Archive) -> None:
    queries = [
        "giam ngheo",
        "GIẢM NGHÈO",
        "giảm nghèo",
        unicodedata.normalize("NFD", "giảm nghèo"),
        "Giam Ngheo",
    ]
    results = [sorted(slugs(search(filled, q))) for q in queries]
    assert results[0] == ["giam-ngheo"]
    assert all(r == results[0] for r in results)


def test_a_phrase_is_not_its_words_apart(filled: Archive) -> None:
    """'giam ngheo' is not Giám đốc … nghe: the phrase matches first."""
    hits = search(filled, "giam ngheo")
    assert "giam-doc" not in slugs(hits)
    assert hits[0].mode == "phrase, ignoring diacritics" and not hits[0].fallback


def test_dak_glei_finds_dak_glei_with_its_d_stroke(filled: Archive) -> None:
    assert sorted(slugs(search(filled, "dak glei"))) == ["body-only", "dak-glei"]
    assert sorted(slugs(search(filled, "Đăk Glei"))) == ["body-only", "dak-glei"]
    assert search(filled, "dak glei")[0].snippet.count("[Đăk Glei]") == 1


def test_either_tone_placement_finds_the_other(filled: Archive) -> None:
    new_style = search(filled, "hoà bình")
    old_style = search(filled, "hòa bình")
    assert slugs(new_style) == slugs(old_style) == ["hoa-binh"]
    assert new_style[0].title == "Đoàn công tác tỉnh Hòa Bình thăm Kon Tum"
    assert not new_style[0].fallback


def test_text_stored_before_tone_placement_is_still_found(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "old.db") as archive:
        put(archive, "old", Doc("Tỉnh Hoà Bình", "Thuỷ lợi ở Hoà Bình."), shown=False)
        for q in ("hòa bình", "hoà bình", "hoa binh", "thủy lợi"):
            assert slugs(search(archive, q)) == ["old"], q


def test_an_accented_query_that_finds_nothing_is_retried_folded(filled: Archive) -> None:
    hits = search(filled, "Đà Nang")
    assert slugs(hits) == ["da-nang"]
    assert hits[0].fallback and hits[0].mode == "phrase, ignoring diacritics"
    assert "[Đà Nẵng]" in hits[0].snippet


def test_all_terms_when_there_is_no_phrase(filled: Archive) -> None:
    hits = search(filled, "nghèo Sa Thầy")
    assert slugs(hits) == ["giam-ngheo"]
    assert hits[0].mode == "all terms"
    assert "[nghèo]" in hits[0].snippet and "[Sa] [Thầy]" in hits[0].snippet


def test_prefix_terms(filled: Archive) -> None:
    assert "giam-ngheo" in slugs(search(filled, "giam ngh*"))
    assert {"giam-ngheo", "giam-doc"} <= set(slugs(search(filled, "gia*")))
    assert slugs(search(filled, "Đăk Gl*")) == slugs(search(filled, "dak glei"))


def test_the_title_outranks_the_body(filled: Archive) -> None:
    hits = search(filled, "dak glei")
    assert slugs(hits) == ["dak-glei", "body-only"]
    assert hits[0].rank < hits[1].rank  # bm25: lower is better


def test_captions_are_searched_and_snippeted(filled: Archive) -> None:
    hits = search(filled, "ngoc hoi")
    assert slugs(hits) == ["captions"]
    assert hits[0].snippet == "Các đại biểu tham dự ở [Ngọc Hồi]"


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "(",
        ")",
        "AND",
        "OR",
        "NOT",
        "-x",
        "a:b",
        "*",
        "",
        "   ",
        '"giam',
        "giam)",
        "title:giam",
        "NEAR(a b)",
        "^giam",
        "giam + ngheo",
        "{title}: x",
        "'",
        "\\",
        "\x00",
        "💥",
        "a" * 500,
        "đ" * 3,
        "giảm AND nghèo",
        "giam -ngheo",
        "(giam OR ngheo)",
    ],
)
def test_hostile_queries_return_results_or_nothing_never_an_error(
    filled: Archive, query: str
) -> None:
    hits = search(filled, query)
    assert isinstance(hits, list)
    q = parse_query(query)
    for term in q.terms:
        assert '"' not in term and term.strip()


def test_fts_operators_in_a_query_are_words(filled: Archive) -> None:
    assert slugs(search(filled, "giảm AND nghèo")) == []  # "and" is a word no article has there
    assert slugs(search(filled, "(giam ngheo)")) == ["giam-ngheo"]
    assert slugs(search(filled, "-giam ngheo")) == ["giam-ngheo"]


def test_filters(filled: Archive) -> None:
    assert slugs(search(filled, "cong tac", site="sotuphap-hoabinh")) == ["hoa-binh"]
    assert set(slugs(search(filled, "cong tac", province="kon tum"))) == {"giam-ngheo", "giam-doc"}
    assert slugs(search(filled, "cong tac", province="Hoà Bình")) == ["hoa-binh"]
    assert search(filled, "cong tac", province="Hà Nội") == []
    assert slugs(search(filled, "cong tac", category="tin hoat dong")) == ["hoa-binh"]
    assert slugs(search(filled, "tap huan", since="2022-01-05", until="2022-01-05")) == ["da-nang"]
    assert search(filled, "tap huan", since=date(2022, 1, 6)) == []
    assert slugs(search(filled, "tap huan", until="2022-12-31")) == ["da-nang"]
    with pytest.raises(ValueError, match="since: expected a date"):
        search(filled, "x", since="16/09/2023")
    with pytest.raises(ValueError, match="limit"):
        search(filled, "x", limit=0)


def test_limit(filled: Archive) -> None:
    assert len(search(filled, "o", limit=2)) <= 2
    assert len(search(filled, "cong tac", limit=1)) == 1


def test_views_are_the_latest_known_count(filled: Archive) -> None:
    hit = search(filled, "dak glei")[0]
    assert hit.views == 20
    assert hit.as_row() == {
        "article_id": filled.article_id_for("http://sldtbxh-kontum.example/tin-tuc/dak-glei"),
        "url": "http://sldtbxh-kontum.example/tin-tuc/dak-glei",
        "site": "sldtbxh-kontum",
        "title": "Phiên giao dịch việc làm tại Đăk Glei",
        "published_at": "2023-09-16",
        "views": 20,
        "snippet": hit.snippet,
    }


def test_window_cuts_at_words_and_marks_inside() -> None:
    text = " ".join(f"từ{i}" for i in range(200))
    start = text.index("từ100")
    snippet = window(text, [(start, start + 5)], width=60)
    assert snippet.startswith("… ") and snippet.endswith("…")
    assert "[từ100]" in snippet and len(snippet) < 90


# --- the index follows the latest version ------------------------------------------------------


def indexed(archive: Archive) -> set[int]:
    return {r[0] for r in archive.query("SELECT id FROM search_fts_docsize")} | set()


def latest(archive: Archive) -> set[int]:
    return {r[0] for r in archive.query("SELECT latest_version_id FROM articles")}


def test_a_new_version_replaces_the_old_one_in_the_index(filled: Archive) -> None:
    doc = DOCS["giam-ngheo"]
    put(filled, "giam-ngheo", Doc("Hội nghị sơ kết công tác an sinh", doc.body))
    assert search(filled, "doi thoai chinh sach") == []
    assert slugs(search(filled, "so ket cong tac")) == ["giam-ngheo"]
    assert filled.counts()["versions"] == len(DOCS) + 1
    assert indexed(filled) == latest(filled)
    assert {r[0] for r in filled.query("SELECT id FROM search_accents_fts_docsize")} == latest(
        filled
    )


def test_a_reparse_that_rewrites_latest_version_id_is_followed(filled: Archive) -> None:
    """Any writer (a reparse, the sqlite3 shell) that moves latest_version_id moves the index."""
    put(filled, "giam-ngheo", Doc("Hội nghị sơ kết", "Nội dung mới."))
    article_id = filled.query("SELECT id FROM articles WHERE url LIKE '%/giam-ngheo'")[0][0]
    first = filled.query("SELECT min(id) FROM versions WHERE article_id = ?", (article_id,))[0][0]
    with filled.transaction():
        filled.conn.execute(
            "UPDATE articles SET latest_version_id = ? WHERE id = ?", (first, article_id)
        )
    assert slugs(search(filled, "giam ngheo")) == ["giam-ngheo"]
    assert search(filled, "noi dung moi") == []
    with filled.transaction():  # a version rewritten in place
        filled.conn.execute("UPDATE versions SET title = 'Tiêu đề sửa lại' WHERE id = ?", (first,))
    assert slugs(search(filled, "tieu de sua lai")) == ["giam-ngheo"]
    assert "giam-ngheo" not in slugs(search(filled, "doi thoai chinh sach"))
    with filled.transaction():  # and gone
        filled.conn.execute("DELETE FROM view_counts WHERE article_id = ?", (article_id,))
        filled.conn.execute("DELETE FROM article_urls WHERE article_id = ?", (article_id,))
        filled.conn.execute("DELETE FROM versions WHERE article_id = ?", (article_id,))
        filled.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
    assert search(filled, "tieu de sua lai") == []
    assert indexed(filled) == latest(filled)


def test_rebuild_restores_a_damaged_index(filled: Archive) -> None:
    with filled.transaction():
        filled.conn.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
    assert search(filled, "giam ngheo") == []
    filled.rebuild_search_index()
    assert slugs(search(filled, "giam ngheo")) == ["giam-ngheo"]
    assert indexed(filled) == latest(filled)


def test_an_archive_from_before_search_is_indexed_when_a_command_migrates_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "before.db"
    monkeypatch.setattr(store, "MIGRATIONS", [m for m in store.MIGRATIONS if m[0] != "004_search_fts"])
    with Archive.open(path) as archive:
        put(archive, "dak-glei", DOCS["dak-glei"])
        with pytest.raises(StoreError, match="no search index"):
            search(archive, "dak glei")
    monkeypatch.undo()
    with pytest.raises(StoreError, match="no search index"):  # a path is opened read-only
        search(path, "dak glei")
    # the command brings a writable archive up to date first
    result = CliRunner().invoke(cli, ["search", "dak glei", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert [r["url"].rsplit("/", 1)[1] for r in json.loads(result.stdout)] == ["dak-glei"]
    assert slugs(search(path, "dak glei")) == ["dak-glei"]


def test_no_archive_is_an_error_not_an_empty_archive(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no archive here"):
        search(tmp_path / "missing.db", "x")
    assert not (tmp_path / "missing.db").exists()


# --- the command ------------------------------------------------------------------------------


def test_the_command_prints_json_csv_and_tables(filled: Archive) -> None:
    db = filled.path
    runner = CliRunner()
    result = runner.invoke(cli, ["search", "dak glei", "--db", db])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["url"].rsplit("/", 1)[1] for r in rows] == ["dak-glei", "body-only"]
    assert list(rows[0]) == ["article_id", "url", "site", "title", "published_at", "views", "snippet"]
    # the id is the one history and views take
    history = runner.invoke(cli, ["history", str(rows[0]["article_id"]), "--db", db])
    assert history.exit_code == 0, history.output
    assert rows[0]["title"] in history.stdout
    result = runner.invoke(
        cli, ["search", "dak glei", "--db", db, "--csv", "--province", "Kon Tum", "--limit", "1"]
    )
    assert result.stdout.splitlines()[0] == "article_id,url,site,title,published_at,views,snippet"
    assert len(result.stdout.splitlines()) == 2
    result = runner.invoke(cli, ["search", "dak glei", "--db", db, "-t"])
    assert result.exit_code == 0 and "Đăk Glei" in result.stdout
    result = runner.invoke(
        cli,
        [
            "search",
            "dak glei",
            "--db",
            db,
            "--nl",
            "--since",
            "2023-09-16",
            "--until",
            "2023-09-16",
        ],
    )
    assert len(result.stdout.splitlines()) == 2


def test_the_command_says_when_it_ignored_diacritics(filled: Archive) -> None:
    result = CliRunner().invoke(cli, ["search", "Đà Nang", "--db", filled.path])
    assert result.exit_code == 0
    assert "ignore them" in result.stderr
    assert json.loads(result.stdout)[0]["title"] == "Tập huấn tại Đà Nẵng"


@pytest.mark.parametrize("query", ['"', "(", "AND", "-x", "a:b", "*", ""])
def test_the_command_never_fails_on_a_hostile_query(filled: Archive, query: str) -> None:
    # "--" ends the options, so a query may start with "-"
    result = CliRunner().invoke(cli, ["search", "--db", filled.path, "--", query])
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), list)


def test_the_command_errors(tmp_path: Path, filled: Archive) -> None:
    result = CliRunner().invoke(cli, ["search", "x", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "no archive here" in result.output
    result = CliRunner().invoke(cli, ["search", "x", "--db", filled.path, "--since", "2023-02-30"])
    assert result.exit_code == 2 and "expected a date" in result.output


@pytest.mark.parametrize("day", ["20230101xx", "2023-W01-1", "20230101", "2023-1-5", "٢٠٢٣-٠١-٠١", "2023-01-01T00:00"])
def test_the_command_and_the_library_read_dates_alike(filled: Archive, day: str) -> None:
    """The command's --since once accepted what Python 3.11's fromisoformat does (week
    dates, basic format) while search() refused them: one parser now serves both."""
    with pytest.raises(ValueError, match="expected a date like 2023-09-16"):
        search(filled, "x", since=day)
    for option in ("--since", "--until"):
        result = CliRunner().invoke(cli, ["search", "x", "--db", filled.path, option, day])
        assert result.exit_code == 2 and "expected a date like 2023-09-16" in result.output


# --- end to end: a harvest of the fixture server ----------------------------------------------


def test_a_harvested_site_is_searchable(tmp_path: Path, site, server) -> None:
    from harvester.config import load_config
    from harvester.pipeline import harvest
    from parsers.normalise import search_key
    from tests.test_end_to_end import _config

    config = load_config(_config(tmp_path, [site]))
    with Archive.open(tmp_path / "archive.db") as archive:
        harvest(config, archive)
        for folded, accented in (
            ("giam ngheo", "giảm nghèo"),
            ("dak glei", "Đăk Glei"),
            ("uy ban nhan dan", "Ủy ban nhân dân"),
        ):
            expected = {
                site.url_of(a)
                for a in site.articles
                if folded in search_key(" ".join([a.title, *a.paragraphs, *a.captions]))
            }
            assert expected, folded
            for q in (folded, accented, accented.upper()):
                assert {h.url for h in search(archive, q, limit=100)} == expected, q


def test_a_query_too_common_to_weigh_lists_title_matches_first_then_newest(
    filled: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past BM25_BUDGET (a million articles, common words) bm25 is skipped: its weighing
    visits every article holding the words. Title matches come first, newest first."""
    from harvester import search as search_module

    put(filled, "newest-body", Doc("Tin mới", "Huyện Đăk Glei tổ chức hội nghị."))
    monkeypatch.setattr(search_module, "BM25_BUDGET", 0)
    hits = search(filled, "dak glei")
    assert slugs(hits) == ["dak-glei", "newest-body", "body-only"]
    assert all(h.rank is None and h.mode.endswith("newest first") for h in hits)
    assert "[Đăk Glei]" in hits[1].snippet


def test_the_weighing_estimate_is_exact_on_a_small_archive(filled: Archive) -> None:
    from harvester.search import _Sample

    sample = _Sample(filled)
    assert sample.articles_with('"glei"') == 2
    exact = filled.query("SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"nghe\"*'")[0][0]
    assert sample.articles_with('"nghe"*') == exact == 3  # nghèo twice, nghe
