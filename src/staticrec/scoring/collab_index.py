"""Scores from the collaborative item index: the sum of the EASE rows of the movies rated.

EASE scores a user as ``x_u B``: for every movie j, the sum over the movies i they rated of the
weight B_ij. The index keeps each row's top-k weights, so the sum runs over a few hundred
entries, for a known user and a new visitor alike. This is the query half; the build half,
which solves EASE, is ``staticrec.collab_index``.
"""

from __future__ import annotations

import numpy as np

from staticrec.scoring.model import Model


def row_lengths(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """How many entries each of ``rows`` has, as the platform's index type: np.repeat and
    np.bincount refuse int64 counts on wasm32 (Pyodide), where that type is int32."""
    rows = np.asarray(rows, dtype=np.int64)
    return (indptr[rows + 1] - indptr[rows]).astype(np.intp)


def row_entries(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Indices into a CSR payload of every entry of ``rows``, row after row."""
    rows = np.asarray(rows, dtype=np.int64)
    starts = indptr[rows]
    lengths = row_lengths(indptr, rows)
    if lengths.sum() == 0:
        return np.empty(0, dtype=np.int64)
    # for each entry: its row's start, plus its place within the row
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return offsets + np.arange(lengths.sum(), dtype=np.int64)


def collab_index_scores(
    model: Model, items: np.ndarray, strengths: np.ndarray | None = None
) -> np.ndarray:
    """Per movie, the summed EASE weights from ``items`` (positions); NaN where none reaches.

    Args:
        items: positions of the movies the user rated.
        strengths: how much each rated movie counts (EASE is trained on 1 = "rated"); default 1.
    """
    items = np.asarray(items, dtype=np.int64)
    strengths = np.ones(len(items)) if strengths is None else np.asarray(strengths, np.float64)
    entries = row_entries(model.collab_indptr, items)
    lengths = row_lengths(model.collab_indptr, items)
    targets = model.collab_items[entries].astype(np.intp)  # bincount wants intp (int32 on wasm32)
    weights = model.collab_weights[entries] * np.repeat(strengths, lengths)
    totals = np.bincount(targets, weights=weights, minlength=model.n_items)
    reached = np.bincount(targets, minlength=model.n_items) > 0
    return np.where(reached, totals, np.nan)
