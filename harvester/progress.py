"""Watching a harvest: a live progress display when stderr is a terminal, plain log lines
when it is not (cron mail, journald, a pipe), so both stay readable.

    --log-format auto   a rich progress display on a terminal (sites, pages, articles,
                        rate, ETA), text lines otherwise (the default)
    --log-format text   one line per event: `2026-11-29T02:00:03+07:00 INFO sldtbxh-kontum: …`
    --log-format json   one JSON object per line: time, level, logger, event, message, fields

The pipeline reports through its `progress(event, data)` hook (site_start, site_articles,
article, site_done); `watch()` turns those into the display or into log records of the
`harvester.progress` logger, and `setup_logging()` formats every harvester log record
(fetch warnings, the scheduler's next fire times) the same way.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from .clock import iso, now

__all__ = ["FORMATS", "JsonFormatter", "TextFormatter", "is_terminal", "setup_logging", "watch"]

FORMATS = ("auto", "text", "json")
log = logging.getLogger("harvester.progress")
_console: Any = None


def is_terminal(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _rich_console() -> Any:
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(stderr=True)
    return _console


# --- log records ------------------------------------------------------------------------


class TextFormatter(logging.Formatter):
    """`2026-11-29T02:00:03+07:00 INFO message`: one line per record, for cron mail and journald."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{iso(now())} {record.levelname} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a record's `data` (a dict passed as extra) is merged in."""

    def format(self, record: logging.LogRecord) -> str:
        obj: dict[str, Any] = {
            "time": iso(now()),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", None) or "log",
            "message": record.getMessage(),
        }
        data = getattr(record, "data", None)
        if isinstance(data, dict):
            obj.update({k: v for k, v in data.items() if k not in obj})
        if record.exc_info:
            obj["exception"] = self.formatException(record.exc_info)
        return json.dumps(obj, ensure_ascii=False, default=str)


def setup_logging(
    fmt: str = "auto", *, stream: TextIO | None = None, level: int = logging.INFO
) -> str:
    """Route the harvester's (and APScheduler's) log records to stderr in the chosen format;
    returns the format in effect ("rich", "text" or "json")."""
    stream = stream or sys.stderr
    effective = fmt
    if fmt == "auto":
        effective = "rich" if is_terminal(stream) else "text"
    handler: logging.Handler
    if effective == "rich":
        from rich.logging import RichHandler

        handler = RichHandler(console=_rich_console(), show_path=False, log_time_format="%H:%M:%S")
    else:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter() if effective == "json" else TextFormatter())
    handler.set_name("harvester-cli")
    # APScheduler says "Added job", "Running job" at INFO; we log our own, clearer lines
    for name, lvl in (("harvester", level), ("apscheduler", max(level, logging.WARNING))):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == "harvester-cli"]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(lvl)
        logger.propagate = False
    return effective


# --- progress events ----------------------------------------------------------------------


def _site_line(r: Any) -> tuple[str, dict[str, Any]]:
    data = {
        "site": r.site,
        "status": r.status,
        "articles_seen": r.articles_seen,
        "articles_new": r.articles_new,
        "versions_new": r.versions_new,
        "observations": r.observations,
        "requests": r.requests,
        "listing_pages": r.listing_pages,
        "errors": sum(r.errors.values()),
        "duration_s": round(r.duration, 1),
    }
    text = (
        f"{r.site}: {r.status} — {r.articles_seen} articles, {r.articles_new} new, "
        f"{r.versions_new} new versions, {r.requests} requests, {data['errors']} errors, "
        f"{r.duration:.1f}s"
    )
    return text, data


class LogWatcher:
    """Progress as log lines: a site's start, its article count, a line every `every`
    seconds while it runs (done/total, rate, ETA), and its result."""

    def __init__(self, total_sites: int, every: float = 30.0) -> None:
        self.total_sites = total_sites
        self.every = every
        self.sites_started = 0
        self.sites_done = 0
        self._started: dict[str, float] = {}
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        site = data.get("site", "")
        if event == "site_start":
            with self._lock:
                self._started[site] = self._last[site] = time.monotonic()
                self.sites_started += 1
                n = self.sites_started
            log.info(
                "%s: started (site %d of %d)",
                site,
                n,
                self.total_sites,
                extra={
                    "event": event,
                    "data": {"site": site, "site_number": n, "sites": self.total_sites},
                },
            )
        elif event == "site_articles":
            log.info(
                "%s: %d articles to fetch (%d listing pages read)",
                site,
                data["total"],
                data.get("listing_pages", 0),
                extra={
                    "event": event,
                    "data": {
                        "site": site,
                        "articles": data["total"],
                        "listing_pages": data.get("listing_pages"),
                    },
                },
            )
        elif event == "article":
            t = time.monotonic()
            if t - self._last.get(site, t) >= self.every:
                self._last[site] = t
                done, total = data["done"], data["total"]
                rate = done / max(t - self._started.get(site, t), 1e-9)
                eta = (total - done) / rate if rate else None
                log.info(
                    "%s: %d/%d articles, %.1f/s, about %s left",
                    site,
                    done,
                    total,
                    rate,
                    _duration(eta),
                    extra={
                        "event": "progress",
                        "data": {
                            "site": site,
                            "done": done,
                            "total": total,
                            "rate": round(rate, 2),
                            "eta_s": round(eta) if eta else None,
                        },
                    },
                )
        elif event == "site_done":
            with self._lock:
                self.sites_done += 1
            text, fields = _site_line(data["result"])
            log.info(text, extra={"event": event, "data": fields})

    def __enter__(self) -> LogWatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class RichWatcher:
    """A live display on the terminal: one bar for the run (sites), one per site in hand
    (articles, rate, ETA), and a line per finished site above them."""

    def __init__(self, total_sites: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:.1f}/s" if speed else "", style="progress.data.speed")

        self.console = _rich_console()
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"),
            Rate(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"),
            console=self.console,
            transient=True,
        )
        self.total_sites = total_sites
        self.requests = 0
        self.articles = 0
        self.pages = 0
        self._run = self.progress.add_task("run", total=total_sites, unit="sites", info="")
        self._sites: dict[str, Any] = {}  # a bar per site in hand (sites may run concurrently)
        self._lock = threading.Lock()

    def _info(self) -> str:
        return f"{self.articles} articles · {self.pages} listing pages · {self.requests} requests"

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        p = self.progress
        site = data.get("site", "")
        with self._lock:
            task = self._sites.get(site)
            if event == "site_start":
                self._sites[site] = p.add_task(
                    site, total=None, unit="articles", info="discovering…"
                )
            elif event == "site_articles" and task is not None:
                self.pages += data.get("listing_pages") or 0
                p.update(task, total=data["total"] or 0, info="")
                p.update(self._run, info=self._info())
            elif event == "article" and task is not None:
                self.articles += 1
                p.update(task, completed=data["done"])
                p.update(self._run, info=self._info())
            elif event == "site_done":
                r = data["result"]
                self.requests += r.requests
                if task is not None:
                    p.remove_task(self._sites.pop(site))
                p.advance(self._run)
                p.update(self._run, info=self._info())
                text, _ = _site_line(r)
                style = {
                    "ok": "green",
                    "partial": "yellow",
                    "interrupted": "yellow",
                    "gone": "dim",
                }.get(r.status, "red")
                self.console.print(f"[{style}]●[/] {text}", highlight=False, markup=True)

    def __enter__(self) -> RichWatcher:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


@contextmanager
def watch(fmt: str, total_sites: int) -> Iterator[Any]:
    """The progress hook for one run: a live display in "rich" mode, log lines otherwise.

    `fmt` is what `setup_logging()` returned (or "auto" to decide on stderr's TTY here)."""
    if fmt == "auto":
        fmt = "rich" if is_terminal() else "text"
    watcher: Any = RichWatcher(total_sites) if fmt == "rich" else LogWatcher(total_sites)
    with watcher:
        yield watcher


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    if seconds < 90:
        return f"{seconds}s"
    if seconds < 5400:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
