"""The archive lock: one harvest at a time per archive; the second waits or says who holds
it; a lock left by a killed process is taken over."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester.cli import cli
from harvester.demo import FixtureServer, FixtureSite
from harvester.errors import LockError
from harvester.lock import ArchiveLock, read_holder
from harvester.store import Archive
from tests.conftest import config_file


def test_a_second_lock_is_refused_naming_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with ArchiveLock(db, command="run"):
        holder = read_holder(f"{db}.lock")
        assert holder is not None
        assert (holder.pid, holder.host, holder.command) == (
            os.getpid(),
            socket.gethostname(),
            "run",
        )
        with pytest.raises(LockError) as info:
            ArchiveLock(db, command="schedule").acquire()
        message = str(info.value)
        assert f"pid {os.getpid()} on {socket.gethostname()}" in message
        assert "'harvester run'" in message and "--wait" in message
    assert read_holder(f"{db}.lock") is None  # released: the file is empty again
    with ArchiveLock(db, command="schedule") as again:
        assert again.held and again.took_over is None


def test_waiting_gets_the_lock_once_it_is_released(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    first = ArchiveLock(db, command="run").acquire()
    threading.Timer(0.4, first.release).start()
    started = time.monotonic()
    with ArchiveLock(db, command="schedule", wait=10) as second:
        assert second.held
    assert 0.3 < time.monotonic() - started < 5


def test_waiting_gives_up_after_the_wait_and_says_so(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with ArchiveLock(db, command="run"):
        started = time.monotonic()
        with pytest.raises(LockError, match=r"waited 0.5s"):
            ArchiveLock(db, command="schedule", wait=0.5).acquire()
        assert time.monotonic() - started >= 0.5


def test_a_stop_request_ends_the_wait(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    stop = threading.Event()
    with ArchiveLock(db, command="run"):
        threading.Timer(0.3, stop.set).start()
        started = time.monotonic()
        with pytest.raises(LockError):
            ArchiveLock(db, command="schedule", wait=60, should_stop=stop.is_set).acquire()
        assert time.monotonic() - started < 5


HOLD = """
import sys, time
from harvester.lock import ArchiveLock
ArchiveLock(sys.argv[1], command="run").acquire()
print("locked", flush=True)
time.sleep(60)
"""


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with pytest.raises(LockError, match=f"pid {child.pid}"):
            ArchiveLock(db, command="run").acquire()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        if child.stdout is not None:
            child.stdout.close()
    stale = read_holder(f"{db}.lock")
    assert stale is not None and stale.pid == child.pid and stale.alive() is False
    with ArchiveLock(db, command="run") as lock:
        assert lock.took_over is not None and lock.took_over.pid == child.pid
        holder = read_holder(f"{db}.lock")
        assert holder is not None and holder.pid == os.getpid()


def _config(tmp_path: Path, site: FixtureSite) -> Path:
    return config_file(tmp_path, [site])


def test_run_refuses_a_held_archive_and_waits_with_wait(
    tmp_path: Path, site: FixtureSite, server: FixtureServer
) -> None:
    db = tmp_path / "archive.db"
    config = _config(tmp_path, site)
    lock = ArchiveLock(db, command="schedule").acquire()
    result = CliRunner().invoke(cli, ["run", "--config", str(config), "--db", str(db)])
    assert result.exit_code == 1
    assert "is being harvested by 'harvester schedule'" in result.output
    assert f"pid {os.getpid()}" in result.output
    assert not db.exists()  # refused before the archive was even opened

    threading.Timer(0.5, lock.release).start()
    result = CliRunner().invoke(
        cli, ["run", "--config", str(config), "--db", str(db), "--wait", "30"]
    )
    assert result.exit_code == 0, result.output
    with Archive.open(db) as archive:
        assert archive.counts()["articles"] == len(site.articles)


def test_every_writer_command_takes_the_lock(tmp_path: Path, site: FixtureSite, server: FixtureServer) -> None:
    db = tmp_path / "archive.db"
    config = _config(tmp_path, site)
    Archive.open(db).close()
    lock = ArchiveLock(db, command="run").acquire()
    try:
        for args in (["reparse", "--db", str(db)],
                     ["backfill", site.name, "--config", str(config), "--db", str(db)]):
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 1, (args, result.output)
            assert "is being harvested by 'harvester run'" in result.output
    finally:
        lock.release()


def test_every_lock_taking_command_has_the_wait_its_hint_names(
    tmp_path: Path, site: FixtureSite, server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The busy message says 'pass --wait SECONDS': every command that can meet it has it."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "archive.db"
    config = _config(tmp_path, site)
    Archive.open(db).close()
    for name in ("run", "schedule", "demo", "backfill", "reparse"):
        assert "--wait" in [o for p in cli.commands[name].params for o in p.opts], name
    lock = ArchiveLock(db, command="run").acquire()
    try:
        for args in (["demo", "--db", str(db), "--articles", "1"],
                     ["reparse", "--db", str(db)],
                     ["backfill", site.name, "--config", str(config), "--db", str(db)]):
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 1, (args, result.output)
            assert "; pass --wait SECONDS to wait for it" in result.output
            waited = CliRunner().invoke(cli, [*args, "--wait", "0.3"])
            assert waited.exit_code == 1, (args, waited.output)
            assert "(waited 0.3s)" in waited.output
    finally:
        lock.release()
