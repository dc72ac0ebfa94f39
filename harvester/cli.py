"""The `harvester` command: a thin click layer over the library. Options are parsed here,
the work is done by the modules, and their errors are translated once: a bad config exits 2,
any other harvester error prints `Error: …` and exits 1. Data goes to stdout, progress and
reports to stderr, so pipes work.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from parsers import PLATFORMS, ParseError, parse_bytes

from . import __version__
from .config import load_config
from .errors import ConfigError, HarvestError
from .lock import ArchiveLock
from .output import emit, output_options
from .progress import FORMATS, setup_logging
from .runner import Report, report_lines, run_and_report
from .signals import GracefulStop
from .store import Archive

__all__ = ["cli"]


class ConfigProblem(click.ClickException):
    """A config error: exit status 2, like a usage error."""

    exit_code = 2


def translate_errors(f: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the library's errors into click's: `Error: <message>` and the right exit code."""

    @wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from None
        except HarvestError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="harvester")
def cli() -> None:
    """Harvest the news of Vietnam's provincial department sites into a versioned SQLite
    archive, and search it.

    Example:

        harvester run                       # one pass over config.yaml into archive.db
        harvester demo                      # the same, offline, on bundled sample sites
    """


def config_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--config", "config_path", default="config.yaml", show_default=True,
        type=click.Path(dir_okay=False), help="The sites to harvest.",
    )(f)


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db", "db_path", default="archive.db", show_default=True,
        type=click.Path(dir_okay=False), help="The archive (SQLite).",
    )(f)


def log_format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--log-format", type=click.Choice(FORMATS), default="auto", show_default=True,
        help="auto: a progress display on a terminal, text lines otherwise; json: one JSON object per line.",
    )(f)


def wait_option(default: float, what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--wait", default=default, show_default=True, type=click.FloatRange(0), metavar="SECONDS",
        help=f"How long {what} waits for another harvest of the same archive to finish.",
    )


def print_report(report: Report, log_format: str = "text") -> None:
    """The per-site summary of a run and its health flags, on stderr (one JSON record in
    --log-format json)."""
    if log_format == "json":
        logging.getLogger("harvester.report").info(report.text(), extra={"event": "run_done", "data": report.as_dict()})
        return
    for line in report_lines(report):
        click.echo(line, err=True)


def say(message: str, log_format: str) -> None:
    """A line for the operator on stderr (a JSON record in --log-format json)."""
    if log_format == "json":
        logging.getLogger("harvester.cli").info(message)
    else:
        click.echo(message, err=True)


@cli.command()
@config_option
@db_option
@click.option("--site", "sites", multiple=True, metavar="NAME", help="Harvest only this site (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON on stdout.")
@wait_option(0, "the run")
@log_format_option
@translate_errors
def run(config_path: str, db_path: str, sites: tuple[str, ...], as_json: bool, wait: float, log_format: str) -> None:
    """One harvest pass: discover, fetch, parse and store every configured site.

    Exit status 0 when every site was reached (page failures are recorded and summarised),
    1 when a site could not be harvested at all or another harvest holds the archive,
    2 for a bad config. SIGTERM or Ctrl-C stops after the article in hand: the run is
    recorded as interrupted and the exit status is 0.

    Example:

        harvester run --site sldtbxh-kontum --db archive.db
    """
    config = load_config(config_path)
    config.select(list(sites))  # unknown names fail before anything is opened
    fmt = setup_logging(log_format)
    with GracefulStop() as stop, ArchiveLock(db_path, command="run", wait=wait, should_stop=stop), \
            Archive.open(db_path) as archive:
        report = run_and_report(config, archive, sites, command="run", db_path=db_path,
                                log_format=fmt, should_stop=stop)
    print_report(report, fmt)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    sys.exit(report.run.exit_code)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--url", required=True, help="The URL the page was served at (resolves links, helps detection).")
@click.option("--platform", default="auto", show_default=True, type=click.Choice(["auto", *PLATFORMS]), help="Force a platform's parser.")
@click.option("--content-type", default=None, help="The HTTP Content-Type, if known (its charset is used).")
def parse(file: str, url: str, platform: str, content_type: str | None) -> None:
    """Parse a saved page and print its fields as one JSON object.

    The file is read as bytes and decoded the way a fetch would be (BOM, Content-Type,
    <meta charset>, detection). Unknown values are null.

    Example:

        harvester parse page.html --url https://sldtbxh.kontum.gov.vn/tin-tuc/Bai-viet-8814
    """
    raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    try:
        article = parse_bytes(raw, url, content_type, platform)
    except ParseError as exc:
        raise click.ClickException(f"cannot parse {file}: {exc.reason}") from None
    click.echo(json.dumps(article.as_dict(), ensure_ascii=False, indent=2))


@cli.command()
@click.option("--db", "db_path", default="demo.db", show_default=True, type=click.Path(dir_okay=False), help="The archive to fill.")
@click.option("--articles", default=30, show_default=True, type=click.IntRange(1, 100_000), help="Articles per sample site.")
@click.option("--serve", is_flag=True, help="Keep serving the sample sites after the harvest (Ctrl-C to stop).")
@log_format_option
@translate_errors
def demo(db_path: str, articles: int, serve: bool, log_format: str) -> None:
    """Serve bundled sample department sites on 127.0.0.1 and harvest them: the whole
    pipeline, offline.

    Example:

        harvester demo && harvester run --help
    """
    from .demo import FixtureServer, FixtureSite
    from .demo.config import demo_config

    sites = [
        FixtureSite("demo-sldtbxh", n_articles=articles, seed=1),
        FixtureSite("demo-sotuphap", n_articles=articles, seed=2, poster="STP Kontum",
                    site_title="Sở Tư pháp tỉnh Kon Tum", counter=120877),
    ]
    # fixed ports keep the sample sites' URLs (and so their articles) the same across runs
    with FixtureServer(sites, ports=[8731, 8732]) as server:
        config = demo_config(sites)
        fmt = setup_logging(log_format)
        say(f"Serving {len(sites)} sample sites: " + ", ".join(s.base_url for s in sites), fmt)
        with GracefulStop() as stop, ArchiveLock(db_path, command="demo", should_stop=stop), \
                Archive.open(db_path) as archive:
            report = run_and_report(config, archive, None, command="demo", db_path=db_path,
                                    log_format=fmt, should_stop=stop)
            counts = archive.counts()
        print_report(report, fmt)
        say(f"{db_path}: {counts['articles']} articles, {counts['versions']} versions, "
            f"{counts['view_counts']} view observations.", fmt)
        if serve:
            say("Serving until Ctrl-C…", fmt)
            try:
                import time

                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    sys.exit(report.run.exit_code)


@cli.command()
@config_option
@db_option
@click.option("--dry-run", is_flag=True, help="Print the next fire times per site and exit.")
@click.option("--count", default=5, show_default=True, type=click.IntRange(1, 1000), help="Fire times per site for --dry-run.")
@click.option("--jitter", default=300, show_default=True, type=click.IntRange(0, 86_400), metavar="SECONDS",
              help="Start each run up to this much later, at random.")
@click.option("--misfire-grace", default=3600, show_default=True, type=click.IntRange(1, 86_400), metavar="SECONDS",
              help="Still run a slot this late (a busy or suspended process; a restart just after it).")
@wait_option(3600, "each nightly run")
@log_format_option
@translate_errors
def schedule(config_path: str, db_path: str, dry_run: bool, count: int, jitter: int, misfire_grace: int,
             wait: float, log_format: str) -> None:
    """Harvest on the config's cron schedules until stopped (SIGTERM or Ctrl-C).

    `defaults.schedule` and per-site `schedule` (cron, Asia/Ho_Chi_Minh) give one job per
    distinct schedule. Each run takes the archive's lock, so a manual `harvester run` and
    the nightly one never overlap, and each slot is harvested once even when two
    schedulers share an archive. Logs the next run times at start.

    Example:

    \b
        harvester schedule --dry-run --count 3
        harvester schedule --config /etc/harvester/config.yaml --db /var/lib/harvester/archive.db
    """
    from datetime import datetime

    from .cron import TIMEZONE
    from .schedule import Scheduler, next_runs

    config = load_config(config_path)
    if dry_run:
        click.echo(f"Next {count} run(s) per site, {TIMEZONE}"
                   + (f"; each starts up to {jitter}s later (jitter)" if jitter else "") + ":", err=True)
        for row in next_runs(config, count, datetime.now(TIMEZONE)):
            click.echo(f"{row['site']} ({row['schedule']}): {', '.join(row['next'])}")
        return
    fmt = setup_logging(log_format)
    with GracefulStop() as stop:
        scheduler = Scheduler(config, db_path, jitter=jitter, grace=misfire_grace, lock_wait=wait,
                              log_format=fmt, stop=stop)
        stop.on_stop(scheduler.shutdown)
        scheduler.serve()
    logging.getLogger("harvester.schedule").info("stopped (%s)", stop.signal_name or "shut down")


@cli.command()
@db_option
@click.option("--runs", default=5, show_default=True, type=click.IntRange(1, 100), help="Recent runs to list per site.")
@click.option("--max-age", type=click.FloatRange(0, min_open=True), default=None, metavar="HOURS",
              help="Also flag a site not harvested for this long (a stopped scheduler).")
@output_options
@translate_errors
def status(db_path: str, runs: int, max_age: float | None, fmt: str) -> None:
    """Per site: its last runs, counts, health flags and last error.

    Exit status 1 when any site is flagged (a probable layout change, a site unreachable
    twice in a row, or one not harvested within --max-age), so monitoring can run it.

    Example:

    \b
        harvester status -t
        harvester status --max-age 36 --nl | jq 'select(.flagged)'
    """
    from .health import site_overview

    with Archive.open(db_path, readonly=True) as archive:
        rows = site_overview(archive, runs=runs, max_age=max_age)
    if fmt in ("table", "csv"):
        flat = [
            {
                "site": r["site"],
                "flags": "; ".join(f["flag"] + (f"/{f['field']}" if f["field"] else "") for f in r["flags"]) or "",
                "last_run_at": r["last_run_at"],
                "status": r["last_status"],
                "new": r["new_articles"],
                "articles": r["articles"],
                "errors": r["errors"],
                "recent": " ".join(x["status"] or "?" for x in r["recent"]),
                "last_error": f"{r['last_error']['kind']}: {r['last_error']['message']}" if r["last_error"] else None,
            }
            for r in rows
        ]
        emit(flat, fmt)
        for r in rows:
            for f in r["flags"]:
                click.echo(f"{r['site']}: {f['flag']}: {f['message']}", err=True)
                for url in f["examples"][:3]:
                    click.echo(f"    e.g. {url}", err=True)
    else:
        emit(rows, fmt)
    sys.exit(1 if any(r["flagged"] for r in rows) else 0)
