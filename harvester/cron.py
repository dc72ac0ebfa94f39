"""Cron expressions as operators write them (crontab(5): minute hour day month weekday),
checked strictly and turned into APScheduler 3.x triggers at Asia/Ho_Chi_Minh.

Two places where APScheduler 3.x reads a crontab line differently from cron itself, both
handled here so `0 2 * * 1` means Monday at 02:00 as it does in a crontab:

1. Weekday numbers: cron counts 0 (and 7) as Sunday; APScheduler 3.x counts 0 as Monday
   (its issue 286, fixed only in 4.x). We translate the weekday field to names.
2. Day of month *and* weekday both restricted: cron fires when *either* matches,
   APScheduler when *both* do. Such a line is refused rather than silently misread.

    >>> describe("0 2 * * 1-5")
    'minute=0 hour=2 weekday=mon,tue,wed,thu,fri'
    >>> cron_trigger("0 25 * * *")
    Traceback (most recent call last):
    ...
    ValueError: hour: the last value (25) is higher than the maximum value (23)
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from .clock import VN_TZ

__all__ = ["TIMEZONE", "cron_trigger", "describe", "fire_times", "slot_of", "without_jitter"]


def _timezone() -> tzinfo:
    # Vietnam keeps no daylight saving, so the fixed +07:00 is the same clock where the
    # tz database is missing (a bare container without tzdata).
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:
        return VN_TZ


TIMEZONE = _timezone()
_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
_LABELS = {
    "minute": "minute",
    "hour": "hour",
    "day": "day of month",
    "month": "month",
    "day_of_week": "weekday",
}
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron's numbering: 0 = Sunday


def _weekdays(field: str) -> str:
    """A crontab weekday field in APScheduler's terms: '*' as is, anything else as names."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        rng, _, step_text = part.partition("/")
        if step_text and not step_text.isdigit():
            raise ValueError(f"not a step: {step_text!r}")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError("Increment must be higher than 0")
        if rng == "*":
            lo, hi = 0, 6
        else:
            first, dash, last = rng.partition("-")
            lo = _day(first)
            hi = _day(last) if dash else (6 if step_text else lo)
            if dash and hi == 0 and last.strip() in ("7", "sun"):
                hi = 7  # "5-7" and "fri-sun" run to Sunday
            if hi < lo:
                raise ValueError(f"the range {rng!r} runs backwards")
        days.update(d % 7 for d in range(lo, hi + 1, step))
    return ",".join(_DAYS[d] for d in sorted(days, key=lambda d: (d - 1) % 7))


def _day(text: str) -> int:
    text = text.strip()
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text) % 7
    if text[:3] in _DAYS and len(text) == 3:
        return _DAYS.index(text)
    raise ValueError(f"not a weekday: {text!r} (0-7 or sun-sat)")


def _fields(expr: str) -> dict[str, str]:
    values = expr.split()
    if len(values) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(values)}")
    fields = dict(zip(_FIELDS, values, strict=True))
    try:
        fields["day_of_week"] = _weekdays(fields["day_of_week"])
    except ValueError as exc:
        raise ValueError(f"weekday: {exc}") from None
    if fields["day"] not in ("*", "?") and fields["day_of_week"] != "*":
        raise ValueError(
            "restricts both the day of month and the weekday: cron fires when either matches, "
            "APScheduler only when both do; schedule the two as separate sites or pick one"
        )
    return fields


def cron_trigger(
    expr: str, *, jitter: int | None = None, timezone: tzinfo | None = None
) -> CronTrigger:
    """An APScheduler trigger for a crontab line; ValueError naming the field otherwise.

    >>> t = cron_trigger("30 1 * * 0")
    >>> t.get_next_fire_time(None, datetime(2026, 11, 27, tzinfo=TIMEZONE)).isoformat()
    '2026-11-29T01:30:00+07:00'
    """
    fields = _fields(expr)
    tz = timezone or TIMEZONE
    for name, value in fields.items():  # one at a time, so the message can name the field
        try:
            CronTrigger(**{name: value}, timezone=tz)
        except ValueError as exc:
            reason = re.sub(r"^Error validating expression '[^']*': ", "", str(exc))
            raise ValueError(f"{_LABELS[name]}: {reason}") from None
    trigger = CronTrigger(**fields, second=0, timezone=tz, jitter=jitter or None)
    # Feb 30 is a valid field combination that never comes; eight years covers every leap day
    probe = datetime(2000, 1, 1, tzinfo=tz)
    first = without_jitter(trigger).get_next_fire_time(None, probe)
    if first is None or first - probe > timedelta(days=366 * 8):
        raise ValueError("never fires (no date matches it)")
    return trigger


def without_jitter(trigger: CronTrigger) -> CronTrigger:
    plain = copy.copy(trigger)
    plain.jitter = None
    return plain


def describe(expr: str) -> str:
    """The fields as APScheduler will read them (weekdays as names)."""
    f = _fields(expr)
    names = {"day_of_week": "weekday"}
    return " ".join(f"{names.get(k, k)}={v}" for k, v in f.items() if v != "*")


def fire_times(trigger: CronTrigger, count: int, after: datetime) -> list[datetime]:
    """The next `count` fire times strictly after `after` (jitter, if any, applied)."""
    out: list[datetime] = []
    previous: datetime | None = None
    moment = after + timedelta(microseconds=1)
    while len(out) < count:
        nxt = trigger.get_next_fire_time(previous, moment)
        if nxt is None:
            break
        out.append(nxt)
        previous = nxt
        moment = nxt + timedelta(microseconds=1)
    return out


def slot_of(trigger: CronTrigger, moment: datetime, lookback: timedelta) -> datetime | None:
    """The latest un-jittered fire time at or before `moment`, looking back at most
    `lookback`: the slot a (possibly jittered, possibly late) execution belongs to.

    >>> t = cron_trigger("0 2 * * *")
    >>> late = datetime(2026, 11, 29, 2, 4, 10, tzinfo=TIMEZONE)
    >>> slot_of(t, late, timedelta(hours=1)).isoformat()
    '2026-11-29T02:00:00+07:00'
    """
    plain = without_jitter(trigger)
    slot: datetime | None = None
    previous: datetime | None = None
    start = moment - lookback
    while True:
        nxt = plain.get_next_fire_time(previous, start)
        if nxt is None or nxt > moment:
            return slot
        slot, previous, start = nxt, nxt, nxt + timedelta(microseconds=1)
