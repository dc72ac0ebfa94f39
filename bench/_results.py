"""What every benchmark shares: a description of the machine and of its load, a Markdown
table, appending a result to bench/RESULTS.md under a dated heading, and running a harvest
in a fresh process against fixture sites served by another.

No script writes RESULTS.md any other way: each appends one section per run, so the file
is the history of what was measured, newest last. `BENCH_RESULTS=/tmp/r.md` sends the
sections elsewhere (a trial run); `--no-write` on any script writes nothing.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench" / "RESULTS.md")
HEADING = (
    "# Benchmark results\n\nAppended by the scripts in bench/ (see bench/README.md); newest last.\n"
)


def machine() -> str:
    """'2 cores, AMD EPYC, 23.4 GiB, Linux 6.1, Python 3.11.7, SQLite 3.40.1, commit abc1234'."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kb = int(next(x for x in meminfo if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    commit = ""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        ).stdout.strip()
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores, {cpu}{mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
        + (f", commit {commit}" if commit else "")
    )


def load() -> str:
    """The load average as `uptime` shows it: other work on the machine during a run."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load unknown"
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} (1, 5, 15 min)"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], right: str = "") -> str:
    """A Markdown table; `right` lists (as letters, 'y'/'n' per column) which columns align
    right (numbers). Default: every column but the first."""
    headers = list(headers)
    align = right or "n" + "y" * (len(headers) - 1)
    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join("---:" if a == "y" else "---" for a in align) + " |",
    ]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def append_results(title: str, body: str, note: str = "", *, load_before: str = "") -> None:
    """Append a dated section, with the machine's description and its load (before the run
    when given, and now), to bench/RESULTS.md."""
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %z")
    loads = (f"before: {load_before}; after: " if load_before else "") + load()
    block = [f"\n## {title}\n", f"_{stamp}; {machine()}; {loads}._\n", body.rstrip(), ""]
    if note:
        block += [note.rstrip(), ""]
    if not RESULTS.exists() or not RESULTS.read_text(encoding="utf-8").strip():
        RESULTS.write_text(HEADING, encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write("\n".join(block))


def served_run(
    serve: Callable[..., None], serve_args: tuple[Any, ...], work: Callable[..., None], work_args: tuple[Any, ...]
) -> dict[str, Any]:
    """Serve fixture sites in one fresh process and run `work` in another, so neither's
    memory, threads or memos leak into the other's numbers.

    `serve(*serve_args, ready, stop, done)` puts what the worker needs on `ready`, serves
    until `stop` is set, then puts its CPU seconds on `done`; `work(what_ready_gave,
    *work_args, out)` puts its result dict on `out`. Returns that dict with `server_cpu_s`.
    """
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    ready, done, out = ctx.Queue(), ctx.Queue(), ctx.Queue()
    stop = ctx.Event()
    server = ctx.Process(target=serve, args=(*serve_args, ready, stop, done), daemon=True)
    server.start()
    try:
        served = ready.get(timeout=600)
        worker = ctx.Process(target=work, args=(served, *work_args, out))
        worker.start()
        result: dict[str, Any] = out.get(timeout=24 * 3600)
        worker.join()
    finally:
        stop.set()
    result["server_cpu_s"] = done.get(timeout=120)
    server.join(timeout=60)
    return result
