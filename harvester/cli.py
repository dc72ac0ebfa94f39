"""The `harvester` command: a thin click layer over the library. Options are parsed here,
the work is done by the modules, and their errors are translated once: a bad config exits 2,
any other harvester error prints `Error: …` and exits 1. Data goes to stdout, progress and
reports to stderr, so pipes work.
"""

from __future__ import annotations

import json
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
from .output import emit, output_options
from .pipeline import RunResult, harvest
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


def print_report(result: RunResult, db_path: str) -> None:
    """The per-site summary of a run, on stderr."""
    marks = {"ok": "ok", "partial": "partial", "unreachable": "UNREACHABLE", "moved": "MOVED",
             "gone": "gone", "failed": "FAILED", "interrupted": "interrupted"}
    for s in result.sites:
        line = (
            f"{s.site}: {marks.get(s.status, s.status)} — {s.articles_seen} articles seen, "
            f"{s.articles_new} new, {s.versions_new} new versions, {s.observations} view observations, "
            f"{s.requests} requests"
        )
        click.echo(line, err=True)
        if s.message:
            click.echo(f"    {s.message}", err=True)
    click.echo(f"run {result.run_id}: {result.status} (archive: {db_path})", err=True)
    if any(s.status in ("unreachable", "moved") for s in result.sites):
        click.echo(
            "Some sites could not be reached. Without a network, 'harvester demo' shows the whole "
            "pipeline on bundled sample sites served on 127.0.0.1.",
            err=True,
        )


@cli.command()
@config_option
@db_option
@click.option("--site", "sites", multiple=True, metavar="NAME", help="Harvest only this site (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON on stdout.")
@translate_errors
def run(config_path: str, db_path: str, sites: tuple[str, ...], as_json: bool) -> None:
    """One harvest pass: discover, fetch, parse and store every configured site.

    Exit status 0 when every site was reached (page failures are recorded and summarised),
    1 when a site could not be harvested at all, 2 for a bad config.

    Example:

        harvester run --site sldtbxh-kontum --db archive.db
    """
    config = load_config(config_path)
    config.select(list(sites))  # unknown names fail before anything is opened
    with Archive.open(db_path) as archive:
        result = harvest(config, archive, sites, command="run")
    print_report(result, db_path)
    if as_json:
        click.echo(json.dumps(result.summary(), ensure_ascii=False, indent=2))
    sys.exit(result.exit_code)


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
@translate_errors
def demo(db_path: str, articles: int, serve: bool) -> None:
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
        click.echo(f"Serving {len(sites)} sample sites: " + ", ".join(s.base_url for s in sites), err=True)
        with Archive.open(db_path) as archive:
            result = harvest(config, archive, command="demo")
            counts = archive.counts()
        print_report(result, db_path)
        click.echo(
            f"{db_path}: {counts['articles']} articles, {counts['versions']} versions, "
            f"{counts['view_counts']} view observations.",
            err=True,
        )
        if serve:
            click.echo("Serving until Ctrl-C…", err=True)
            try:
                import time

                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    sys.exit(result.exit_code)


class _Day(click.ParamType):
    """A YYYY-MM-DD date."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from datetime import date

        if isinstance(value, date):
            return value
        try:
            if len(value) == 10:
                return date.fromisoformat(value)
        except ValueError:
            pass
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
    prefix; a query that starts with "-" follows "--". Prints url, site, title,
    published_at, views (the latest count) and a snippet with the matched words [marked].

    Example:

        harvester search "dak glei" --province "Kon Tum" --since 2023-01-01 -t
    """
    from .search import COLUMNS
    from .search import search as run_search

    try:
        hits = run_search(db_path, query, site=list(sites), province=province, category=category,
                          since=since, until=until, limit=limit)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if hits and hits[0].fallback:
        click.echo(f"No match for {query!r} with its diacritics; showing matches that ignore them.", err=True)
    elif hits and hits[0].mode.startswith("all terms"):
        click.echo(f"No article has {query!r} as a phrase; showing articles with all its words.", err=True)
    emit((h.as_row() for h in hits), fmt, columns=list(COLUMNS))
