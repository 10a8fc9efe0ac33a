#!/usr/bin/env bash
# Set up a checkout: a virtualenv with staticrec, the pinned front-end packages and a verified
# Pyodide runtime. With --dev, also the test tools and Debian's Chromium for the browser tests.
# Safe to run again: each step skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=false
[ "${1:-}" = "--dev" ] && dev=true
python=${PYTHON:-python3}

[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if $dev; then
  .venv/bin/python -m pip install --quiet -e ".[dev]"
else
  .venv/bin/python -m pip install --quiet -e .
fi

npm ci --prefix web --no-audit --no-fund --loglevel=error

# The site self-hosts Pyodide: from the CDN, or from npm + PyPI where the CDN is out of reach.
.venv/bin/python scripts/fetch_pyodide.py --from auto

if $dev && [ ! -x /usr/bin/chromium ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
echo "setup done"
