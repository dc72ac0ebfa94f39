"""`harvester history`: versions, word diffs readable in Vietnamese, and status events."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from harvester.cli import cli
from harvester.clock import VN_TZ
from harvester.history import render_diff, word_diff
from harvester.store import Archive
from parsers import Article

SYLLABLES = ["giảm", "nghèo", "hộ", "cận", "Đăk", "Glei", "người", "dân", "thủy", "lợi", "Sở", "11", "2025"]


def _join(ops, skip: str) -> str:  # noqa: ANN001
    return "".join(o.text for o in ops if o.op != skip)


def test_a_changed_syllable_is_marked_alone() -> None:
    ops = word_diff("Hỗ trợ 11 hộ nghèo tại Đăk Glei.", "Hỗ trợ 12 hộ cận nghèo tại Đăk Glei.")
    assert render_diff(ops) == "Hỗ trợ [-11-] {+12+} hộ {+cận+} nghèo tại Đăk Glei."
    assert [o.as_dict() for o in ops if o.op != "equal"] == [
        {"op": "delete", "text": " 11"}, {"op": "insert", "text": " 12"}, {"op": "insert", "text": " cận"},
    ]


def test_punctuation_is_a_word_of_its_own() -> None:
    assert render_diff(word_diff("hộ nghèo, hộ cận nghèo.", "hộ nghèo; hộ cận nghèo.")) == "hộ nghèo[-,-]{+;+} hộ cận nghèo."


def test_an_added_paragraph_is_one_insertion() -> None:
    before = "Đoạn một của bài.\n\nĐoạn cuối của bài."
    after = "Đoạn một của bài.\n\nĐoạn mới thêm vào.\n\nĐoạn cuối của bài."
    ops = word_diff(before, after)
    assert [o.op for o in ops] == ["equal", "insert", "equal"]
    assert ops[1].text.strip() == "Đoạn mới thêm vào."
    assert "{+Đoạn mới thêm vào.+}" in render_diff(ops)


def test_context_cuts_long_unchanged_runs() -> None:
    words = " ".join(f"từ{i}" for i in range(60))
    text = render_diff(word_diff(f"{words} cũ {words}", f"{words} mới {words}"), context=3)
    assert text == "… từ57 từ58 từ59 [-cũ-] {+mới+} từ0 từ1 từ2 …"


texts = st.lists(
    st.lists(st.sampled_from(SYLLABLES + [",", ".", "–"]), max_size=12).map(" ".join), max_size=4
).map("\n\n".join)


@given(texts, texts)
def test_a_diff_rebuilds_both_texts(before: str, after: str) -> None:
    ops = word_diff(before, after)
    assert _join(ops, "delete") == after
    assert _join(ops, "insert") == before
    assert all(o.text for o in ops)


@given(st.text(), st.text())
def test_any_text_diffs_without_loss(before: str, after: str) -> None:
    ops = word_diff(before, after)
    assert _join(ops, "delete") == after and _join(ops, "insert") == before


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_history_of_the_edited_article(three_nights: dict) -> None:
    site, db = three_nights["site"], str(three_nights["db"])
    url = site.url_of(three_nights["edited"])
    entries = json.loads(_cli("history", url, "--db", db))
    versions = [e for e in entries if e["kind"] == "version"]
    assert [(v["version"], v["at"], v["changed"]) for v in versions] == [
        (1, "2026-03-01T02:00:00+07:00", []), (2, "2026-03-02T02:00:00+07:00", ["body"]),
    ]
    body = versions[1]["changes"]["body"]
    assert (body["words_inserted"], body["words_deleted"]) == (8, 0)
    assert [d for d in body["diff"] if d["op"] != "equal"] == [{"op": "insert", "text": " Dự kiến hoàn thành trong tháng 12."}]
    text = _cli("history", url, "--db", db, "--text")
    assert "{+Dự kiến hoàn thành trong tháng 12.+}" in text
    assert "body (+8 / -0 words)" in text


def test_history_shows_the_deletion_and_the_move(three_nights: dict) -> None:
    site, db = three_nights["site"], str(three_nights["db"])
    gone = json.loads(_cli("history", site.url_of(three_nights["deleted"]), "--db", db))
    assert [(e["kind"], e.get("event"), e["at"]) for e in gone] == [
        ("version", None, "2026-03-01T02:00:00+07:00"),
        ("event", "missing", "2026-03-02T02:00:00+07:00"),
        ("event", "missing", "2026-03-03T02:00:00+07:00"),
        ("event", "gone", "2026-03-03T02:00:00+07:00"),
    ]
    old = three_nights["urls_night1"][three_nights["moved_from"].id]
    text = _cli("history", old, "--db", db, "--text")
    assert f"  {site.url_of(three_nights['moved_to'])}\n  also at {old} (redirect" in text
    assert "MOVED:" in text
    table = _cli("history", old, "--db", db, "-t")
    assert "v1" in table and "moved" in table


def test_a_title_edit_reads_as_a_word_diff(archive: Archive) -> None:
    at = datetime(2026, 3, 1, 2, tzinfo=VN_TZ)
    url = "https://snnptnt.kontum.gov.vn/tin-tuc/thuy-loi-1"
    for i, title in enumerate(["Kiểm tra công trình thủy lợi tại Đăk Hà", "Kiểm tra công trình thủy lợi tại huyện Đăk Hà"]):
        art = Article(url=url, platform="generic", title=title, body="Nội dung.", captions=("Ảnh 1", "Ảnh 2")[: i + 1])
        archive.store_article("snn", art, requested_url=url, final_url=url, fetched_at=at + timedelta(days=i))
    result = CliRunner().invoke(cli, ["history", url, "--db", archive.path, "--text"])
    assert "title (+1 / -0 words):\n      Kiểm tra công trình thủy lợi tại {+huyện+} Đăk Hà" in result.output
    entries = json.loads(CliRunner().invoke(cli, ["history", "1", "--db", archive.path]).output)
    assert entries[1]["changed"] == ["title", "captions"]
    assert entries[1]["changes"]["captions"] == {"added": ["Ảnh 2"], "removed": []}


def test_an_unknown_article_is_a_plain_error(three_nights: dict) -> None:
    result = CliRunner().invoke(cli, ["history", "https://example.gov.vn/khong-co", "--db", str(three_nights["db"])])
    assert result.exit_code == 1
    assert "Error: no article in the archive at https://example.gov.vn/khong-co" in result.output
    result = CliRunner().invoke(cli, ["history", "1", "--db", "/nonexistent/archive.db"])
    assert result.exit_code == 1 and "no archive here" in result.output
