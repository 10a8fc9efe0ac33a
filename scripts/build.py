"""The one command: ``python scripts/build.py [options]`` = ``staticrec build [options]``."""

import sys
from pathlib import Path

# Run from a checkout without installing: the package lives under src/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from staticrec.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["build", *sys.argv[1:]]))
