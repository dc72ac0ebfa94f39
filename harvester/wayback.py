"""The Wayback Machine's two interfaces for programs: the CDX index of a host's captures,
and the raw bytes of one capture. Pure request building and answer reading; the requests
themselves go through a polite `Fetcher` (harvester/backfill.py).

    {base}/cdx/search/cdx?url=HOST/*&output=json&filter=statuscode:200
        &filter=mimetype:text/html&collapse=digest&limit=N&showResumeKey=true[&resumeKey=K]
        [&from=YYYYMM][&to=YYYYMM]
    {base}/web/{timestamp}id_/{original}    the capture as received, without the archive's
                                            toolbar or rewritten links

A JSON CDX answer is a list: a header row naming the fields, one row per capture and, when
the `limit` cut the answer short, an empty row and a row holding the resume key that
continues it. `collapse=digest` drops a capture whose bytes equal the capture just before
it (same URL), so an unchanged page archived every week costs one row, not fifty.
Timestamps are 14 digits, UTC.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote, urlencode

from .clock import VN_TZ
from .errors import FetchError

__all__ = [
    "DEFAULT_ARCHIVE_URL",
    "CdxCapture",
    "CdxPage",
    "capture_time",
    "cdx_params",
    "cdx_url",
    "parse_cdx",
    "snapshot_url",
    "snapshot_timestamp",
]

DEFAULT_ARCHIVE_URL = "https://web.archive.org"
_SNAPSHOT = re.compile(r"/web/(\d{1,14})(?:[a-z]{2}_)?/")


@dataclass(frozen=True)
class CdxCapture:
    """One line of the CDX index: a capture of `original` at `timestamp` (UTC)."""

    urlkey: str
    timestamp: str
    original: str
    mimetype: str | None
    statuscode: str | None
    digest: str | None
    length: str | None = None

    @property
    def captured_at(self) -> datetime:
        return capture_time(self.timestamp)


@dataclass(frozen=True)
class CdxPage:
    """One answer of the CDX server: its captures, and the key that continues the listing
    (None when there is nothing more)."""

    captures: tuple[CdxCapture, ...]
    resume_key: str | None


def capture_time(timestamp: str) -> datetime:
    """A 14-digit archive timestamp (UTC) at +07:00.

    >>> capture_time("20230916013000").isoformat()
    '2023-09-16T08:30:00+07:00'
    """
    ts = (timestamp + "0" * 14)[:14] if len(timestamp) < 14 else timestamp[:14]
    if len(ts) < 14 or not ts.isdigit():
        raise ValueError(f"not an archive timestamp: {timestamp!r}")
    # a short timestamp pads its month and day with 0: make them 1
    year, month, day = int(ts[:4]), max(1, int(ts[4:6])), max(1, int(ts[6:8]))
    moment = datetime(
        year, month, day, int(ts[8:10]), int(ts[10:12]), int(ts[12:14]), tzinfo=timezone.utc
    )
    return moment.astimezone(VN_TZ)


def cdx_params(
    host: str, *, since: str | None = None, until: str | None = None, limit: int = 1000
) -> dict[str, object]:
    """The query for every HTML capture answered 200 under a host (`since`/`until`: YYYYMM).

    The url's scheme and a leading "www." do not matter: the archive keys captures by SURT,
    which drops both."""
    params: dict[str, object] = {
        "url": f"{host}/*",
        "output": "json",
        "filter": ["statuscode:200", "mimetype:text/html"],
        "collapse": "digest",
        "limit": limit,
        "showResumeKey": "true",
    }
    if since:
        params["from"] = since
    if until:
        params["to"] = until
    return params


def cdx_url(base: str, params: dict[str, object], resume_key: str | None = None) -> str:
    """The CDX request for `params`, continued at `resume_key`.

    >>> cdx_url("https://web.archive.org", cdx_params("sldtbxh.kontum.gov.vn", limit=5), "vn%2Cgov+2021!")
    'https://web.archive.org/cdx/search/cdx?url=sldtbxh.kontum.gov.vn%2F%2A&output=json&filter=statuscode%3A200&filter=mimetype%3Atext%2Fhtml&collapse=digest&limit=5&showResumeKey=true&resumeKey=vn%2Cgov+2021%21'
    """
    url = f"{base.rstrip('/')}/cdx/search/cdx?{urlencode(params, doseq=True)}"
    if resume_key:
        # the server sends the key already percent-encoded, to be passed back as it is
        url += "&resumeKey=" + quote(resume_key, safe="%+")
    return url


def snapshot_url(base: str, timestamp: str, original: str) -> str:
    """The raw capture (`id_`: the bytes as archived, no toolbar, links not rewritten).

    >>> snapshot_url("https://web.archive.org", "20230916013000", "http://sldtbxh.kontum.gov.vn/a-1")
    'https://web.archive.org/web/20230916013000id_/http://sldtbxh.kontum.gov.vn/a-1'
    """
    return f"{base.rstrip('/')}/web/{timestamp}id_/{original}"


def snapshot_timestamp(url: str) -> str | None:
    """The timestamp a snapshot URL names (after a redirect: the capture actually served)."""
    m = _SNAPSHOT.search(url)
    return m.group(1) if m else None


def parse_cdx(body: bytes, url: str) -> CdxPage:
    """Read a JSON CDX answer; raises FetchError (kind "cdx") when it is not one."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return CdxPage((), None)
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FetchError(
            url, f"the CDX answer is not JSON ({exc.msg} at {exc.pos}): {text[:80]!r}", kind="cdx"
        ) from None
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise FetchError(url, "the CDX answer is not a list of rows", kind="cdx")
    if not rows:
        return CdxPage((), None)
    header = [str(h) for h in rows[0]]
    if "timestamp" not in header or "original" not in header:
        raise FetchError(
            url,
            f"the CDX answer's first row names no timestamp/original field: {header}",
            kind="cdx",
        )
    resume_key = None
    body_rows = rows[1:]
    if len(body_rows) >= 2 and body_rows[-2] == [] and len(body_rows[-1]) == 1:
        resume_key = str(body_rows[-1][0])
        body_rows = body_rows[:-2]
    captures = []
    for row in body_rows:
        if not row:
            continue
        if len(row) != len(header):
            raise FetchError(
                url, f"a CDX row has {len(row)} fields, the header {len(header)}: {row}", kind="cdx"
            )
        rec = dict(zip(header, (str(v) for v in row), strict=True))

        def field(name: str, rec: dict[str, str] = rec) -> str | None:
            value = rec.get(name)
            return None if value in (None, "", "-") else value

        captures.append(
            CdxCapture(
                urlkey=rec.get("urlkey", ""),
                timestamp=rec["timestamp"],
                original=rec["original"],
                mimetype=field("mimetype"),
                statuscode=field("statuscode"),
                digest=field("digest"),
                length=field("length"),
            )
        )
    return CdxPage(tuple(captures), resume_key)
