"""config.yaml: which sites to harvest and how politely. Loaded once, validated by hand so
every error names its place (`sites[2].start_urls: expected a list of URLs`).

    defaults:
      delay: 1.0                 # seconds between two requests to one host
      timeout: 30                # seconds to connect / to wait for data
      user_agent: "provincial-news-archive/0.1 (+https://…)"
      schedule: "0 2 * * *"      # cron, Asia/Ho_Chi_Minh
      max_pages: 50              # listing pages per start URL and run
      archive_url: https://web.archive.org   # for 'harvester backfill' (a Wayback/pywb server)
      archive_delay: 3.0         # seconds between two requests to the archive
      workers: 4                 # sites harvested at once (one thread each; hosts never shared)
      revisit:                   # re-fetch archived articles for their view counts
        - {younger_than: 7, every: 1}     # days: under a week old, nightly
        - {younger_than: 90, every: 7}    # under three months, weekly
        - {every: 30}                     # older, monthly
      revisit_budget: 200        # most re-visits per site and night
    sites:
      - name: sldtbxh-kontum     # unique; used in the archive and on the command line
        province: Kon Tum
        department: Sở Lao động - Thương binh và Xã hội
        start_urls: [https://sldtbxh.kontum.gov.vn/]
        platform: auto           # or kontum, nukeviet, joomla, liferay, sharepoint, wordpress, generic
        delay: 2                 # optional, overrides defaults.delay
    notify:                      # optional: told when a run ends with failures or health flags
      command: "mail -s 'harvest report' ops@example.org"   # report JSON on stdin
      url: https://hooks.example.org/harvest                 # report POSTed as JSON

Every `Site` comes out resolved: the defaults are applied, so nothing downstream needs them.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from parsers import PLATFORMS
from parsers.dom import check_selector

from .cron import cron_trigger
from .errors import ConfigError
from .urls import netloc_of

__all__ = ["DEFAULT_REVISIT", "Config", "Defaults", "Notify", "RevisitTier", "Site", "load_config", "parse_config"]

DEFAULT_USER_AGENT = (
    "provincial-news-archive/0.1 (+https://github.com/provincial-news-archive; archiving public news)"
)
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CONTACT_RE = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+\.[\w.-]+")


@dataclass(frozen=True)
class RevisitTier:
    """Articles younger than `younger_than` days (None: any age) are re-fetched every
    `every` days for their view counts."""

    younger_than: float | None
    every: float


DEFAULT_REVISIT = (RevisitTier(7, 1), RevisitTier(90, 7), RevisitTier(None, 30))


@dataclass(frozen=True)
class Defaults:
    delay: float = 1.0
    timeout: float = 30.0
    user_agent: str = DEFAULT_USER_AGENT
    schedule: str = "0 2 * * *"
    max_pages: int = 50
    max_bytes: int = 10_000_000
    max_urls: int = 5000
    archive_url: str = "https://web.archive.org"
    archive_delay: float = 3.0
    retries: int = 2
    backoff: float = 1.0
    overlap: int = 10
    revisit: tuple[RevisitTier, ...] = DEFAULT_REVISIT
    revisit_budget: int = 200
    workers: int = 4


@dataclass(frozen=True)
class Site:
    """One department site, with the defaults already applied."""

    name: str
    province: str
    department: str
    start_urls: tuple[str, ...]
    platform: str = "auto"
    delay: float = 1.0
    timeout: float = 30.0
    max_pages: int = 50
    max_bytes: int = 10_000_000
    max_urls: int = 5000
    user_agent: str = DEFAULT_USER_AGENT
    schedule: str = "0 2 * * *"
    status: str = "live"
    aliases: tuple[str, ...] = ()
    verify: bool = True
    ca_bundle: str | None = None
    selectors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    retries: int = 2
    backoff: float = 1.0
    overlap: int = 10
    revisit: tuple[RevisitTier, ...] = DEFAULT_REVISIT
    revisit_budget: int = 200
    print_url: str | None = None

    @property
    def hosts(self) -> tuple[str, ...]:
        """The hosts that belong to this site: those of its start URLs, then its aliases."""
        seen: list[str] = []
        for url in self.start_urls:
            host = netloc_of(url)
            if host and host not in seen:
                seen.append(host)
        for alias in self.aliases:
            if alias not in seen:
                seen.append(alias)
        return tuple(seen)


@dataclass(frozen=True)
class Notify:
    """Who hears about a run that ended with failures or health flags (`notify:`).

    `command` gets the run report as JSON on stdin (a string runs under `sh -c`, a list is
    run as is); `url` gets it POSTed as JSON. `when`: `problems` (default) or `always`."""

    command: str | tuple[str, ...] | None = None
    url: str | None = None
    when: str = "problems"
    timeout: float = 30.0


@dataclass(frozen=True)
class Config:
    defaults: Defaults
    sites: tuple[Site, ...]
    source: str | None = None
    notify: Notify | None = None

    def site(self, name: str) -> Site:
        for s in self.sites:
            if s.name == name:
                return s
        close = difflib.get_close_matches(name, [s.name for s in self.sites], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError("", f"no site named {name!r} in the config{hint}", self.source)

    def select(self, names: tuple[str, ...] | list[str] | None) -> tuple[Site, ...]:
        """The sites named (in config order), or all sites when no name is given."""
        if not names:
            return self.sites
        for n in names:
            self.site(n)
        return tuple(s for s in self.sites if s.name in set(names))


# --- validation ---------------------------------------------------------------------------

PLATFORM_NAMES = ("auto", *PLATFORMS)
SELECTOR_FIELDS = ("title", "body", "lead", "date", "views", "author", "poster", "category", "meta", "captions", "remove")

_CRAWL_KEYS = {"retries", "backoff", "overlap", "revisit", "revisit_budget"}
_DEFAULT_KEYS = {"delay", "timeout", "user_agent", "schedule", "max_pages", "max_bytes", "max_urls",
                 "archive_url", "archive_delay", "workers", *_CRAWL_KEYS}
_SITE_KEYS = {
    "name", "province", "department", "start_urls", "platform", "delay", "timeout", "max_pages",
    "max_bytes", "max_urls", "schedule", "status", "aliases", "verify", "ca_bundle", "selectors",
    "print_url", *_CRAWL_KEYS,
}
_PRINT_FIELDS = ("{id}", "{path}", "{url}")


def _unknown(keys: Any, allowed: set[str], where: str, source: str | None) -> None:
    for key in keys:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; known: {', '.join(sorted(allowed))}"
            raise ConfigError(f"{where}.{key}" if where else str(key), f"unknown setting{hint}", source)


# the most seconds a delay, backoff or timeout may be, and days a re-visit tier may span:
# far beyond any sensible value, well within what sleeps and date arithmetic can take
SECONDS_MAX = 86_400
DAYS_MAX = 36_500
RETRIES_MAX = 10  # the backoff doubles with each: 2**10 times the first wait


def _number(
    value: Any, where: str, source: str | None, *, minimum: float = 0, maximum: float | None = None,
    integer: bool = False,
) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or (integer and not isinstance(value, int)):
        kind = "a whole number" if integer else "a number"
        raise ConfigError(where, f"expected {kind}, got {value!r}", source)
    if not math.isfinite(value):  # YAML's .inf and .nan are floats too
        raise ConfigError(where, f"expected a finite number, got {value!r}", source)
    if value < minimum:
        raise ConfigError(where, f"must be at least {minimum}, got {value!r}", source)
    if maximum is not None and value > maximum:
        raise ConfigError(where, f"must be at most {maximum:,}, got {value!r}", source)
    return value


def _seconds(value: Any, where: str, source: str | None, *, minimum: float = 0) -> float:
    return float(_number(value, where, source, minimum=minimum, maximum=SECONDS_MAX))


def _text(value: Any, where: str, source: str | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(where, f"expected a non-empty string, got {value!r}", source)
    return value.strip()


def _url(value: Any, where: str, source: str | None) -> str:
    if not isinstance(value, str):
        raise ConfigError(where, f"expected a URL, got {value!r}", source)
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(where, f"expected an http(s) URL, got {value!r}", source)
    return value.strip()


def _cron(value: Any, where: str, source: str | None) -> str:
    text = _text(value, where, source)
    try:
        cron_trigger(text)
    except ValueError as exc:
        raise ConfigError(
            where, f"expected a cron expression (minute hour day month weekday, like '0 2 * * *'), got {text!r}: {exc}", source
        ) from None
    return " ".join(text.split())


def _user_agent(value: Any, where: str, source: str | None) -> str:
    text = _text(value, where, source)
    if not _CONTACT_RE.search(text):
        raise ConfigError(
            where, f"include a contact URL or e-mail address, so site operators can reach us; got {text!r}", source
        )
    return text


def _revisit(value: Any, where: str, source: str | None) -> tuple[RevisitTier, ...]:
    """`[{younger_than: 7, every: 1}, {younger_than: 90, every: 7}, {every: 30}]` (days)."""
    example = "expected a list like [{younger_than: 7, every: 1}, {younger_than: 90, every: 7}, {every: 30}] (days)"
    if not isinstance(value, list):
        raise ConfigError(where, example, source)
    tiers: list[RevisitTier] = []
    for i, raw in enumerate(value):
        here = f"{where}[{i}]"
        if not isinstance(raw, dict):
            raise ConfigError(here, example, source)
        _unknown(raw, {"younger_than", "every"}, here, source)
        if "every" not in raw:
            raise ConfigError(f"{here}.every", "missing: how many days between two visits", source)
        every = float(_number(raw["every"], f"{here}.every", source, maximum=DAYS_MAX))
        younger = raw.get("younger_than")
        if younger is None:
            if i != len(value) - 1:
                raise ConfigError(f"{here}.younger_than", "missing: only the last tier may cover every age", source)
        else:
            younger = float(_number(younger, f"{here}.younger_than", source, maximum=DAYS_MAX))
            if younger <= 0:
                raise ConfigError(f"{here}.younger_than", f"must be more than 0 days, got {raw['younger_than']!r}", source)
            if tiers and tiers[-1].younger_than is not None and younger <= tiers[-1].younger_than:
                raise ConfigError(
                    f"{here}.younger_than",
                    f"must be greater than the tier before ({tiers[-1].younger_than:g}): list tiers from young to old",
                    source,
                )
        tiers.append(RevisitTier(younger, every))
    return tuple(tiers)


def _crawl(raw: dict[str, Any], where: str, source: str | None, base: Any) -> dict[str, Any]:
    """The crawl settings a site may override: retries, backoff, overlap, revisit, budget."""
    values: dict[str, Any] = {}
    if "retries" in raw:
        values["retries"] = _number(
            raw["retries"], f"{where}.retries", source, maximum=RETRIES_MAX, integer=True
        )
    if "backoff" in raw:
        values["backoff"] = _seconds(raw["backoff"], f"{where}.backoff", source)
    if "overlap" in raw:
        values["overlap"] = _number(raw["overlap"], f"{where}.overlap", source, integer=True)
    if "revisit" in raw:
        values["revisit"] = _revisit(raw["revisit"], f"{where}.revisit", source)
    if "revisit_budget" in raw:
        values["revisit_budget"] = _number(raw["revisit_budget"], f"{where}.revisit_budget", source, integer=True)
    return {k: values.get(k, getattr(base, k)) for k in ("retries", "backoff", "overlap", "revisit", "revisit_budget")}


def _print_url(value: Any, where: str, source: str | None) -> str:
    text = _text(value, where, source)
    if not any(f in text for f in _PRINT_FIELDS):
        raise ConfigError(
            where, f"expected a template with {{id}}, {{path}} or {{url}}, like '/bm/print/{{id}}', got {text!r}", source
        )
    try:
        text.format(id="1", path="/a", url="https://a/")
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(where, f"unknown field {exc} in {text!r}; use {{id}}, {{path}} or {{url}}", source) from None
    if not text.startswith(("/", "http://", "https://", "{url}")):
        raise ConfigError(where, f"expected a path ('/print/{{id}}') or a URL, got {text!r}", source)
    return text


def _defaults(raw: Any, source: str | None) -> Defaults:
    if raw is None:
        return Defaults()
    if not isinstance(raw, dict):
        raise ConfigError("defaults", "expected a mapping of settings", source)
    _unknown(raw, _DEFAULT_KEYS, "defaults", source)
    d = Defaults()
    values: dict[str, Any] = {}
    if "delay" in raw:
        values["delay"] = _seconds(raw["delay"], "defaults.delay", source)
    if "timeout" in raw:
        values["timeout"] = _seconds(raw["timeout"], "defaults.timeout", source, minimum=1)
    if "user_agent" in raw:
        values["user_agent"] = _user_agent(raw["user_agent"], "defaults.user_agent", source)
    if "schedule" in raw:
        values["schedule"] = _cron(raw["schedule"], "defaults.schedule", source)
    for key in ("max_pages", "max_bytes", "max_urls", "workers"):
        if key in raw:
            values[key] = _number(raw[key], f"defaults.{key}", source, minimum=1, integer=True)
    if "archive_url" in raw:
        values["archive_url"] = _url(raw["archive_url"], "defaults.archive_url", source).rstrip("/")
    if "archive_delay" in raw:
        values["archive_delay"] = _seconds(raw["archive_delay"], "defaults.archive_delay", source)
    values.update(_crawl(raw, "defaults", source, d))
    return Defaults(**{**d.__dict__, **values})


def _site(raw: Any, i: int, defaults: Defaults, source: str | None) -> Site:
    where = f"sites[{i}]"
    if not isinstance(raw, dict):
        raise ConfigError(where, "expected a mapping with name, province, department and start_urls", source)
    _unknown(raw, _SITE_KEYS, where, source)
    for key in ("name", "province", "department", "start_urls"):
        if key not in raw:
            raise ConfigError(f"{where}.{key}", "missing (required)", source)
    name = _text(raw["name"], f"{where}.name", source)
    if not _NAME_RE.match(name):
        raise ConfigError(f"{where}.name", f"use letters, digits, '.', '_' or '-' only, got {name!r}", source)
    urls = raw["start_urls"]
    if isinstance(urls, str) or not isinstance(urls, list) or not urls:
        raise ConfigError(f"{where}.start_urls", "expected a list of URLs", source)
    start_urls = tuple(_url(u, f"{where}.start_urls[{j}]", source) for j, u in enumerate(urls))
    platform = raw.get("platform", "auto")
    if platform not in PLATFORM_NAMES:
        close = difflib.get_close_matches(str(platform), PLATFORM_NAMES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"{where}.platform", f"unknown platform {platform!r}{hint}; known: {', '.join(PLATFORM_NAMES)}", source)
    status = raw.get("status", "live")
    if status not in ("live", "gone"):
        raise ConfigError(f"{where}.status", f"expected 'live' or 'gone', got {status!r}", source)
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ConfigError(f"{where}.aliases", "expected a list of host names", source)
    verify = raw.get("verify", True)
    if not isinstance(verify, bool):
        raise ConfigError(f"{where}.verify", "expected true or false", source)
    ca_bundle = raw.get("ca_bundle")
    if ca_bundle is not None:
        ca_bundle = _text(ca_bundle, f"{where}.ca_bundle", source)
    selectors_raw = raw.get("selectors", {}) or {}
    if not isinstance(selectors_raw, dict):
        raise ConfigError(f"{where}.selectors", f"expected a mapping of field to CSS selector ({', '.join(SELECTOR_FIELDS)})", source)
    _unknown(selectors_raw, set(SELECTOR_FIELDS), f"{where}.selectors", source)
    selectors: dict[str, tuple[str, ...]] = {}
    for key, value in selectors_raw.items():
        sels = [value] if isinstance(value, str) else value
        if not isinstance(sels, list) or not all(isinstance(s, str) and s.strip() for s in sels):
            raise ConfigError(f"{where}.selectors.{key}", "expected a CSS selector or a list of them", source)
        for s in sels:
            try:
                check_selector(s)
            except ValueError as exc:
                raise ConfigError(f"{where}.selectors.{key}", f"not a valid CSS selector {s!r}: {exc}", source) from None
        selectors[key] = tuple(sels)

    def num(key: str, default: Any, **kw: Any) -> Any:
        return _number(raw[key], f"{where}.{key}", source, **kw) if key in raw else default

    return Site(
        name=name,
        province=_text(raw["province"], f"{where}.province", source),
        department=_text(raw["department"], f"{where}.department", source),
        start_urls=start_urls,
        platform=platform,
        delay=_seconds(raw["delay"], f"{where}.delay", source) if "delay" in raw else defaults.delay,
        timeout=(
            _seconds(raw["timeout"], f"{where}.timeout", source, minimum=1)
            if "timeout" in raw else defaults.timeout
        ),
        max_pages=num("max_pages", defaults.max_pages, minimum=1, integer=True),
        max_bytes=num("max_bytes", defaults.max_bytes, minimum=1, integer=True),
        max_urls=num("max_urls", defaults.max_urls, minimum=1, integer=True),
        user_agent=defaults.user_agent,
        schedule=_cron(raw["schedule"], f"{where}.schedule", source) if "schedule" in raw else defaults.schedule,
        status=status,
        aliases=tuple(a.strip().lower() for a in aliases),
        verify=verify,
        ca_bundle=ca_bundle,
        selectors=selectors,
        print_url=_print_url(raw["print_url"], f"{where}.print_url", source) if "print_url" in raw else None,
        **_crawl(raw, where, source, defaults),
    )


_NOTIFY_KEYS = {"command", "url", "when", "timeout"}


def _notify(raw: Any, source: str | None) -> Notify | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(
            "notify", "expected a mapping with 'command' (report JSON on stdin) and/or 'url' (report POSTed as JSON)", source
        )
    _unknown(raw, _NOTIFY_KEYS, "notify", source)
    if "command" not in raw and "url" not in raw:
        raise ConfigError("notify", "give a 'command' to run or a 'url' to POST to (or both)", source)
    command: str | tuple[str, ...] | None = None
    if "command" in raw:
        value = raw["command"]
        if isinstance(value, list):
            if not value or not all(isinstance(v, str) and v.strip() for v in value):
                raise ConfigError("notify.command", "expected a command line or a non-empty list of arguments", source)
            command = tuple(value)
        else:
            command = _text(value, "notify.command", source)
    url = _url(raw["url"], "notify.url", source) if "url" in raw else None
    when = raw.get("when", "problems")
    if when not in ("problems", "always"):
        raise ConfigError("notify.when", f"expected 'problems' or 'always', got {when!r}", source)
    timeout = _seconds(raw["timeout"], "notify.timeout", source, minimum=1) if "timeout" in raw else 30.0
    return Notify(command=command, url=url, when=when, timeout=timeout)


def parse_config(data: Any, source: str | None = None) -> Config:
    """A Config from already-loaded YAML data."""
    if not isinstance(data, dict):
        raise ConfigError("", "expected a mapping with 'defaults' and 'sites' at the top", source)
    _unknown(data, {"defaults", "sites", "notify"}, "", source)
    defaults = _defaults(data.get("defaults"), source)
    raw_sites = data.get("sites")
    if not isinstance(raw_sites, list) or not raw_sites:
        raise ConfigError("sites", "expected a list of sites", source)
    sites = tuple(_site(raw, i, defaults, source) for i, raw in enumerate(raw_sites))
    seen: dict[str, int] = {}
    for i, s in enumerate(sites):
        if s.name in seen:
            raise ConfigError(f"sites[{i}].name", f"duplicate site name {s.name!r} (also sites[{seen[s.name]}])", source)
        seen[s.name] = i
    return Config(defaults=defaults, sites=sites, source=source, notify=_notify(data.get("notify"), source))


def load_config(path: str | Path) -> Config:
    """Read and validate a config file; raises ConfigError naming the problem's place."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("", "file not found", source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("", f"cannot read: {exc}", source) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(where, f"not valid YAML: {problem}", source) from None
    return parse_config(data, source)
