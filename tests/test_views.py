"""View-count analytics: `harvester views` (series, --top, --by-site), the SQL views behind
them, and `harvester plot` (a real PNG, Vietnamese titles in a font that has them)."""

from __future__ import annotations

import csv
import io
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from harvester.cli import cli
from harvester.plot import FONT
from harvester.store import Archive


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_series_of_the_moved_article(three_nights: dict) -> None:
    plan = three_nights
    v = plan["views_night1"][plan["moved_from"].id]
    rows = json.loads(_cli("views", plan["site"].url_of(plan["moved_to"]), "--db", str(plan["db"])))
    assert [(r["observed_at"][:10], r["views"], r["growth"], r["growth_per_day"]) for r in rows] == [
        ("2026-03-01", v, None, None),
        ("2026-03-02", v + 15, 15, 15.0),
        ("2026-03-02", v + 15, 0, None),  # fetched twice that night: no time between, no rate
        ("2026-03-03", v + 35, 20, 20.0),
    ]


def test_top_growth_puts_the_popular_article_first(three_nights: dict) -> None:
    plan = three_nights
    db = str(plan["db"])
    popular = plan["popular"]
    # the window from night 1 to now: the last count at or before its start is night 1's
    rows = json.loads(_cli("views", "--top", "3", "--since", "2026-03-01T02:00", "--db", db))
    assert len(rows) == 3
    first = rows[0]
    assert first["url"] == plan["site"].url_of(popular)
    assert (first["views_from"], first["views_to"], first["growth"]) == (popular.views - 535, popular.views, 535)
    assert (first["days"], first["growth_per_day"]) == (2.0, 267.5)
    assert [r["growth"] for r in rows[1:]] == [35, 35]
    # a window starting between nights 2 and 3 counts only night 3's growth
    rows = json.loads(_cli("views", "--top", "50", "--since", "2026-03-02T12:00", "--db", db))
    assert rows[0]["growth"] == 520 and rows[0]["days"] == 1.0
    assert {r["growth"] for r in rows[1:]} == {20}
    # the new articles were first counted on night 2: measured from there
    new_urls = {plan["site"].url_of(a) for a in plan["new"]}
    assert len(rows) == 13 and new_urls <= {r["url"] for r in rows}
    assert json.loads(_cli("views", "--top", "5", "--site", plan["site"].name, "--since", "2030-01-01", "--db", db)) == []


def test_per_site_totals_by_day(three_nights: dict) -> None:
    plan = three_nights
    out = _cli("views", "--by-site", "--db", str(plan["db"]), "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    first_total = sum(plan["views_night1"].values())
    new_views_night2 = sum(a.views - 20 for a in plan["new"])
    assert [(r["day"], int(r["articles_observed"]), int(r["new_articles"]), int(r["views_gained"]), int(r["total_views"])) for r in rows] == [
        ("2026-03-01", 12, 12, 0, first_total),
        # 11 first-night articles still there (one deleted), +15 each, plus two new ones
        ("2026-03-02", 13, 2, 11 * 15, first_total + 11 * 15 + new_views_night2),
        # 13 live articles +20 each, the popular one +500 more; the gone one keeps its last count
        ("2026-03-03", 13, 0, 13 * 20 + 500, first_total + 11 * 15 + new_views_night2 + 13 * 20 + 500),
    ]


def test_growth_per_article_per_day_is_a_plain_sql_view(three_nights: dict) -> None:
    with Archive.open(three_nights["db"]) as archive:
        article_id = archive.article_id_for(three_nights["site"].url_of(three_nights["popular"]))
        rows = archive.query(
            "SELECT day, views, prev_day, growth, days, growth_per_day FROM view_growth_daily WHERE article_id = ? ORDER BY day",
            (article_id,),
        )
        v = three_nights["views_night1"][three_nights["popular"].id]
        assert [tuple(r) for r in rows] == [
            ("2026-03-01", v, None, None, None, None),
            ("2026-03-02", v + 15, "2026-03-01", 15, 1.0, 15.0),
            ("2026-03-03", v + 535, "2026-03-02", 520, 1.0, 520.0),
        ]
        summary = archive.query("SELECT * FROM article_summary WHERE article_id = ?", (article_id,))[0]
        assert summary["views"] == v + 535 and summary["versions"] == 1 and summary["status"] == "live"


def test_usage_errors(three_nights: dict) -> None:
    runner = CliRunner()
    db = str(three_nights["db"])
    assert runner.invoke(cli, ["views", "--db", db]).exit_code == 2
    assert runner.invoke(cli, ["views", "1", "--top", "3", "--db", db]).exit_code == 2
    bad = runner.invoke(cli, ["views", "--top", "3", "--since", "last week", "--db", db])
    assert bad.exit_code == 2 and "expected a duration like 7d" in bad.output
    assert runner.invoke(cli, ["plot", "--out", "x.png", "--db", db]).exit_code == 2


def _png(path: Path) -> Image.Image:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(path)
    image.load()
    return image.convert("RGB")


def _has_colour(image: Image.Image, rgb: tuple[int, int, int], at_least: int = 50) -> bool:
    pixels = np.asarray(image).astype(int)
    close = (np.abs(pixels - np.array(rgb)) < 8).all(axis=2)
    return int(close.sum()) >= at_least


C0, C1, C2 = (0x1F, 0x77, 0xB4), (0xFF, 0x7F, 0x0E), (0x2C, 0xA0, 0x2C)  # matplotlib's first line colours


def test_plot_draws_one_line_per_article_with_vietnamese_titles(three_nights: dict, tmp_path: Path) -> None:
    plan = three_nights
    out = tmp_path / "views.png"
    urls = [plan["site"].url_of(a) for a in (plan["popular"], plan["edited"])]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = CliRunner().invoke(cli, ["plot", *urls, "--out", str(out), "--db", str(plan["db"])])
    assert result.exit_code == 0, result.output
    assert not [w for w in caught if "missing from font" in str(w.message).lower() or "glyph" in str(w.message).lower()]
    image = _png(out)
    assert image.size[0] >= 1000 and image.size[1] >= 600
    assert out.stat().st_size > 20_000
    assert _has_colour(image, C0) and _has_colour(image, C1)  # two lines
    assert not _has_colour(image, C2, at_least=5)  # and no third


def test_the_plot_font_has_every_letter_of_the_titles(three_nights: dict) -> None:
    from matplotlib import font_manager, ft2font

    path = font_manager.findfont(font_manager.FontProperties(family=FONT), fallback_to_default=False)
    assert Path(path).name == "DejaVuSans.ttf"
    font = ft2font.FT2Font(path)
    with Archive.open(three_nights["db"]) as archive:
        text = "".join(r[0] for r in archive.query("SELECT title FROM versions"))
    text += "Lượt xem theo thời gian Tổng lượt xem các bài của mỗi trang ĐđỹỵẶặỮữ"
    missing = {ch for ch in set(text) if not ch.isspace() and font.get_char_index(ord(ch)) == 0}
    assert missing == set()


def test_plot_per_site(three_nights: dict, tmp_path: Path) -> None:
    out = tmp_path / "sites.png"
    _cli("plot", "--site", "nights-sldtbxh", "--out", str(out), "--db", str(three_nights["db"]))
    image = _png(out)
    assert _has_colour(image, C0, at_least=500)  # the total line and the daily bars


def test_nothing_to_plot_is_a_plain_error(three_nights: dict, tmp_path: Path) -> None:
    site = three_nights["site"].name
    result = CliRunner().invoke(cli, ["plot", "--site", site, "--since", "2030-01-01", "--out", str(tmp_path / "x.png"),
                                      "--db", str(three_nights["db"])])
    assert result.exit_code == 1 and "nothing to plot" in result.output
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("command", [
    ["plot", "--out", "x.png", "--site", "no-such-site"],
    ["views", "--by-site", "--site", "no-such-site"],
    ["views", "--top", "3", "--site", "no-such-site"],
    ["export", "articles", "--csv", "--site", "no-such-site"],
    ["search", "giam ngheo", "--site", "no-such-site"],
    ["search", "giam ngheo", "--province", "Atlantis"],
    ["reparse", "--dry-run", "--site", "no-such-site"],
])
def test_a_site_or_province_the_archive_lacks_is_a_usage_error(three_nights: dict, command: list[str], tmp_path: Path) -> None:
    """A typo in --site must not read as "no results": exit 2, naming the sites there are."""
    result = CliRunner().invoke(cli, [*command, "--db", str(three_nights["db"])])
    assert result.exit_code == 2, result.output
    assert three_nights["site"].name in result.output or "Kon Tum" in result.output
    assert not (tmp_path / "x.png").exists()


def test_a_province_matches_without_its_diacritics(three_nights: dict) -> None:
    hits = json.loads(_cli("search", "giam ngheo", "--province", "kon tum", "--db", str(three_nights["db"])))
    assert hits and all(h["site"] == three_nights["site"].name for h in hits)


@pytest.mark.parametrize("fmt", ["--json", "--nl", "--csv", "-t"])
def test_every_output_format(three_nights: dict, fmt: str) -> None:
    out = _cli("views", "--top", "2", "--since", "2026-03-01", "--db", str(three_nights["db"]), fmt)
    assert "growth" in out
