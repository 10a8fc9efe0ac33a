"""Beyond accuracy: how generic a set of top-n lists is, as LensKit and RecBole report it.

- catalogue coverage: distinct movies across every list,
- popularity of a pick: mean training ratings of what is shown, and its self-information
  (-log2 of the share of users who rated it: higher is less obvious),
- intra-list diversity: mean genre (Jaccard) distance between two picks of one list,
- most-rated fillers: share of the picks that are among the ``top`` most-rated movies.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Catalogue:
    """What the measures need to know of each movie, from the training ratings."""

    ratings: Mapping[int, int]
    """movieId -> ratings in training (a movie absent has none)."""
    genres: Mapping[int, frozenset[str]]
    """movieId -> its genres."""
    users: int
    """Users in training: self-information is against their number."""
    most_rated: frozenset[int]
    """The movies that count as most-rated fillers."""

    @classmethod
    def of(cls, train: pd.DataFrame, movies: pd.DataFrame, top: int = 20) -> Catalogue:
        """From training ratings and the movies table (``genres`` as ``A|B|C``)."""
        counts = train["movieId"].value_counts()
        # the most-rated first, equal counts by the smaller movieId (as the site ranks them)
        order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        genres = {
            int(m): frozenset(g for g in str(text).split("|") if g != "(no genres listed)")
            for m, text in zip(movies["movieId"], movies["genres"], strict=True)
        }
        return cls(
            ratings={int(m): int(c) for m, c in counts.items()},
            genres=genres,
            users=int(train["userId"].nunique()),
            most_rated=frozenset(int(m) for m, _ in order[:top]),
        )


def catalogue_of_model(model, top: int = 20) -> Catalogue:
    """A ``Catalogue`` from a trained ``staticrec.scoring.Model``: its training counts, its
    genres and its users (equal counts ranked by the smaller movieId, as ``Catalogue.of``)."""
    ids, counts = model.item_ids.tolist(), model.n_ratings.tolist()
    order = sorted(range(len(ids)), key=lambda i: (-counts[i], ids[i]))
    return Catalogue(
        ratings={m: int(c) for m, c in zip(ids, counts, strict=True) if c > 0},
        genres={m: frozenset(model.genres.of(i)) for i, m in enumerate(ids)},
        users=len(model.user_ids),
        most_rated=frozenset(ids[i] for i in order[:top]),
    )


def genre_distance(a: frozenset[str], b: frozenset[str]) -> float:
    """1 - Jaccard similarity; two movies without genres are at distance 0."""
    union = len(a | b)
    return 1.0 - len(a & b) / union if union else 0.0


def beyond_accuracy(
    recommended: Mapping[int, Sequence[int]], catalogue: Catalogue, n: int
) -> dict[str, float]:
    """The beyond-accuracy figures of every user's top ``n``: ``movies`` (distinct),
    ``pick_ratings``, ``self_information``, ``diversity`` and ``most_rated_share``."""
    shown: set[int] = set()
    counts, information, distances, fillers = [], [], [], []
    empty: frozenset[str] = frozenset()
    for items in recommended.values():
        items = list(items)[:n]
        shown.update(items)
        for movie in items:
            count = catalogue.ratings.get(movie, 0)
            counts.append(count)
            # a movie no one rated in training counts as rated once: finite, and the rarest
            information.append(-math.log2(max(count, 1) / catalogue.users))
            fillers.append(movie in catalogue.most_rated)
        pairs = [
            genre_distance(catalogue.genres.get(a, empty), catalogue.genres.get(b, empty))
            for a, b in itertools.combinations(items, 2)
        ]
        if pairs:
            distances.append(sum(pairs) / len(pairs))

    def mean(values) -> float:
        return float(sum(values) / len(values)) if values else float("nan")

    return {
        "movies": len(shown),
        "pick_ratings": mean(counts),
        "self_information": mean(information),
        "diversity": mean(distances),
        "most_rated_share": mean(fillers),
    }
