"""The archive's writer lock: one harvest at a time per archive, whoever started it
(`harvester run` by hand, the nightly `harvester schedule`, `demo`, a backfill).

The lock is `flock(2)` on a file beside the database (`archive.db.lock`), which names its
holder in JSON: pid, host, command and start time. The kernel drops a flock when its
process dies, however it dies, so a lock left by a killed harvest is never mistaken for a
live one (a pid check alone is fooled by pid reuse): the next harvest finds the file
still naming the dead holder, says so, and takes it over. The file itself is never
deleted (deleting a flocked file lets two processes lock two different files).

    with ArchiveLock("archive.db", command="run", wait=60):
        ...   # LockError after 60 s if another harvest still holds it, naming the holder
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .clock import iso, now
from .errors import LockError

__all__ = ["ArchiveLock", "Holder", "lock_path", "read_holder"]

log = logging.getLogger(__name__)


def lock_path(db_path: str | os.PathLike[str]) -> str:
    return f"{os.fspath(db_path)}.lock"


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) an archive's lock."""

    pid: int
    host: str
    command: str
    started_at: str

    def describe(self) -> str:
        return (
            f"'harvester {self.command}' (pid {self.pid} on {self.host}, since {self.started_at})"
        )

    def alive(self) -> bool | None:
        """Whether the process still exists; None when it runs on another host."""
        if self.host != socket.gethostname():
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def read_holder(path: str) -> Holder | None:
    """The holder named in a lock file, or None when it is empty, missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.loads(f.read() or "null")
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        return Holder(
            int(data["pid"]), str(data["host"]), str(data["command"]), str(data["started_at"])
        )
    except (KeyError, TypeError, ValueError):
        return None


class ArchiveLock:
    """An exclusive lock on one archive for one harvest.

    `wait`: seconds to wait for a lock another harvest holds (0: fail at once). `should_stop`
    is asked while waiting, so a SIGTERM does not have to wait out the lock. An archive in
    memory (":memory:") needs no lock.
    """

    POLL = 0.2

    def __init__(
        self,
        db_path: str | os.PathLike[str],
        *,
        command: str,
        wait: float = 0,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.db_path = os.fspath(db_path)
        self.path = lock_path(self.db_path)
        self.command = command
        self.wait = wait
        self.should_stop = should_stop
        self.fd: int | None = None
        self.took_over: Holder | None = None  # the dead holder we found, if any

    @property
    def held(self) -> bool:
        return self.fd is not None

    def acquire(self) -> ArchiveLock:
        if self.db_path == ":memory:" or self.fd is not None:
            return self
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise LockError(f"{self.path}: cannot open the lock file ({exc.strerror})") from None
        deadline = time.monotonic() + max(self.wait, 0)
        announced = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    holder = read_holder(self.path)
                    if time.monotonic() >= deadline or self.should_stop():
                        raise LockError(self._busy_message(holder)) from None
                    if not announced:
                        log.info(
                            "waiting up to %ss for the archive lock held by %s",
                            _secs(self.wait),
                            holder.describe() if holder else "another harvest",
                        )
                        announced = True
                    time.sleep(min(self.POLL, max(deadline - time.monotonic(), 0.01)))
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        previous = read_holder(self.path)
        if previous is not None:
            # the file still names a holder, but its flock is gone: that process died
            # (killed, crashed, machine reset) without releasing; take it over, and say so
            self.took_over = previous
            log.warning(
                "took over the archive lock left by %s, which is no longer running",
                previous.describe(),
            )
        self._write(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "command": self.command,
                "started_at": iso(now()),
                "argv": sys.argv,
            }
        )
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)  # an empty file: nobody holds it
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _write(self, data: dict[str, Any]) -> None:
        assert self.fd is not None
        blob = json.dumps(data, ensure_ascii=False).encode("utf-8")
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, blob, 0)
        os.fsync(self.fd)

    def _busy_message(self, holder: Holder | None) -> str:
        who = holder.describe() if holder else "another harvest"
        waited = f" (waited {_secs(self.wait)}s)" if self.wait else ""
        hint = "" if self.wait else "; pass --wait SECONDS to wait for it"
        return f"{self.db_path} is being harvested by {who}{waited}{hint}"


def _secs(value: float) -> str:
    return f"{value:g}"
