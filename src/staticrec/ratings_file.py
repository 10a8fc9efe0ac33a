"""A visitor's own ratings from a file, for ``staticrec recommend --ratings-file``.

Three formats, told apart by their header:

- ``movieId,rating`` (others ignored): every problem is named by file, line and column, as the
  build's errors are: a movie the model does not know, a rating off the scale, a value that is
  not a number.
- an IMDb ratings export (``Const``, ``Your Rating`` 1-10): matched through links.csv's imdbId.
- a Letterboxd export (``Name``, ``Year``, ``Rating`` 0.5-5): matched by title and year.

Exports come from elsewhere: rows that match no movie are reported (``Imported.unmatched``),
not fatal, and their ratings are mapped linearly onto the model's scale.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from staticrec.errors import DataError
from staticrec.scoring import Recommender

COLUMNS = ("movieId", "rating")
IMDB = ("Const", "Your Rating")
LETTERBOXD = ("Name", "Year", "Rating")


@dataclass(frozen=True)
class Imported:
    """Ratings read from a file, and the rows of an export that matched no movie."""

    format: str
    ratings: dict[int, float]
    unmatched: list[str] = field(default_factory=list)
    """One line per row left out: its line number and what it named."""


def read_ratings_file(
    path: Path, recommender: Recommender, items: pd.DataFrame | None = None
) -> Imported:
    """The ratings in ``path`` (any of the three formats), checked against the model.

    Args:
        items: the artifacts' items table (movieId, title, year, imdbId), which the exports
            are matched against.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    except UnicodeDecodeError as exc:
        raise DataError(path, f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    if all(c in header for c in COLUMNS):
        return Imported("movieId,rating", _plain(path, reader, recommender))
    if items is not None and all(c in header for c in IMDB):
        return _imdb(reader, recommender, items)
    if items is not None and all(c in header for c in LETTERBOXD):
        return _letterboxd(reader, recommender, items)
    raise DataError(
        path,
        f"needs the columns {', '.join(COLUMNS)} (or an IMDb or Letterboxd ratings export); "
        f"the header has {', '.join(header) or 'nothing'}",
        line=1,
    )


def _plain(path: Path, reader: csv.DictReader, recommender: Recommender) -> dict[int, float]:
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
    value = _number(text)
    if not low <= value <= high:
        raise DataError(
            path,
            f"{text!r} is not a rating between {low:g} and {high:g}",
            line=line,
            column="rating",
        )
    return value


def _imdb(reader, recommender: Recommender, items: pd.DataFrame) -> Imported:
    """IMDb's export: ``Const`` is the tt-id, ``Your Rating`` 1-10."""
    linked = items.dropna(subset=["imdbId"])
    by_imdb = dict(zip(linked["imdbId"].astype(int), linked["movieId"].astype(int), strict=True))

    def locate(row) -> int | None:
        const = (row["Const"] or "").strip()
        digits = const[2:] if const.startswith("tt") else ""
        return by_imdb.get(int(digits)) if digits.isdigit() else None

    def named(row) -> str:
        return f"{(row['Const'] or '').strip()} {row.get('Title', '')}".rstrip()

    return _matched("IMDb", reader, recommender, locate, named, "Your Rating", (1.0, 10.0))


def _letterboxd(reader, recommender: Recommender, items: pd.DataFrame) -> Imported:
    """Letterboxd's export: ``Name`` and ``Year`` of the film, ``Rating`` 0.5-5."""
    by_title: dict[tuple[str, int], int] = {}
    for movie_id, title, year in zip(items["movieId"], items["title"], items["year"], strict=True):
        if pd.notna(year):
            for key in title_keys(str(title)):
                by_title.setdefault((key, int(year)), int(movie_id))

    def locate(row) -> int | None:
        year = _number(row["Year"])
        if math.isnan(year):
            return None
        return by_title.get((_comparable((row["Name"] or "").strip()), int(year)))

    def named(row) -> str:
        return f"{(row['Name'] or '').strip()} ({row['Year']})"

    return _matched("Letterboxd", reader, recommender, locate, named, "Rating", (0.5, 5.0))


def _matched(
    name: str, reader, recommender: Recommender, locate, named, rating_column: str, scale
) -> Imported:
    """An export's rows, each matched to a movie by ``locate(row)`` and rated on ``scale``
    (mapped onto the model's); the rows that match nothing, or whose rating is off the scale,
    listed by line and ``named(row)``."""
    low, high = scale
    found: dict[int, float] = {}
    unmatched = []
    for row in reader:
        movie_id, rating = locate(row), _number(row[rating_column])
        if movie_id is None or not low <= rating <= high:
            unmatched.append(f"line {reader.line_num}: {named(row)}")
            continue
        found[movie_id] = _mapped(rating, scale, recommender)
    return Imported(name, found, unmatched)


_ARTICLES = ("the", "a", "an", "les", "la", "le", "l'", "il", "el", "der", "die", "das")


def title_keys(title: str) -> set[str]:
    """The forms a MovieLens title is known by, comparable: ``Matrix, The (1999)`` gives
    ``the matrix`` (and ``matrix the``); an alternative title in parentheses counts too."""
    base = re.sub(r"\s*\(\d{4}(?:[-–]\d{0,4})?\)\s*$", "", title)  # the year
    names = [base.split(" (")[0], *re.findall(r"\(([^()]+)\)", base)]
    keys = set()
    for name in names:
        keys.add(_comparable(name))
        head, sep, article = name.rpartition(", ")
        if sep and article.lower() in _ARTICLES:
            keys.add(_comparable(f"{article} {head}"))
    keys.discard("")
    return keys


def _comparable(text: str) -> str:
    """Accents dropped, case folded, punctuation to spaces: how two titles are compared."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _number(text: str | None) -> float:
    try:
        return float((text or "").strip())
    except ValueError:
        return math.nan


def _mapped(rating: float, scale: tuple[float, float], recommender: Recommender) -> float:
    """A rating on ``scale``, mapped linearly onto the model's."""
    (low, high), (lo, hi) = recommender.model.rating_scale, scale
    return low + (rating - lo) * (high - low) / (hi - lo)
