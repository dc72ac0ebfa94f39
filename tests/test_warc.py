"""Backfill from WARC files written with warcio in the test: a user's own crawl or a Common
Crawl extract, with the records real files hold (requests, 404s, images, other hosts,
revisits, truncated and gzip-encoded payloads)."""

from __future__ import annotations

import gzip
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from harvester.backfill import BackfillOptions, backfill
from harvester.config import Site, parse_config
from harvester.demo import FixtureSite
from harvester.store import Archive

HOST = "sldtbxh.kontum.gov.vn"


class Crawl:
    """A WARC file being written."""

    def __init__(self, path: Path, *, compress: bool = True) -> None:
        self.fh = path.open("wb")
        self.writer = WARCWriter(self.fh, gzip=compress)

    def response(
        self,
        url: str,
        date: str,
        body: bytes,
        *,
        status: str = "200 OK",
        ctype: str = "text/html; charset=utf-8",
        extra_http: list[tuple[str, str]] | None = None,
        warc: dict[str, str] | None = None,
    ) -> str:
        http = StatusAndHeaders(
            status, [("Content-Type", ctype), *(extra_http or [])], protocol="HTTP/1.1"
        )
        record = self.writer.create_warc_record(
            url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date, **(warc or {})},
        )
        self.writer.write_record(record)
        return str(record.rec_headers.get_header("WARC-Payload-Digest"))

    def request(self, url: str, date: str) -> None:
        http = StatusAndHeaders("GET / HTTP/1.1", [("Host", HOST)], is_http_request=True)
        self.writer.write_record(
            self.writer.create_warc_record(
                url, "request", http_headers=http, warc_headers_dict={"WARC-Date": date}
            )
        )

    def revisit(self, url: str, date: str, digest: str, refers_to: str) -> None:
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        self.writer.write_record(
            self.writer.create_revisit_record(
                url,
                digest,
                url,
                refers_to,
                http_headers=http,
                warc_headers_dict={"WARC-Date": date},
            )
        )

    def close(self) -> None:
        self.fh.close()


def _site() -> Site:
    return parse_config(
        {
            "sites": [
                {
                    "name": "fixture-warc",
                    "province": "Kon Tum",
                    "department": "Sở LĐTBXH",
                    "start_urls": [f"https://{HOST}/"],
                    "platform": "kontum",
                    "status": "gone",
                }
            ]
        }
    ).sites[0]


@pytest.fixture
def crawl(tmp_path: Path) -> tuple[FixtureSite, list[Path], dict[int, list[int]]]:
    """Two crawls of a 4-article site in one gzipped WARC, a third in a plain one."""
    site = FixtureSite("fixture-warc", n_articles=4, seed=5)
    a = site.articles
    url = {x.id: f"http://{HOST}{site.path_of(x)}" for x in a}
    views = {x.id: [x.views] for x in a}
    first = Crawl(tmp_path / "2021.warc.gz")
    digests = {}
    for x in a:
        first.request(url[x.id], "2021-03-10T02:00:00Z")
        digests[x.id] = first.response(
            url[x.id], "2021-03-10T02:00:01Z", site.render_article(x).encode()
        )
    first.response(
        f"http://{HOST}/tin-tuc-su-kien", "2021-03-10T02:00:02Z", site.render_listing(1, 1).encode()
    )
    first.response(
        f"http://{HOST}/tin-tuc-su-kien/Bai-da-xoa-9999",
        "2021-03-10T02:00:03Z",
        b"gone",
        status="404 Not Found",
    )
    first.response(
        f"http://{HOST}/Uploads/a.jpg", "2021-03-10T02:00:04Z", b"\xff\xd8", ctype="image/jpeg"
    )
    first.response("http://baokontum.com.vn/tin-1234", "2021-03-10T02:00:05Z", b"<html></html>")
    site.grow_views(9)
    for x in a[:2]:  # a server that gzips its pages
        first.response(
            url[x.id],
            "2022-05-01T01:00:00Z",
            gzip.compress(site.render_article(x).encode()),
            extra_http=[("Content-Encoding", "gzip")],
        )
        views[x.id].append(x.views)
    first.close()
    third = Crawl(tmp_path / "2023.warc", compress=False)
    # a deduplicating crawler: a[2] unchanged since 2021 is a revisit record
    third.revisit(url[a[2].id], "2023-01-01T00:00:00Z", digests[a[2].id], "2021-03-10T02:00:01Z")
    views[a[2].id].append(views[a[2].id][0])
    whole = site.render_article(a[3]).encode()
    third.response(
        url[a[3].id], "2023-01-01T00:00:01Z", whole[:2000], warc={"WARC-Truncated": "length"}
    )
    third.close()
    return site, [tmp_path / "2021.warc.gz", tmp_path / "2023.warc"], views


def test_a_warc_backfill_stores_each_capture_in_time_order(crawl, archive: Archive) -> None:
    site, files, views = crawl
    report = backfill(
        _site(), archive, BackfillOptions(source="warc", files=tuple(map(str, files)))
    )
    assert report.status == "ok", report.lines()
    assert report.requests == 0
    assert dict(report.ignored) == {
        "HTTP 404": 1,
        "not HTML (image/jpeg)": 1,
        "another site's URL": 1,
    }
    assert report.skipped == {"a listing URL": 1, "truncated": 1}
    assert report.reused == 1 and report.stored == 7
    for a in site.articles:
        rows = archive.query(
            """SELECT c.observed_at, c.views, c.source FROM view_counts c JOIN articles x ON x.id = c.article_id
               WHERE x.url = ? ORDER BY c.observed_at""",
            (f"https://{HOST}{site.path_of(a)}",),
        )
        assert [r[1] for r in rows] == views[a.id]
        assert {r[2] for r in rows} == {"warc"}
    assert archive.counts()["versions"] == 4
    # the gzip-encoded payloads were decoded (their 2022 views are in the series above) and
    # are stored as the bytes a parser reads, without a Content-Encoding that no longer holds
    gz = archive.query("SELECT headers FROM pages WHERE fetched_at LIKE '2022%'")
    assert len(gz) == 2 and all("content-encoding" not in h[0] for h in gz)
    assert archive.query("SELECT count(*) FROM errors WHERE kind = 'truncated'")[0][0] == 1


def test_reading_the_same_files_again_stores_nothing(crawl, archive: Archive) -> None:
    _, files, _ = crawl
    options = BackfillOptions(source="warc", files=tuple(map(str, files)))
    backfill(_site(), archive, options)
    counts = archive.counts()
    again = backfill(_site(), archive, options)
    assert again.listed == 9 and again.new == 0 and again.stored == 0 and again.fetched == 0
    assert {k: v for k, v in archive.counts().items() if k != "runs"} == {
        k: v for k, v in counts.items() if k != "runs"
    }


def test_a_file_that_is_not_a_warc_is_reported(tmp_path: Path, archive: Archive) -> None:
    bad = tmp_path / "notes.warc"
    bad.write_text("these are not WARC records\n")
    report = backfill(_site(), archive, BackfillOptions(source="warc", files=(str(bad),)))
    assert report.status == "unreachable"
    assert report.message == f"not a WARC/ARC file: {bad}"
    assert any("not a readable WARC" in e for e in report.examples)


def test_unreadable_files_after_an_earlier_backfill_fail_the_run(
    crawl, archive: Archive, tmp_path: Path
) -> None:
    """Once the archive holds captures, a backfill given only random bytes used to end
    'partial: some requests failed; run again to retry them' with exit status 0."""
    from click.testing import CliRunner

    from harvester.cli import cli

    _, files, _ = crawl
    good = backfill(_site(), archive, BackfillOptions(source="warc", files=(str(files[0]),)))
    assert good.status == "ok" and good.totals
    noise = tmp_path / "noise.warc.gz"
    noise.write_bytes(bytes(range(256)) * 20)
    report = backfill(_site(), archive, BackfillOptions(source="warc", files=(str(noise),)))
    assert (report.status, report.message) == ("unreachable", f"not a WARC/ARC file: {noise}")
    assert not report.failed  # nothing to retry: reading it again gives the same
    mixed = backfill(_site(), archive, BackfillOptions(source="warc", files=(str(noise), str(files[1]))))
    assert (mixed.status, mixed.message) == ("partial", f"not a WARC/ARC file: {noise}")
    assert mixed.stored == 1  # the readable file was read

    config = tmp_path / "config.yaml"
    config.write_text(
        "sites:\n  - {name: fixture-warc, province: Kon Tum, department: D, "
        f"start_urls: ['https://{HOST}/'], platform: kontum, status: gone}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["backfill", "fixture-warc", str(noise), "--config", str(config), "--db", archive.path]
    )
    assert result.exit_code == 1
    assert f"unreachable (not a WARC/ARC file: {noise})" in result.stderr
    assert "run again" not in result.stderr
