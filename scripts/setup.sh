#!/usr/bin/env bash
# Run by run.sh and test.sh: make .venv and install the project into it, once, and again
# whenever pyproject.toml changes. Needs only python3 (3.10+) with venv.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
extras="${1:-}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || {
    echo "python3 -m venv failed: install Python 3.10+ with venv (Debian/Ubuntu: apt-get install python3-venv)" >&2
    exit 1
  }
fi
stamp="$venv/.installed${extras:+-$extras}"
want="$(cat "$root/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
  "$venv/bin/python" -m pip install --quiet -e "$root${extras:+[$extras]}" >&2
  echo "$want" > "$stamp"
fi
