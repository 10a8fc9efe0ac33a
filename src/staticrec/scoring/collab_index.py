"""Scores from the collaborative item index: the sum of the EASE rows of the movies rated.

EASE scores a user as ``x_u B``: for every movie j, the sum over the movies i they rated of the
weight B_ij. The index keeps each row's top-k weights, so the sum runs over a few hundred
entries, for a known user and a new visitor alike. This is the query half; the build half,
which solves EASE, is ``staticrec.collab_index``.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Contributions:
    """Every (target movie, amount, source movie) a user's rated movies add through the index:
    scored once per answer, then read both for the scores and to say which rated movie
    brought each pick."""

    targets: np.ndarray
    """Positions of the movies reached (the platform's index type)."""
    amounts: np.ndarray
    """strength of the rated movie x its EASE weight towards the target."""
    sources: np.ndarray
    """Positions of the rated movies the amounts come from."""


def contributions(
    model: Model, items: np.ndarray, strengths: np.ndarray | None = None
) -> Contributions:
    """What each rated movie in ``items`` (positions) adds to each movie its row reaches.

    Args:
        items: positions of the movies the user rated.
        strengths: how much each rated movie counts (EASE is trained on 1 = "rated"); default 1.
    """
    items = np.asarray(items, dtype=np.int64)
    strengths = np.ones(len(items)) if strengths is None else np.asarray(strengths, np.float64)
    entries = row_entries(model.collab_indptr, items)
    lengths = row_lengths(model.collab_indptr, items)
    return Contributions(
        targets=model.collab_items[entries].astype(np.intp),  # bincount wants intp (wasm32)
        amounts=model.collab_weights[entries] * np.repeat(strengths, lengths),
        sources=np.repeat(items, lengths),
    )


def collab_index_scores(model: Model, added: Contributions) -> np.ndarray:
    """Per movie, the sum of what the rated movies add; NaN where none reaches."""
    totals = np.bincount(added.targets, weights=added.amounts, minlength=model.n_items)
    reached = np.zeros(model.n_items, dtype=bool)
    reached[added.targets] = True
    return np.where(reached, totals, np.nan)
