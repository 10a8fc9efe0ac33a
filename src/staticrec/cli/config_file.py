"""``staticrec.toml``: the [build] table of a file in the current folder, as option defaults."""

from __future__ import annotations

import argparse
from pathlib import Path

from staticrec.errors import ConfigError

CONFIG_FILE = "staticrec.toml"
"""Read from the current folder when present (as Pelican and MkDocs keep theirs)."""


def config_file_defaults(path: Path, sub: argparse.ArgumentParser) -> dict:
    """The [build] table of a staticrec.toml as option defaults (paths relative to the file)."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    unknown = set(data) - {"build"}
    if unknown:
        raise ConfigError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}; only [build]")
    options = {a.dest: a for a in sub._actions if a.option_strings and a.dest != "help"}
    defaults = {}
    for key, value in data.get("build", {}).items():
        action = options.get(key.replace("-", "_"))
        if action is None:
            raise ConfigError(
                f"{path}: [build] has no key {key!r}; the keys are the long options of "
                "`staticrec build --help`, without the dashes"
            )
        if action.type is Path:
            value = path.parent / value
        elif action.type is not None and isinstance(value, list):
            value = [action.type(v) for v in value]
        elif action.type is not None:
            value = action.type(value)
        defaults[action.dest] = value
    return defaults
