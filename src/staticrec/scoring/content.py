"""Content scores: the neighbours of one favourite, or several favourites combined.

This is the query half, run in the browser; the build half, which computes the top-k index
from TF-IDF, is ``staticrec.pipeline.content``.
"""

from __future__ import annotations

import numpy as np

from staticrec.scoring.collab_index import row_entries
from staticrec.scoring.model import Model


def content_scores(model: Model, favorites: np.ndarray) -> np.ndarray:
    """Per item, the sum of its similarities to the favourites; NaN when no favourite lists it.

    With one favourite this is its neighbour list as stored; with several, an item close to
    many of them rises. The favourites themselves are not excluded here: the caller decides.
    """
    entries = row_entries(model.neighbor_indptr, np.asarray(favorites, dtype=np.int64).ravel())
    items = model.neighbor_items[entries].astype(np.intp, copy=False)
    # one pass for every favourite: their rows in the order given, so each sum adds up in
    # that order (as one favourite after another would)
    totals = np.bincount(items, weights=model.neighbor_sims[entries], minlength=model.n_items)
    listed = np.zeros(model.n_items, dtype=bool)
    listed[items] = True
    return np.where(listed, totals, np.nan)


def popularity_order(n_ratings: np.ndarray, movie_ids: np.ndarray) -> np.ndarray:
    """Positions sorted by rating count (more first), then movieId.

    The build's content index breaks similarity ties in this order, and rankings built on it
    here do too: this one function serves both, so they cannot drift apart.
    """
    return np.lexsort((movie_ids, -np.asarray(n_ratings, dtype=np.int64)))
