"""What every benchmark shares: a description of the machine and of its load, a Markdown
table, and appending a result to bench/RESULTS.md under a dated heading.

No script writes RESULTS.md any other way: each appends one section per run, so the file
is the history of what was measured, newest last. `BENCH_RESULTS=/tmp/r.md` sends the
sections elsewhere (a trial run); `--no-write` on any script writes nothing.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

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
