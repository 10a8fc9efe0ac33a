#!/usr/bin/env bash
# Set up a checkout: a virtualenv with staticrec, the pinned front-end packages and a verified
# Pyodide runtime. With --spark, also pyspark and Debian's Java for `--trainer spark`. With
# --dev, also the test tools, pyspark and Java, and Debian's Chromium and Firefox ESR for the
# browser tests.
# Safe to run again: each step skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=false
spark=false
for arg in "$@"; do
  case "$arg" in
    --dev) dev=true; spark=true ;;
    --spark) spark=true ;;
    *) echo "usage: scripts/setup.sh [--dev] [--spark]" >&2; exit 2 ;;
  esac
done
python=${PYTHON:-python3}

[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if $dev; then
  .venv/bin/python -m pip install --quiet -e ".[dev]"
elif $spark; then
  .venv/bin/python -m pip install --quiet -e ".[spark]"
else
  .venv/bin/python -m pip install --quiet -e .
fi

npm ci --prefix web --no-audit --no-fund --loglevel=error

# The site self-hosts Pyodide: from the CDN, or from npm + PyPI where the CDN is out of reach.
.venv/bin/python scripts/fetch_pyodide.py --from auto

packages=()
$dev && [ ! -x /usr/bin/chromium ] && packages+=(chromium)
# the browser tests that matter run in Firefox too, driven by puppeteer-core (web/'s npm lock)
$dev && [ ! -x /usr/bin/firefox-esr ] && packages+=(firefox-esr)
# pyspark 4 runs on Java 17 or later; Spark's ALS solves its small systems 1.7x faster with a
# native BLAS than with its Java fallback (benchmarks/bench_spark.py, 1m ratings)
$spark && ! java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])' && packages+=(openjdk-17-jre-headless)
$spark && ! /sbin/ldconfig -p | grep -q 'libblas\.so\.3 ' && packages+=(libopenblas0-pthread)
if [ ${#packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi
echo "setup done"
