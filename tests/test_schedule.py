"""`harvester schedule`: jobs from the config, next fire times, and each slot harvested
exactly once even when two schedulers share an archive (the lock and the slot claim
decide)."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from harvester.cli import cli
from harvester.config import load_config, parse_config
from harvester.cron import TIMEZONE, cron_trigger, fire_times
from harvester.demo import Fault, FixtureServer, FixtureSite
from harvester.lock import ArchiveLock
from harvester.progress import setup_logging
from harvester.schedule import Job, Scheduler, plan
from harvester.store import Archive
from tests.conftest import config_file

SITES = {
    "defaults": {"schedule": "0 2 * * *"},
    "sites": [
        {"name": "a", "province": "P", "department": "D", "start_urls": ["https://a.gov.vn/"]},
        {
            "name": "b",
            "province": "P",
            "department": "D",
            "start_urls": ["https://b.gov.vn/"],
            "schedule": "30 3 * * 1",
        },
        {"name": "c", "province": "P", "department": "D", "start_urls": ["https://c.gov.vn/"]},
        {
            "name": "d",
            "province": "P",
            "department": "D",
            "start_urls": ["https://d.gov.vn/"],
            "status": "gone",
        },
    ],
}


@contextlib.contextmanager
def _reaped(*procs: subprocess.Popen[str]) -> Iterator[None]:
    """Whatever the test does, its schedulers end with it: a failed assertion must not
    leave a `harvester schedule` running on the machine."""
    try:
        yield
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


def test_sites_are_grouped_one_job_per_schedule() -> None:
    jobs = plan(parse_config(SITES), jitter=300)
    assert [(j.schedule, j.sites) for j in jobs] == [
        ("0 2 * * *", ("a", "c")),
        ("30 3 * * 1", ("b",)),
    ]
    assert jobs[0].trigger.jitter == 300


def test_dry_run_prints_the_next_fire_times_per_site(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(SITES), encoding="utf-8")
    before = datetime.now(TIMEZONE)
    result = CliRunner().invoke(
        cli, ["schedule", "--config", str(config), "--dry-run", "--count", "3"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "a",
        "b",
        "c",
    ]  # "d" is gone: never scheduled
    nightly = ", ".join(t.isoformat() for t in fire_times(cron_trigger("0 2 * * *"), 3, before))
    monday = ", ".join(t.isoformat() for t in fire_times(cron_trigger("30 3 * * 1"), 3, before))
    assert lines[0] == f"a (0 2 * * *): {nightly}"
    assert lines[1] == f"b (30 3 * * 1): {monday}"
    assert all(datetime.fromisoformat(t).weekday() == 0 for t in monday.split(", "))
    assert "Asia/Ho_Chi_Minh" in result.stderr and "jitter" in result.stderr


def _config(tmp_path: Path, site: FixtureSite) -> Path:
    return config_file(tmp_path, [site], {"schedule": "0 2 * * *"})


def test_the_schedule_command_logs_its_next_runs_and_stops_on_sigterm(
    tmp_path: Path, site: FixtureSite, server: FixtureServer
) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harvester",
            "schedule",
            "--config",
            str(_config(tmp_path, site)),
            "--db",
            str(tmp_path / "archive.db"),
            "--jitter",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    with _reaped(proc):
        assert proc.stderr is not None
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if "next run of" in line:
                break
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=20)
    log = "".join(lines) + rest
    assert proc.returncode == 0, log
    nightly = fire_times(cron_trigger("0 2 * * *"), 1, datetime.now(TIMEZONE))[0]
    assert "timezone Asia/Ho_Chi_Minh" in log
    assert f"next run of '0 2 * * *' (1 site: {site.name}): {nightly.isoformat()}" in log
    assert "stopped (SIGTERM)" in log


SCHEDULER = """
import sys, threading, time
from datetime import datetime, timedelta
from apscheduler.triggers.cron import CronTrigger
from harvester.config import load_config
from harvester.cron import TIMEZONE
from harvester.progress import setup_logging
from harvester.schedule import Job, Scheduler
from harvester.signals import GracefulStop

config_path, db = sys.argv[1:3]
first, slots, stop_at = float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
start = datetime.fromtimestamp(first, TIMEZONE)
# a near-future trigger: every 2 seconds from `first`, `slots` times, up to 1 s of jitter
end = start + timedelta(seconds=2 * slots - 1.5)
trigger = CronTrigger(second="*/2", start_date=start, end_date=end, timezone=TIMEZONE, jitter=1)
config = load_config(config_path)
job = Job("every 2 s", tuple(s.name for s in config.sites), trigger)
with GracefulStop() as stop:
    scheduler = Scheduler(config, db, jobs=[job], jitter=1, grace=30, lock_wait=30, stop=stop,
                          catch_up=False, log_format=setup_logging("text"))
    stop.on_stop(scheduler.shutdown)
    if stop_at:
        threading.Timer(stop_at - time.time(), stop.request).start()
    scheduler.serve()
"""


def _scheduler(
    tmp_path: Path, config: Path, first: float, slots: int, stop_at: float
) -> subprocess.Popen[str]:
    script = tmp_path / "scheduler.py"
    script.write_text(SCHEDULER, encoding="utf-8")
    return subprocess.Popen(
        [
            sys.executable,
            str(script),
            str(config),
            str(tmp_path / "archive.db"),
            str(first),
            str(slots),
            str(stop_at),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _next_even_second(after: float) -> float:
    t = int(after) + 1
    return float(t + t % 2)


def test_two_schedulers_on_one_archive_harvest_each_slot_exactly_once(
    tmp_path: Path, site: FixtureSite, server: FixtureServer
) -> None:
    config = _config(tmp_path, site)
    first = _next_even_second(time.time() + 1.5)  # both processes are up before it
    procs = [_scheduler(tmp_path, config, first, slots=2, stop_at=first + 4.5) for _ in range(2)]
    with _reaped(*procs):
        logs = [p.communicate(timeout=40)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], logs
    both = "".join(logs)
    assert both.count(": harvesting 'every 2 s'") == 2, both  # two slots, two harvests …
    assert both.count("standing down") >= 1, both  # … though both processes fired for them

    with Archive.open(tmp_path / "archive.db") as archive:
        runs = archive.query("SELECT id, command, status, pid FROM runs ORDER BY id")
        assert [(r["command"], r["status"]) for r in runs] == [
            ("schedule", "ok"),
            ("schedule", "ok"),
        ]
        slots = archive.query("SELECT slot, run_id, pid FROM schedule_slots ORDER BY slot")
        expected = [datetime.fromtimestamp(first + 2 * i, TIMEZONE).isoformat() for i in range(2)]
        assert [s["slot"] for s in slots] == expected
        assert [s["run_id"] for s in slots] == [r["id"] for r in runs]
        assert {s["pid"] for s in slots} <= {p.pid for p in procs}
        assert archive.counts()["articles"] == len(site.articles)
        # each article fetched once: the second slot's incremental pass found nothing new
        assert archive.counts()["view_counts"] == len(site.articles)


def test_sigterm_during_a_scheduled_run_records_it_interrupted(
    tmp_path: Path, site: FixtureSite, server: FixtureServer
) -> None:
    for a in site.articles:
        server.add_fault(site, site.path_of(a), Fault(delay=0.2), times=1)
    first = _next_even_second(time.time() + 1.5)
    proc = _scheduler(tmp_path, _config(tmp_path, site), first, slots=1, stop_at=0)
    with _reaped(proc):
        time.sleep(
            max(first + 2.5 - time.time(), 0)
        )  # the run has started (≤ 1 s jitter) and is under way
        proc.send_signal(signal.SIGTERM)
        _, log = proc.communicate(timeout=30)
    server.clear_faults()
    assert proc.returncode == 0, log
    assert "SIGTERM: finishing the article in hand" in log
    with Archive.open(tmp_path / "archive.db") as archive:
        assert archive.query("PRAGMA integrity_check")[0][0] == "ok"
        (run,) = archive.query("SELECT status, command FROM runs")
        assert (run["status"], run["command"]) == ("interrupted", "schedule")
        assert 0 < archive.counts()["articles"] < len(site.articles)


def test_a_slot_missed_within_the_grace_time_is_caught_up(
    tmp_path: Path, site: FixtureSite
) -> None:
    config = parse_config(
        {
            "sites": [
                {
                    "name": site.name,
                    "province": "P",
                    "department": "D",
                    "start_urls": ["https://a.gov.vn/"],
                }
            ]
        }
    )
    db = str(tmp_path / "archive.db")
    moment = datetime(2026, 11, 29, 2, 20, tzinfo=TIMEZONE)
    nightly = Job("0 2 * * *", (site.name,), cron_trigger("0 2 * * *"))
    scheduler = Scheduler(config, db, jobs=[nightly], grace=3600)
    assert [(j.schedule, slot) for j, slot in scheduler.missed_slots(moment)] == [
        ("0 2 * * *", "2026-11-29T02:00:00+07:00")
    ]
    assert (
        scheduler.missed_slots(moment + timedelta(hours=2)) == []
    )  # past the grace time: let it go
    with Archive.open(db) as archive:
        assert archive.claim_slot("0 2 * * *", "2026-11-29T02:00:00+07:00", host="elsewhere")
        assert not archive.claim_slot("0 2 * * *", "2026-11-29T02:00:00+07:00", host="here")
    assert scheduler.missed_slots(moment) == []  # another scheduler already has it


# --- what a firing tells the operator ---------------------------------------------------------


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The harvester's log records, as `--log-format json` writes them, into a buffer;
    the loggers' handlers are put back afterwards."""
    saved = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).level,
                    logging.getLogger(name).propagate) for name in ("harvester", "apscheduler")}
    buffer = io.StringIO()
    setup_logging("json", stream=buffer)
    yield buffer
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def test_a_scheduled_run_ends_with_the_run_done_record(
    tmp_path: Path, site: FixtureSite, server: FixtureServer, log_lines: io.StringIO
) -> None:
    """README: with --log-format json, the last record of a run, `run_done`, is the whole
    run report, from `harvester schedule` as from `harvester run`."""
    config = load_config(_config(tmp_path, site))
    scheduler = Scheduler(config, str(tmp_path / "archive.db"), jitter=0, log_format="json")
    (job,) = scheduler.jobs
    scheduler.fire(job, "2026-11-29T02:00:00+07:00")
    records = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    done = [r for r in records if r["event"] == "run_done"]
    assert len(done) == 1 and records[-1] is done[0]
    assert (done[0]["run_id"], done[0]["status"], done[0]["command"]) == (1, "ok", "schedule")
    assert [s["site"] for s in done[0]["sites"]] == [site.name] and done[0]["health"] == []


def test_a_skipped_slot_is_sent_in_the_run_reports_envelope(
    tmp_path: Path, site: FixtureSite, server: FixtureServer, log_lines: io.StringIO
) -> None:
    inbox = tmp_path / "inbox.json"
    data = yaml.safe_load(_config(tmp_path, site).read_text(encoding="utf-8"))
    data["notify"] = {"command": [sys.executable, "-c",
                                  f"import sys; open({str(inbox)!r}, 'wb').write(sys.stdin.buffer.read())"]}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    db = str(tmp_path / "archive.db")
    scheduler = Scheduler(load_config(tmp_path / "config.yaml"), db, jitter=0, lock_wait=0)
    (job,) = scheduler.jobs
    with ArchiveLock(db, command="run"):  # a manual run holds the archive past --wait
        scheduler.fire(job, "2026-11-29T02:00:00+07:00")
    sent = json.loads(inbox.read_text(encoding="utf-8"))
    assert list(sent)[:10] == ["run_id", "status", "sites", "command", "archive", "host",
                               "finished_at", "problems", "text", "health"]
    assert (sent["run_id"], sent["status"], sent["problems"]) == (None, "skipped", True)
    (row,) = sent["sites"]
    assert (row["site"], row["status"]) == (site.name, "skipped")
    assert "is being harvested by 'harvester run'" in row["message"]
    assert (sent["slot"], sent["schedule"]) == ("2026-11-29T02:00:00+07:00", "0 2 * * *")
