"""config.yaml: defaults applied, and errors that name their place (exit status 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from harvester.cli import cli
from harvester.config import load_config, parse_config
from harvester.errors import ConfigError

GOOD = {
    "defaults": {"delay": 2, "timeout": 20},
    "sites": [
        {"name": "a", "province": "Kon Tum", "department": "Sở A", "start_urls": ["https://a.gov.vn/"]},
        {"name": "b", "province": "Kon Tum", "department": "Sở B", "start_urls": ["https://b.gov.vn/"], "delay": 5},
    ],
}


def test_the_shipped_config_is_valid() -> None:
    config = load_config(Path(__file__).parent.parent / "config.yaml")
    names = [s.name for s in config.sites]
    assert "sldtbxh-kontum" in names
    assert len(names) == len(set(names))


def test_defaults_are_applied_per_site() -> None:
    config = parse_config(GOOD)
    a, b = config.sites
    assert (a.delay, a.timeout, a.platform) == (2.0, 20.0, "auto")
    assert b.delay == 5.0
    assert a.hosts == ("a.gov.vn",)


def _broken(path: str, value: object) -> dict:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    target = data
    *parents, last = path.split(".")
    for p in parents:
        target = target[int(p)] if p.isdigit() else target[p]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("sites.1.start_urls", "https://b.gov.vn/", "sites[1].start_urls: expected a list of URLs"),
        ("sites.0.start_urls", ["ftp://a"], "sites[0].start_urls[0]: expected an http(s) URL"),
        ("sites.0.name", KeyError, "sites[0].name: missing"),
        ("sites.1.name", "a", "sites[1].name: duplicate site name 'a'"),
        ("sites.0.platform", "nukevit", "sites[0].platform: unknown platform 'nukevit'"),
        ("sites.0.delay", "slow", "sites[0].delay: expected a number"),
        ("sites.0.max_pages", 0, "sites[0].max_pages: must be at least 1"),
        ("sites.0.dealy", 3, "sites[0].dealy: unknown setting (did you mean 'delay'?)"),
        ("defaults.schedule", "nightly", "defaults.schedule: expected a cron expression"),
        ("sites.0.selectors", {"title": "h1[["}, "sites[0].selectors.title: not a valid CSS selector"),
        ("defaults.user_agent", "my-crawler/1.0", "defaults.user_agent: include a contact URL or e-mail address"),
        ("defaults.workers", 0, "defaults.workers: must be at least 1"),
        ("sites.0.retries", 1.5, "sites[0].retries: expected a whole number"),
        ("sites.0.backoff", "fast", "sites[0].backoff: expected a number"),
        ("sites.0.overlap", -1, "sites[0].overlap: must be at least 0"),
        ("sites.0.print_url", "/print/", "sites[0].print_url: expected a template with {id}, {path} or {url}"),
        ("sites.0.print_url", "/print/{ma}", "sites[0].print_url: expected a template with {id}"),
        ("sites.0.print_url", "/print/{id}/{ma}", "sites[0].print_url: unknown field 'ma'"),
        ("sites.0.print_url", "print/{id}", "sites[0].print_url: expected a path ('/print/{id}') or a URL"),
        ("sites.0.workers", 2, "sites[0].workers: unknown setting"),
        # YAML's .inf and .nan, and values no sleep or date can take
        ("defaults.delay", float("inf"), "defaults.delay: expected a finite number, got inf"),
        ("defaults.delay", float("nan"), "defaults.delay: expected a finite number, got nan"),
        ("sites.0.delay", float("-inf"), "sites[0].delay: expected a finite number, got -inf"),
        ("sites.0.delay", 1e300, "sites[0].delay: must be at most 86,400, got 1e+300"),
        ("defaults.timeout", float("inf"), "defaults.timeout: expected a finite number"),
        ("sites.0.timeout", float("nan"), "sites[0].timeout: expected a finite number"),
        ("defaults.archive_delay", float("nan"), "defaults.archive_delay: expected a finite number"),
        ("defaults.archive_delay", 1e9, "defaults.archive_delay: must be at most 86,400"),
        ("sites.0.backoff", float("inf"), "sites[0].backoff: expected a finite number"),
        ("sites.0.retries", 1000, "sites[0].retries: must be at most 10"),
        ("defaults.max_pages", float("inf"), "defaults.max_pages: expected a whole number"),
        ("defaults.revisit", [{"younger_than": float("inf"), "every": 1}], "defaults.revisit[0].younger_than: expected a finite number"),
        ("sites.0.revisit", [{"every": float("nan")}], "sites[0].revisit[0].every: expected a finite number"),
        ("sites.0.revisit", [{"every": 1e12}], "sites[0].revisit[0].every: must be at most 36,500"),
        ("notify", {"command": "true", "timeout": float("inf")}, "notify.timeout: expected a finite number"),
    ],
)
def test_errors_name_the_place(path: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(_broken(path, value))
    assert message in str(info.value)


def test_crawl_settings_default_and_override() -> None:
    config = parse_config({**GOOD, "defaults": {"retries": 4, "backoff": 0, "overlap": 3, "workers": 2}})
    a, b = config.sites
    assert (a.retries, a.backoff, a.overlap, config.defaults.workers) == (4, 0.0, 3, 2)
    assert a.revisit_budget == 200 and [t.every for t in a.revisit] == [1, 7, 30]
    assert a.user_agent.startswith("provincial-news-archive") and "https://" in a.user_agent
    assert a.print_url is None


def test_yaml_syntax_errors_give_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text("sites:\n  - name: a\n    start_urls: [https://a\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert "line" in str(info.value) and "not valid YAML" in str(info.value)


def test_a_bad_config_exits_2_with_the_place(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text(yaml.safe_dump(_broken("sites.1.start_urls", "https://b.gov.vn/")), encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", "--config", str(bad), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2
    assert "sites[1].start_urls: expected a list of URLs" in result.output
    assert not (tmp_path / "a.db").exists()


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN"])
def test_yaml_infinity_and_nan_are_refused_with_the_place(tmp_path: Path, value: str) -> None:
    """`delay: .inf` once overflowed a sleep, and `delay: .nan` silently disabled politeness."""
    bad = tmp_path / "c.yaml"
    bad.write_text(
        f"defaults:\n  delay: {value}\nsites:\n"
        "  - {name: a, province: P, department: D, start_urls: ['https://a.gov.vn/']}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["run", "--config", str(bad), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2 and result.exception is not None and isinstance(result.exception, SystemExit)
    assert "c.yaml: defaults.delay: expected a finite number, got " in result.output
    assert not (tmp_path / "a.db").exists()


def test_a_missing_config_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "--config", str(tmp_path / "nope.yaml"), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_an_unknown_site_name_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "c.yaml"
    good.write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", "--config", str(good), "--db", str(tmp_path / "a.db"), "--site", "aa"])
    assert result.exit_code == 2
    assert "no site named 'aa'" in result.output
