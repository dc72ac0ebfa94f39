"""`harvester schedule`: the long-running process that harvests every night by itself.

An APScheduler 3.x BlockingScheduler at Asia/Ho_Chi_Minh, one cron job per distinct
schedule in the config (`defaults.schedule` and per-site overrides, sites grouped), with
jitter, coalesce, max_instances=1 and a misfire grace time. Each firing:

1. works out its *slot*, the un-jittered fire time it stands for;
2. takes the archive's lock (lock.py), waiting for a manual run to finish if need be;
3. claims the slot in `schedule_slots`: if another scheduler on the same archive already
   has it, this one stands down, so each slot is harvested exactly once however many
   schedulers run;
4. runs, reports and notifies like `harvester run` (runner.py).

A slot missed within the grace time before the process started (a reboot at 02:00) is
run at once. SIGTERM/SIGINT stop it after the article in hand, with the run recorded as
interrupted (signals.py).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from .clock import iso, now
from .config import Config
from .cron import TIMEZONE, cron_trigger, fire_times, slot_of, without_jitter
from .errors import HarvestError, LockError
from .lock import ArchiveLock
from .notify import notify
from .pipeline import SiteResult
from .runner import log_report, run_and_report
from .store import Archive

__all__ = ["Job", "Scheduler", "next_runs", "plan"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One cron schedule and the sites that share it."""

    schedule: str
    sites: tuple[str, ...]
    trigger: CronTrigger

    @property
    def id(self) -> str:
        return f"harvest {self.schedule}"

    def describe(self) -> str:
        n = len(self.sites)
        return f"'{self.schedule}' ({n} site{'s' * (n != 1)}: {', '.join(self.sites)})"


def plan(config: Config, *, jitter: int = 0) -> list[Job]:
    """The jobs for a config: live sites grouped by schedule, in config order."""
    groups: dict[str, list[str]] = {}
    for s in config.sites:
        if s.status != "gone":
            groups.setdefault(s.schedule, []).append(s.name)
    return [
        Job(expr, tuple(names), cron_trigger(expr, jitter=jitter)) for expr, names in groups.items()
    ]


def next_runs(config: Config, count: int, after: datetime) -> list[dict[str, Any]]:
    """Per site, its schedule and next `count` fire times (before jitter), for --dry-run."""
    out: list[dict[str, Any]] = []
    for job in plan(config):
        times = [iso(t) for t in fire_times(without_jitter(job.trigger), count, after)]
        out.extend({"site": name, "schedule": job.schedule, "next": times} for name in job.sites)
    order = {s.name: i for i, s in enumerate(config.sites)}
    return sorted(out, key=lambda r: order[r["site"]])


class Scheduler:
    """The nightly harvester. `serve()` blocks until `stop` is set (a signal) and returns.

    `lock_wait`: seconds a firing waits for the archive's lock (a manual run in progress)
    before it gives the slot up."""

    def __init__(
        self,
        config: Config,
        db_path: str,
        *,
        jobs: Sequence[Job] | None = None,
        jitter: int = 300,
        grace: int = 3600,
        lock_wait: float = 3600,
        log_format: str = "text",
        stop: Any = None,
        catch_up: bool = True,
    ) -> None:
        self.config = config
        self.db_path = db_path
        self.jobs = list(jobs) if jobs is not None else plan(config, jitter=jitter)
        self.jitter = jitter
        self.grace = grace
        self.lock_wait = lock_wait
        self.log_format = log_format
        self.stop = stop or threading.Event().is_set
        self.catch_up = catch_up
        self.host = socket.gethostname()
        self._busy = 0  # firings in progress: serve() waits for them before it returns
        self._idle = threading.Condition()
        self.scheduler = BlockingScheduler(
            timezone=TIMEZONE,
            executors={"default": ThreadPoolExecutor(max_workers=max(len(self.jobs), 1))},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        )
        for job in self.jobs:
            self.scheduler.add_job(
                self.fire, job.trigger, args=[job], id=job.id, name=job.describe()
            )
        self.scheduler.add_listener(
            self._after_job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
        )

    # --- one firing -------------------------------------------------------------------------

    def slot_for(self, job: Job, moment: datetime) -> str:
        lookback = timedelta(seconds=self.jitter + self.grace + 60)
        slot = slot_of(job.trigger, moment, lookback) or moment.replace(microsecond=0)
        return iso(slot)

    def fire(self, job: Job, slot: str | None = None) -> None:
        """Harvest a job's sites for one slot, unless another scheduler already did."""
        with self._idle:
            self._busy += 1
        try:
            self._fire(job, slot or self.slot_for(job, datetime.now(TIMEZONE)))
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def _fire(self, job: Job, slot: str) -> None:
        if self.stop():
            return
        try:
            lock = ArchiveLock(
                self.db_path, command="schedule", wait=self.lock_wait, should_stop=self.stop
            )
            with lock, Archive.open(self.db_path) as archive:
                if not archive.claim_slot(job.schedule, slot, host=self.host):
                    holder = archive.query(
                        "SELECT * FROM schedule_slots WHERE schedule = ? AND slot = ?",
                        (job.schedule, slot),
                    )[0]
                    log.info(
                        "slot %s of %s already taken by pid %s on %s (run %s); standing down",
                        slot,
                        job.describe(),
                        holder["pid"],
                        holder["host"],
                        holder["run_id"],
                    )
                    return
                log.info("slot %s: harvesting %s", slot, job.describe())
                report = run_and_report(
                    self.config,
                    archive,
                    job.sites,
                    command="schedule",
                    db_path=self.db_path,
                    log_format=self.log_format,
                    should_stop=self.stop,
                    on_run=lambda run_id: archive.set_slot_run(job.schedule, slot, run_id),
                )
            log_report(report, self.log_format)
        except LockError as exc:
            if self.stop():
                return
            message = f"slot {slot} of {job.describe()} skipped: {exc}"
            log.error(message)
            if self.config.notify is not None:
                notify(
                    self.config.notify,
                    self.skipped_report(job, slot, message),
                    user_agent=self.config.defaults.user_agent,
                )
        except HarvestError as exc:
            log.error("slot %s of %s failed: %s", slot, job.describe(), exc)

    def skipped_report(self, job: Job, slot: str, message: str) -> dict[str, Any]:
        """A slot given up (the lock stayed busy), as a run report (`Report.as_dict()`'s
        keys, so a hook reads it the same way): no run was recorded (`run_id` null), each
        site `skipped` with the reason; plus the slot and its schedule."""
        return {
            "run_id": None,
            "status": "skipped",
            "sites": [
                {"site": name, **SiteResult(name, status="skipped", message=message).row()}
                for name in job.sites
            ],
            "command": "schedule",
            "archive": self.db_path,
            "host": self.host,
            "finished_at": iso(now()),
            "problems": True,
            "text": message,
            "health": [],
            "slot": slot,
            "schedule": job.schedule,
        }

    def _after_job(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning(
                "job %s missed its run at %s (the process was busy or asleep past the grace time)",
                event.job_id,
                iso(event.scheduled_run_time),
            )
        elif event.exception is not None:
            log.error("job %s failed: %s", event.job_id, event.exception)
        job = self.scheduler.get_job(event.job_id)
        if job is not None and job.next_run_time is not None:
            log.info("next run of %s: %s", job.name, iso(job.next_run_time))

    # --- the process ------------------------------------------------------------------------

    def missed_slots(self, moment: datetime) -> list[tuple[Job, str]]:
        """Slots within the grace time before `moment` that no scheduler has claimed."""
        out = []
        with Archive.open(self.db_path) as archive:
            for job in self.jobs:
                slot = slot_of(job.trigger, moment, timedelta(seconds=self.grace))
                if slot is None:
                    continue
                if not archive.query(
                    "SELECT 1 FROM schedule_slots WHERE schedule = ? AND slot = ?",
                    (job.schedule, iso(slot)),
                ):
                    out.append((job, iso(slot)))
        return out

    def serve(self) -> None:
        moment = datetime.now(TIMEZONE)
        if self.catch_up:
            for job, slot in self.missed_slots(moment):
                log.info(
                    "slot %s of %s was missed (within the %ss grace time): running it now",
                    slot,
                    job.describe(),
                    self.grace,
                )
                self.scheduler.add_job(
                    self.fire,
                    "date",
                    run_date=moment,
                    args=[job, slot],
                    id=f"catch-up {job.id}",
                    name=f"catch-up {job.describe()}",
                )
        self.scheduler.add_listener(self._started, EVENT_SCHEDULER_STARTED)
        self.scheduler.start()  # BlockingScheduler: returns once shutdown() has run
        with self._idle:  # a harvest in hand sees the stop flag and ends as "interrupted"
            self._idle.wait_for(lambda: self._busy == 0)

    def _started(self, event: Any) -> None:
        log.info(
            "harvester schedule: %d job(s) on %s, timezone %s, jitter up to %ss, misfire grace %ss",
            len(self.jobs),
            self.db_path,
            TIMEZONE,
            self.jitter,
            self.grace,
        )
        for job in self.scheduler.get_jobs():
            if job.next_run_time is not None:
                log.info("next run of %s: %s", job.name, iso(job.next_run_time))
        if self.stop():  # a signal before the scheduler was running: nobody else will stop it
            threading.Thread(target=self.shutdown, daemon=True).start()

    def shutdown(self) -> None:
        """Stop firing; `serve()` then returns once a harvest in hand has ended.

        Not shutdown(wait=True): APScheduler would join the worker while holding its job
        store lock, which the job's completion listener needs (a deadlock)."""
        with contextlib.suppress(SchedulerNotRunningError):  # never started, or already stopped
            self.scheduler.shutdown(wait=False)
