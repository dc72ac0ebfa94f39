"""The public interfaces are documented: every command in the README's command table, every
table and view of the archive in docs/schema.md."""

from __future__ import annotations

import re
from pathlib import Path

from harvester.cli import cli
from harvester.store import Archive

ROOT = Path(__file__).parent.parent


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| `harvester ")]
    documented = {re.match(r"\| `harvester (\w+)", line).group(1) for line in table}  # type: ignore[union-attr]
    assert documented == set(cli.commands)


def test_every_table_and_view_is_in_the_schema_doc() -> None:
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    with Archive.open(":memory:") as archive:
        names = [
            r[0]
            for r in archive.query(
                "SELECT name FROM sqlite_master"
                " WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
            )
        ]
    assert [n for n in names if not re.search(rf"\b{n}\b", doc)] == []
