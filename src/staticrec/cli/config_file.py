"""``staticrec.toml``: the [build] table of a file in the current folder, as option defaults."""

from __future__ import annotations

import argparse
from pathlib import Path

from staticrec.errors import ConfigError

CONFIG_FILE = "staticrec.toml"
"""Read from the current folder when present (as Pelican and MkDocs keep theirs)."""


def config_file_defaults(path: Path, sub: argparse.ArgumentParser) -> dict:
    """The [build] table of a staticrec.toml as option defaults (paths relative to the file).

    Each value goes through its option's own type and choices, as if typed on the command line,
    so the file is checked exactly as the options are; a value of the wrong kind is named by
    its key.
    """
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    unknown = set(data) - {"build"}
    if unknown:
        raise ConfigError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}; only [build]")
    table = data.get("build", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: build must be a table ([build], then one key per option)")
    options = {a.dest: a for a in sub._actions if a.option_strings and a.dest != "help"}
    defaults = {}
    for key, value in table.items():
        action = options.get(key.replace("-", "_"))
        if action is None:
            raise ConfigError(
                f"{path}: [build] has no key {key!r}; the keys are the long options of "
                "`staticrec build --help`, without the dashes"
            )
        try:
            defaults[action.dest] = _option_value(action, value, path.parent)
        except ValueError as exc:
            raise ConfigError(f"{path}: [build] {key} = {_shown(value)}: {exc}") from None
    return defaults


def _option_value(action: argparse.Action, value, folder: Path):
    """``value`` from the file as the option would take it (ValueError: why it cannot)."""
    if action.nargs == 0:  # a flag: --no-site, --quiet
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if action.nargs is not None or isinstance(action, argparse._AppendAction):
        expected = action.nargs if isinstance(action.nargs, int) else None
        if not isinstance(value, list) or (expected and len(value) != expected):
            count = f"{expected} " if expected else ""
            raise ValueError(f"must be a list of {count}values, such as {_example(action)}")
        return [_one_value(action, v, folder) for v in value]
    return _one_value(action, value, folder)


def _one_value(action: argparse.Action, value, folder: Path):
    """One value through the option's type and choices, from its text, as argparse would."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("must be a string or a number")
    if action.type in (None, Path) and not isinstance(value, str):
        raise ValueError("must be a string (in quotes)")
    text = str(value)
    try:
        converted = action.type(text) if action.type is not None else text
    except (TypeError, ValueError, argparse.ArgumentTypeError):
        kind = {int: "a whole number", float: "a number"}.get(action.type, "a valid value")
        raise ValueError(f"is not {kind}") from None
    if action.choices is not None and converted not in action.choices:
        raise ValueError(f"must be one of {', '.join(map(str, action.choices))}")
    return folder / converted if action.type is Path else converted


def _example(action: argparse.Action) -> str:
    return "[1, 10]" if action.type is float else '["a", "b"]'


def _shown(value) -> str:
    """A value as the file wrote it, shortened."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"
