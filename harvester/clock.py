"""The archive's clock: aware datetimes at +07:00 (Vietnam keeps no daylight saving), and
their ISO 8601 text as stored. One place to read the time, so tests can move it."""

from __future__ import annotations

from datetime import datetime

from parsers.dates import VN_TZ

__all__ = ["VN_TZ", "now", "iso"]


def now() -> datetime:
    """The current time at +07:00, to the second."""
    return datetime.now(VN_TZ).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """'2026-11-29T02:00:00+07:00'."""
    return moment.astimezone(VN_TZ).isoformat(timespec="seconds")
