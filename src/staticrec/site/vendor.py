"""The front-end package the site ships (hyparquet), taken from npm's install in web/.

Standard library only: ``setup.py`` loads this file to put the same files into the wheel, so an
installed staticrec needs no npm.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path


def copy_hyparquet(package: Path, target: Path) -> None:
    """hyparquet's browser modules (its Node-only entry left out), its licence and version,
    from ``package`` (``node_modules/hyparquet``) into ``target``."""
    target.mkdir(parents=True)
    for source in sorted((package / "src").glob("*.js")):
        if source.name != "node.js":
            shutil.copyfile(source, target / source.name)
    shutil.copyfile(package / "LICENSE", target / "LICENSE")
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    (target / "VERSION").write_text(version + "\n", encoding="utf-8")
