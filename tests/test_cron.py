"""Cron lines read as crontab(5) reads them, refused with the field named when they are
wrong, and placed in the config."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from harvester.config import parse_config
from harvester.cron import TIMEZONE, cron_trigger, fire_times, slot_of
from harvester.errors import ConfigError

FRIDAY = datetime(2026, 11, 27, 12, 0, tzinfo=TIMEZONE)  # a Friday


def _days(expr: str, n: int = 7) -> list[str]:
    return [t.strftime("%a %H:%M") for t in fire_times(cron_trigger(expr), n, FRIDAY)]


def test_weekday_numbers_count_from_sunday_as_in_crontab() -> None:
    # APScheduler 3.x alone would read 0 as Monday; cron reads it as Sunday
    assert _days("0 2 * * 0", 1) == ["Sun 02:00"]
    assert _days("0 2 * * 7", 1) == ["Sun 02:00"]
    assert _days("0 2 * * 1", 1) == ["Mon 02:00"]
    assert _days("30 1 * * 1-5", 5) == [
        "Mon 01:30",
        "Tue 01:30",
        "Wed 01:30",
        "Thu 01:30",
        "Fri 01:30",
    ]
    assert _days("0 3 * * 5-7", 3) == ["Sat 03:00", "Sun 03:00", "Fri 03:00"]
    assert _days("0 3 * * */2", 4) == ["Sat 03:00", "Sun 03:00", "Tue 03:00", "Thu 03:00"]
    assert _days("0 3 * * sat,sun", 2) == ["Sat 03:00", "Sun 03:00"]


def test_times_are_vietnam_time() -> None:
    (first,) = fire_times(cron_trigger("0 2 * * *"), 1, FRIDAY)
    assert first.isoformat() == "2026-11-28T02:00:00+07:00"


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("nightly", "expected 5 fields"),
        ("0 2 * *", "expected 5 fields"),
        ("0 25 * * *", "hour: the last value (25) is higher than the maximum value (23)"),
        ("61 2 * * *", "minute: the last value (61)"),
        ("0 2 32 * *", "day of month:"),
        ("0 2 * 13 *", "month:"),
        ("0 2 * * 8", "weekday: not a weekday: '8'"),
        ("*/0 2 * * *", "minute: Increment must be higher than 0"),
        ("0 2 30 2 *", "never fires"),
        ("0 2 1 * 1", "restricts both the day of month and the weekday"),
    ],
)
def test_bad_lines_are_refused_naming_the_field(expr: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        cron_trigger(expr)
    assert message in str(info.value)


def test_the_config_refuses_a_bad_schedule_at_its_place() -> None:
    data = {
        "defaults": {"schedule": "0 2 * * *"},
        "sites": [
            {"name": "a", "province": "P", "department": "D", "start_urls": ["https://a.gov.vn/"]},
            {
                "name": "b",
                "province": "P",
                "department": "D",
                "start_urls": ["https://b.gov.vn/"],
                "schedule": "0 26 * * *",
            },
        ],
    }
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    assert "sites[1].schedule: expected a cron expression" in str(info.value)
    assert "hour: the last value (26)" in str(info.value)
    data["sites"][1]["schedule"] = "30   3 * * 0"
    config = parse_config(data)
    assert [s.schedule for s in config.sites] == ["0 2 * * *", "30 3 * * 0"]  # whitespace tidied


def test_a_late_or_jittered_firing_belongs_to_its_slot() -> None:
    trigger = cron_trigger("0 2 * * *", jitter=300)
    at = datetime(2026, 11, 29, 2, 4, 59, tzinfo=TIMEZONE)
    assert slot_of(trigger, at, timedelta(hours=1)) == datetime(2026, 11, 29, 2, 0, tzinfo=TIMEZONE)
    assert (
        slot_of(trigger, at.replace(hour=1), timedelta(hours=1)) is None
    )  # before any slot in reach
    # jitter only ever delays
    for t in fire_times(trigger, 20, FRIDAY):
        assert (
            timedelta(0)
            <= t - t.replace(minute=0, second=0, microsecond=0)
            <= timedelta(seconds=300)
        )
