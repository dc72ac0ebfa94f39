"""The deployment files in deploy/: systemd units that `systemd-analyze verify` accepts,
a cron line cron can read, and command lines the harvester accepts."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from harvester.cli import cli
from harvester.cron import cron_trigger

DEPLOY = Path(__file__).parent.parent / "deploy"
INSTALLED = "/opt/provincial-news-archive/.venv/bin/harvester"
UNITS = ["harvester-schedule.service", "harvester-run.service", "harvester-run.timer"]


def _exec_lines() -> list[list[str]]:
    """Every harvester command line in deploy/: ExecStart= lines and the cron job."""
    lines = []
    for unit in DEPLOY.glob("*.service"):
        lines += [shlex.split(m) for m in re.findall(r"^ExecStart=(.+)$", unit.read_text(), re.M)]
    for line in (DEPLOY / "harvester.cron").read_text().splitlines():
        if line and not line.startswith("#") and "=" not in line.split()[0]:
            command = line.split(None, 6)[6]
            lines.append(shlex.split(command.split("&&", 1)[1]))
    return lines


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here"
)
def test_systemd_units_verify(tmp_path: Path) -> None:
    # verify also checks that ExecStart= is executable: point it at this checkout's harvester
    here = Path(sys.executable).parent / "harvester"
    assert here.exists()
    for name in UNITS:
        (tmp_path / name).write_text((DEPLOY / name).read_text().replace(INSTALLED, str(here)))
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / n) for n in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = [
        line for line in (result.stdout + result.stderr).splitlines() if "harvester" in line
    ]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here"
)
def test_the_timer_fires_at_two_in_vietnam() -> None:
    spec = re.search(r"^OnCalendar=(.+)$", (DEPLOY / "harvester-run.timer").read_text(), re.M)
    assert spec is not None
    result = subprocess.run(
        ["systemd-analyze", "calendar", spec.group(1)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert "Normalized form: *-*-* 02:00:00 Asia/Ho_Chi_Minh" in result.stdout


def test_the_cron_file_is_one_valid_job() -> None:
    jobs = []
    for line in (DEPLOY / "harvester.cron").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            continue  # an environment line
        fields = line.split(None, 6)
        assert len(fields) == 7, f"expected 5 time fields, a user and a command: {line!r}"
        cron_trigger(" ".join(fields[:5]))  # raises on a bad time spec
        assert fields[5] == "harvester"
        assert subprocess.run(["sh", "-n", "-c", fields[6]]).returncode == 0
        jobs.append(fields)
    assert len(jobs) == 1 and jobs[0][:5] == ["0", "2", "*", "*", "*"]


def test_every_deployed_command_line_is_accepted() -> None:
    lines = _exec_lines()
    assert len(lines) == 3
    for argv in lines:
        assert argv[0] == INSTALLED
        command = cli.commands[argv[1]]
        assert isinstance(command, click.Command), argv
        with command.make_context(
            argv[1], argv[2:]
        ) as ctx:  # raises on an unknown option or a bad value
            assert ctx.params["config_path"] == "/etc/harvester/config.yaml"
            assert ctx.params["db_path"] == "/var/lib/harvester/archive.db"
            assert ctx.params["log_format"] == "text"  # readable in the journal and in cron mail
