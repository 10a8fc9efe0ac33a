"""A visitor's own ratings from a file, for ``staticrec recommend --ratings-file``.

A CSV with a header naming the columns ``movieId`` and ``rating`` (others are ignored), one
rating per line. Every problem is named by file, line and column, as the build's errors are:
a movie the model does not know, a rating off the scale, a value that is not a number.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from staticrec.errors import DataError
from staticrec.scoring import Recommender

COLUMNS = ("movieId", "rating")


def read_ratings_file(path: Path, recommender: Recommender) -> dict[int, float]:
    """movieId -> rating from ``path``, each checked against the model and its rating scale."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    except UnicodeDecodeError as exc:
        raise DataError(path, f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError(path, f"needs the columns {', '.join(COLUMNS)}; missing {missing}", line=1)
    low, high = recommender.model.rating_scale
    ratings: dict[int, float] = {}
    for row in reader:
        line = reader.line_num
        movie_id = _whole_number(path, line, row["movieId"])
        if recommender.model.positions([movie_id])[0] < 0:
            raise DataError(path, f"unknown movieId {movie_id}", line=line, column="movieId")
        rating = _rating(path, line, row["rating"], low, high)
        if movie_id in ratings:
            raise DataError(path, f"movieId {movie_id} is rated twice", line=line, column="movieId")
        ratings[movie_id] = rating
    return ratings


def _whole_number(path: Path, line: int, text: str | None) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        raise DataError(path, f"{text!r} is not a movieId", line=line, column="movieId") from None


def _rating(path: Path, line: int, text: str | None, low: float, high: float) -> float:
    try:
        value = float((text or "").strip())
    except ValueError:
        value = math.nan
    if not low <= value <= high:
        raise DataError(
            path,
            f"{text!r} is not a rating between {low:g} and {high:g}",
            line=line,
            column="rating",
        )
    return value
