"""Watching a run: a live display when stderr is a terminal (tested on a real pty), plain
text or JSON lines when it is not (a pipe, as under cron or journald)."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harvester.demo import Fault, FixtureServer, FixtureSite
from tests.conftest import config_file

ANSI = re.compile(r"\x1b\[")


def _config(tmp_path: Path, site: FixtureSite) -> Path:
    return config_file(tmp_path, [site])


def _command(tmp_path: Path, site: FixtureSite, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "harvester",
        "run",
        "--config",
        str(_config(tmp_path, site)),
        "--db",
        str(tmp_path / "archive.db"),
        *extra,
    ]


ENV = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "30"}


def _on_a_terminal(command: list[str]) -> tuple[int, str]:
    """Run with stderr (and stdout) on a pseudo-terminal; what the terminal showed."""
    master, slave = os.openpty()
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=ENV)
    os.close(slave)
    chunks = []
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        return proc.wait(30), b"".join(chunks).decode("utf-8", "replace")
    finally:
        os.close(master)
        if proc.poll() is None:  # a failed or timed-out wait leaves no harvest behind
            proc.kill()
            proc.wait()


def test_a_terminal_gets_a_live_progress_display(
    tmp_path: Path, site: FixtureSite, server: FixtureServer
) -> None:
    for a in site.articles:  # slow enough for the display to draw a few frames
        server.add_fault(site, site.path_of(a), Fault(delay=0.05), times=1)
    code, screen = _on_a_terminal(_command(tmp_path, site))
    assert code == 0, screen
    assert "\x1b[?25l" in screen  # the display hides the cursor while it draws …
    assert "━" in screen and re.search(r"\d+/25", screen)  # … a bar with articles done of 25
    assert "articles" in screen and "ETA" in screen
    assert "run 1: ok" in screen  # and the report follows
    assert " INFO " not in screen  # no log lines: the display replaces them


def test_a_pipe_gets_plain_log_lines(
    tmp_path: Path, site: FixtureSite, server: FixtureServer
) -> None:
    result = subprocess.run(_command(tmp_path, site), capture_output=True, env=ENV, timeout=60)
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert not ANSI.search(err)
    lines = err.splitlines()
    assert re.match(
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00 INFO fixture-sldtbxh: 25 articles to fetch",
        lines[1],
    )
    assert any(re.search(r"INFO fixture-sldtbxh: ok — 25 articles, 25 new", line) for line in lines)
    assert lines[-1] == f"run 1: ok (archive: {tmp_path / 'archive.db'})"


def test_json_log_lines_are_one_object_each(
    tmp_path: Path, site: FixtureSite, server: FixtureServer
) -> None:
    result = subprocess.run(
        _command(tmp_path, site, "--log-format", "json"), capture_output=True, env=ENV, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()
    records = [json.loads(line) for line in result.stderr.decode().splitlines()]
    events = [r["event"] for r in records]
    assert events == ["site_start", "site_articles", "site_done", "run_done"]
    done = records[2]
    assert (done["site"], done["status"], done["articles_new"], done["errors"]) == (
        "fixture-sldtbxh",
        "ok",
        25,
        0,
    )
    assert records[3]["run_id"] == 1 and records[3]["problems"] is False
    assert all(r["time"].endswith("+07:00") and r["level"] == "info" for r in records)


def test_json_on_a_terminal_is_still_json(
    tmp_path: Path, site: FixtureSite, server: FixtureServer
) -> None:
    code, out = _on_a_terminal(_command(tmp_path, site, "--log-format", "json"))
    assert code == 0, out
    assert not ANSI.search(out)
    assert [json.loads(line)["event"] for line in out.splitlines()][-1] == "run_done"


def test_a_long_site_logs_its_progress_with_rate_and_time_left(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from harvester.pipeline import SiteResult
    from harvester.progress import LogWatcher

    watcher = LogWatcher(total_sites=2, every=0)  # every article, for the test (30 s in use)
    with caplog.at_level(logging.INFO, logger="harvester.progress"):
        watcher("site_start", {"site": "a"})
        watcher("site_articles", {"site": "a", "total": 4, "listing_pages": 2})
        for done in (1, 2):
            watcher("article", {"site": "a", "done": done, "total": 4})
        watcher(
            "site_done", {"site": "a", "result": SiteResult("a", articles_seen=4, articles_new=2)}
        )
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "a: started (site 1 of 2)"
    assert messages[1] == "a: 4 articles to fetch (2 listing pages read)"
    assert re.match(r"a: 2/4 articles, [\d.]+/s, about \d+s left", messages[3])
    assert messages[4].startswith("a: ok — 4 articles, 2 new")
    progress = caplog.records[3]
    assert progress.event == "progress" and progress.data["done"] == 2  # type: ignore[attr-defined]
