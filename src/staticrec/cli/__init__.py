"""The command line: one module per command, each a thin layer that parses its options, builds
a config, calls the stage's ``run`` and prints the result.

Defaults come from the config classes, so they are stated once. Examples::

    staticrec build                                  # download ml-latest-small, build site/
    staticrec build --data-dir ~/data/ml-latest-small --tune
    staticrec recommend --user 105 --favorite "Toy Story (1995)"
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from staticrec import __version__
from staticrec.cli import build, evaluate, fetch_pyodide, generate, recommend, serve
from staticrec.cli.config_file import CONFIG_FILE, config_file_defaults
from staticrec.cli.options import printable
from staticrec.errors import ConfigError, StaticrecError
from staticrec.pipeline import output
from staticrec.scoring.errors import ScoringError

log = logging.getLogger("staticrec")

COMMANDS = (build, evaluate, recommend, serve, fetch_pyodide, generate)
"""Each command's module, in the order ``staticrec --help`` lists them."""

FIELD_OPTIONS = {
    **{name: f"--als-{name.replace('_', '-')}" for name in build.ALS_OPTIONS},
    "source": "--content",
    "method": "--tune",
    "grid": "--tune-grid",
    "n_users": "--users",
    "n_movies": "--movies",
    "n_ratings": "--ratings",
    "max_users": "--sample-users",
    "scratch": "--spark-scratch",
}
"""Config fields whose option is not simply ``--field-name``."""


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="staticrec",
        description="A serverless movie recommender: train in Python, recommend in the browser.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def _message(exc: Exception, parser: argparse.ArgumentParser, command: str) -> str:
    """The error as one line; a config field is named by the option that sets it."""
    if isinstance(exc, ConfigError) and exc.field:
        option = FIELD_OPTIONS.get(exc.field, f"--{exc.field.replace('_', '-')}")
        sub = next(a for a in parser._actions if a.dest == "command").choices[command]
        for action in sub._actions:
            if option in action.option_strings:
                return f"{option}: {exc.problem}"
            if not action.option_strings and action.dest == exc.field:  # a positional: FOLDER
                return f"{action.metavar or action.dest.upper()}: {exc.problem}"
    return str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``staticrec`` console script; returns the exit code."""
    parser = make_parser()
    output.RECORD.reset()  # a test may call main() many times in one process
    args = parser.parse_args(argv)
    if args.command == "build" and Path(CONFIG_FILE).is_file():
        build = next(a for a in parser._actions if a.dest == "command").choices["build"]
        try:
            build.set_defaults(**config_file_defaults(Path(CONFIG_FILE), build))
        except ConfigError as exc:
            print(f"error: {printable(str(exc))}", file=sys.stderr)
            return 2
        args = parser.parse_args(argv)  # options given on the command line still win
    # staticrec's own log at INFO; other libraries' (matplotlib's notes) only from WARNING
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    log.setLevel(logging.WARNING if getattr(args, "quiet", False) else logging.INFO)
    try:
        return args.handler(args)
    except (StaticrecError, ScoringError) as exc:
        print(f"error: {printable(_message(exc, parser, args.command))}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader went away (`staticrec recommend ... | head -1`): stop without a word; point
        # stdout at /dev/null so that the interpreter's last flush cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a full disk, a read-only folder: one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {printable(where + str(exc.strerror or exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # before the commit point, or after it: the record says which
        print(f"interrupted: {output.RECORD.after_interrupt()}", file=sys.stderr)
        return 130
