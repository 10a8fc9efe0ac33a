"""The artifact tables' columns read into a ``Model``, in CPython and in Pyodide alike.

Columns are read by their declarations in ``staticrec.scoring.schema``, and the manifest's
schema version is checked first: the same check runs in CPython and in Pyodide.

Columns may arrive as numpy arrays (CPython, read by pyarrow), or as typed
arrays and lists (Pyodide, read by hyparquet in JavaScript): ``np.asarray`` takes them all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from staticrec.scoring import schema
from staticrec.scoring.collab_index import packed_entries
from staticrec.scoring.errors import ArtifactError
from staticrec.scoring.model import ByTarget, Genres, IdIndex, Model

Columns = Mapping[str, Mapping[str, Any]]
"""Table name -> column name -> array-like, as read from the Parquet artifacts."""


def _column(columns: Columns, table: schema.Table, name: str) -> np.ndarray:
    """A declared column as int64 or float64 (whatever width it was stored in)."""
    dtype = np.int64 if table.column(name).dtype.startswith("int") else np.float64
    try:
        values = columns[table.name][name]
    except KeyError:
        raise ArtifactError(f"artifact table {table.name!r} has no column {name!r}") from None
    array = np.asarray(values, dtype=dtype)
    if array.ndim != 1:
        raise ArtifactError(f"column {table.name}.{name} is not one-dimensional")
    return array


def _optional_ids(columns: Columns, table: schema.Table, name: str) -> np.ndarray:
    """A nullable integer column as int64, 0 for a null (CPython reads nulls as NaN, the
    browser's decoder as 0)."""
    try:
        values = np.asarray(columns[table.name][name], dtype=np.float64)
    except KeyError:
        raise ArtifactError(f"artifact table {table.name!r} has no column {name!r}") from None
    return np.nan_to_num(values, nan=0.0).astype(np.int64)


def _factor_matrix(
    columns: Columns, table: schema.Table, n_factors: int, scales: Sequence[float] | None = None
) -> np.ndarray:
    """The factor columns as a matrix; int8 steps times their column's scale, when given."""
    if n_factors < 1:
        raise ArtifactError(f"n_factors must be at least 1, not {n_factors}")
    matrix = np.column_stack([_column(columns, table, f"f{j}") for j in range(n_factors)])
    if scales is None:
        return matrix
    if len(scales) != n_factors:
        raise ArtifactError(f"{table.name} has {len(scales)} factor scales, not {n_factors}")
    return matrix * np.asarray(scales, dtype=np.float64)


def _csr(owner_positions: np.ndarray, n_owners: int, *payload: np.ndarray):
    """Group rows by owner position (stable), returning offsets and the reordered payloads.

    Artifacts come sorted by owner already; then no sort runs (it costs ~100 ms in Pyodide).
    """
    if np.all(owner_positions[1:] >= owner_positions[:-1]):
        order = slice(None)
    else:
        order = np.argsort(owner_positions, kind="stable")
    return (_offsets(owner_positions, n_owners), *(p[order] for p in payload))


def _offsets(owner_positions: np.ndarray, n_owners: int) -> np.ndarray:
    """CSR offsets: where each owner's rows start once grouped by owner, and the end."""
    # bincount takes the platform's index type: int32 on wasm32 (Pyodide), int64 here
    counts = np.bincount(owner_positions.astype(np.intp), minlength=n_owners)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def _by_movie_then_rank(source: np.ndarray, rank: np.ndarray) -> slice | np.ndarray:
    """The order that groups neighbour rows by movie, best first within each: none to apply
    when the rows come so (a whole table); the runs of whole movies put in movie order when
    they come as shards do (each movie's rows together and ranked, the movies in popularity
    order), which costs a sort of the movies rather than of the rows; else a full sort."""
    step_source, step_rank = np.diff(source), np.diff(rank)
    if np.all((step_source > 0) | ((step_source == 0) & (step_rank > 0))):
        return slice(None)
    starts = np.flatnonzero(np.concatenate([[True], step_source != 0]))
    movies = source[starts]
    ranked = np.all(step_rank[step_source == 0] > 0)
    if not ranked or len(np.unique(movies)) < len(movies):
        return np.lexsort((rank, source))
    order = np.argsort(movies, kind="stable")
    lengths = np.diff(np.append(starts, len(source)))[order].astype(np.intp)
    # each row of each run, the runs in movie order: the run's start plus the place within it
    shifts = starts[order] - np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.repeat(shifts.astype(np.intp), lengths) + np.arange(len(source), dtype=np.intp)


def _neighbor_lists(columns: Columns, table: schema.Table, item_index: IdIndex, n_items: int):
    """A neighbour table (movieId, neighborId, rank, weight) as CSR over item positions."""
    source = item_index(_column(columns, table, "movieId"))
    target = item_index(_column(columns, table, "neighborId"))
    if np.any(source < 0) or np.any(target < 0):
        raise ArtifactError(f"{table.name} refers to a movieId that items lacks")
    by_rank = _by_movie_then_rank(source, _column(columns, table, "rank"))
    weight = _column(columns, table, table.columns[3].name)
    # positions as the platform's index type (int32 in Pyodide): np.bincount and gathers take
    # them as they are. Weights as float64 (the float32 stored, widened exactly): in Pyodide a
    # gather costs the same either way, while float32 x float64 and bincount's own widening
    # cost a tenth of a known user's answer
    return _csr(source[by_rank], n_items, target[by_rank].astype(np.intp), weight[by_rank])


def model_from_columns(columns: Columns, meta: Mapping[str, Any]) -> Model:
    """Build a Model from the artifact tables' columns and the manifest's scalars.

    Args:
        columns: the tables of ``schema.SCORING_TABLES``, each a mapping of column name to
            array-like.
        meta: manifest.json's ``schema_version``, ``global_mean``, ``n_factors`` and
            ``rating_scale`` (at least).

    Raises:
        ArtifactError: when the schema version differs, a column is missing or ids do not
            line up.
    """
    schema.check_version(meta)
    items = schema.ITEMS
    item_ids = _column(columns, items, "movieId")
    order = np.argsort(item_ids, kind="stable")
    item_ids = item_ids[order]
    if np.any(np.diff(item_ids) == 0):
        raise ArtifactError("items.movieId has duplicate ids")
    item_index = IdIndex(item_ids)
    title_column = columns[items.name][items.column("title").name]
    titles = tuple(str(t) for t in np.asarray(list(title_column), dtype=object)[order])
    genre_column = columns[items.name].get("genres")
    if genre_column is None:
        raise ArtifactError(f"artifact table {items.name!r} has no column 'genres'")
    genres = np.asarray(list(genre_column), dtype=object)[order]
    n_ratings = _column(columns, items, "n_ratings")[order]
    mean_rating = _column(columns, items, "mean_rating")[order]
    k = int(meta["n_factors"])
    low, high = (float(v) for v in meta["rating_scale"])

    factors = _factor_part(columns, item_index, meta)
    users = _user_part(columns, item_index, k)
    neighbors = _neighbor_part(columns, item_index)
    return Model(
        item_ids=item_ids,
        titles=titles,
        years=_optional_ids(columns, items, "year")[order],
        genres=Genres(genres),
        imdb_ids=_optional_ids(columns, items, "imdbId")[order],
        n_ratings=n_ratings,
        mean_rating=mean_rating,
        global_mean=float(meta["global_mean"]),
        rating_scale=(low, high),
        **factors,
        **users,
        **neighbors,
        item_index=item_index,
    )


def with_item_factors(model: Model, columns: Columns, meta: Mapping[str, Any]) -> Model:
    """``model`` with the movie factors of ``columns`` (the item_factors table) in place of its
    own: the browser may start without them, when its first answer has no SVD list."""
    return replace(model, **_factor_part(columns, model.item_index, meta))


def _factor_part(columns: Columns, item_index: IdIndex, meta: Mapping[str, Any]) -> dict:
    """The Model's SVD fields of the movies, spread over the whole catalogue: movies without
    ratings, or every movie when the columns lack the item_factors table, get zero rows."""
    table, n_items, k = schema.ITEM_FACTORS, len(item_index.ids), int(meta["n_factors"])
    has_factors = np.zeros(n_items, dtype=bool)
    item_bias = np.zeros(n_items)
    item_factors = np.zeros((n_items, k))
    if table.name in columns:
        factor_pos = item_index(_column(columns, table, "movieId"))
        if np.any(factor_pos < 0):
            raise ArtifactError("item_factors lists a movieId that items lacks")
        has_factors[factor_pos] = True
        item_bias[factor_pos] = _column(columns, table, "bi")
        scales = meta.get("factor_scales", {}).get(table.name)  # int8 factors
        item_factors[factor_pos] = _factor_matrix(columns, table, k, scales)
    return {
        "has_factors": has_factors,
        "without_factors": np.flatnonzero(~has_factors),
        "item_bias": item_bias,
        "item_factors": item_factors,
        "factors_loaded": table.name in columns,
    }


def with_users(model: Model, columns: Columns) -> Model:
    """``model`` with the known users of ``columns`` (user_factors and user_ratings, a shard
    of them say) in place of its own: the catalogue and indexes are kept as they are."""
    return replace(model, **_user_part(columns, model.item_index, model.item_factors.shape[1]))


def with_neighbors(model: Model, columns: Columns) -> Model:
    """``model`` with the neighbour rows of ``columns`` (content_neighbors and collab_neighbors,
    some shards of them say) in place of its own: the catalogue and the users are kept."""
    return replace(model, **_neighbor_part(columns, model.item_index))


def _neighbor_part(columns: Columns, item_index: IdIndex) -> dict[str, Any]:
    """The Model's neighbour fields from the neighbour tables; a table the columns lack has no
    rows (the browser starts so, and fetches the shards of the movies each request reads)."""
    n_items = len(item_index.ids)
    content, collab = schema.CONTENT_NEIGHBORS, schema.COLLAB_NEIGHBORS
    columns = {**{t.name: {c: [] for c in t.column_names()} for t in (content, collab)}, **columns}
    neighbor_indptr, neighbor_items, neighbor_sims = _neighbor_lists(
        columns, content, item_index, n_items
    )
    collab_indptr, collab_items, collab_weights = _neighbor_lists(
        columns, collab, item_index, n_items
    )
    stored = collab_weights.astype(np.float32)  # as the artifacts store them
    collab_weights = stored.astype(np.float64)  # so the packed entries hold the same weights
    collab_rows = np.repeat(
        np.arange(n_items, dtype=np.intp), np.diff(collab_indptr).astype(np.intp)
    )
    # how many entries reach each movie: the index by target (``Model.collab_by_target``) is
    # sorted only when an answer reads it
    collab_target_indptr = _offsets(collab_items, n_items)
    return {
        "neighbor_indptr": neighbor_indptr,
        "neighbor_items": neighbor_items,
        "neighbor_sims": neighbor_sims,
        "collab_indptr": collab_indptr,
        "collab_items": collab_items,
        "collab_weights": collab_weights,
        "collab_rows": collab_rows,
        "collab_entries": packed_entries(collab_items, stored),
        "collab_target_indptr": collab_target_indptr,
        "collab_by_target": ByTarget(collab_items, collab_rows, collab_weights),
    }


def _user_part(columns: Columns, item_index: IdIndex, k: int) -> dict[str, Any]:
    """The Model's known-user fields from the user tables; none when the columns hold no user
    tables (the browser starts so, and fetches a user's shard when asked for that user)."""
    user_table, ratings_table = schema.USER_FACTORS, schema.USER_RATINGS
    if user_table.name not in columns and ratings_table.name not in columns:
        empty = {user_table.name: {c: [] for c in user_table.column_names(k)}}
        empty[ratings_table.name] = {c: [] for c in ratings_table.column_names()}
        columns = empty
    user_ids = _column(columns, user_table, "userId")
    user_order = np.argsort(user_ids, kind="stable")
    user_ids = user_ids[user_order]
    user_index = IdIndex(user_ids)
    user_bias = _column(columns, user_table, "bu")[user_order]
    user_factors = _factor_matrix(columns, user_table, k)[user_order].reshape(len(user_ids), k)

    rated_users = user_index(_column(columns, ratings_table, "userId"))
    rated_items = item_index(_column(columns, ratings_table, "movieId"))
    if np.any(rated_users < 0) or np.any(rated_items < 0):
        raise ArtifactError("user_ratings refers to a user or movie the model lacks")
    # by user, then movie: one order whatever the file's, so sums over a user's ratings come
    # out the same to the last bit (artifacts are sorted so already; then nothing is sorted)
    step_user, step_item = np.diff(rated_users), np.diff(rated_items)
    in_order = np.all((step_user > 0) | ((step_user == 0) & (step_item > 0)))
    by_movie = slice(None) if in_order else np.lexsort((rated_items, rated_users))
    rated_indptr, rated_items, rated_values, rated_from_end = _csr(
        rated_users[by_movie],
        len(user_ids),
        rated_items[by_movie],
        _column(columns, ratings_table, "rating")[by_movie],
        _column(columns, ratings_table, "from_end")[by_movie],
    )
    return {
        "user_ids": user_ids,
        "user_bias": user_bias,
        "user_factors": user_factors,
        "rated_indptr": rated_indptr,
        "rated_items": rated_items,
        "rated_values": rated_values,
        "rated_from_end": rated_from_end,
        "user_index": user_index,
    }
