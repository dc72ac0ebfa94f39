"""The `harvester` command: a thin click layer over the library. Options are parsed here,
the work is done by the modules, and their errors are translated once: a bad config exits 2,
any other harvester error prints `Error: …` and exits 1. Data goes to stdout, progress and
reports to stderr, so pipes work.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from contextlib import ExitStack
from functools import wraps
from pathlib import Path
from typing import Any

import click

from parsers import PLATFORMS, ParseError, parse_bytes
from parsers.dom import check_selector

from . import __version__
from .config import SELECTOR_FIELDS, load_config
from .errors import ConfigError, HarvestError, StoreError
from .lock import ArchiveLock
from .output import emit, output_options
from .progress import FORMATS, setup_logging
from .runner import Report, log_report, run_and_report
from .signals import GracefulStop
from .store import MIGRATIONS, Archive

__all__ = ["cli"]


class ConfigProblem(click.ClickException):
    """A config error: exit status 2, like a usage error."""

    exit_code = 2


def translate_errors(f: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the library's errors into click's: `Error: <message>` and the right exit code.
    SQLite's own errors (a damaged file, an archive too old to read) are the archive's."""

    @wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from None
        except HarvestError as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            where = kwargs.get("db_path") or "the archive"
            raise click.ClickException(str(StoreError(f"{where}: cannot read the archive ({exc})"))) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="harvester")
def cli() -> None:
    """Harvest the news of Vietnam's provincial department sites into a versioned SQLite
    archive, and search it.

    Example:

    \b
        harvester run                       # one pass over config.yaml into archive.db
        harvester demo                      # the same, offline, on bundled sample sites
        harvester search "giam ngheo" -t    # search what was harvested
        harvester COMMAND --help            # each command's options and examples
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
    log_report(report, log_format, echo=lambda line: click.echo(line, err=True))


DEMO_PORTS = (8731, 8732)  # one per sample site


def say(message: str, log_format: str) -> None:
    """A line for the operator on stderr (a JSON record in --log-format json)."""
    if log_format == "json":
        logging.getLogger("harvester.cli").info(message)
    else:
        click.echo(message, err=True)


def refuse_options(names: tuple[str, ...], why: str) -> None:
    """A usage error for those of `names` (parameter names) the user gave: an option that
    does not apply is refused, never silently ignored."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    given = [
        p.opts[-1] if p.opts[-1].startswith("--") else p.opts[0]
        for p in ctx.command.params
        if p.name in names and ctx.get_parameter_source(p.name) not in (None, ParameterSource.DEFAULT)
    ]
    if given:
        raise click.UsageError(f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply {why}")


def check_sites(archive: Archive, sites: tuple[str, ...], province: str | None = None) -> None:
    """A usage error for a --site the archive has never heard of, or a --province none of its
    sites is in: a typo must not read as "no results"."""
    known = {r[0] for r in archive.query("SELECT name FROM sites UNION SELECT DISTINCT site FROM articles")}
    unknown = [s for s in sites if s not in known]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(map(repr, unknown))}: no such site in {archive.path} (its sites: "
            f"{', '.join(sorted(known)) or 'none yet'})", param_hint="--site")
    if province:
        from .search import sites_in_province

        if not sites_in_province(archive, province):
            provinces = {r[0] for r in archive.query("SELECT DISTINCT province FROM sites WHERE province IS NOT NULL")}
            raise click.BadParameter(
                f"{province!r}: no site of {archive.path} is in it (its provinces: "
                f"{', '.join(sorted(provinces)) or 'none yet'})", param_hint="--province")


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

    \b
        harvester run --site sldtbxh-kontum --db archive.db
        harvester run --wait 3600 --log-format text    # from cron: wait for a run in hand
    """
    config = load_config(config_path)
    config.select(list(sites))  # unknown names fail before anything is opened
    check_writable_archive(db_path)
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
@click.option("--selector", "selectors", multiple=True, metavar="FIELD=CSS",
              help="A per-site selector to try first, as in config.yaml `selectors:` (repeatable).")
def parse(file: str, url: str, platform: str, content_type: str | None, selectors: tuple[str, ...]) -> None:
    """Parse a saved page and print its fields as one JSON object.

    The file is read as bytes and decoded the way a fetch would be (BOM, Content-Type,
    <meta charset>, detection). Unknown values are null.

    Example:

    \b
        harvester parse page.html --url https://sldtbxh.kontum.gov.vn/tin-tuc/Bai-viet-8814
        harvester parse page.html --url https://x.gov.vn/a --selector date=span.ngay
    """
    chosen: dict[str, list[str]] = {}
    for item in selectors:
        field, _, css = item.partition("=")
        field = field.strip()
        if field not in SELECTOR_FIELDS or not css.strip():
            raise click.UsageError(f"--selector {item!r}: expected FIELD=CSS with FIELD one of {', '.join(SELECTOR_FIELDS)}")
        try:
            check_selector(css.strip())
        except ValueError as exc:
            raise click.UsageError(f"--selector {item!r}: not a valid CSS selector: {exc}") from None
        chosen.setdefault(field, []).append(css.strip())
    raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    try:
        article = parse_bytes(raw, url, content_type, platform, chosen or None)
    except ParseError as exc:
        raise click.ClickException(f"cannot parse {file}: {exc.reason}") from None
    click.echo(json.dumps(article.as_dict(), ensure_ascii=False, indent=2))


@cli.command()
@click.option("--db", "db_path", default="demo.db", show_default=True, type=click.Path(dir_okay=False), help="The archive to fill.")
@click.option("--articles", default=30, show_default=True, type=click.IntRange(1, 100_000), help="Articles per sample site.")
@click.option("--serve", is_flag=True, help="Keep serving the sample sites after the harvest (Ctrl-C to stop).")
@wait_option(0, "the demo")
@log_format_option
@translate_errors
def demo(db_path: str, articles: int, serve: bool, wait: float, log_format: str) -> None:
    """Serve bundled sample department sites on 127.0.0.1 and harvest them: the whole
    pipeline, offline.

    Example:

    \b
        harvester demo                                  # harvest the sample sites into demo.db
        harvester search "giam ngheo" --db demo.db -t   # then search what it stored
        harvester status --db demo.db -t                # and see each site's run
        harvester demo --serve                          # keep the sites up to browse them
    """
    from .demo import FixtureServer, FixtureSite
    from .demo.config import demo_config

    check_writable_archive(db_path)

    sites = [
        FixtureSite("demo-sldtbxh", n_articles=articles, seed=1),
        FixtureSite("demo-sotuphap", n_articles=articles, seed=2, poster="STP Kontum",
                    site_title="Sở Tư pháp tỉnh Kon Tum", counter=120877),
    ]
    fmt = setup_logging(log_format)
    with ExitStack() as serving:
        # the lock before the ports: a busy archive is the answer whatever holds them
        with GracefulStop() as stop, ArchiveLock(db_path, command="demo", wait=wait, should_stop=stop):
            # fixed ports keep the sample sites' URLs (and so their articles) the same across runs
            server = serving.enter_context(FixtureServer(sites, ports=list(DEMO_PORTS)))
            if server.fell_back:
                busy = ", ".join(str(p) for p in server.fell_back)
                if Path(db_path).exists() and Path(db_path).stat().st_size > 0:
                    raise StoreError(
                        f"port {busy} is in use (another 'harvester demo --serve'?): the sample sites must "
                        f"keep their addresses, or {db_path} would file the same stories again under new "
                        "ones; stop what holds the port, or pass a new --db"
                    )
                say(f"Warning: port {busy} is in use; the sample sites are served on "
                    + ", ".join(str(p) for p in server.fell_back.values())
                    + f" instead. A later demo into {db_path} on the usual ports would file the same "
                    "stories again under new addresses.", fmt)
            config = demo_config(sites)
            say(f"Serving {len(sites)} sample sites: " + ", ".join(s.base_url for s in sites), fmt)
            with Archive.open(db_path) as archive:
                report = run_and_report(config, archive, None, command="demo", db_path=db_path,
                                        log_format=fmt, should_stop=stop)
                counts = archive.counts()
        print_report(report, fmt)
        say(f"{db_path}: {counts['articles']} articles, {counts['versions']} versions, "
            f"{counts['view_counts']} view observations.", fmt)
        if serve:  # the archive's lock is released: other commands may write to it meanwhile
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

    if not dry_run:
        refuse_options(("count",), "without --dry-run")
    config = load_config(config_path)
    if dry_run:
        click.echo(f"Next {count} run(s) per site, {TIMEZONE}"
                   + (f"; each starts up to {jitter}s later (jitter)" if jitter else "") + ":", err=True)
        for row in next_runs(config, count, datetime.now(TIMEZONE)):
            click.echo(f"{row['site']} ({row['schedule']}): {', '.join(row['next'])}")
        return
    check_writable_archive(db_path)
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

    with open_archive(db_path) as archive:
        rows = site_overview(archive, runs=runs, max_age=max_age)
    if fmt in ("table", "csv"):
        flat = [
            {
                "site": r["site"],
                "flags": "; ".join(f["flag"] + (f"/{f['field']}" if f["field"] else "") for f in r["flags"]) or "",
                "last_run_at": r["last_run_at"],
                "last_status": r["last_status"],
                "new_articles": r["new_articles"],
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


def _month_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .backfill import month_bound

    try:
        month_bound(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@cli.command()
@click.argument("site_name", metavar="SITE")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--source", type=click.Choice(["wayback", "warc"]), default=None,
              help="Where the captures come from (default: wayback; warc when FILEs are given).")
@click.option("--from", "since", metavar="YYYY-MM", callback=_month_option, help="Only captures from this month on.")
@click.option("--until", metavar="YYYY-MM", callback=_month_option, help="Only captures up to the end of this month.")
@click.option("--archive-url", default=None, metavar="URL",
              help="A Wayback/pywb server (default: defaults.archive_url, https://web.archive.org).")
@click.option("--delay", type=click.FloatRange(0), default=None,
              help="Seconds between two requests to the archive (default: defaults.archive_delay, 3).")
@click.option("--max-captures", type=click.IntRange(1), default=None, help="Read at most this many captures; the rest wait.")
@click.option("--relist", is_flag=True, help="Ask the archive's index again even where an earlier run read it all.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@config_option
@db_option
@wait_option(0, "the backfill")
@translate_errors
def backfill(site_name: str, files: tuple[str, ...], source: str | None, since: str | None, until: str | None,
             archive_url: str | None, delay: float | None, max_captures: int | None, relist: bool, as_json: bool,
             config_path: str, db_path: str, wait: float) -> None:
    """Recover a site's past articles from web archives: the Wayback Machine, or WARC files
    (your own crawl, a Common Crawl extract).

    Article captures go through the same parsing and storing as a live fetch, with the
    capture time as the observation time: edits become versions, view counts a series.
    Resumable: a second run continues where the first stopped and fetches nothing twice.
    Polite: one request at a time, --delay apart, Retry-After honoured. Exit status 0 when
    the archive was read (skipped captures are reported), 1 when it could not be (or none
    of the FILEs is a WARC/ARC file).

    Example:

    \b
        harvester backfill sldtbxh-kontum --from 2018-01 --until 2025-06
        harvester backfill sldtbxh-kontum --source warc crawl.warc.gz
    """
    from .backfill import BackfillOptions
    from .backfill import backfill as run_backfill

    source = source or ("warc" if files else "wayback")
    if source == "warc":
        refuse_options(("archive_url", "delay", "relist"), "to WARC files (only to --source wayback)")
    config = load_config(config_path)
    site = config.site(site_name)
    check_writable_archive(db_path)
    try:
        options = BackfillOptions(
            source=source, files=files, since=since, until=until,
            archive_url=(archive_url or config.defaults.archive_url).rstrip("/"),
            delay=config.defaults.archive_delay if delay is None else delay,
            max_captures=max_captures, relist=relist,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None

    def progress(event: str, data: dict[str, Any]) -> None:
        if event == "listed":
            where = data.get("host") or data.get("file")
            click.echo(f"  listed {data['captures']} captures of {where} ({data['total']} in all)", err=True)
        elif event == "capture" and (data["done"] % 50 == 0 or data["done"] == data["total"]):
            click.echo(f"  read {data['done']} of {data['total']} captures", err=True)

    click.echo(f"{site.name}: backfill from {source} ({options.archive_url if source == 'wayback' else ', '.join(files)})", err=True)
    # a writer like `run`: the archive's lock, and SIGTERM/Ctrl-C stop after the capture in hand
    with GracefulStop() as stop, ArchiveLock(db_path, command="backfill", wait=wait, should_stop=stop), \
            Archive.open(db_path) as archive:
        archive.sync_sites(config.sites)
        report = run_backfill(site, archive, options, progress=progress, should_stop=stop)
    for line in report.lines():
        click.echo(line, err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    sys.exit(1 if report.status == "unreachable" else 0)


# --- history and analytics (issue 6) ---------------------------------------------------------


def _not_an_archive(db_path: str) -> StoreError:
    return StoreError(
        f"{db_path} is not an archive (no harvester tables in it; pass the archive with --db)"
    )


def open_archive(db_path: str) -> Archive:
    """An existing archive for the read commands, opened read-only: they never write to the
    file they are given, and refuse one that is not an archive.

    One exception: an archive an older version wrote (its migrations behind) is brought up
    to date first when the file is writable, so the views the commands read exist; a
    read-only one is read as it is (a command needing a newer view then says so)."""
    if db_path == ":memory:":
        return Archive.open(db_path)
    from .web import is_archive

    if not Path(db_path).exists():
        raise StoreError(f"{db_path}: no archive here (run 'harvester run' or 'harvester demo' first, or pass --db)")
    if not is_archive(db_path):
        raise _not_an_archive(db_path)
    archive = Archive.open(db_path, readonly=True)
    done = {r[0] for r in archive.query("SELECT name FROM migrations")}
    if all(name in done for name, _ in MIGRATIONS):
        return archive
    archive.close()
    folder = os.path.dirname(os.path.abspath(db_path))
    if os.access(db_path, os.W_OK) and os.access(folder, os.W_OK):
        Archive.open(db_path).close()  # applies the missing migrations
    else:
        click.echo(f"Warning: {db_path} was written by an older version and is read-only here; "
                   "it is read as it is (a writable 'harvester run' brings it up to date)", err=True)
    return Archive.open(db_path, readonly=True)


def check_writable_archive(db_path: str) -> None:
    """Before a command writes: the file is new, empty, or an archive; never another
    SQLite database (or any other file), which would get the archive's tables added."""
    if db_path == ":memory:" or not Path(db_path).exists() or Path(db_path).stat().st_size == 0:
        return
    from .web import is_archive

    if not is_archive(db_path) and not _archive_being_made(db_path):
        raise _not_an_archive(db_path)


def _archive_being_made(db_path: str) -> bool:
    """A new archive another process is creating: so far only its `migrations` table."""
    try:
        conn = sqlite3.connect(Path(db_path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            columns = [r[1] for r in conn.execute("PRAGMA table_info(migrations)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return tables == ["migrations"] and columns == ["name", "applied_at"]


@cli.command()
@click.argument("article", metavar="URL_OR_ID")
@db_option
@click.option("--text", "fmt", flag_value="text", help="Output for reading: each version, its changes, word diffs marked [-deleted-] {+inserted+}.")
@output_options
@click.option("--full", is_flag=True, help="Include every field of every version (JSON, --nl).")
@click.option("--superseded", is_flag=True, help="Include versions a reparse replaced.")
@click.option("--context", default=8, show_default=True, type=click.IntRange(0, 1000), help="Unchanged words shown around a change (--text).")
@translate_errors
def history(article: str, db_path: str, fmt: str, full: bool, superseded: bool, context: int) -> None:
    """Every version of an article with its time and what changed, and its status events
    (missing, gone, back, moved, merged, reparsed), in time order.

    URL_OR_ID is the article's id or any URL it was seen at. JSON (the default) gives each
    change as a word diff: a list of {op, text} with op "equal", "insert" or "delete".

    Example:

    \b
        harvester history 12 --text
        harvester history https://sldtbxh.kontum.gov.vn/tin-tuc/Bai-viet-8814 --nl
    """
    from .history import article_header, render_text, table_row, timeline

    if fmt != "text":
        refuse_options(("context",), "without --text")
    if fmt in ("text", "table", "csv"):
        refuse_options(("full",), f"to --{fmt} output (only to JSON and --nl)")
    with open_archive(db_path) as archive:
        article_id = archive.find_article(article)
        entries = timeline(archive, article_id, full=full, superseded=superseded)
        if fmt == "text":
            style = (lambda s, op: click.style(s, fg="green" if op == "insert" else "red")) if sys.stdout.isatty() else None
            click.echo(render_text(article_header(archive, article_id), list(entries), context=context, style=style), nl=False)
        elif fmt in ("table", "csv"):
            emit((table_row(e) for e in entries), fmt, columns=["at", "what", "parser", "detail"])
        else:
            emit(entries, fmt)


@cli.command()
@db_option
@click.option("--site", "sites", multiple=True, metavar="NAME", help="Only this site's articles (repeatable).")
@click.option("--platform", default=None, type=click.Choice(list(PLATFORMS)), help="Only articles last read by this parser.")
@click.option("--config", "config_path", default=None, type=click.Path(dir_okay=False),
              help="Per-site platform and selectors, as the harvest uses them [default: config.yaml when present].")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@wait_option(0, "the reparse")
@translate_errors
def reparse(db_path: str, sites: tuple[str, ...], platform: str | None, config_path: str | None, dry_run: bool,
            as_json: bool, wait: float) -> None:
    """Re-extract every stored article page with today's parsers; write new versions only
    where the extraction changed (stamped with the parser version), and mark the versions
    they replace as superseded. The sites are not contacted.

    Run it after upgrading the parsers and before the next harvest, so a parser change is
    not mistaken for an edit on the site.

    Example:

    \b
        harvester reparse --dry-run
        harvester reparse --site sldtbxh-kontum --platform kontum
    """
    from .reparse import reparse as run_reparse

    config = None
    if config_path is not None or Path("config.yaml").exists():
        config = load_config(config_path or "config.yaml")
    with open_archive(db_path) as archive:  # exists, and is an archive
        check_sites(archive, sites)
    with ArchiveLock(db_path, command="reparse", wait=wait), Archive.open(db_path) as archive:
        result = run_reparse(archive, sites=sites or None, platform=platform, config=config, dry_run=dry_run)
    click.echo(result.summary(), err=True)
    for failure in result.failures[:5]:
        click.echo(f"    {failure}", err=True)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .analytics import parse_since

    if value is None:
        return None
    try:
        return parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


since_option = click.option(
    "--since", callback=_since, metavar="WHEN",
    help="Only from then: a duration back from now (7d, 24h, 2w, 90m) or a date (2026-03-01).",
)


@cli.command()
@click.argument("articles", nargs=-1, metavar="[URL_OR_ID]...")
@db_option
@click.option("--top", type=click.IntRange(1), metavar="N", help="The N articles whose views grew most (window: --since, default 7d).")
@click.option("--by-site", is_flag=True, help="Per-site totals by day: articles counted, new, views gained, total.")
@click.option("--site", "sites", multiple=True, metavar="NAME", help="Only this site (repeatable; with --top or --by-site).")
@since_option
@output_options
@translate_errors
def views(articles: tuple[str, ...], db_path: str, top: int | None, by_site: bool, sites: tuple[str, ...],
          since: str | None, fmt: str) -> None:
    """View counts: an article's series, the fastest-growing articles, or per-site totals.

    With URL_OR_ID (an article's id or any URL it was seen at): every observation, with the
    growth since the previous one and the growth per day. With --top N: the articles whose
    views grew most since --since (default 7d), from the last count before the window to the
    newest. With --by-site: per site and day, the total of its articles' newest counts.

    Example:

    \b
        harvester views 12 -t
        harvester views --top 10 --since 7d --site sldtbxh-kontum --csv
        harvester views --by-site --since 2026-03-01 -t
    """
    from .analytics import parse_since, series, site_totals, top_growth

    modes = sum([bool(articles), top is not None, by_site])
    if modes != 1:
        raise click.UsageError("give article ids or URLs, or --top N, or --by-site (one of them)")
    if articles:
        refuse_options(("sites",), "to an article's views (only to --top and --by-site)")
    with open_archive(db_path) as archive:
        check_sites(archive, sites)
        if articles:
            ids = [archive.find_article(a) for a in articles]
            emit((row for i in ids for row in series(archive, i, since)), fmt)
        elif top is not None:
            emit(top_growth(archive, since=since or parse_since("7d"), limit=top, sites=sites), fmt,
                 columns=["article_id", "site", "title", "url", "status", "views_from", "views_to", "growth",
                          "from_at", "to_at", "days", "growth_per_day"])
        else:
            emit(site_totals(archive, sites=sites, since=since), fmt,
                 columns=["site", "day", "articles_observed", "new_articles", "views_gained", "total_views"])


@cli.command()
@click.argument("articles", nargs=-1, metavar="[URL_OR_ID]...")
@db_option
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The PNG file to write.")
@click.option("--site", "sites", multiple=True, metavar="NAME", help="Plot this site's totals instead (repeatable).")
@since_option
@translate_errors
def plot(articles: tuple[str, ...], db_path: str, out: str, sites: tuple[str, ...], since: str | None) -> None:
    """Draw view counts over time as a PNG: one line per article, titled in Vietnamese, or
    with --site, each site's total views by day and the views gained each day.

    Example:

    \b
        harvester plot 12 15 https://sldtbxh.kontum.gov.vn/tin-tuc/Bai-viet-8814 --out views.png
        harvester plot --site sldtbxh-kontum --site sotuphap-kontum --since 30d --out sites.png
    """
    from .plot import plot_articles, plot_sites

    if bool(articles) == bool(sites):
        raise click.UsageError("give article ids or URLs, or --site NAME (one of them)")
    with open_archive(db_path) as archive:
        check_sites(archive, sites)
        if articles:
            path = plot_articles(archive, [archive.find_article(a) for a in articles], out, since=since)
        else:
            path = plot_sites(archive, sites, out, since=since)
    click.echo(f"wrote {path}", err=True)


@cli.command()
@click.argument("kind", type=click.Choice(["articles", "versions", "views"]))
@db_option
@click.option("--site", "sites", multiple=True, metavar="NAME", help="Only this site (repeatable).")
@since_option
@output_options
@translate_errors
def export(kind: str, db_path: str, sites: tuple[str, ...], since: str | None, fmt: str) -> None:
    """Export articles (latest version and views of each), versions (every article's
    history, numbered) or views (every observation), streaming: a million rows run in flat
    memory (except -t, which must measure its columns).

    --since keeps articles seen, versions fetched and views observed from then on.

    Example:

    \b
        harvester export views --since 30d --csv > views.csv
        harvester export versions --site sldtbxh-kontum --nl > versions.jsonl
    """
    from .export import COLUMNS
    from .export import export as rows

    with open_archive(db_path) as archive:
        check_sites(archive, sites)
        n = emit(rows(archive, kind, sites=sites, since=since), fmt, columns=COLUMNS[kind])
    click.echo(f"{n} {kind} rows", err=True)


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="The port to listen on.")
@click.option("--print-metadata", is_flag=True, help="Print the Datasette metadata for this archive as JSON and exit.")
@translate_errors
def serve(db_path: str, host: str, port: int, print_metadata: bool) -> None:
    """Browse and query the archive in Datasette: every table and column described, search,
    top growing articles and an article's history as ready-made queries. Ctrl-C stops it.

    With this package installed, a plain `datasette archive.db` gets the same metadata
    through its plugin; --print-metadata writes it out for `datasette -m`.

    Example:

    \b
        harvester serve --db archive.db --port 8001
        harvester serve --print-metadata > metadata.json && datasette archive.db -m metadata.json
    """
    from .web import metadata_for
    from .web import serve as run_server

    if print_metadata:
        refuse_options(("host", "port"), "with --print-metadata")
    open_archive(db_path).close()  # an archive, up to date: the views the queries use are there
    if print_metadata:
        click.echo(json.dumps(metadata_for(db_path), ensure_ascii=False, indent=2))
        return
    run_server(db_path, host=host, port=port,
               on_ready=lambda url: click.echo(f"Serving {db_path} at {url} (Ctrl-C to stop)", err=True))


class _Day(click.ParamType):
    """A YYYY-MM-DD date, read by search's own parser (so the two never disagree)."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from .search import parse_day

        try:
            return parse_day(value)
        except ValueError:
            self.fail(f"expected a date like 2023-09-16, got {value!r}", param, ctx)


@cli.command()
@click.argument("query")
@db_option
@click.option("--site", "sites", multiple=True, metavar="NAME", help="Only this site (repeatable).")
@click.option("--province", metavar="NAME", help="Only sites of this province (diacritics optional).")
@click.option("--category", metavar="NAME", help="Only this category, as the page shows it (diacritics optional).")
@click.option("--since", type=_Day(), help="Published on or after this day (YYYY-MM-DD).")
@click.option("--until", type=_Day(), help="Published on or before this day (YYYY-MM-DD).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000), help="Most hits to show.")
@output_options
@translate_errors
def search(query: str, db_path: str, sites: tuple[str, ...], province: str | None, category: str | None,
           since: Any, until: Any, limit: int, fmt: str) -> None:
    """Search the latest version of every article: title, body and captions.

    Type as you would: without diacritics ("giam ngheo") a query matches any marks;
    with them ("giảm nghèo") it matches those marks, with either tone placement (hoà = hòa).
    Several words match as a phrase first, then anywhere in the article; `term*` is a
    prefix; a query that starts with "-" follows "--". Prints article_id (what history and
    views take), url, site, title, published_at, views (the latest count) and a snippet
    with the matched words [marked].

    Example:

    \b
        harvester search "dak glei" --province "Kon Tum" --since 2023-01-01 -t
        harvester search "Đăk Glei" --csv > dak-glei.csv
    """
    from .search import COLUMNS
    from .search import search as run_search

    with open_archive(db_path) as archive:
        check_sites(archive, sites, province)
        try:
            hits = run_search(archive, query, site=list(sites), province=province, category=category,
                              since=since, until=until, limit=limit)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    if hits and hits[0].fallback:
        click.echo(f"No match for {query!r} with its diacritics; showing matches that ignore them.", err=True)
    elif hits and hits[0].mode.startswith("all terms"):
        click.echo(f"No article has {query!r} as a phrase; showing articles with all its words.", err=True)
    emit((h.as_row() for h in hits), fmt, columns=list(COLUMNS))
