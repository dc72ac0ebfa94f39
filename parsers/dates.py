"""Dates as Vietnamese department sites print them, to `date` or aware `datetime` (+07:00).

Handles: 16/09/2023, 6/2/2020, 5/06/2013, 28 - 08 - 2015, 2023/09/16, 16 08 2023 (only
when it is the whole value), 2023-09-16T10:14:00+07:00, "Thứ ba - 27/06/2023 10:14",
"27/06/2023  10:14", "25/08/2023 08:23 AM", "08:23 SA", "10:14 27/06/2023", "10:14, ngày
27/06/2023", "ngày 08 tháng 12 năm 2019", "Thứ ba, 27 Tháng 6 2023 10:14" (Joomla vi-VN),
"27 Tháng Sáu, 2023" and "Tháng Sáu 27, 2023" (WordPress vi), "June 27, 2023", "10h14".

A time of exactly midnight ("26/07/2023 00:00:00") is a template filling an empty time, so
the value is a day. Vietnam keeps one offset all year (UTC+7, no daylight saving), so a
fixed offset is exact.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

__all__ = ["VN_TZ", "find_date", "parse_date", "all_dates"]

VN_TZ = timezone(timedelta(hours=7), "ICT")

_SEP = r"\s*[/.\-]\s*"
_YEAR = r"((?:19|20)\d{2})"
_DMY = re.compile(rf"(?<![\d/.\-])(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}{_YEAR}(?![\d/])")
_YMD = re.compile(r"(?<![\d/.\-])((?:19|20)\d{2})\s*[/.]\s*(\d{1,2})\s*[/.]\s*(\d{1,2})(?![\d/])")
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
_DAY_MONTHNUM = re.compile(
    r"(?<!\d)(\d{1,2})\s+(?:tháng|thang)\s+(\d{1,2})\s*,?\s+((?:19|20)\d{2})", re.I
)
# Month names: Vietnamese number words after "Tháng" (WordPress vi) and English.
_VI_MONTHS = {
    "một": 1,
    "giêng": 1,
    "hai": 2,
    "ba": 3,
    "tư": 4,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "mười một": 11,
    "mười hai": 12,
    "chạp": 12,
}
_EN_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        )
    )
    for m in names.split()
}
_VI_MONTH_ALT = "|".join(sorted(_VI_MONTHS, key=len, reverse=True))
_EN_MONTH_ALT = "|".join(sorted(_EN_MONTHS, key=len, reverse=True))
_MONTH_NAME = rf"(?:(?:tháng|thang)\s+(?P<vi>{_VI_MONTH_ALT})|(?P<en>{_EN_MONTH_ALT})\.?)"
_DAY_MONTHNAME = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})\s+{_MONTH_NAME}\s*,?\s+(?P<y>(?:19|20)\d{{2}})(?!\d)", re.I
)
_MONTHNAME_DAY = re.compile(
    rf"(?<![\w]){_MONTH_NAME}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,\s*(?P<y>(?:19|20)\d{{2}})(?!\d)",
    re.I,
)
_TIME = re.compile(
    r"(?<!\d)([01]?\d|2[0-3])\s*(?::|h|g|giờ)\s*([0-5]\d)(?::([0-5]\d))?"
    r"(?:\s*(AM|PM|SA|CH|sáng|chiều|tối)\b)?",
    re.I,
)
# What may stand between a time and the date it precedes: "10:14, ngày 27/06", "10:14 - 27/06"
_TIME_DATE_GAP = re.compile(r"^[\s,\-–|]*(?:(?:ngày|ngay)\s*)?$", re.I)
_PM = {"pm", "ch", "chiều", "tối"}
_AM = {"am", "sa", "sáng"}


def _mkdate(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _clock(m: re.Match[str]) -> tuple[int, int, int]:
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    ampm = (m.group(4) or "").lower()
    if ampm in _PM and h < 12:
        h += 12
    elif ampm in _AM and h == 12:
        h = 0
    return h, mi, s


def _time_near(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    """A time right after (or just before) the date at text[start:end]."""
    after = text[end : end + 20]
    stripped = after.lstrip(" ,-–|\u00a0")
    if stripped.lower().startswith(("lúc", "luc")):
        stripped = stripped[3:].lstrip(" :")
    m = _TIME.match(stripped) if stripped else None
    if m is None:
        before = text[max(0, start - 24) : start]
        m = next(
            (x for x in _TIME.finditer(before) if _TIME_DATE_GAP.match(before[x.end() :])), None
        )
    return _clock(m) if m else None


def _with_time(d: date, t: tuple[int, int, int] | None) -> date | datetime:
    if t is None or t == (0, 0, 0):
        return d
    return datetime(d.year, d.month, d.day, *t, tzinfo=VN_TZ)


def all_dates(text: str) -> list[tuple[int, date | datetime]]:
    """Every date in the text with its position, in order of appearance."""
    found: list[tuple[int, int, date | datetime]] = []

    def taken(pos: int) -> bool:
        return any(s <= pos < e for s, e, _ in found)

    for m in _ISO.finditer(text):
        d = _mkdate(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d is None:
            continue
        value: date | datetime = d
        if m.group(4) and (m.group(4), m.group(5), m.group(6) or "00") != ("00", "00", "00"):
            tz = VN_TZ
            if m.group(7):
                z = m.group(7)
                if z == "Z":
                    tz = timezone.utc
                else:
                    sign = 1 if z[0] == "+" else -1
                    z = z[1:].replace(":", "")
                    tz = timezone(sign * timedelta(hours=int(z[:2]), minutes=int(z[2:])))
            value = datetime(
                d.year,
                d.month,
                d.day,
                int(m.group(4)),
                int(m.group(5)),
                int(m.group(6) or 0),
                tzinfo=tz,
            ).astimezone(VN_TZ)
        found.append((m.start(), m.end(), value))
    for rx in (_WORDS, _DAY_MONTHNUM, _DMY):
        for m in rx.finditer(text):
            if taken(m.start()):
                continue
            d = _mkdate(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            if d is not None:
                found.append(
                    (m.start(), m.end(), _with_time(d, _time_near(text, m.start(), m.end())))
                )
    for m in _YMD.finditer(text):
        if not taken(m.start()) and (
            d := _mkdate(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        ):
            found.append((m.start(), m.end(), _with_time(d, _time_near(text, m.start(), m.end()))))
    for rx in (_DAY_MONTHNAME, _MONTHNAME_DAY):
        for m in rx.finditer(text):
            if taken(m.start()):
                continue
            month = _VI_MONTHS.get((m.group("vi") or "").lower()) or _EN_MONTHS.get(
                (m.group("en") or "").lower().rstrip(".")
            )
            if month and (d := _mkdate(int(m.group("y")), month, int(m.group("d")))):
                found.append(
                    (m.start(), m.end(), _with_time(d, _time_near(text, m.start(), m.end())))
                )
    if not found:
        spaced = _DMY_SPACES.match(text)
        if spaced and (
            d := _mkdate(int(spaced.group(3)), int(spaced.group(2)), int(spaced.group(1)))
        ):
            found.append((spaced.start(1), spaced.end(), d))
    found.sort(key=lambda x: x[0])
    return [(start, value) for start, _, value in found]


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where the dates (and the times beside them) are in a text: for telling a date line
    ("Thứ ba - 27/06/2023 10:14") from a sentence that merely contains a date."""
    spans: list[tuple[int, int]] = []
    for rx in (_ISO, _WORDS, _DAY_MONTHNUM, _DMY, _YMD, _DAY_MONTHNAME, _MONTHNAME_DAY, _TIME):
        spans += [(m.start(), m.end()) for m in rx.finditer(text)]
    if not spans and _DMY_SPACES.match(text):
        spans.append((0, len(text)))
    return spans


def find_date(text: str) -> date | datetime | None:
    """The first date in a text, with its time when one stands beside it.

    >>> find_date("Thứ ba - 27/06/2023 10:14")
    datetime.datetime(2023, 6, 27, 10, 14, tzinfo=datetime.timezone(datetime.timedelta(seconds=25200), 'ICT'))
    >>> find_date("Ngày đăng : 16/09/2023 Lượt xem : 544")
    datetime.date(2023, 9, 16)
    >>> find_date("Ngày 26/07/2023 00:00:00")
    datetime.date(2023, 7, 26)
    >>> find_date("Được đăng: Thứ ba, 27 Tháng Sáu 2023 02:15 CH").isoformat()
    '2023-06-27T14:15:00+07:00'
    """
    found = all_dates(text)
    return found[0][1] if found else None


parse_date = find_date
