#!/usr/bin/env bash
# The wheel is all a user needs: build it, install it in a fresh virtualenv outside the checkout,
# and build a site with it from another folder (no web/, no npm). CI runs this after the tests.
# Usage: bash scripts/check_wheel.sh DATA_DIR   (an extracted ml-latest-small)
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir=$(realpath "${1:?usage: check_wheel.sh DATA_DIR}")
repo=$(pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

.venv/bin/python -m pip wheel --no-deps --quiet --wheel-dir "$scratch/dist" .
"${PYTHON:-python3}" -m venv "$scratch/venv"
"$scratch/venv/bin/python" -m pip install --quiet "$scratch"/dist/staticrec-*.whl

cd "$scratch"
"$scratch/venv/bin/staticrec" --version
"$scratch/venv/bin/staticrec" build --data-dir "$data_dir" --pyodide-cache "$repo/build/pyodide" --quiet
for file in site/index.html site/for-you/index.html site/404.html site/assets/worker.js \
    site/vendor/hyparquet/index.js site/data/manifest.json; do
  [ -s "$file" ] || { echo "check_wheel: $file is missing from the site built by the wheel" >&2; exit 1; }
done
"$scratch/venv/bin/python" -m staticrec recommend --artifacts-dir build/artifacts --user 105 | head -3
echo "check_wheel: the installed wheel built a site outside the checkout"
