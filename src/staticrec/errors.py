"""Errors a user can act on: each names the file, the place in it and what is wrong."""

from __future__ import annotations

from pathlib import Path


class StaticrecError(Exception):
    """An error the command line reports as one clear message and a non-zero exit."""


class DataError(StaticrecError):
    """Input data that cannot be used.

    Args:
        path: the file (or zip, or folder) at fault.
        problem: what is wrong, in words a user understands.
        line: 1-based line number in the file, when one line is at fault.
        column: the column at fault, when one is.
    """

    def __init__(
        self, path: Path | str, problem: str, *, line: int | None = None, column: str | None = None
    ) -> None:
        # a URL stays as it is: Path() would fold its "//"
        self.path = path if isinstance(path, str) and "://" in path else Path(path)
        self.problem = problem
        self.line = line
        self.column = column
        where = [str(self.path)]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {problem}")


class ConfigError(StaticrecError):
    """An option or parameter that cannot work, named with the allowed values.

    Args:
        problem: what is wrong with the value.
        field: the config field at fault; the command line names it as its option instead
            (``top_k`` becomes ``--top-k``).
    """

    def __init__(self, problem: str, *, field: str | None = None) -> None:
        self.problem = problem
        self.field = field
        super().__init__(f"{field}: {problem}" if field else problem)
