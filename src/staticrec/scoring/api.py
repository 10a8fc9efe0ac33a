"""The JSON boundary the browser worker talks to; the CLI uses the same calls.

The worker passes the artifact columns it decoded and the manifest text to ``load``, then sends
requests as JSON text and gets JSON text back. Errors come back as ``{"error": message}`` so
the page can show them; nothing here raises across the boundary for a bad request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from staticrec.scoring import schema
from staticrec.scoring.answer import Answer
from staticrec.scoring.columns import (
    Columns,
    model_from_columns,
    with_item_factors,
    with_users,
)
from staticrec.scoring.config import ScoringConfig
from staticrec.scoring.errors import RowsNotLoaded, ScoringError
from staticrec.scoring.imports import read_ratings_text
from staticrec.scoring.options import Options
from staticrec.scoring.recommender import Recommender
from staticrec.scoring.shards import MovieShards


def load(columns: Columns, manifest_json: str, config: ScoringConfig | None = None) -> Recommender:
    """A Recommender over artifact columns and the manifest (as JSON text). Without the user
    tables (the browser's start), the manifest says which users the dataset has; without the
    item_factors table (a first answer with no ratings), ``load_factors`` adds it later."""
    meta = json.loads(manifest_json)
    model = model_from_columns(columns, meta)
    shards = meta.get("tables", {}).get("user_ratings", {}).get("shards")
    known = None
    if len(model.user_ids) == 0 and shards:
        known = (int(meta["dataset"]["rows"]["users"]), shards[0]["first"], shards[-1]["last"])
    recommender = Recommender(model, config, known)
    if not any(table.name in columns for table in schema.MOVIE_TABLES):
        recommender.movie_shards = MovieShards.from_manifest(meta)
    return recommender


def load_users(recommender: Recommender, columns: Columns) -> Recommender:
    """``recommender`` with the known users of ``columns`` (a shard of user_factors and
    user_ratings) in place of those it had: the browser starts with none, and fetches the
    shard of each user asked for."""
    return recommender.with_users_of(with_users(recommender.model, columns))


def factors_needed(recommender: Recommender, request_json: str) -> bool:
    """Whether an answer to this request reads the movie factors and they are not loaded yet
    (``load_factors``): a known user, ratings or a second person's ratings read them."""
    if recommender.model.factors_loaded:
        return False
    try:
        user, ratings, _, options = _parse(json.loads(request_json))
    except (ScoringError, ValueError, TypeError, OverflowError, AttributeError):
        return False  # the answer says what is wrong with it
    return _reads_factors(user, ratings, options)


def _reads_factors(user: int | None, ratings: Mapping[int, float], options: Options) -> bool:
    return user is not None or bool(ratings) or bool(options.together)


def load_factors(recommender: Recommender, columns: Columns, manifest_json: str) -> Recommender:
    """``recommender`` with the movie factors of ``columns`` (the item_factors table)."""
    model = with_item_factors(recommender.model, columns, json.loads(manifest_json))
    return recommender.with_users_of(model)


def load_shards(
    recommender: Recommender, shards: Mapping[str, Mapping[Any, Mapping[str, Any]]]
) -> Recommender:
    """``recommender`` with these neighbour shards loaded too (table name -> shard number ->
    its columns), as ``answer_json``'s ``missing`` named them."""
    if recommender.movie_shards is None:
        raise ScoringError("This model holds every neighbour row already.")
    return recommender.with_movie_shards(recommender.movie_shards.add(shards))


def answer(recommender: Recommender, request: Mapping[str, Any]) -> dict:
    """Answer one request.

    Request keys: ``user`` (a known userId) or ``ratings`` (a list of [movieId, rating] pairs,
    possibly empty), and optionally ``favorites`` (movieIds), ``hidden`` (movieIds never
    recommended), ``genre`` (a genre as the items table spells it, or null), ``decade`` (1990
    for 1990-1999, or null), ``together`` (a second person's [movieId, rating] pairs: one
    list for both) and ``niche`` (0, the default, to 3, the most niche). Each item
    answered has ``reason`` (one short reason), ``why`` (the whole chain), ``genres`` and
    ``year`` besides its scores.

    Raises:
        ScoringError: for a bad request; RowsNotLoaded (one) when the neighbour shards it
            reads are not loaded (its ``missing`` names them).
    """
    return _answer(recommender, request).as_dict()


def _answer(recommender: Recommender, request: Mapping[str, Any]) -> Answer:
    user, ratings, favorites, options = _parse(request)
    if not recommender.model.factors_loaded and _reads_factors(user, ratings, options):
        raise ScoringError("The movie factors this answer reads are not loaded.")
    if recommender.movie_shards is not None:  # the browser's: some neighbour rows only
        missing = recommender.shards_missing(
            recommender.rows_read(user, ratings, favorites, options)
        )
        if missing:
            raise RowsNotLoaded(missing)
    if user is not None:
        request_, ignored = recommender.user_request(user, favorites, options)
    else:
        request_, ignored = recommender.visitor_request(ratings, favorites, options)
    return recommender.answer(request_, ignored, options)


def _parse(request: Mapping[str, Any]) -> tuple[int | None, dict[int, float], list[int], Options]:
    """A request's userId (None for a visitor), ratings, favourites and options, checked for
    type."""
    if not isinstance(request, dict):
        raise ScoringError("A request must be a JSON object.")
    favorites = [_whole(f, "A favourite's movieId") for f in request.get("favorites") or []]
    options = _options(request)
    if request.get("user") is not None:
        return _whole(request["user"], "A userId"), {}, favorites, options
    return None, _pairs(request.get("ratings"), "A movieId"), favorites, options


def _options(request: Mapping[str, Any]) -> Options:
    """The request's hidden movies, genre, decade, second person and niche level."""
    hidden = [_whole(m, "A hidden movieId") for m in request.get("hidden") or []]
    genre = request.get("genre")
    if genre is not None and not isinstance(genre, str):
        raise ScoringError(f"A genre is a name, not {genre!r}.")
    decade = request.get("decade")
    decade = None if decade is None else _whole(decade, "A decade")
    together = request.get("together")
    if together is not None:
        together = _pairs(together, "A movieId of the second person's")
    niche = request.get("niche")
    niche = 0 if niche is None else _whole(niche, "A niche level")
    return Options.of(hidden, genre, decade, together, niche)


def _pairs(pairs: Any, what: str) -> dict[int, float]:
    """[[movieId, rating], ...] as a dict (a rating off the scale is refused by the answer)."""
    return {_whole(m, what): float(r) for m, r in pairs or []}


def _whole(value: Any, what: str) -> int:
    """``value`` as an int, refusing 1.5, "abc" and True rather than guessing."""
    try:
        whole = (
            not isinstance(value, bool) and isinstance(value, int | float) and value == int(value)
        )
    except (ValueError, OverflowError):  # NaN, infinity
        whole = False
    if not whole:
        raise ScoringError(f"{what} is a whole number, not {value!r}.")
    return int(value)


def answer_json(recommender: Recommender, request_json: str) -> str:
    """``answer`` with JSON text in and out; a bad request yields ``{"error": message}``, and
    one whose neighbour rows are not loaded ``{"missing": {table: [shard number, ...]}}``: the
    browser's worker loads those (``load_shards``) and asks again, so an answer is checked
    once, not once to fetch and again to answer."""
    try:
        result = _answer(recommender, json.loads(request_json))
    except RowsNotLoaded as exc:
        result = {"missing": exc.missing}
    except ScoringError as exc:
        result = {"error": str(exc)}
    except (ValueError, TypeError, OverflowError) as exc:
        result = {"error": f"Bad request: {exc}"}
    # the Answer's and its Items' fields, in order, as Answer.as_dict gives them, without
    # copying every item into a dict first
    return json.dumps(result, allow_nan=False, default=vars)


def import_json(recommender: Recommender, text: str) -> str:
    """A ratings file's text (movieId,rating, or an IMDb or Letterboxd export) read against the
    model: ``{"format", "ratings": [[movieId, rating], ...], "unmatched": [line, ...]}``, or
    ``{"error": message}`` naming the line and column at fault."""
    try:
        imported = read_ratings_text(text, recommender.model)
        result = {
            "format": imported.format,
            "ratings": [[movie_id, rating] for movie_id, rating in imported.ratings.items()],
            "unmatched": imported.unmatched,
        }
    except ScoringError as exc:
        result = {"error": str(exc)}
    return json.dumps(result, allow_nan=False)
