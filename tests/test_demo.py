"""`harvester demo`: the sample sites keep their addresses from one demo to the next, so a
second demo into the same archive files nothing twice; a busy port is said, never silent."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import harvester.cli
from harvester.cli import cli
from harvester.store import Archive


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def ports(monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """The demo's fixed ports, moved to two free ones: the real 8731/8732 may be in use by
    a demo on this machine."""
    chosen = (_free_port(), _free_port())
    monkeypatch.setattr(harvester.cli, "DEMO_PORTS", chosen)
    return chosen


@pytest.fixture
def busy(ports: tuple[int, int]) -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", ports[0]))
        s.listen()
        yield ports[0]


def _demo(db: Path) -> Result:
    return CliRunner().invoke(cli, ["demo", "--db", str(db), "--articles", "3", "--log-format", "text"])


def test_a_second_demo_into_the_same_archive_files_nothing_twice(tmp_path: Path, ports: tuple[int, int]) -> None:
    db = tmp_path / "demo.db"
    for _ in range(2):
        result = _demo(db)
        assert result.exit_code == 0, result.output
    with Archive.open(db, readonly=True) as archive:
        assert archive.counts()["articles"] == 6
        hosts = {r[0].split("/")[2] for r in archive.query("SELECT url FROM articles")}
    assert hosts == {f"127.0.0.1:{p}" for p in ports}


def test_a_busy_port_with_an_existing_demo_archive_is_an_error(tmp_path: Path, ports: tuple[int, int]) -> None:
    db = tmp_path / "demo.db"
    assert _demo(db).exit_code == 0
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with socket.socket() as s:
        s.bind(("127.0.0.1", ports[0]))
        s.listen()
        result = _demo(db)
    assert result.exit_code == 1
    assert f"Error: port {ports[0]} is in use" in result.output
    assert f"{db} would file the same stories again under new ones" in result.output
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_a_busy_port_with_a_new_archive_is_said(tmp_path: Path, busy: int) -> None:
    result = _demo(tmp_path / "demo.db")
    assert result.exit_code == 0, result.output
    assert f"Warning: port {busy} is in use; the sample sites are served on " in result.output
