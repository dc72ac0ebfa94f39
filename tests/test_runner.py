"""One run as operators get it (runner.py): the report kept in `runs.summary` is the one
`run --json` prints and `notify:` receives, and its time is the run's, as recorded."""

from __future__ import annotations

import json
import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from harvester.cli import cli
from harvester.config import parse_config
from harvester.demo import FixtureServer, FixtureSite
from harvester.runner import report_lines, run_and_report
from harvester.store import Archive
from tests.conftest import fixture_config


def test_runs_summary_is_the_whole_run_report(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "defaults": {"delay": 0, "timeout": 5},
                "sites": [
                    {"name": site.name, "province": "Kon Tum", "department": site.site_title,
                     "start_urls": site.start_urls()},
                    {"name": "dead", "province": "Kon Tum", "department": "D", "start_urls": ["http://127.0.0.1:9/"]},
                ],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    db = tmp_path / "archive.db"
    result = CliRunner().invoke(cli, ["run", "--config", str(config), "--db", str(db), "--json"])
    assert result.exit_code == 1
    printed = json.loads(result.stdout)
    with Archive.open(db, readonly=True) as archive:
        (row,) = archive.query("SELECT finished_at, summary FROM runs")
    stored = json.loads(row["summary"])
    assert stored == printed
    assert {"health", "problems", "text", "command", "archive", "host", "finished_at"} <= set(stored)
    assert stored["problems"] is True and "1 site(s) not harvested: dead" in stored["text"]
    assert stored["finished_at"] == row["finished_at"]  # the run's recorded time


def test_the_report_time_is_fixed_once(tmp_path: Path) -> None:
    site = FixtureSite("fixed-time", n_articles=3, seed=4)
    with FixtureServer([site]), Archive.open(tmp_path / "a.db") as archive:
        report = run_and_report(fixture_config([site]), archive, None, command="run")
        first = report.as_dict()["finished_at"]
        time.sleep(1.1)
        assert report.as_dict()["finished_at"] == first
        assert archive.query("SELECT finished_at FROM runs")[0][0] == first


def test_the_readme_quotes_the_no_network_report_as_it_is_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README's "No network?" block: what ./run.sh prints without a network, line for line
    ('…' ends a line quoted only in part), and a demo command that works after ./run.sh."""
    after = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8").split("No network?", 1)[1]
    block = re.search(r"\n\n((?:    .*\n)+)", after)
    assert block, "README: the indented block after 'No network?' is missing"
    quoted = [line[4:] for line in block.group(1).splitlines()]
    assert "    .venv/bin/harvester demo" in quoted

    real = socket.getaddrinfo

    def no_dns(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "sldtbxh.kontum.gov.vn":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.chdir(tmp_path)
    offline = parse_config(
        {
            "defaults": {"delay": 0, "timeout": 2, "retries": 0},
            "sites": [{"name": "sldtbxh-kontum", "province": "Kon Tum", "department": "D",
                       "start_urls": ["https://sldtbxh.kontum.gov.vn/"]}],
        }
    )
    with Archive.open(Path("archive.db")) as archive:
        lines = report_lines(run_and_report(offline, archive, None, command="run"))
    for q in quoted:
        if q.endswith("…"):
            assert any(line.startswith(q[:-1]) for line in lines), (q, lines)
        else:
            assert q in lines, (q, lines)
