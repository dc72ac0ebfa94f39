"""One harvest as an operator gets it, the same from `harvester run` and from the nightly
`harvester schedule`: the pass itself (pipeline.py), watched (progress.py), checked for
drift (health.py), reported, and sent to `notify:` when something needs a human.

The caller holds the archive's lock (lock.py) and owns the signals (signals.py): this
module only takes a `should_stop` and an open archive.

    with ArchiveLock(db, command="run", wait=0), Archive.open(db) as archive:
        report = run_and_report(config, archive, None, command="run", log_format="text")
"""

from __future__ import annotations

import dataclasses
import json
import logging
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .clock import iso, now
from .config import Config
from .health import Flag, assess
from .notify import Delivery, notify, wants
from .pipeline import RunResult, harvest
from .progress import watch
from .store import Archive

__all__ = ["Report", "log_report", "report_lines", "run_and_report"]

log = logging.getLogger(__name__)

_MARKS = {
    "ok": "ok",
    "partial": "partial",
    "unreachable": "UNREACHABLE",
    "moved": "MOVED",
    "gone": "gone",
    "failed": "FAILED",
    "interrupted": "interrupted",
}


@dataclass(frozen=True)
class Report:
    """A finished run, its health flags, and where the report was sent."""

    run: RunResult
    flags: tuple[Flag, ...]
    db_path: str
    command: str
    deliveries: tuple[Delivery, ...] = ()
    finished_at: str = field(default_factory=lambda: iso(now()))  # the run's, as recorded

    @property
    def problems(self) -> bool:
        """A site that could not be harvested at all, or a health flag: worth telling someone.
        Page-level failures are not: they are recorded and retried next run."""
        return self.run.exit_code != 0 or bool(self.flags)

    def text(self) -> str:
        r = self.run
        failed = [s.site for s in r.sites if not s.reached and s.status != "gone"]
        parts = [f"harvest run {r.run_id} on {socket.gethostname()} ({self.command}): {r.status}"]
        if failed:
            parts.append(f"{len(failed)} site(s) not harvested: {', '.join(failed)}")
        if self.flags:
            parts.append(
                f"{len(self.flags)} health flag(s): "
                + "; ".join(f"{f.site}: {f.message}" for f in self.flags[:5])
            )
        return " — ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON: what `run --json` prints and `notify:` receives."""
        return {
            **self.run.summary(),
            "command": self.command,
            "archive": self.db_path,
            "host": socket.gethostname(),
            "finished_at": self.finished_at,
            "problems": self.problems,
            "text": self.text(),
            "health": [f.as_dict() for f in self.flags],
        }


def report_lines(report: Report) -> list[str]:
    """The human report of a run: a line per site, its flags, and the run's outcome."""
    lines = []
    result = report.run
    for s in result.sites:
        lines.append(
            f"{s.site}: {_MARKS.get(s.status, s.status)} — {s.articles_seen} articles seen, "
            f"{s.articles_new} new, {s.versions_new} new versions, "
            f"{s.observations} view observations, {s.requests} requests"
        )
        if s.message:
            lines.append(f"    {s.message}")
        for f in report.flags:
            if f.site == s.site:
                lines.append(f"    FLAG {f.flag}{'/' + f.field if f.field else ''}: {f.message}")
                lines.extend(f"      e.g. {url}" for url in f.examples[:3])
    lines.append(f"run {result.run_id}: {result.status} (archive: {report.db_path})")
    if report.flags:
        lines.append(
            f"{len(report.flags)} health flag(s): see 'harvester status --db {report.db_path} -t'"
        )
    if any(s.status in ("unreachable", "moved") for s in result.sites):
        # the command as a newcomer has it: ./run.sh installs into .venv, not onto the PATH
        lines.append("Some sites could not be reached. No network? Watch the whole pipeline work on "
                     "sample sites served on 127.0.0.1:")
        lines.append("    .venv/bin/harvester demo")
    return lines


def log_report(report: Report, log_format: str, echo: Callable[[str], None] | None = None) -> None:
    """Give the operator a finished run's report: in --log-format json one `run_done` record
    carrying the whole report, else its lines (`report_lines`), each passed to `echo` or
    logged. The same for `harvester run`, `demo` and each firing of `harvester schedule`."""
    if log_format == "json":
        logging.getLogger("harvester.report").info(
            report.text(), extra={"event": "run_done", "data": report.as_dict()}
        )
        return
    for line in report_lines(report):
        if echo is not None:
            echo(line)
        else:
            logging.getLogger("harvester.report").info(line)


def run_and_report(
    config: Config,
    archive: Archive,
    site_names: Iterable[str] | None,
    *,
    command: str,
    db_path: str | None = None,
    log_format: str = "text",
    should_stop: Callable[[], bool] = lambda: False,
    on_run: Callable[[int], None] | None = None,
    **harvest_options: Any,
) -> Report:
    """Harvest, assess the health of every site, and notify when there are problems.

    `log_format` is the effective format from `progress.setup_logging()`; "rich" shows a
    live display. `on_run(run_id)` is called once the run is recorded (the scheduler ties
    its slot to it)."""
    names = list(site_names) if site_names else None
    total = len(config.select(names))
    with watch(log_format, total) as progress:
        result = harvest(
            config,
            archive,
            names,
            command=command,
            progress=progress,
            should_stop=should_stop,
            **harvest_options,
        )
    if on_run is not None:
        on_run(result.run_id)
    try:
        flags = tuple(assess(archive, result))
    except Exception:  # a bug in a check must not cost the run its report
        log.exception("health check of run %s failed", result.run_id)
        flags = ()
    recorded = archive.query("SELECT finished_at FROM runs WHERE id = ?", (result.run_id,))
    report = Report(result, flags, db_path or archive.path, command,
                    finished_at=(recorded[0][0] if recorded and recorded[0][0] else iso(now())))
    summary = report.as_dict()
    # runs.summary is the run report (docs/schema.md): the whole of it, health included
    with archive.transaction():
        archive.conn.execute(
            "UPDATE runs SET summary = ? WHERE id = ?",
            (json.dumps(summary, ensure_ascii=False, separators=(",", ":")), result.run_id),
        )
    if wants(config.notify, summary):
        assert config.notify is not None
        deliveries = notify(config.notify, summary, user_agent=config.defaults.user_agent)
        report = dataclasses.replace(report, deliveries=tuple(deliveries))
    return report
