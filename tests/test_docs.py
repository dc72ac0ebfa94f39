"""Every command is in the README's command table, and every option of the new read
commands is in its --help (sqlite-utils' habit: the docs cannot drift from the CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"| `harvester {name}" in README, f"add `harvester {name} ...` to the README's command table"


@pytest.mark.parametrize("name", ["history", "views", "plot", "export", "reparse", "serve"])
def test_the_readme_row_names_each_option(name: str) -> None:
    rows = [line for line in README.splitlines() if line.startswith(f"| `harvester {name}")]
    documented = " ".join(rows)
    for param in cli.commands[name].params:
        for opt in param.opts:
            if opt.startswith("--") and opt not in ("--json", "--csv", "--nl", "--table", "--help"):
                assert opt in documented or param.name == "db_path" and "--db" in documented, f"{name}: {opt}"
