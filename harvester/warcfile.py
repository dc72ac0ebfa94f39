"""WARC (and ARC) files: a user's own crawl, a Browsertrix/Heritrix/wget output, or a Common
Crawl extract, read with warcio.

Two steps, like the Wayback path, so a backfill can order captures by time and resume:
`index_warc()` lists a file's captures (response records, and revisit records that point
at an identical payload) without keeping their bodies; `read_capture()` reads one back by
its offset (`FILE#OFFSET`). Gzipped WARCs hold one gzip member per record, so a seek to a
record's offset is enough; uncompressed files work the same way.

warcio does the format work that is easy to get wrong by hand: gzip members, chunked
transfer encoding and Content-Encoding inside the payload, ARC files, the WARC-Date forms.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.timeutils import iso_date_to_timestamp

from .errors import FetchError

__all__ = ["WarcCapture", "WarcPayload", "index_warc", "read_capture"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
# headers that describe the bytes on the wire, not the decoded payload we keep
_WIRE_HEADERS = frozenset(("content-encoding", "transfer-encoding", "content-length"))


@dataclass(frozen=True)
class WarcCapture:
    """A capture listed in a WARC file. `kind` is "response" or "revisit" (the payload is
    that of an earlier response with the same digest)."""

    url: str
    timestamp: str  # 14 digits, UTC
    digest: str | None  # payload SHA-1 in base32, as CDX indexes write it
    mimetype: str | None
    kind: str
    location: str  # FILE#OFFSET


@dataclass(frozen=True)
class WarcPayload:
    """One record's HTTP headers (lowercased) and payload, decoded from its transfer and
    content encodings. `truncated` is the record's WARC-Truncated reason, if any; a
    "revisit" record has no payload of its own."""

    headers: dict[str, str]
    body: bytes
    truncated: str | None
    kind: str = "response"


def _digest(value: str | None) -> str | None:
    if not value:
        return None
    algo, _, rest = value.partition(":")
    return rest.upper() if algo.lower() == "sha1" and rest else value


def _sha1_b32(data: bytes) -> str:
    return base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def index_warc(
    path: str | Path, wanted: Callable[[str], bool], ignored: Counter[str]
) -> Iterator[WarcCapture]:
    """The HTML captures answered 200 in a WARC/ARC file whose URL is `wanted`. Records left
    out are counted in `ignored` by reason. Raises FetchError (kind "warc") when the file
    cannot be read as WARC or ARC."""
    path = Path(path).resolve()
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise FetchError(str(path), f"cannot open ({exc.strerror or exc})", kind="warc") from None
    with fh:
        head = _head(fh)
        if not head.startswith((b"WARC/", b"filedesc://")):
            raise FetchError(
                str(path), f"not a readable WARC or ARC file (it starts {head[:16]!r})", kind="warc"
            )
        it = ArchiveIterator(fh, arc2warc=True)
        try:
            for record in it:
                offset = it.get_record_offset()
                if record.rec_type not in ("response", "revisit"):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if not wanted(url):
                    ignored["another site's URL"] += 1
                    continue
                http = record.http_headers
                status = http.get_statuscode() if http is not None else None
                if record.rec_type == "revisit":
                    profile = record.rec_headers.get_header("WARC-Profile") or ""
                    if "identical-payload-digest" not in profile:
                        ignored["revisit without a payload (server not modified)"] += 1
                        continue
                    if status not in (None, "200"):
                        ignored[f"HTTP {status}"] += 1
                        continue
                elif status != "200":
                    ignored[f"HTTP {status}"] += 1
                    continue
                ctype = (http.get_header("Content-Type") or "") if http is not None else ""
                mimetype = ctype.split(";")[0].strip().lower() or None
                if mimetype and mimetype not in _HTML_TYPES:
                    ignored[f"not HTML ({mimetype})"] += 1
                    continue
                digest = _digest(record.rec_headers.get_header("WARC-Payload-Digest"))
                if digest is None and record.rec_type == "response":
                    digest = _sha1_b32(record.content_stream().read())
                if digest is None:
                    ignored["revisit without a digest"] += 1
                    continue
                date = record.rec_headers.get_header("WARC-Date") or ""
                try:
                    timestamp = iso_date_to_timestamp(date)
                except ValueError:
                    ignored["no readable WARC-Date"] += 1
                    continue
                yield WarcCapture(
                    url, timestamp, digest, mimetype, record.rec_type, f"{path}#{offset}"
                )
        except ArchiveLoadFailed as exc:
            raise FetchError(
                str(path), f"not a readable WARC or ARC file ({exc.msg})", kind="warc"
            ) from None


def read_capture(location: str, max_bytes: int) -> WarcPayload:
    """The record at `FILE#OFFSET`; raises FetchError (kind "warc") when it cannot be read."""
    path, _, offset = location.rpartition("#")
    if not path or not offset.isdigit():
        raise FetchError(location, "not a FILE#OFFSET location", kind="warc")
    try:
        with open(path, "rb") as fh:
            fh.seek(int(offset))
            record = next(iter(ArchiveIterator(fh, arc2warc=True)), None)
            if record is None or record.rec_type not in ("response", "revisit"):
                raise FetchError(
                    location,
                    "no response record at this offset (was the file changed?)",
                    kind="warc",
                )
            body = _read_up_to(record.content_stream(), max_bytes + 1)
            if len(body) > max_bytes:
                raise FetchError(
                    location, f"payload is over the {max_bytes:,}-byte limit", kind="too_large"
                )
            headers = {}
            if record.http_headers is not None:
                headers = {
                    k.lower(): v
                    for k, v in record.http_headers.headers
                    if k.lower() not in _WIRE_HEADERS
                }
            return WarcPayload(
                headers, body, record.rec_headers.get_header("WARC-Truncated"), record.rec_type
            )
    except OSError as exc:
        raise FetchError(location, f"cannot read ({exc.strerror or exc})", kind="warc") from None
    except ArchiveLoadFailed as exc:
        raise FetchError(location, f"not a readable record ({exc.msg})", kind="warc") from None
    except (zlib.error, EOFError, ValueError) as exc:
        raise FetchError(location, f"payload could not be decoded ({exc})", kind="warc") from None


def _head(fh: Any) -> bytes:
    """The first bytes of a (possibly gzipped) file; the file is left at its start."""
    magic = fh.read(2)
    fh.seek(0)
    try:
        if magic == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=fh) as gz:
                return gz.read(32)
        return fh.read(32)
    except (OSError, EOFError):
        return b""
    finally:
        fh.seek(0)


def _read_up_to(stream: Any, limit: int) -> bytes:
    # decompressing readers return a block at a time, not all that was asked for
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
