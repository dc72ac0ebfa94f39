#!/usr/bin/env bash
# Fresh machine to first harvest: set up .venv (once), then one pass of `harvester run`
# over config.yaml into archive.db. Extra arguments go to `harvester run`.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/harvester run --config config.yaml --db archive.db "$@"
