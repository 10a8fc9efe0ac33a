"""Answers to a visitor: a known user's or a new visitor's CF list, a content list, their fusion.

Each answer carries both input lists and, per fused movie, why it is there, so the page (and the
``staticrec recommend`` command) can show the reasoning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from staticrec.scoring import collab as cf
from staticrec.scoring.content import content_scores, popularity_rank
from staticrec.scoring.errors import ScoringError, UnknownUser
from staticrec.scoring.fusion import FusionParams, Ranked, rrf
from staticrec.scoring.model import Model
from staticrec.scoring.ranking import top_n
from staticrec.scoring.titles import TitleIndex


@dataclass(frozen=True)
class ScoringConfig:
    """How answers are computed; the defaults are measured choices (see the README)."""

    fusion: FusionParams = field(default_factory=FusionParams)
    """The RRF rule's weights, k and list lengths (the seed's defaults)."""
    fold_in_factor_reg: float = 5.0
    """Penalty on a new visitor's vector |pu|^2; high, since a handful of ratings overfit."""
    fold_in_bias_reg: float = 5.0
    """Penalty on a new visitor's bias bu^2."""
    cf_min_ratings: int = 50
    """The CF list only holds movies with at least this many ratings. SVD trained for RMSE
    ranks movies with a few high ratings first; on ml-latest-small this floor, chosen on a
    validation split, lifts the CF list's NDCG@10 from 0.006 to 0.065 (README, "Evaluation")."""
    popularity_damping: float = 10.0
    """Pseudo-ratings at the global mean added to each movie's mean for the popularity list."""
    like_threshold: float = 4.0
    """A visitor's rating at or above this makes the movie a favourite when none is given."""


@dataclass(frozen=True)
class Item:
    """A movie in an answer, with every score that explains its place."""

    movie_id: int
    title: str
    predicted_rating: float | None = None
    """CF prediction clipped to the scale (or the damped mean in popularity mode)."""
    similarity: float | None = None
    """Content score: similarity to the favourite (summed over favourites)."""
    score: float | None = None
    """RRF score, in the hybrid list."""
    cf_rank: int | None = None
    content_rank: int | None = None


@dataclass(frozen=True)
class Answer:
    """A hybrid top-n, the two lists it was fused from, and what the request turned into."""

    mode: str
    """``user`` (known userId), ``visitor`` (folded-in ratings) or ``popular`` (no ratings)."""
    hybrid: list[Item]
    cf: list[Item]
    content: list[Item]
    favorites: list[Item]
    """The movies whose neighbours made the content list."""
    ignored: list[int] = field(default_factory=list)
    """movieIds in the request that the model does not know."""

    def as_dict(self) -> dict:
        return asdict(self)


class Recommender:
    """Every kind of answer the site and the CLI give, over one Model."""

    def __init__(self, model: Model, config: ScoringConfig | None = None) -> None:
        self.model = model
        self.config = config or ScoringConfig()
        self.popularity_rank = popularity_rank(model)
        self._popularity = cf.popularity_scores(model, self.config.popularity_damping)
        self._too_few_ratings = model.n_ratings < self._cf_floor()
        self._titles: TitleIndex | None = None

    def _cf_floor(self) -> int:
        """``cf_min_ratings``, lowered on a catalogue where too few movies reach it.

        The floor was chosen on ml-latest-small; on a smaller dataset it could leave the CF list
        empty. It never excludes the 20 x cf_length most-rated movies.
        """
        counts = np.sort(self.model.n_ratings)[::-1]
        if len(counts) == 0:
            return 0
        keep = min(len(counts), 20 * self.config.fusion.cf_length)
        return int(min(self.config.cf_min_ratings, counts[keep - 1]))

    @property
    def titles(self) -> TitleIndex:
        """Title lookup, built on first use (the browser never needs it, so never pays for it)."""
        if self._titles is None:
            self._titles = TitleIndex(
                self.model.titles, self.model.item_ids.tolist(), self.popularity_rank
            )
        return self._titles

    # -- single lists ---------------------------------------------------------------------------

    def popular(self, n: int, exclude: np.ndarray | None = None) -> list[Item]:
        """Highest damped mean rating first."""
        chosen = top_n(self._popularity, n, exclude=exclude, tie_rank=self.popularity_rank)
        return [self._item(p, predicted_rating=float(self._popularity[p])) for p in chosen]

    def most_rated(self, n: int) -> list[Item]:
        """Most ratings first."""
        chosen = np.argsort(self.popularity_rank)[:n]
        return [self._item(p) for p in chosen]

    def similar(self, movie_id: int, n: int | None = None) -> list[Item]:
        """The stored content neighbours of one movie, best first."""
        position = self._position(movie_id)
        items, sims = self.model.neighbors_of(position)
        stop = len(items) if n is None else n
        return [
            self._item(p, similarity=float(s))
            for p, s in zip(items[:stop], sims[:stop], strict=True)
        ]

    # -- answers --------------------------------------------------------------------------------

    def for_user(self, user_id: int, favorites: Iterable[int] = ()) -> Answer:
        """Hybrid for a known user; without favourites, their highest-rated movie is used."""
        user = self.model.user_position(int(user_id))
        if user < 0:
            ids = self.model.user_ids
            raise UnknownUser(
                f"Unknown userId {user_id}: the model knows {len(ids)} users, "
                f"with ids from {ids.min()} to {ids.max()}."
            )
        rated, ratings = self.model.rated_by(user)
        bias, vector = cf.known_user_factors(self.model, user)
        scores = cf.raw_scores(self.model, bias, vector)
        return self._answer("user", scores, rated, ratings, favorites, ignored=[])

    def for_visitor(self, ratings: Mapping[int, float], favorites: Iterable[int] = ()) -> Answer:
        """Hybrid for a new visitor from a few (movieId, rating) pairs, folded into the model.

        Unknown movieIds are ignored and reported in ``Answer.ignored``. With no usable
        rating, the CF list is the popularity ranking.
        """
        low, high = self.model.rating_scale
        ids = [int(m) for m in ratings]
        values = np.array([float(ratings[m]) for m in ratings], dtype=np.float64)
        bad = [m for m, v in zip(ids, values, strict=True) if not low <= v <= high]
        if bad:
            raise ScoringError(f"Ratings must lie between {low} and {high} (movieId {bad[0]}).")
        positions = self.model.positions(ids)
        known = positions >= 0
        ignored = [m for m, ok in zip(ids, known, strict=True) if not ok]
        rated, values = positions[known], values[known]
        if not self.model.has_factors[rated].any():
            return self._answer("popular", self._popularity, rated, values, favorites, ignored)
        bias, vector = cf.fold_in(
            self.model,
            rated,
            values,
            factor_reg=self.config.fold_in_factor_reg,
            bias_reg=self.config.fold_in_bias_reg,
        )
        scores = cf.raw_scores(self.model, bias, vector)
        return self._answer("visitor", scores, rated, values, favorites, ignored)

    # -- shared ---------------------------------------------------------------------------------

    def _answer(
        self,
        mode: str,
        cf_scores: np.ndarray,
        rated: np.ndarray,
        ratings: np.ndarray,
        favorites: Iterable[int],
        ignored: list[int],
    ) -> Answer:
        fusion = self.config.fusion
        favorite_ids = [int(f) for f in favorites]
        favorite_pos = self.model.positions(favorite_ids)
        ignored = ignored + [f for f, p in zip(favorite_ids, favorite_pos, strict=True) if p < 0]
        favorite_pos = favorite_pos[favorite_pos >= 0]
        _, first = np.unique(favorite_pos, return_index=True)
        favorite_pos = favorite_pos[np.sort(first)]  # each favourite once, in the given order
        if len(favorite_pos) == 0:
            favorite_pos = self._default_favorites(rated, ratings, liked_only=mode != "user")

        # Neither list recommends what the visitor rated or named as a favourite.
        seen = np.zeros(self.model.n_items, dtype=bool)
        seen[rated] = True
        seen[favorite_pos] = True
        cf_top = top_n(cf_scores, fusion.cf_length, exclude=seen | self._too_few_ratings)
        similarity = content_scores(self.model, favorite_pos)
        content_top = top_n(
            similarity, fusion.content_length, exclude=seen, tie_rank=self.popularity_rank
        )
        fused = rrf(
            [Ranked(int(self.model.item_ids[p]), cf_scores[p]) for p in cf_top],
            [Ranked(int(self.model.item_ids[p]), similarity[p]) for p in content_top],
            fusion,
        )
        shown = self._shown_rating(mode, cf_scores)
        hybrid = []
        for entry in fused:
            p = int(self.model.positions([entry.movie_id])[0])
            hybrid.append(
                self._item(
                    p,
                    predicted_rating=shown(p),
                    similarity=_maybe(similarity[p]),
                    score=entry.score,
                    cf_rank=entry.cf_rank,
                    content_rank=entry.content_rank,
                )
            )
        return Answer(
            mode=mode,
            hybrid=hybrid,
            cf=[
                self._item(p, predicted_rating=shown(p), cf_rank=r) for r, p in enumerate(cf_top, 1)
            ][: fusion.n],
            content=[
                self._item(p, similarity=float(similarity[p]), content_rank=r)
                for r, p in enumerate(content_top, 1)
            ][: fusion.n],
            favorites=[self._item(p) for p in favorite_pos],
            ignored=ignored,
        )

    def _default_favorites(
        self, rated: np.ndarray, ratings: np.ndarray, *, liked_only: bool
    ) -> np.ndarray:
        """A known user's single highest-rated movie; a visitor's liked movies (or their best)."""
        if len(rated) == 0:
            return np.empty(0, dtype=np.int64)
        if liked_only:
            liked = rated[ratings >= self.config.like_threshold]
            if len(liked):
                return np.unique(liked)
        best = np.lexsort((self.popularity_rank[rated], -ratings))[0]
        return rated[best : best + 1]

    def _shown_rating(self, mode: str, cf_scores: np.ndarray):
        if mode == "popular":
            return lambda p: _maybe(cf_scores[p])
        clipped = cf.clip_rating(self.model, cf_scores)
        return lambda p: _maybe(clipped[p])

    def _position(self, movie_id: int) -> int:
        position = int(self.model.positions([movie_id])[0])
        if position < 0:
            raise ScoringError(f"Unknown movieId {movie_id}.")
        return position

    def _item(self, position: int, **scores) -> Item:
        position = int(position)
        return Item(int(self.model.item_ids[position]), self.model.titles[position], **scores)


def _maybe(value: float) -> float | None:
    """A float, or None for NaN (a score that does not exist)."""
    value = float(value)
    return None if np.isnan(value) else value
