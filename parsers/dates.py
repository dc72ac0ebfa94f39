"""Dates as Vietnamese department sites print them, to `date` or aware `datetime` (+07:00).

Handles: 16/09/2023, 6/2/2020, 5/06/2013, 28 - 08 - 2015, 16 08 2023 (only when it is the
whole value), 2023-09-16T10:14:00+07:00, "Thứ ba - 27/06/2023 10:14", "27/06/2023  10:14",
"25/08/2023 08:23 AM", "08:23 SA", "10:14 27/06/2023", "ngày 08 tháng 12 năm 2019",
"Thứ ba, 27 Tháng 6 2023 10:14" (Joomla vi-VN), "10h14".

Vietnam keeps one offset all year (UTC+7, no daylight saving), so a fixed offset is exact.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

__all__ = ["VN_TZ", "find_date", "parse_date", "all_dates"]

VN_TZ = timezone(timedelta(hours=7), "ICT")

_SEP = r"\s*[/.\-]\s*"
_DMY = re.compile(rf"(?<![\d/.\-])(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}((?:19|20)\d{{2}})(?![\d/])")
_DMY_SPACES = re.compile(r"^\s*(\d{1,2})\s+(\d{1,2})\s+((?:19|20)\d{2})\s*$")
_ISO = re.compile(
    r"(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
)
_WORDS = re.compile(
    r"(?:ngày|ngay)\s+(\d{1,2})\s+(?:tháng|thang)\s+(\d{1,2})\s*(?:năm|nam|,)?\s+((?:19|20)\d{2})",
    re.I,
)
# Joomla vi-VN LC2: "27 Tháng 6 2023", also "27 tháng 06, 2023"
_DAY_MONTHWORD = re.compile(
    r"(?<!\d)(\d{1,2})\s+(?:tháng|thang)\s+(\d{1,2})\s*,?\s+((?:19|20)\d{2})", re.I
)
_TIME = re.compile(
    r"(?<!\d)([01]?\d|2[0-3])\s*(?::|h|g|giờ)\s*([0-5]\d)(?::([0-5]\d))?"
    r"(?:\s*(AM|PM|SA|CH|sáng|chiều|tối)\b)?",
    re.I,
)
_PM = {"pm", "ch", "chiều", "tối"}
_AM = {"am", "sa", "sáng"}


def _mkdate(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _time_near(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    """A time within a few characters after (or just before) the date at text[start:end]."""
    after = text[end : end + 16]
    m = _TIME.match(after.lstrip(" ,-–|\u00a0")) if after else None
    if m is None:
        before = text[max(0, start - 14) : start]
        m = next((x for x in _TIME.finditer(before) if before[x.end():].strip(" ,-–|") == ""), None)
    if m is None:
        return None
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    ampm = (m.group(4) or "").lower()
    if ampm in _PM and h < 12:
        h += 12
    elif ampm in _AM and h == 12:
        h = 0
    return h, mi, s


def _with_time(d: date, t: tuple[int, int, int] | None) -> date | datetime:
    if t is None:
        return d
    return datetime(d.year, d.month, d.day, *t, tzinfo=VN_TZ)


def all_dates(text: str) -> list[tuple[int, date | datetime]]:
    """Every date in the text with its position, in order of appearance."""
    found: list[tuple[int, int, date | datetime]] = []
    for m in _ISO.finditer(text):
        d = _mkdate(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d is None:
            continue
        if m.group(4):
            tz = VN_TZ
            if m.group(7):
                z = m.group(7)
                if z == "Z":
                    tz = timezone.utc
                else:
                    sign = 1 if z[0] == "+" else -1
                    z = z[1:].replace(":", "")
                    tz = timezone(sign * timedelta(hours=int(z[:2]), minutes=int(z[2:])))
            value: date | datetime = datetime(
                d.year, d.month, d.day, int(m.group(4)), int(m.group(5)), int(m.group(6) or 0), tzinfo=tz
            ).astimezone(VN_TZ)
        else:
            value = d
        found.append((m.start(), m.end(), value))
    for rx in (_WORDS, _DAY_MONTHWORD, _DMY):
        for m in rx.finditer(text):
            if any(s <= m.start() < e for s, e, _ in found):
                continue
            d = _mkdate(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            if d is None:
                continue
            found.append((m.start(), m.end(), _with_time(d, _time_near(text, m.start(), m.end()))))
    if not found:
        m = _DMY_SPACES.match(text)
        if m and (d := _mkdate(int(m.group(3)), int(m.group(2)), int(m.group(1)))):
            found.append((m.start(1), m.end(), d))
    found.sort(key=lambda x: x[0])
    return [(start, value) for start, _, value in found]


def find_date(text: str) -> date | datetime | None:
    """The first date in a text, with its time when one stands beside it.

    >>> find_date("Thứ ba - 27/06/2023 10:14")
    datetime.datetime(2023, 6, 27, 10, 14, tzinfo=datetime.timezone(datetime.timedelta(seconds=25200), 'ICT'))
    >>> find_date("Ngày đăng : 16/09/2023 Lượt xem : 544")
    datetime.date(2023, 9, 16)
    """
    found = all_dates(text)
    return found[0][1] if found else None


parse_date = find_date
