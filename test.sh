#!/usr/bin/env bash
# Fresh machine to test results: set up .venv with the test tools (once), lint with ruff
# (the rules in pyproject.toml), then run the whole suite. Extra arguments go to pytest
# (e.g. ./test.sh -k parse -x).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh test
.venv/bin/ruff check --quiet . || { echo "ruff found the problems above (.venv/bin/ruff check --fix . repairs some)" >&2; exit 1; }
exec .venv/bin/python -m pytest "$@"
