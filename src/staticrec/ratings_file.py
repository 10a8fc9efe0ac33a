"""A visitor's own ratings from a file, for ``staticrec recommend --ratings-file``: the file
read as the page's file picker reads it (``staticrec.scoring.imports``), its problems named by
file, line and column as the build's are."""

from __future__ import annotations

from pathlib import Path

from staticrec.errors import DataError
from staticrec.scoring import Recommender
from staticrec.scoring.imports import BadRatingsFile, Imported, read_ratings_text

__all__ = ["Imported", "read_ratings_file"]


def read_ratings_file(path: Path, recommender: Recommender) -> Imported:
    """The ratings in ``path`` (movieId,rating, or an IMDb or Letterboxd export)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    except UnicodeDecodeError as exc:
        raise DataError(path, f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        return read_ratings_text(text, recommender.model)
    except BadRatingsFile as exc:
        raise DataError(path, exc.problem, line=exc.line, column=exc.column) from None
