"""A visitor's own ratings from a file's text: the same reading for ``staticrec recommend
--ratings-file`` and for the page's file picker (in Pyodide).

Three formats, told apart by their header:

- ``movieId,rating`` (others ignored): every problem is an error naming its line and column: a
  movie the model does not know, a rating off the scale, a value that is not a number.
- an IMDb ratings export (``Const``, ``Your Rating`` 1-10): matched through links.csv's imdbId.
- a Letterboxd export (``Name``, ``Year``, ``Rating`` 0.5-5): matched by title and year.

Exports come from elsewhere: rows that match no movie are reported (``Imported.unmatched``),
not fatal, and their ratings are mapped linearly onto the model's scale.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field

from staticrec.scoring.errors import ScoringError
from staticrec.scoring.model import Model

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


class BadRatingsFile(ScoringError):
    """A ratings file that cannot be read: ``problem`` at ``line`` (1-based) and ``column``."""

    def __init__(self, problem: str, line: int, column: str | None = None) -> None:
        where = f"line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {problem}")
        self.problem, self.line, self.column = problem, line, column


def read_ratings_text(text: str, model: Model) -> Imported:
    """The ratings in ``text`` (any of the three formats), checked against the model."""
    # only \n, \r and \r\n end a record (str.splitlines would also split on U+2028, form
    # feeds and the like, inside quoted fields too, and shift every line number after them)
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = reader.fieldnames or []
    if all(c in header for c in COLUMNS):
        return Imported("movieId,rating", _plain(reader, model))
    if all(c in header for c in IMDB):
        return _imdb(reader, model)
    if all(c in header for c in LETTERBOXD):
        return _letterboxd(reader, model)
    raise BadRatingsFile(
        f"needs the columns {', '.join(COLUMNS)} (or an IMDb or Letterboxd ratings export); "
        f"the header has {', '.join(header) or 'nothing'}",
        line=1,
    )


def _plain(reader: csv.DictReader, model: Model) -> dict[int, float]:
    low, high = model.rating_scale
    ratings: dict[int, float] = {}
    for row in reader:
        line = reader.line_num
        movie_id = _whole_number(line, row["movieId"])
        if model.positions([movie_id])[0] < 0:
            raise BadRatingsFile(f"unknown movieId {movie_id}", line, "movieId")
        rating = _number(row["rating"])
        if not low <= rating <= high:
            problem = f"{row['rating']!r} is not a rating between {low:g} and {high:g}"
            raise BadRatingsFile(problem, line, "rating")
        if movie_id in ratings:
            raise BadRatingsFile(f"movieId {movie_id} is rated twice", line, "movieId")
        ratings[movie_id] = rating
    return ratings


_DIGITS = re.compile(r"[+-]?[0-9]+")
"""Whole numbers as the build reads ids: ASCII digits only (``int`` also takes other scripts'
digits, superscripts' neighbours and ``1_0``)."""


def _whole_number(line: int, text: str | None) -> int:
    digits = (text or "").strip()
    if not _DIGITS.fullmatch(digits):
        raise BadRatingsFile(f"{text!r} is not a movieId", line, "movieId")
    return int(digits)


def _imdb(reader, model: Model) -> Imported:
    """IMDb's export: ``Const`` is the tt-id, ``Your Rating`` 1-10."""
    linked = model.imdb_ids > 0
    by_imdb = dict(
        zip(model.imdb_ids[linked].tolist(), model.item_ids[linked].tolist(), strict=True)
    )

    def locate(row) -> int | None:
        const = (row["Const"] or "").strip()
        digits = const[2:] if const.startswith("tt") else ""
        return by_imdb.get(int(digits)) if _DIGITS.fullmatch(digits) else None

    def named(row) -> str:
        return f"{(row['Const'] or '').strip()} {row.get('Title') or ''}".rstrip()

    return _matched("IMDb", reader, model, locate, named, "Your Rating", (1.0, 10.0))


def _letterboxd(reader, model: Model) -> Imported:
    """Letterboxd's export: ``Name`` and ``Year`` of the film, ``Rating`` 0.5-5."""
    by_title: dict[tuple[str, int], int] = {}
    for movie_id, title, year in zip(
        model.item_ids.tolist(), model.titles, model.years.tolist(), strict=True
    ):
        if year:
            for key in title_keys(title):
                by_title.setdefault((key, year), movie_id)

    def locate(row) -> int | None:
        year = _number(row["Year"])
        if not math.isfinite(year):
            return None
        return by_title.get((_comparable((row["Name"] or "").strip()), int(year)))

    def named(row) -> str:
        return f"{(row['Name'] or '').strip()} ({row['Year']})"

    return _matched("Letterboxd", reader, model, locate, named, "Rating", (0.5, 5.0))


def _matched(name: str, reader, model: Model, locate, named, rating_column: str, scale):
    """An export's rows, each matched to a movie by ``locate(row)`` and rated on ``scale``
    (mapped onto the model's); the rows that match nothing, or whose rating is off the scale,
    listed by line and ``named(row)``."""
    (low, high), (lo, hi) = model.rating_scale, scale
    found: dict[int, float] = {}
    unmatched = []
    for row in reader:
        movie_id, rating = locate(row), _number(row[rating_column])
        if movie_id is None or not lo <= rating <= hi:
            unmatched.append(f"line {reader.line_num}: {named(row)}")
            continue
        found[movie_id] = low + (rating - lo) * (high - low) / (hi - lo)
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
