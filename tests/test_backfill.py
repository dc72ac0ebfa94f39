"""Backfill from a fake Wayback Machine on 127.0.0.1 (harvester/demo/wayback.py): a gone
department site's history rebuilt from captures, resumably and politely."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from harvester.backfill import BackfillOptions, backfill
from harvester.cli import cli
from harvester.config import Site, parse_config
from harvester.demo import Fault, FixtureServer, FixtureSite
from harvester.demo.sitegen import _NOT_FOUND
from harvester.demo.wayback import FakeWayback
from harvester.errors import ConfigError
from harvester.fetch import Fetcher, HostGate
from harvester.pipeline import harvest
from harvester.store import Archive

OLD_HOST = "sldtbxh.kontum.gov.vn"
T1, T2, T2_DUP, T3 = "20210310020000", "20220415030000", "20220416030000", "20230520040000"


@dataclass
class History:
    """What the fake archive holds of the site, and what the backfill must make of it."""

    site: FixtureSite
    wayback: FakeWayback
    views: dict[int, list[int]]  # article id → the views of its good captures, in time order
    edited: int  # id of the article whose body changed at T2
    error_page: int  # id of the article archived at T2 as an error page
    truncated: int  # id of the article whose T3 capture is cut off
    restored: int  # id of the article whose T3 bytes equal its T1 bytes


def _history(site: FixtureSite) -> History:
    """Three crawls of the site, with what real archives hold: an edit, growing views, an
    error page archived with status 200, a truncated capture, an adjacent duplicate (collapsed
    by the CDX) and a non-adjacent one (the site restored from a backup)."""
    wb = FakeWayback()
    a = site.articles
    views: dict[int, list[int]] = {x.id: [x.views] for x in a}
    first = {c.url: c.body for c in wb.capture_site(site, T1, host=OLD_HOST)}

    site.grow_views(15)
    a[1].paragraphs[0] += " Nội dung được bổ sung sau hội nghị."
    t2 = wb.capture_site(site, T2, host=OLD_HOST, articles=[x.id for x in a if x is not a[2]])
    wb.add(f"http://{OLD_HOST}{site.path_of(a[2])}", T2, _NOT_FOUND.encode())
    dup = next(c for c in t2 if c.url.endswith(site.path_of(a[3])))
    wb.add(dup.url, T2_DUP, dup.body)
    for x in a:
        if x is not a[2]:
            views[x.id].append(x.views)

    site.grow_views(20)
    whole = site.render_article(a[0]).encode()
    wb.add(f"http://{OLD_HOST}{site.path_of(a[0])}", T3, whole[: len(whole) * 6 // 10])
    wb.capture_site(
        site, T3, host=f"www.{OLD_HOST}", articles=[a[4].id], listings=False
    )  # same site, other form
    views[a[4].id].append(a[4].views)
    restored_url = f"http://{OLD_HOST}{site.path_of(a[5])}"
    wb.add(restored_url, T3, first[restored_url])
    views[a[5].id].append(views[a[5].id][0])
    return History(site, wb, views, a[1].id, a[2].id, a[0].id, a[5].id)


@pytest.fixture
def gone_site() -> FixtureSite:
    return FixtureSite("fixture-gone", n_articles=6, seed=11)


@pytest.fixture
def history(gone_site: FixtureSite) -> Iterator[History]:
    h = _history(gone_site)
    with h.wayback:
        yield h


def _site(**extra: object) -> Site:
    data = {
        "name": "fixture-gone",
        "province": "Kon Tum",
        "department": "Sở LĐTBXH",
        "start_urls": [f"https://{OLD_HOST}/"],
        "platform": "kontum",
        "status": "gone",
        **extra,
    }
    return parse_config({"sites": [data]}).sites[0]


def _options(h: History, **kw: object) -> BackfillOptions:
    settings: dict[str, object] = {"delay": 0, "page_size": 4, **kw}
    return BackfillOptions(archive_url=h.wayback.base_url, **settings)  # type: ignore[arg-type]


def _url(h: History, article_id: int) -> str:
    return f"https://{OLD_HOST}{h.site.path_of(h.site.by_id(article_id))}"


def _series(archive: Archive, url: str) -> list[tuple[str, int]]:
    rows = archive.query(
        """SELECT c.observed_at, c.views FROM view_counts c JOIN articles a ON a.id = c.article_id
           WHERE a.url = ? ORDER BY c.observed_at""",
        (url,),
    )
    return [(r[0], r[1]) for r in rows]


def test_a_backfill_rebuilds_each_article_with_its_versions_and_view_series(
    history: History, archive: Archive
) -> None:
    h = history
    report = backfill(_site(), archive, _options(h))
    assert report.status == "ok", report.lines()
    assert archive.counts()["articles"] == len(h.site.articles) == 6
    run = archive.query("SELECT r.started_at, s.started_at, s.finished_at, r.finished_at FROM runs r "
                        "JOIN run_sites s ON s.run_id = r.id")[0]
    assert None not in tuple(run) and list(run) == sorted(run), tuple(run)  # the site's times, inside the run's
    for a in h.site.articles:
        series = _series(archive, _url(h, a.id))
        assert [v for _, v in series] == h.views[a.id], a.id
        assert [t for t, _ in series] == sorted(t for t, _ in series)
    # the edit is a second version, dated by the capture that first showed it
    versions = archive.query(
        "SELECT v.fetched_at, v.body, v.source FROM versions v JOIN articles a ON a.id = v.article_id WHERE a.url = ? ORDER BY v.fetched_at",
        (_url(h, h.edited),),
    )
    assert [r["fetched_at"] for r in versions] == [
        "2021-03-10T09:00:00+07:00",
        "2022-04-15T10:00:00+07:00",
    ]
    assert "bổ sung sau hội nghị" in versions[1]["body"] and "bổ sung" not in versions[0]["body"]
    assert {r["source"] for r in versions} == {"wayback"}
    latest = archive.query(
        "SELECT fetched_at FROM latest_versions WHERE url = ?", (_url(h, h.edited),)
    )[0]
    assert latest[0] == "2022-04-15T10:00:00+07:00"
    # every other article kept one version: growing views are observations, not content
    assert archive.counts()["versions"] == 7
    assert {
        r[0] for r in archive.query("SELECT source FROM pages UNION SELECT source FROM view_counts")
    } == {"wayback"}


def test_error_pages_and_truncated_captures_are_recorded_and_skipped(
    history: History, archive: Archive
) -> None:
    h = history
    report = backfill(_site(), archive, _options(h))
    assert report.skipped["an error page (archived with status 200)"] == 1
    assert report.skipped["truncated"] == 1
    errors = {r["kind"]: r for r in archive.query("SELECT * FROM errors")}
    assert set(errors) == {"parse", "truncated"}
    assert (
        errors["parse"]["url"] == f"http://{OLD_HOST}{h.site.path_of(h.site.by_id(h.error_page))}"
    )
    assert "error page" in errors["parse"]["message"]
    # their raw bytes are kept as evidence, but they are no article, version or observation
    for err in errors.values():
        assert err["page_id"] is not None
        assert (
            archive.query("SELECT count(*) FROM view_counts WHERE page_id = ?", (err["page_id"],))[
                0
            ][0]
            == 0
        )
        assert (
            archive.query("SELECT count(*) FROM versions WHERE page_id = ?", (err["page_id"],))[0][
                0
            ]
            == 0
        )
    assert len(_series(archive, _url(h, h.error_page))) == 1
    assert len(_series(archive, _url(h, h.truncated))) == 2
    reasons = sorted(
        r[0]
        for r in archive.query(
            "SELECT reason FROM backfill_captures WHERE state = 'skipped' AND shape = 'article'"
        )
    )
    assert len(reasons) == 2 and "error page" in reasons[0] and reasons[1].startswith("truncated")
    # no URL of the gone site is queued for a live retry
    assert archive.query("SELECT count(*) FROM urls")[0][0] == 0


def test_duplicate_digests_cost_no_request(history: History, archive: Archive) -> None:
    h = history
    report = backfill(_site(), archive, _options(h))
    snapshots = [r.path for r in h.wayback.requests("/web/")]
    assert len(snapshots) == len(set(snapshots)) == report.fetched
    assert not any(T2_DUP in p for p in snapshots)  # adjacent duplicate: collapsed by the CDX index
    assert report.reused == 1  # the restored backup: its T1 bytes are reused, not fetched
    restored = _url(h, h.restored)
    assert not any(T3 in p and p.endswith(restored.split(OLD_HOST)[1]) for p in snapshots)
    assert [v for _, v in _series(archive, restored)] == h.views[h.restored]


def test_the_listing_is_paged_with_resume_keys_and_only_articles_are_fetched(
    history: History, archive: Archive
) -> None:
    h = history
    report = backfill(_site(), archive, _options(h))
    cdx = h.wayback.requests("/cdx/")
    assert len(cdx) > 3 and all("resumeKey=" in r.path for r in cdx[1:])
    assert "resumeKey=" not in cdx[0].path
    assert (
        report.shapes["listing"] > 0 and report.skipped["a listing URL"] == report.shapes["listing"]
    )
    assert not any(
        "?page=" in r.path or r.path.endswith("/tin-tuc-su-kien")
        for r in h.wayback.requests("/web/")
    )
    assert report.requests == len(h.wayback.log)


def test_a_second_run_fetches_nothing(history: History, archive: Archive) -> None:
    h = history
    first = backfill(_site(), archive, _options(h))
    counts = archive.counts()
    n = len(h.wayback.log)
    second = backfill(_site(), archive, _options(h))
    assert len(h.wayback.log) == n
    assert (second.requests, second.fetched, second.reused, second.stored) == (0, 0, 0, 0)
    assert {k: v for k, v in archive.counts().items() if k != "runs"} == {
        k: v for k, v in counts.items() if k != "runs"
    }
    assert second.totals == first.totals and second.pending == 0
    # --relist asks the index again; what it lists is known, so nothing is fetched
    third = backfill(_site(), archive, _options(h, relist=True))
    assert (
        third.new == 0 and third.fetched == 0 and len(h.wayback.requests("/web/")) == first.fetched
    )


def test_an_interrupted_listing_continues_from_its_resume_key(
    history: History, archive: Archive
) -> None:
    h = history
    # the third CDX page fails through every retry: the run keeps what it listed and read
    h.wayback.add_fault("/cdx/", Fault(status=502), times=2, after=2)
    options = _options(h, retries=1)
    first = backfill(_site(), archive, options)
    assert first.status == "partial" and first.failed["listing: http 502"] == 1
    assert 0 < first.fetched < 16
    state = archive.query("SELECT resume_key, done, pages FROM backfill_cdx")[0]
    assert state["resume_key"] and not state["done"] and state["pages"] == 2
    fetched_first = [r.path for r in h.wayback.requests("/web/")]

    second = backfill(_site(), archive, options)
    assert second.status == "ok"
    cdx = h.wayback.requests("/cdx/")[4:]
    assert "resumeKey=" in cdx[0].path  # continued, not started over
    fetched_second = [r.path for r in h.wayback.requests("/web/")][len(fetched_first) :]
    assert not set(fetched_first) & set(fetched_second)
    assert archive.counts()["articles"] == 6
    for a in h.site.articles:
        assert [v for _, v in _series(archive, _url(h, a.id))] == h.views[a.id]


def test_a_run_stopped_by_max_captures_is_finished_by_the_next(
    history: History, archive: Archive
) -> None:
    h = history
    first = backfill(_site(), archive, _options(h, max_captures=5))
    assert first.fetched + first.reused == 5 and first.pending > 0
    second = backfill(_site(), archive, _options(h))
    assert second.pending == 0
    snapshots = [r.path for r in h.wayback.requests("/web/")]
    assert len(snapshots) == len(set(snapshots))
    for a in h.site.articles:
        assert [v for _, v in _series(archive, _url(h, a.id))] == h.views[a.id]


def test_the_archive_is_asked_politely(history: History, archive: Archive) -> None:
    h = history
    h.wayback.add_fault("/web/", Fault(status=503, retry_after="1"), times=1)
    report = backfill(_site(), archive, _options(h, max_captures=3, delay=0.2))
    log = h.wayback.log
    gaps = [b.at - a.at for a, b in zip(log, log[1:], strict=False)]
    assert min(gaps) >= 0.19  # the archive's own delay, between every two requests
    first_snapshot = next(i for i, r in enumerate(log) if r.path.startswith("/web/"))
    assert log[first_snapshot + 1].path == log[first_snapshot].path  # the 503, retried…
    assert gaps[first_snapshot] >= 0.99  # …after its Retry-After
    assert report.fetched == 3 and not report.failed
    assert all("provincial-news-archive" in r.headers.get("User-Agent", "") for r in log)


def test_a_persistent_429_ends_the_run_and_the_next_run_continues(
    history: History, archive: Archive
) -> None:
    h = history
    h.wayback.add_fault("/web/", Fault(status=429, retry_after="0"), times=2)
    first = backfill(_site(), archive, _options(h, retries=1))
    assert first.status == "partial" and "slow down" in first.message
    assert first.fetched == 0 and first.pending > 0
    second = backfill(_site(), archive, _options(h))
    assert second.status == "ok" and second.pending == 0


def test_an_article_known_live_and_archived_is_one_article(
    gone_site: FixtureSite, tmp_path: Path
) -> None:
    """The live site now answers at a new host; the archive holds the old host's pages."""
    h = _history(gone_site)
    with h.wayback, FixtureServer([h.site]), Archive.open(tmp_path / "a.db") as archive:
        config = parse_config(
            {
                "defaults": {"delay": 0, "timeout": 5},
                "sites": [
                    {
                        "name": "fixture-gone",
                        "province": "Kon Tum",
                        "department": "Sở LĐTBXH",
                        "start_urls": h.site.start_urls(),
                        "platform": "kontum",
                        "aliases": [OLD_HOST],
                    }
                ],
            }
        )
        live = harvest(config, archive)
        assert live.status == "ok"
        latest_live = {
            r["url"]: r["version_id"]
            for r in archive.query("SELECT url, version_id FROM latest_versions")
        }
        report = backfill(config.sites[0], archive, _options(h))
        assert report.articles_new == 0  # every archived capture found its live article
        assert archive.counts()["articles"] == 6
        for a in h.site.articles:
            url = h.site.url_of(a)
            series = _series(archive, url)
            assert [v for _, v in series] == [*h.views[a.id], a.views]
            assert series[-1][0] > "2025" and all(t < "2024" for t, _ in series[:-1])
            row = archive.query(
                "SELECT version_id, fetched_at FROM latest_versions WHERE url = ?", (url,)
            )[0]
            assert row["version_id"] == latest_live[url]  # the newest stays the latest
        # unchanged content is one version, dated by its first capture; the edit is a second
        edited = archive.query(
            "SELECT v.fetched_at, v.source FROM versions v JOIN articles a ON a.id = v.article_id WHERE a.url = ? ORDER BY v.fetched_at",
            (h.site.url_of(h.site.by_id(h.edited)),),
        )
        assert [(r[0][:10], r[1]) for r in edited] == [
            ("2021-03-10", "wayback"),
            ("2022-04-15", "wayback"),
        ]
        assert archive.counts()["versions"] == 7
        old = archive.query(
            "SELECT reason FROM article_urls WHERE url LIKE ?", (f"http://{OLD_HOST}/%",)
        )
        assert len(old) == 6  # the old host's URLs lead to the same articles


def _config_file(tmp_path: Path, **extra: object) -> Path:
    path = tmp_path / "config.yaml"
    site = {
        "name": "fixture-gone",
        "province": "Kon Tum",
        "department": "Sở LĐTBXH",
        "start_urls": [f"https://{OLD_HOST}/"],
        "platform": "kontum",
        "status": "gone",
        **extra,
    }
    path.write_text(
        yaml.safe_dump({"defaults": {"archive_delay": 0}, "sites": [site]}, allow_unicode=True),
        encoding="utf-8",
    )
    return path


def test_the_command_reports_what_it_found_fetched_and_skipped(
    history: History, tmp_path: Path
) -> None:
    h = history
    args = [
        "backfill",
        "fixture-gone",
        "--config",
        str(_config_file(tmp_path)),
        "--db",
        str(tmp_path / "a.db"),
        "--archive-url",
        h.wayback.base_url,
    ]
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "ok" and report["stored"] == 13 and report["reused"] == 1
    assert report["skipped"]["truncated"] == 1
    assert (
        "captures found:" in result.stderr
        and "skipped:" in result.stderr
        and "an error page" in result.stderr
    )
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0 and "fetched: 0 captures in 0 requests" in again.stderr
    with Archive.open(tmp_path / "a.db") as archive:
        runs = archive.query("SELECT command, status FROM runs ORDER BY id")
        assert [tuple(r) for r in runs] == [("backfill --source wayback", "ok")] * 2
        stats = json.loads(
            archive.query("SELECT stats FROM run_sites ORDER BY run_id LIMIT 1")[0][0]
        )
        assert stats["backfill"]["stored"] == 13


def test_the_command_refuses_bad_arguments(tmp_path: Path) -> None:
    config = str(_config_file(tmp_path))
    base = ["backfill", "fixture-gone", "--config", config, "--db", str(tmp_path / "a.db")]
    for extra, says in (
        (["--from", "2021-13"], "YYYY-MM"),
        (["--source", "warc"], "WARC file"),
        (["--from", "2022-01", "--until", "2021-01"], "after --until"),
        (["--archive-url", "web.archive.org"], "http(s) URL"),
    ):
        result = CliRunner().invoke(cli, [*base, *extra])
        assert result.exit_code == 2 and says in result.output, result.output
    result = CliRunner().invoke(cli, ["backfill", "nope", "--config", config])
    assert result.exit_code == 2 and "no site named 'nope'" in result.output


def test_an_unreachable_archive_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # retries back off through the host gate: a gate that does not sleep keeps the test fast
    monkeypatch.setattr(
        "harvester.backfill.Fetcher", functools.partial(Fetcher, gate=HostGate(sleep=lambda s: None))
    )
    args = [
        "backfill",
        "fixture-gone",
        "--config",
        str(_config_file(tmp_path)),
        "--db",
        str(tmp_path / "a.db"),
        "--archive-url",
        "http://127.0.0.1:9",
    ]
    result = CliRunner().invoke(cli, args)
    assert (
        result.exit_code == 1
        and "unreachable" in result.stderr
        and "connection refused" in result.stderr
    )


def test_the_archive_settings_have_defaults_and_placed_errors() -> None:
    site = {
        "name": "a",
        "province": "Kon Tum",
        "department": "Sở A",
        "start_urls": ["https://a.gov.vn/"],
    }
    config = parse_config({"sites": [site]})
    assert (config.defaults.archive_url, config.defaults.archive_delay) == (
        "https://web.archive.org",
        3.0,
    )
    config = parse_config(
        {
            "defaults": {"archive_url": "http://127.0.0.1:8080/pywb/", "archive_delay": 10},
            "sites": [site],
        }
    )
    assert (config.defaults.archive_url, config.defaults.archive_delay) == (
        "http://127.0.0.1:8080/pywb",
        10.0,
    )
    for key, value, message in (
        ("archive_url", "web.archive.org", "defaults.archive_url: expected an http(s) URL"),
        ("archive_delay", -1, "defaults.archive_delay: must be at least 0"),
    ):
        with pytest.raises(ConfigError) as info:
            parse_config({"defaults": {key: value}, "sites": [site]})
        assert message in str(info.value)
