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

# The browser test (tests/test_web.py) drives Debian's chromium through chromedriver. Install
# them for "test" when they are missing and this machine can (root with apt-get); elsewhere
# the test skips and says how to install them.
if [ "$extras" = "test" ] && ! { command -v chromium && command -v chromedriver; } >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium and chromium-driver for the browser test (apt-get)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq chromium chromium-driver; } >/dev/null 2>&1; then
      echo "apt-get could not install chromium chromium-driver: the browser test will fail and say so" >&2
    fi
  else
    echo "Note: chromium/chromium-driver are missing and cannot be installed here (not root, or no" >&2
    echo "apt-get): the browser test will be skipped. To run it: sudo apt-get install chromium chromium-driver" >&2
  fi
fi
