"""The public interfaces are documented: every command in the README's command table with
every option of the read commands (sqlite-utils' habit: the docs cannot drift from the CLI),
and every table and view of the archive in docs/schema.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harvester.cli import cli
from harvester.store import Archive

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme() -> None:
    table = [line for line in README.splitlines() if line.startswith("| `harvester ")]
    documented = {re.match(r"\| `harvester (\w+)", line).group(1) for line in table}  # type: ignore[union-attr]
    assert documented == set(cli.commands)


@pytest.mark.parametrize("name", ["history", "views", "plot", "export", "reparse", "serve"])
def test_the_readme_row_names_each_option(name: str) -> None:
    rows = [line for line in README.splitlines() if line.startswith(f"| `harvester {name}")]
    documented = " ".join(rows)
    for param in cli.commands[name].params:
        for opt in param.opts:
            if opt.startswith("--") and opt not in ("--json", "--csv", "--nl", "--table", "--help"):
                assert opt in documented or param.name == "db_path" and "--db" in documented, f"{name}: {opt}"


def test_every_table_and_view_is_in_the_schema_doc() -> None:
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    with Archive.open(":memory:") as archive:
        names = [
            r[0]
            for r in archive.query(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
            )
        ]
        virtual = [r[0] for r in archive.query("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")]
    # an FTS5 table's shadow tables (search_fts_data, …) are SQLite's, not ours to document
    names = [n for n in names if not any(n.startswith(v + "_") and n != v for v in virtual)]
    assert [n for n in names if not re.search(rf"\b{n}\b", doc)] == []


@pytest.mark.parametrize("name", ["", *sorted(cli.commands)])
def test_help_shows_each_example_on_its_own_line(name: str) -> None:
    """click rewraps a docstring's paragraphs: an Example: block without `\\b` became one
    long line. On a wide terminal too, every example line stays a line of its own."""
    import click

    command = cli.commands[name] if name else cli
    doc = command.help or ""
    assert "Example:" in doc, f"{name or 'harvester'}: no Example: block"
    examples = [line.strip() for line in doc.split("Example:", 1)[1].splitlines()
                if line.strip().startswith("harvester")]
    assert examples, name
    ctx = click.Context(command, info_name=f"harvester {name}".strip(), terminal_width=200, max_content_width=200)
    shown = [line.strip() for line in command.get_help(ctx).splitlines()]
    for example in examples:
        assert example in shown, f"{name or 'harvester'}: {example!r} is not a line of --help"
