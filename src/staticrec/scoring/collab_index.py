"""Scores from the collaborative item index: the sum of the EASE rows of the movies rated.

EASE scores a user as ``x_u B``: for every movie j, the sum over the movies i they rated of the
weight B_ij. The index keeps each row's top-k weights, so the sum runs over a few hundred
entries, for a known user and a new visitor alike. This is the query half; the build half,
which solves EASE, is ``staticrec.pipeline.collab_index``.
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


def row_entries(indptr: np.ndarray, rows: np.ndarray, lengths: np.ndarray | None = None):
    """Indices into a CSR payload of every entry of ``rows``, row after row (``lengths``:
    ``row_lengths(indptr, rows)``, when the caller has it)."""
    rows = np.asarray(rows, dtype=np.int64)
    lengths = row_lengths(indptr, rows) if lengths is None else lengths
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.intp)
    # for each entry: its row's start, plus its place within the row; as the platform's index
    # type, since numpy first converts any other index array (a whole extra pass in Pyodide)
    shifts = (indptr[rows] - np.concatenate([[0], np.cumsum(lengths)[:-1]])).astype(np.intp)
    entries = np.repeat(shifts, lengths)
    entries += counting(total)
    return entries


_COUNTING = np.arange(1 << 16, dtype=np.intp)
_COUNTING.flags.writeable = False


def counting(n: int) -> np.ndarray:
    """0, 1, ..., n - 1 as the platform's index type, read-only: a view of one kept array,
    grown when too short (np.arange writes every number anew each call, a third of what
    gathering a heavy rater's rows costs in Pyodide)."""
    global _COUNTING
    if n > len(_COUNTING):
        _COUNTING = np.arange(max(n, 2 * len(_COUNTING)), dtype=np.intp)
        _COUNTING.flags.writeable = False
    return _COUNTING[:n]


def packed_entries(targets: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each index entry's target (int32) and weight (float32) in one 8-byte word: a gather
    costs per element, not per byte, in Pyodide above all, so one gather of these words
    costs half of two gathers, one per array (``unpacked``)."""
    words = np.empty(len(targets), dtype=np.uint64)
    halves = words.view(np.uint32)
    halves[0::2] = np.asarray(targets, dtype=np.int32).view(np.uint32)
    halves[1::2] = np.asarray(weights, dtype=np.float32).view(np.uint32)
    return words


def unpacked(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The targets (as the platform's index type) and the weights (float32, a strided view)
    of ``packed_entries`` words."""
    halves = words.view(np.int32)
    return halves[0::2].astype(np.intp), halves[1::2].view(np.float32)


SCAN_ALL_FROM = 0.4
"""Share of the index's entries a user's rows hold from which one pass over the whole index
(every row weighed by its strength, 0 for movies not rated) costs less than gathering theirs."""


BY_TARGET_COST = 4
"""How many gathered entries cost as much to filter as one entry reached by target (measured
in Pyodide: which rated movie brought a pick is found from whichever side costs less)."""


@dataclass(frozen=True)
class Contributions:
    """What a user's rated movies add to every movie through the index: computed once per
    answer, read for the scores and to say which rated movie brought each pick."""

    scores: np.ndarray
    """Per movie, the sum of what the rated movies add; NaN where they add nothing (no rated
    movie's row reaches it, or only neutral ratings do)."""
    strengths: np.ndarray
    """Per movie, how much its row counts: its rated strength, 0 when not rated."""
    entries: np.ndarray | None
    """The rated rows' entries (indices into the index), when gathered; None when the whole
    index was scanned (a heavy rater)."""
    targets: np.ndarray | None
    """The movies those entries reach."""


def contributions(
    model: Model,
    items: np.ndarray,
    strengths: np.ndarray | None = None,
    *,
    scan_all: bool | None = None,
) -> Contributions:
    """What each rated movie in ``items`` (positions, each once) adds to each movie its row
    reaches.

    Args:
        items: positions of the movies the user rated.
        strengths: how much each rated movie counts (EASE is trained on 1 = "rated"); default 1.
        scan_all: pass over the whole index instead of gathering the rated rows; by default,
            when their rows hold ``SCAN_ALL_FROM`` of its entries or more.

    Each step costs one pass over the entries (hundreds of thousands for a heavy rater): their
    count, not the arithmetic, is what an answer costs in Pyodide. Both ways add the rows in
    position order, so they give the same sums to the last bit.
    """
    items = np.asarray(items, dtype=np.int64)
    strengths = np.ones(len(items)) if strengths is None else np.asarray(strengths, np.float64)
    order = np.argsort(items, kind="stable")
    items, strengths = items[order], strengths[order]
    by_item = np.zeros(model.n_items)
    by_item[items] = strengths
    lengths = row_lengths(model.collab_indptr, items)
    if scan_all is None:
        scan_all = lengths.sum() >= SCAN_ALL_FROM * len(model.collab_items)
    entries = targets = None
    if scan_all:
        # each row's strength repeated over its entries (rows are stored in position order: a
        # repeat, a third of what a gather by collab_rows costs)
        every_row = np.diff(model.collab_indptr).astype(np.intp)
        amounts = model.collab_weights * np.repeat(by_item, every_row)
        totals = np.bincount(model.collab_items, weights=amounts, minlength=model.n_items)
    else:
        entries = row_entries(model.collab_indptr, items, lengths)
        targets, weights = unpacked(model.collab_entries[entries])
        amounts = weights * np.repeat(strengths, lengths)  # float64, as the scan's
        totals = np.bincount(targets, weights=amounts, minlength=model.n_items)
    scores = np.where(totals != 0, totals, np.nan)
    return Contributions(scores, by_item, entries, targets)


def with_rows(
    model: Model,
    added: Contributions,
    items: np.ndarray,
    strengths: np.ndarray,
    *,
    lifted_only: bool = False,
) -> Contributions:
    """``added`` with the rows of ``items`` (positions not among its rated movies) added in at
    ``strengths``: a few hidden movies on top of a user's kept contributions, without
    recomputing those. ``lifted_only``: they only take away, from the movies ``added`` scores
    above 0, and never below 0."""
    extra = contributions(model, items, strengths, scan_all=False)
    # NaN (nothing added) counts as 0: np.fmin and np.where, not np.nan_to_num, whose
    # Python-level checks cost more than the arithmetic in Pyodide
    if lifted_only:
        lifted = added.scores > 0  # False for NaN
        lowered = np.maximum(added.scores + np.fmin(extra.scores, 0), 0)
        scores = np.where(lifted, lowered, added.scores)
    else:
        totals = without_nan(added.scores) + without_nan(extra.scores)
        scores = np.where(totals != 0, totals, np.nan)
    by_item = added.strengths.copy()
    by_item[np.asarray(items, dtype=np.int64)] = strengths
    entries = targets = None
    if added.entries is not None:
        entries = np.concatenate([added.entries, extra.entries])
        targets = np.concatenate([added.targets, extra.targets])
    return Contributions(scores, by_item, entries, targets)


def strongest_sources(model: Model, added: Contributions, shown: np.ndarray) -> np.ndarray:
    """Per movie in ``shown`` (positions), the rated movie whose row adds the most to it, as a
    position; -1 where none adds anything positive, and for every movie not shown.

    Reads the entries from a rated movie to a movie shown from whichever side costs less:
    the rated rows' entries, when ``contributions`` gathered them (a visitor's handful), or
    the entries that reach the movies shown, through the index's by-target order (a few
    thousand, however many movies a heavy rater rated).
    """
    shown = np.unique(np.asarray(shown, dtype=np.int64))
    to_shown = row_lengths(model.collab_target_indptr, shown)
    if added.entries is not None and len(added.entries) <= BY_TARGET_COST * to_shown.sum():
        wanted = np.zeros(model.n_items, dtype=bool)
        wanted[shown] = True
        hits = added.entries[wanted[added.targets]]
        sources, weights, targets = (
            model.collab_rows[hits],
            model.collab_weights[hits],
            model.collab_items[hits],
        )
    else:
        runs = row_entries(model.collab_target_indptr, shown, to_shown)
        by_target_sources, by_target_weights = model.collab_by_target()
        sources = by_target_sources[runs]
        # most rows that reach a movie shown are of movies not rated: drop them first
        rated = np.flatnonzero(added.strengths[sources] != 0)
        sources, weights = sources[rated], by_target_weights[runs[rated]]
        targets = np.repeat(shown.astype(np.intp), to_shown)[rated]
    return strongest(model.n_items, targets, weights * added.strengths[sources], sources)


def strongest(n_items: int, targets, amounts, owners) -> np.ndarray:
    """Per movie, the owner with the largest positive amount for it (the first one given,
    among equal amounts); -1 where none."""
    best = np.full(n_items, -1, dtype=np.int64)
    keep = amounts > 0
    targets, owners, amounts = targets[keep], owners[keep], amounts[keep]
    if len(targets) == 0:
        return best
    if (targets[1:] < targets[:-1]).any():
        order = np.argsort(targets, kind="stable")
        targets, owners, amounts = targets[order], owners[order], amounts[order]
    # grouped by target: each group's largest amount, then the first entry that reaches it
    # (np.lexsort would do it in one line, but costs ten times as much in Pyodide; numpy's
    # Python-level helpers such as np.diff cost more than these calls)
    starts = np.flatnonzero(first_of_runs(targets))
    sizes = np.concatenate((starts[1:], [len(targets)])) - starts
    at_top = np.flatnonzero(amounts == np.repeat(np.maximum.reduceat(amounts, starts), sizes))
    first = at_top[first_of_runs(targets[at_top])]
    best[targets[first]] = owners[first]
    return best


def first_of_runs(values: np.ndarray) -> np.ndarray:
    """bool per value: whether it starts a run of equal values."""
    starts = np.empty(len(values), dtype=bool)
    starts[:1] = True
    np.not_equal(values[1:], values[:-1], out=starts[1:])
    return starts


def without_nan(values: np.ndarray) -> np.ndarray:
    """``values`` with NaN as 0."""
    return np.where(np.isnan(values), 0.0, values)
