"""The public interfaces are documented, and the documents cannot drift from the code
(sqlite-utils' habit):

- every command of the CLI has a row in the README's command table, and that row names
  every option the command takes, and no option it does not;
- every table and view of the archive is defined in docs/schema.md (its own heading, a row
  of a table, or a paragraph or list item that opens with it), and every column of every
  table and view is named where it is defined.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from harvester.cli import cli
from harvester.store import Archive

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SCHEMA = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")

# The CLI may not have these on every command yet; the README may name them ahead of it.
AHEAD_OF_THE_CLI = {"--wait"}


def _rows(name: str) -> str:
    return " ".join(
        line for line in README.splitlines() if re.match(rf"\| `harvester {name}\b", line)
    )


def _options(text: str) -> set[str]:
    """Long options (--since) and one-letter short ones (-t) named in a README row."""
    return set(re.findall(r"(?<![\w-])(--[a-zA-Z][\w-]*|-[a-zA-Z](?![\w-]))", text))


def test_every_command_is_in_the_readme() -> None:
    table = [line for line in README.splitlines() if line.startswith("| `harvester ")]
    documented = {re.match(r"\| `harvester (\w+)", line).group(1) for line in table}  # type: ignore[union-attr]
    assert documented == set(cli.commands)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_the_readme_row_names_each_option(name: str) -> None:
    command = cli.commands[name]
    row = _rows(name)
    documented = _options(row)
    params = [p for p in command.params if isinstance(p, click.Option)]
    missing = ["/".join(p.opts) for p in params if not documented & {*p.opts, *p.secondary_opts}]
    assert missing == [], f"harvester {name}: the README row lacks {missing}"
    known = {o for p in params for o in (*p.opts, *p.secondary_opts)} | {"--help"}
    unknown = documented - known - AHEAD_OF_THE_CLI
    assert unknown == set(), f"harvester {name}: the README row names {unknown}, which it lacks"


def _schema_objects() -> dict[str, list[str]]:
    """Every table and view of a new archive with its columns; FTS5's shadow tables and
    hidden columns are left out (they are SQLite's, not ours to document)."""
    with Archive.open(":memory:") as archive:
        rows = list(
            archive.query(
                "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'view')"
                " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            )
        )
        virtual = [n for n, sql in rows if (sql or "").startswith("CREATE VIRTUAL TABLE")]
        objects = {}
        for name, _ in rows:
            # a shadow table is a plain table named after a virtual one (search_fts_data);
            # search_fts_vocab is virtual itself, one of ours
            if name not in virtual and any(name.startswith(v + "_") for v in virtual):
                continue
            columns = archive.query(f"PRAGMA table_xinfo('{name}')")
            objects[name] = [c[1] for c in columns if c[6] != 1]  # hidden = 1: FTS5's own
    return objects


OBJECTS = _schema_objects()


def _sections(doc: str) -> list[str]:
    return re.split(r"\n(?=#{1,6} )", doc)


def _defines(section: str, name: str) -> bool:
    """A heading that names it, a table row that starts with it, or a paragraph or list
    item that opens with it (`name(col, …)`, `name`: …, - `name` …)."""
    n = re.escape(name)
    heading = section.splitlines()[0] if section.startswith("#") else ""
    return bool(
        re.search(rf"(?<![\w.]){n}(?![\w(])", heading)
        or re.search(rf"^\| `?{n}`? \|", section, re.M)
        or re.search(rf"(?:^|\n\n)`{n}[`(]|^- `{n}`", section, re.M)
    )


@pytest.mark.parametrize("name", list(OBJECTS))
def test_every_table_and_view_is_defined_in_the_schema_doc(name: str) -> None:
    assert any(_defines(s, name) for s in _sections(SCHEMA)), f"docs/schema.md: no {name} section"


@pytest.mark.parametrize("name", list(OBJECTS))
def test_every_column_is_named_where_its_table_is_defined(name: str) -> None:
    text = "\n".join(s for s in _sections(SCHEMA) if _defines(s, name))
    missing = [c for c in OBJECTS[name] if not re.search(rf"(?<![\w.]){re.escape(c)}\b", text)]
    assert missing == [], f"docs/schema.md: {name} lacks {missing}"


def test_a_passing_mention_is_not_a_definition() -> None:
    doc = "## articles\n| site | TEXT | the config's name, as in sites |\n\nSee `sites` and sites(name).\n"
    assert not any(_defines(s, "sites") for s in _sections(doc))
    assert _defines("## sites\nThe configured sites.", "sites")
    assert _defines("## runs\n`run_sites(run_id, site)`: one row per site and run.", "run_sites")
    assert _defines(
        "## Search\n| table | does |\n| --- | --- |\n| `search_fts` | x |", "search_fts"
    )


@pytest.mark.parametrize("name", ["", *sorted(cli.commands)])
def test_help_shows_each_example_on_its_own_line(name: str) -> None:
    """click rewraps a docstring's paragraphs: an Example: block without `\\b` became one
    long line. On a wide terminal too, every example line stays a line of its own."""
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
