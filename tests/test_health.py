"""Drift: a site that changes its layout is flagged, with examples, against its own past;
`harvester status` shows it and exits 1; the notify hook receives the report."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from harvester.cli import cli
from harvester.demo import FixtureServer, FixtureSite
from harvester.health import SiteStats, assess_site
from harvester.store import Archive
from tests.conftest import config_file

FULL = {"published_at": 1.0, "author": 0.9, "views": 1.0, "captions": 0.6, "category": 1.0}


def _night(
    run_id: int,
    *,
    new: int = 4,
    parsed: int = 30,
    status: str = "ok",
    listing_pages: int = 3,
    parse_errors: int = 0,
    body: int = 1200,
    flags: frozenset = frozenset(),
    **fill: float,
) -> SiteStats:
    return SiteStats(
        run_id,
        status,
        listing_pages,
        new,
        parsed,
        parse_errors,
        {**FULL, **fill},
        body,
        shortest_bodies=("https://a.gov.vn/short",),
        missing_examples={"views": ["https://a.gov.vn/1"]},
        flags=flags,
    )


def _kinds(flags: list) -> list[tuple[str, str | None]]:
    return [(f.flag, f.field) for f in flags]


def test_a_field_that_vanishes_is_flagged_with_examples() -> None:
    history = [_night(i) for i in range(10, 0, -1)]
    flags = assess_site("a", _night(11, views=0.0), history)
    assert _kinds(flags) == [("fill_drop", "views")]
    assert flags[0].examples == ("https://a.gov.vn/1",)
    assert flags[0].current == 0.0 and flags[0].baseline == 1.0
    assert "views found on 0% of 30 articles, against a median of 100%" in flags[0].message


def test_ordinary_wobble_and_small_samples_are_not_flagged() -> None:
    history = [
        _night(i, captions=c)
        for i, c in zip(
            range(10, 0, -1), (0.5, 0.7, 0.6, 0.4, 0.8, 0.6, 0.5, 0.7, 0.6, 0.6), strict=True
        )
    ]
    assert assess_site("a", _night(11, captions=0.35), history) == []
    assert (
        assess_site("a", _night(11, views=0.0, parsed=3), history) == []
    )  # 3 articles prove nothing
    assert assess_site("a", _night(11, views=0.0), []) == []  # no past to compare with


def test_a_flag_stays_up_until_the_site_recovers() -> None:
    history = [_night(i) for i in range(10, 0, -1)]
    flagged = frozenset({("fill_drop", "views")})
    broken = [
        _night(i, views=0.0, flags=flagged) for i in range(30, 10, -1)
    ]  # 20 broken nights, all flagged
    assert _kinds(assess_site("a", _night(31, views=0.0), broken + history)) == [
        ("fill_drop", "views")
    ]
    assert assess_site("a", _night(31), broken + history) == []


def test_short_bodies_and_pages_that_stop_parsing() -> None:
    history = [_night(i) for i in range(5, 0, -1)]
    flags = assess_site("a", _night(6, body=140), history)
    assert _kinds(flags) == [("short_bodies", None)]
    assert flags[0].examples == ("https://a.gov.vn/short",)
    flags = assess_site(
        "a",
        _night(6, parsed=4, parse_errors=26, new=0),
        history,
        parse_examples=["https://a.gov.vn/9"],
    )
    assert ("parse_failures", None) in _kinds(flags)
    assert next(f for f in flags if f.flag == "parse_failures").examples == ("https://a.gov.vn/9",)


def test_no_new_articles_is_judged_by_the_sites_own_rhythm() -> None:
    daily = [_night(i, new=3) for i in range(14, 0, -1)]
    # one or two quiet nights happen, even on a busy site (chance 6% and 0.4%) …
    assert assess_site("a", _night(15, new=0), daily) == []
    assert assess_site("a", _night(16, new=0), [_night(15, new=0), *daily]) == []
    # … three (0.02%) are a broken listing more likely than not
    quiet = [_night(16, new=0), _night(15, new=0)]
    flags = assess_site(
        "a", _night(17, new=0), quiet + daily, start_urls=["https://a.gov.vn/tin-tuc"]
    )
    assert _kinds(flags) == [("no_new_articles", None)]
    assert "no new article in 3 runs" in flags[0].message
    assert flags[0].examples == ("https://a.gov.vn/tin-tuc",)
    # a site that publishes about once a week is not flagged after three quiet nights
    weekly = [_night(i, new=1 if i % 7 == 0 else 0) for i in range(42, 0, -1)]
    assert (
        assess_site(
            "a",
            _night(46, new=0),
            [_night(45, new=0), _night(44, new=0), _night(43, new=0)] + weekly,
        )
        == []
    )
    # and nothing is said when the listings themselves did not answer
    assert assess_site("a", _night(17, new=0, listing_pages=0), quiet + daily) == []


def test_unreachable_twice_in_a_row_and_moved_are_flagged() -> None:
    history = [_night(i) for i in range(5, 0, -1)]
    assert assess_site("a", _night(6, status="unreachable"), history) == []
    flags = assess_site(
        "a", _night(7, status="unreachable"), [_night(6, status="unreachable"), *history]
    )
    assert _kinds(flags) == [("unreachable", None)]
    assert _kinds(assess_site("a", _night(6, status="moved"), history)) == [("moved", None)]


# --- night 2: a redesign, end to end ----------------------------------------------------------


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(
            {"content_type": self.headers["Content-Type"], "json": json.loads(body)}
        )
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    received: list[dict] = []
    handler = type("Hook", (_Hook,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


def _config(tmp_path: Path, site: FixtureSite, notify: dict) -> Path:
    return config_file(tmp_path, [site], top={"notify": notify})


def test_a_redesign_on_night_two_is_flagged_shown_and_sent(
    tmp_path: Path, site: FixtureSite, server: FixtureServer, webhook: tuple[str, list[dict]]
) -> None:
    url, received = webhook
    inbox = tmp_path / "inbox"
    hook = [
        sys.executable,
        "-c",
        "import os, sys; open(sys.argv[1], 'ab').write("
        "os.environ['HARVESTER_FLAGS'].encode() + b' ' + sys.stdin.buffer.read() + b'\\n\\x00')",
        str(inbox),
    ]
    config = _config(tmp_path, site, {"command": hook, "url": url})
    db = str(tmp_path / "archive.db")
    run = ["run", "--config", str(config), "--db", db]

    night1 = CliRunner().invoke(cli, run)
    assert night1.exit_code == 0, night1.output
    assert "FLAG" not in night1.output
    assert not inbox.exists() and received == []  # nothing to tell
    assert CliRunner().invoke(cli, ["status", "--db", db]).exit_code == 0

    site.layout = "no-views"  # the redesign: the view count is gone from article pages
    site.add_articles(6)  # an incremental night reads the new articles: they show the redesign
    night2 = CliRunner().invoke(cli, run)
    assert night2.exit_code == 0, night2.output  # every page was read: only the health check knows
    assert (
        "FLAG fill_drop/views: views found on 0% of 6 articles, against a median of 100%"
        in night2.output
    )

    status = CliRunner().invoke(cli, ["status", "--db", db])
    assert status.exit_code == 1
    (row,) = json.loads(status.stdout)
    assert row["site"] == site.name and row["flagged"] is True and row["last_run"] == 2
    (flag,) = row["flags"]
    assert flag["flag"] == "fill_drop" and flag["field"] == "views"
    assert flag["examples"] and all(u.startswith(site.base_url) for u in flag["examples"])
    assert [r["status"] for r in row["recent"]] == ["ok", "ok"]
    table = CliRunner().invoke(cli, ["status", "--db", db, "-t"])
    assert table.exit_code == 1 and "fill_drop/views" in table.stdout

    count, blob = inbox.read_bytes().split(b"\n\x00")[0].split(b" ", 1)
    report = json.loads(blob)
    assert count == b"1"
    assert report["run_id"] == 2 and report["problems"] is True
    assert [(h["site"], h["flag"], h["field"]) for h in report["health"]] == [
        (site.name, "fill_drop", "views")
    ]
    assert "health flag" in report["text"]
    (post,) = received
    assert post["content_type"].startswith("application/json")
    assert post["json"]["health"] == report["health"]

    with Archive.open(db) as archive:
        assert archive.query("SELECT flag, field FROM health_flags WHERE run_id = 2")[0][:] == (
            "fill_drop",
            "views",
        )


def test_text_loaded_by_script_is_flagged_as_short_bodies(
    tmp_path: Path, site: FixtureSite, server: FixtureServer
) -> None:
    config = _config(tmp_path, site, {"command": "cat > /dev/null"})
    db = str(tmp_path / "archive.db")
    assert CliRunner().invoke(cli, ["run", "--config", str(config), "--db", db]).exit_code == 0
    site.layout = "js-body"
    site.add_articles(6)
    result = CliRunner().invoke(cli, ["run", "--config", str(config), "--db", db, "--json"])
    report = json.loads(result.stdout)
    kinds = {(h["flag"], h["field"]) for h in report["health"]}
    assert ("short_bodies", None) in kinds and ("fill_drop", "author") in kinds
    short = next(h for h in report["health"] if h["flag"] == "short_bodies")
    assert short["current"] < 200 < short["baseline"] and len(short["examples"]) == 5


def test_status_flags_a_site_not_harvested_within_max_age(
    tmp_path: Path, site: FixtureSite, server: FixtureServer
) -> None:
    config = _config(tmp_path, site, {"command": "cat > /dev/null"})
    db = str(tmp_path / "archive.db")
    assert CliRunner().invoke(cli, ["run", "--config", str(config), "--db", db]).exit_code == 0
    assert CliRunner().invoke(cli, ["status", "--db", db, "--max-age", "36"]).exit_code == 0
    with Archive.open(db) as archive, archive.transaction():
        archive.conn.execute(
            "UPDATE runs SET started_at = '2026-01-01T02:00:00+07:00', "
            "finished_at = '2026-01-01T02:01:00+07:00'"
        )
    result = CliRunner().invoke(cli, ["status", "--db", db, "--max-age", "36"])
    assert result.exit_code == 1
    (row,) = json.loads(result.stdout)
    assert [f["flag"] for f in row["flags"]] == ["overdue"]
    assert (
        "not harvested since 2026-01-01T02:01:00+07:00 (more than 36 hours)"
        in row["flags"][0]["message"]
    )
    assert (
        CliRunner().invoke(cli, ["status", "--db", db]).exit_code == 0
    )  # without --max-age, age is no flag


def test_status_of_a_missing_archive_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["status", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "no archive here" in result.output


# --- backfills are not harvests ----------------------------------------------------------------


def _warc_of(path: Path, host: str, site: FixtureSite) -> Path:
    """A WARC file holding one article capture of `host`."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    a = site.articles[0]
    body = site.render_article(a).encode()
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                f"http://{host}{site.path_of(a)}", "response", payload=BytesIO(body), length=len(body),
                http_headers=http, warc_headers_dict={"WARC-Date": "2021-03-10T02:00:01Z"},
            )
        )
    return path


def test_a_backfill_neither_hides_nor_feeds_health(tmp_path: Path) -> None:
    """A site flagged unreachable stays flagged after a backfill of its past from a WARC
    file; --max-age does not count the backfill as a harvest; and the backfill's run is no
    baseline for the next night's checks."""
    host = "127.0.0.1:9"  # nothing listens there: every harvest is unreachable
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "defaults": {"delay": 0, "timeout": 2, "retries": 0},
                "sites": [{"name": "s1", "province": "Kon Tum", "department": "Sở đã giải thể",
                           "start_urls": [f"http://{host}/"], "platform": "kontum"}],
            }
        ),
        encoding="utf-8",
    )
    db = str(tmp_path / "archive.db")
    for _ in range(2):
        assert CliRunner().invoke(cli, ["run", "--config", str(config), "--db", db]).exit_code == 1
    before = CliRunner().invoke(cli, ["status", "--db", db])
    assert before.exit_code == 1 and json.loads(before.stdout)[0]["flags"][0]["flag"] == "unreachable"

    warc = _warc_of(tmp_path / "one.warc.gz", host, FixtureSite("s1", n_articles=2, seed=3))
    filled = CliRunner().invoke(
        cli, ["backfill", "s1", "--source", "warc", str(warc), "--config", str(config), "--db", db]
    )
    assert filled.exit_code == 0, filled.output
    with Archive.open(db) as archive:
        assert archive.counts()["articles"] == 1  # the backfill did store its capture …
        ((backfill_run,),) = archive.query("SELECT id FROM runs WHERE command LIKE 'backfill%'")

    after = CliRunner().invoke(cli, ["status", "--db", db, "--max-age", "36"])
    assert after.exit_code == 1, after.output  # … and the site is still flagged
    (row,) = json.loads(after.stdout)
    assert [f["flag"] for f in row["flags"]] == ["unreachable"]
    assert row["last_run"] == 2 and row["last_status"] == "unreachable"
    assert [r["run"] for r in row["recent"]] == [2, 1]
    assert row["last_error"]["kind"] == "connection"

    # an old harvest, then a fresh backfill: still overdue, the backfill is no harvest
    with Archive.open(db) as archive, archive.transaction():
        archive.conn.execute(
            "UPDATE runs SET started_at = '2026-01-01T02:00:00+07:00', finished_at = '2026-01-01T02:01:00+07:00'"
            " WHERE command = 'run'"
        )
    overdue = json.loads(CliRunner().invoke(cli, ["status", "--db", db, "--max-age", "36"]).stdout)[0]
    assert {f["flag"] for f in overdue["flags"]} == {"unreachable", "overdue"}

    # the third night: its unreachable streak counts both earlier nights, not the backfill's "ok"
    from harvester.health import Thresholds, _history

    with Archive.open(db) as archive:
        history = _history(archive, "s1", backfill_run + 1, Thresholds())
    assert [(h.run_id, h.status) for h in history] == [(2, "unreachable"), (1, "unreachable")]
    third = CliRunner().invoke(cli, ["run", "--config", str(config), "--db", db])
    assert "not harvested in the last 3 runs" in third.output
