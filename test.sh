#!/usr/bin/env bash
# Fresh machine to test results: set up .venv with the test tools (once), then run the
# whole suite. Extra arguments go to pytest (e.g. ./test.sh -k parse -x).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh test
exec .venv/bin/python -m pytest "$@"
