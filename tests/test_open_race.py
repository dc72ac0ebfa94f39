"""Several processes (here threads, each with its own connection) opening one new archive at
the same moment: each waits its turn, none fails with "database is locked"."""

from __future__ import annotations

import threading
from pathlib import Path

from harvester.store import Archive


def test_many_first_opens_at_once(tmp_path: Path) -> None:
    errors: list[str] = []
    for trial in range(25):
        db = tmp_path / f"a{trial}.db"
        barrier = threading.Barrier(6)

        def open_it(db: Path = db, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                with Archive.open(db) as archive:
                    archive.start_run("run", ["site"])
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))

        threads = [threading.Thread(target=open_it) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
