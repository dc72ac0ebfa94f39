#!/usr/bin/env bash
# Fresh machine to test results: set up .venv with the test tools (once), lint with ruff and
# type-check with mypy (the settings in pyproject.toml), then run the whole suite. Extra
# arguments go to pytest (e.g. ./test.sh -k parse -x).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh test
.venv/bin/ruff check --quiet . || { echo "ruff found the problems above (.venv/bin/ruff check --fix . repairs some)" >&2; exit 1; }
.venv/bin/mypy --no-error-summary || { echo "mypy found the type errors above (its settings are in pyproject.toml)" >&2; exit 1; }
exec .venv/bin/python -m pytest "$@"
