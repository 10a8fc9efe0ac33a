"""Fill the Pyodide cache from npm and PyPI, without the CDN: ``staticrec fetch-pyodide``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from staticrec.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["fetch-pyodide", *sys.argv[1:]]))
