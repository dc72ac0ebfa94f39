"""SIGTERM or Ctrl-C in the middle of a harvest: the article in hand is finished and
committed, the run is recorded as interrupted, the exit status is 0, and the archive is
consistent; the next run completes what was missed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harvester.demo import Fault, FixtureServer, FixtureSite
from harvester.store import Archive
from tests.conftest import config_file


def _config(tmp_path: Path, site: FixtureSite) -> Path:
    return config_file(tmp_path, [site])


def _articles(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_a_signal_mid_run_stops_after_the_article_in_hand(
    tmp_path: Path, site: FixtureSite, server: FixtureServer, sig: signal.Signals
) -> None:
    for a in site.articles:  # a slow site: every article page takes 0.3 s
        server.add_fault(site, site.path_of(a), Fault(delay=0.3), times=1)
    db = tmp_path / "archive.db"
    config = _config(tmp_path, site)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "harvester", "run", "--config", str(config), "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while _articles(db) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the harvest ended before it could be interrupted"
        time.sleep(0.1)  # land the signal while an article request is in flight
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    stderr = err.decode()
    assert proc.returncode == 0, stderr
    assert f"{sig.name}: finishing the article in hand" in stderr
    assert "interrupted" in stderr

    with Archive.open(db) as archive:
        assert archive.query("PRAGMA integrity_check")[0][0] == "ok"
        run = archive.query("SELECT status, finished_at FROM runs")[0]
        assert run["status"] == "interrupted" and run["finished_at"]
        row = archive.query("SELECT status, message, articles_new FROM run_sites")[0]
        assert row["status"] == "interrupted" and row["message"].startswith("interrupted after")
        stored = archive.counts()
        assert 3 <= stored["articles"] < len(site.articles)
        # the article in hand was finished: everything counted was committed, whole
        assert (
            stored["articles"] == row["articles_new"] == stored["versions"] == stored["view_counts"]
        )
    assert not (tmp_path / "archive.db.lock").read_text()  # the lock was released

    server.clear_faults()

    rerun = subprocess.run(
        [sys.executable, "-m", "harvester", "run", "--config", str(config), "--db", str(db)],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert rerun.returncode == 0, rerun.stderr.decode()
    with Archive.open(db) as archive:
        assert archive.counts()["articles"] == len(site.articles)
        assert archive.query("SELECT count(DISTINCT url) FROM articles")[0][0] == len(site.articles)
