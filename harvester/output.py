"""Output for every read command: JSON by default, or --csv, --nl (one JSON object a line),
-t/--table. Rows stream: JSON and CSV are written as they come, so a million-row export runs
in flat memory; only --table collects its rows (it must measure the columns)."""

from __future__ import annotations

import csv
import functools
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TextIO

import click
from tabulate import tabulate

__all__ = ["output_options", "emit"]


def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add --csv, --nl and -t/--table (JSON is the default) as a `fmt` argument."""

    @click.option("--csv", "fmt", flag_value="csv", help="Output CSV with a header row.")
    @click.option("--nl", "fmt", flag_value="nl", help="Output one JSON object per line.")
    @click.option("-t", "--table", "fmt", flag_value="table", help="Output a table for reading.")
    @click.option("--json", "fmt", flag_value="json", default=True, help="Output a JSON array (the default).")
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return f(*args, **kwargs)

    return wrapper


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def emit(rows: Iterable[Mapping[str, Any]], fmt: str = "json", out: TextIO | None = None, columns: list[str] | None = None) -> int:
    """Write rows in the chosen format; returns how many were written."""
    out = out or sys.stdout
    n = 0
    if fmt == "nl":
        for row in rows:
            out.write(json.dumps(dict(row), ensure_ascii=False) + "\n")
            n += 1
    elif fmt == "csv":
        writer = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=columns or list(row.keys()), extrasaction="ignore")
                writer.writeheader()
            writer.writerow({k: _cell(v) for k, v in row.items()})
            n += 1
        if writer is None and columns:
            csv.DictWriter(out, fieldnames=columns).writeheader()
    elif fmt == "table":
        data = [dict(r) for r in rows]
        n = len(data)
        if data:
            cols = columns or list(data[0].keys())
            out.write(tabulate([[_short(_cell(r.get(c))) for c in cols] for r in data], headers=cols) + "\n")
    else:
        out.write("[")
        for row in rows:
            out.write(("\n " if n == 0 else ",\n ") + json.dumps(dict(row), ensure_ascii=False))
            n += 1
        out.write("\n]\n" if n else "]\n")
    return n


def _short(value: Any, width: int = 70) -> Any:
    if isinstance(value, str) and len(value) > width:
        return value[: width - 1] + "…"
    return value
