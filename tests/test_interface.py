"""The commands speak one language: the same names for the same values in every output
format, and an option that does not apply is a usage error, never silently ignored."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester.cli import cli


@pytest.fixture
def db(three_nights: dict, tmp_path: Path) -> str:
    path = tmp_path / "archive.db"
    shutil.copy(three_nights["db"], path)
    return str(path)


def test_status_names_its_columns_alike_in_json_csv_and_table(db: str) -> None:
    rows = json.loads(CliRunner().invoke(cli, ["status", "--db", db]).stdout)
    (row,) = csv.DictReader(io.StringIO(CliRunner().invoke(cli, ["status", "--db", db, "--csv"]).stdout))
    assert {"last_status", "new_articles"} <= set(row) and not {"status", "new"} & set(row)
    assert (row["last_status"], int(row["new_articles"])) == (rows[0]["last_status"], rows[0]["new_articles"])
    for name in ("site", "flags", "last_run_at", "last_status", "new_articles", "articles", "errors"):
        assert name in row
        if name in rows[0] and name != "flags":
            assert str(rows[0][name]) == row[name], name
    table = CliRunner().invoke(cli, ["status", "--db", db, "-t"]).stdout.splitlines()[0].split()
    assert "last_status" in table and "new_articles" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["views", "1", "--site", "x"], "--site does not apply to an article's views (only to --top and --by-site)"),
        (["history", "1", "--context", "3"], "--context does not apply without --text"),
        (["history", "1", "--text", "--full"], "--full does not apply to --text output (only to JSON and --nl)"),
        (["history", "1", "-t", "--full"], "--full does not apply to --table output"),
        (["serve", "--print-metadata", "--port", "9"], "--port does not apply with --print-metadata"),
    ],
)
def test_an_option_that_does_not_apply_is_a_usage_error(db: str, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, [*args, "--db", db])
    assert result.exit_code == 2 and f"Error: {message}" in result.output


def test_options_that_do_not_apply_to_a_command_without_an_archive(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "sites:\n  - {name: s1, province: P, department: D, start_urls: ['https://a.gov.vn/']}\n", encoding="utf-8"
    )
    warc = tmp_path / "a.warc"
    warc.write_bytes(b"WARC/1.0\r\n")
    for args, message in (
        (["schedule", "--count", "3"], "--count does not apply without --dry-run"),
        (["backfill", "s1", str(warc), "--delay", "1"], "--delay does not apply to WARC files"),
        (["backfill", "s1", "--source", "warc", str(warc), "--relist", "--archive-url", "http://x/"],
         "--archive-url, --relist do not apply to WARC files (only to --source wayback)"),
    ):
        result = CliRunner().invoke(cli, [*args, "--config", str(config), "--db", str(tmp_path / "a.db")])
        assert result.exit_code == 2 and f"Error: {message}" in result.output, result.output
        assert not (tmp_path / "a.db").exists()


def test_the_options_that_apply_still_work(db: str) -> None:
    assert CliRunner().invoke(cli, ["views", "--top", "3", "--site", "nights-sldtbxh", "--db", db]).exit_code == 0
    assert CliRunner().invoke(cli, ["history", "1", "--text", "--context", "3", "--db", db]).exit_code == 0
    assert CliRunner().invoke(cli, ["history", "1", "--nl", "--full", "--db", db]).exit_code == 0
