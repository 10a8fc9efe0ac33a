"""Answers to a visitor: ranked lists from each model, fused into one list that says why.

Four lists can hold a movie (``fusion.LISTS``): the collaborative item index (EASE: what people
who rated the same movies also rated), SVD's popularity-aware prediction, the content neighbours
of the favourites, and the most-rated movies. Weighted Reciprocal Rank Fusion merges them for
a user of the dataset, a blend of standardised scores for a new visitor (``fusion.py``); each
fused movie carries the lists it came from and a reason in plain words per list, so the page
and ``staticrec recommend`` show the same reasoning.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from staticrec.scoring import collab as cf
from staticrec.scoring.collab_index import (
    Contributions,
    contributions,
    row_entries,
    row_lengths,
    strongest,
    strongest_sources,
)
from staticrec.scoring.content import content_scores, popularity_order
from staticrec.scoring.errors import ScoringError, UnknownUser
from staticrec.scoring.fusion import (
    LISTS,
    FusionParams,
    ListName,
    Ranked,
    blend,
    rrf,
    standardize,
)
from staticrec.scoring.model import Model, with_neighbors
from staticrec.scoring.ranking import first_n, top_n
from staticrec.scoring.schema import COLLAB_NEIGHBORS, CONTENT_NEIGHBORS
from staticrec.scoring.shards import MovieShards
from staticrec.scoring.titles import TitleIndex


def _user_fusion() -> FusionParams:
    return FusionParams(collab_weight=1.0, content_weight=0.25, popular_weight=0.25, depth=10)


def _visitor_fusion() -> FusionParams:
    return FusionParams(
        method="blend",
        collab_weight=0.1,
        svd_weight=0.4,
        content_weight=0.0,
        popular_weight=1.2,
        favorite_weight=0.25,
    )


MOVIELENS_SCALE = (0.5, 5.0)


def on_scale(value: float, scale: tuple[float, float]) -> float:
    """A rating given on MovieLens's 0.5-5 scale, mapped linearly onto ``scale`` (unchanged on
    MovieLens's own): ``ScoringConfig``'s ratings are written on that scale."""
    (low, high), (ml_low, ml_high) = scale, MOVIELENS_SCALE
    return low + (value - ml_low) * (high - low) / (ml_high - ml_low)


@dataclass(frozen=True)
class ScoringConfig:
    """How answers are computed; the defaults are measured choices (see the README). Ratings
    here are on MovieLens's 0.5-5 scale; other scales map them linearly (``on_scale``)."""

    fusion: FusionParams = field(default_factory=_user_fusion)
    """The fusion for a known user of the dataset (chosen on a validation split)."""
    visitor_fusion: FusionParams = field(default_factory=_visitor_fusion)
    """The fusion for a new visitor (chosen on validation visitors). A handful of ratings
    leaves the collaborative lists unsure; the blend leans on SVD's fold-in and keeps some of
    the most-rated list, whatever the number of ratings (validation found no gain in varying
    the blend with it)."""
    collab_rating_offset: float | None = 2.5
    """How much each rated movie's EASE row counts: ``rating - offset`` (a low rating then
    pushes its neighbours down), or 1 for every rated movie when None (binary, as EASE is
    trained)."""
    collab_recency: float | None = 0.5
    """Recent ratings count more: each row is also weighed by ``exp(-from_end / (h x n))``
    (from_end: how many of the n ratings came later); None weighs them all alike."""
    svd_popularity: float = 0.0
    """beta in the SVD list's ``prediction x n_ratings^beta``: SVD trained for RMSE ranks
    movies with a few enthusiastic ratings first; beta > 0 pulls better-known movies up."""
    fold_in_factor_reg: float = 5.0
    """Penalty on a new visitor's vector |pu|^2; high, since a handful of ratings overfit."""
    fold_in_bias_reg: float = 5.0
    """Penalty on a new visitor's bias bu^2."""
    popularity_damping: float = 10.0
    """Pseudo-ratings at the global mean added to each movie's mean for the best-rated list."""
    like_threshold: float = 4.0
    """A visitor's rating at or above this makes the movie a favourite when none is given."""

    def fusion_for(self, mode: str, named_favorite: bool) -> FusionParams:
        """The fusion of one answer: by who asks, and whether they named a favourite."""
        params = self.fusion if mode == "user" else self.visitor_fusion
        if named_favorite and params.content_weight < params.favorite_weight:
            params = replace(params, content_weight=params.favorite_weight)
        return params


@dataclass(frozen=True)
class Item:
    """A movie in an answer, with every score that explains its place."""

    movie_id: int
    title: str
    score: float | None = None
    """The fused score, in the fused list; the list's own score in a single list."""
    ranks: dict[str, int] = field(default_factory=dict)
    """1-based rank in each list that holds it: collab, svd, content, popular."""
    predicted_rating: float | None = None
    """SVD's prediction for this visitor, clipped to the scale (None when it has none)."""
    similarity: float | None = None
    """Content similarity to the favourites (summed over several)."""
    why: list[str] = field(default_factory=list)
    """One reason in plain words per list that put it here."""

    def as_dict(self) -> dict:
        return {**vars(self), "ranks": dict(self.ranks), "why": list(self.why)}


@dataclass(frozen=True)
class Answer:
    """A fused top-n, each list it was fused from, and what the request turned into."""

    mode: str
    """``user`` (known userId), ``visitor`` (ratings given) or ``popular`` (no ratings)."""
    hybrid: list[Item]
    lists: dict[str, list[Item]]
    """Each list's own top n, by name (``fusion.LISTS``): the item index's, the content list
    when there are favourites, and every list the fusion weighs."""
    favorites: list[Item]
    """The movies whose neighbours made the content list."""
    ignored: list[int] = field(default_factory=list)
    """movieIds in the request that the model does not know."""

    def as_dict(self) -> dict:
        """The answer as plain dicts and lists, as ``dataclasses.asdict`` gives it, at a
        fraction of its cost (it deep-copies value by value: a third of a millisecond an
        answer in Pyodide)."""
        return {
            "mode": self.mode,
            "hybrid": [item.as_dict() for item in self.hybrid],
            "lists": {
                name: [item.as_dict() for item in items] for name, items in self.lists.items()
            },
            "favorites": [item.as_dict() for item in self.favorites],
            "ignored": list(self.ignored),
        }


@dataclass(frozen=True)
class Request:
    """What one answer is computed from, as item positions (``user_request``,
    ``visitor_request``); the evaluation reuses one for many fusion settings."""

    mode: str
    rated: np.ndarray
    ratings: np.ndarray
    from_end: np.ndarray
    """Per rating, how many came later (0: the latest)."""
    favorites: np.ndarray
    named_favorite: bool
    """Whether the favourites were named in the request (not the default ones)."""
    svd: np.ndarray
    """Raw SVD predictions for every item (NaN without factors)."""
    added: Contributions | None = None
    """What the rated movies add through the item index, when already known."""
    added_rule: tuple[float | None, float | None] | None = None
    """The rule ``added`` was computed under (``Recommender.strength_rule``): a recommender
    weighing the rated movies otherwise computes its own."""


class Recommender:
    """Every kind of answer the site and the CLI give, over one Model."""

    def __init__(
        self,
        model: Model,
        config: ScoringConfig | None = None,
        known_users: tuple[int, int, int] | None = None,
    ) -> None:
        """``known_users``: how many users the dataset has, and their lowest and highest id,
        when ``model`` holds only some of them (the browser's, a shard at a time); by default,
        the model's own."""
        self.model = model
        self.config = config or ScoringConfig()
        ids = model.user_ids  # ascending
        own = (len(ids), int(ids[0]), int(ids[-1])) if len(ids) else (0, 0, 0)
        self.known_users = known_users or own
        self._popularity_order = popularity_order(model.n_ratings, model.item_ids)
        self.popularity_rank = np.empty(model.n_items, dtype=np.int64)
        self.popularity_rank[self._popularity_order] = np.arange(model.n_items)
        self._best_rated = cf.popularity_scores(model, self.config.popularity_damping)
        self._most_rated = np.log1p(model.n_ratings.astype(np.float64))
        self._known = model.n_ratings > 0
        self._most_rated_z = standardize(self._most_rated, self._known)
        self._svd_boost = np.power(np.maximum(model.n_ratings, 1.0), self.config.svd_popularity)
        self._titles: TitleIndex | None = None
        self._last_user: tuple[int, np.ndarray, Contributions] | None = None
        self.movie_shards: MovieShards | None = None
        """The neighbour shards loaded so far, when the model holds only some (the browser's);
        None when it holds every row (CPython)."""

    def with_users_of(self, model: Model) -> Recommender:
        """This recommender over ``model``, which differs from its own in the known users only
        (``scoring.model.with_users``): the work done here on the catalogue is kept, not redone."""
        other = object.__new__(type(self))
        other.__dict__.update(vars(self), model=model, _last_user=None)
        return other

    def with_movie_shards(self, shards: MovieShards) -> Recommender:
        """This recommender with the neighbour rows of ``shards`` (``scoring.shards``): the
        catalogue and the known users are kept, the rows read by the last user are not."""
        other = object.__new__(type(self))
        model = with_neighbors(self.model, shards.columns())
        other.__dict__.update(vars(self), model=model, movie_shards=shards, _last_user=None)
        return other

    def shards_missing(self, rows: Mapping[str, np.ndarray]) -> dict[str, list[int]]:
        """The neighbour shards holding ``rows`` (``rows_read``) not loaded yet: none when the
        model holds every row."""
        if self.movie_shards is None:
            return {}
        places = {name: self.popularity_rank[at] for name, at in rows.items()}
        return self.movie_shards.missing(places)

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
        """Highest damped mean rating first (the home page's best-rated list)."""
        chosen = top_n(self._best_rated, n, exclude=exclude, tie_rank=self.popularity_rank)
        return [self._item(p, score=float(self._best_rated[p])) for p in chosen]

    def most_rated(self, n: int, exclude: np.ndarray | None = None) -> list[Item]:
        """Most ratings first."""
        chosen = first_n(self._popularity_order, n, exclude=exclude)
        return [self._item(p, score=float(self.model.n_ratings[p])) for p in chosen]

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
        """Fused list for a known user; without favourites, their highest-rated movie is used."""
        request, ignored = self.user_request(user_id, favorites)
        return self._answer(request, ignored)

    def for_visitor(self, ratings: Mapping[int, float], favorites: Iterable[int] = ()) -> Answer:
        """Fused list for a new visitor from a few (movieId, rating) pairs, folded into the model.

        Unknown movieIds are ignored and reported in ``Answer.ignored``. With no usable
        rating, the answer is the most-rated movies (and the favourites' neighbours).
        """
        request, ignored = self.visitor_request(ratings, favorites)
        return self._answer(request, ignored)

    def user_request(self, user_id: int, favorites: Iterable[int] = ()) -> tuple[Request, list]:
        """A known user's rated movies and SVD scores, and the favourites it names."""
        user = self.model.user_position(int(user_id))
        if user < 0:
            count, lowest, highest = self.known_users
            raise UnknownUser(
                f"Unknown userId {user_id}: the model knows {count:,} users, "
                f"with ids from {lowest} to {highest}."
                if count
                else f"Unknown userId {user_id}: the model knows no users."
            )
        rated, ratings = self.model.rated_by(user)
        from_end = self.model.recency_of(user)
        svd, added = self._known_user(user)
        favorite_pos, named, ignored = self._favorites(favorites, rated, ratings, liked_only=False)
        request = Request(
            "user", rated, ratings, from_end, favorite_pos, named, svd, added, self.strength_rule
        )
        return request, ignored

    def _known_user(self, user: int) -> tuple[np.ndarray, Contributions]:
        """A known user's SVD scores and item-index contributions. Favourites change neither,
        so the user on the page (the last one asked for) keeps them, read-only, while the
        visitor tries favourites: each such answer then skips a third of the work."""
        if self._last_user is None or self._last_user[0] != user:
            rated, ratings = self.model.rated_by(user)
            svd = cf.raw_scores(self.model, *cf.known_user_factors(self.model, user))
            strengths = self._strengths(ratings, self.model.recency_of(user))
            added = contributions(self.model, rated, strengths)
            for array in (svd, added.scores, added.strengths, added.entries, added.targets):
                if array is not None:
                    array.flags.writeable = False
            self._last_user = (user, svd, added)
        return self._last_user[1], self._last_user[2]

    def rows_read(
        self,
        user_id: int | None = None,
        ratings: Mapping[int, float] | None = None,
        favorites: Iterable[int] = (),
    ) -> dict[str, np.ndarray]:
        """The movies (positions) whose neighbour rows an answer to a known user or to a visitor
        reads, by table: the rated movies' EASE rows and the favourites' content rows. Cheap,
        and nothing is checked here: a request the answer refuses reads no rows."""
        if user_id is not None:
            user = self.model.user_position(int(user_id))
            if user < 0:
                return {}
            rated, values = self.model.rated_by(user)
        else:
            ratings = ratings or {}
            positions = self.model.positions([int(m) for m in ratings])
            values = np.array([float(r) for r in ratings.values()], dtype=np.float64)
            rated, values = positions[positions >= 0], values[positions >= 0]
        chosen, _, _ = self._favorites(favorites, rated, values, liked_only=user_id is None)
        return {COLLAB_NEIGHBORS.name: rated, CONTENT_NEIGHBORS.name: chosen}

    def visitor_request(
        self, ratings: Mapping[int, float], favorites: Iterable[int] = ()
    ) -> tuple[Request, list]:
        """A visitor's rated movies, folded-in SVD scores, and the favourites it names."""
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
        mode = "visitor" if len(rated) else "popular"
        bias, vector = cf.fold_in(
            self.model,
            rated,
            values,
            factor_reg=self.config.fold_in_factor_reg,
            bias_reg=self.config.fold_in_bias_reg,
        )
        svd = cf.raw_scores(self.model, bias, vector)
        if not self.model.has_factors[rated].any():
            svd = np.full(self.model.n_items, np.nan)  # nothing to fold in: no SVD list
        favorite_pos, named, unknown = self._favorites(favorites, rated, values, liked_only=True)
        from_end = np.arange(len(rated))[::-1]  # the order given: the last rating is the latest
        request = Request(mode, rated, values, from_end, favorite_pos, named, svd)
        return request, ignored + unknown

    def _seen(self, request: Request) -> np.ndarray:
        """What no list may recommend: the movies rated, and the favourites."""
        seen = np.zeros(self.model.n_items, dtype=bool)
        seen[request.rated] = True
        seen[request.favorites] = True
        return seen

    def ranked_lists(
        self, request: Request, depth: int, scores: Mapping[ListName, np.ndarray] | None = None
    ) -> dict[ListName, np.ndarray]:
        """Each list's top ``depth`` positions, best first; nothing rated or favoured in any."""
        seen = self._seen(request)
        scores = scores if scores is not None else self.list_scores(request)
        return {name: self._top(scores[name], depth, seen) for name in LISTS}

    def _top(self, scores: np.ndarray, depth: int, seen: np.ndarray) -> np.ndarray:
        if scores is self._most_rated:  # static: ranked once, in popularity_order
            return first_n(self._popularity_order, depth, exclude=seen)
        return top_n(scores, depth, exclude=seen, tie_rank=self.popularity_rank)

    @property
    def strength_rule(self) -> tuple[float | None, float | None]:
        """What sets how much each rated movie's row counts (``_strengths``)."""
        return self.config.collab_rating_offset, self.config.collab_recency

    def contributions(self, request: Request) -> Contributions:
        """What the request's rated movies add to each movie through the item index."""
        if request.added is not None and request.added_rule == self.strength_rule:
            return request.added
        strengths = self._strengths(request.ratings, request.from_end)
        return contributions(self.model, request.rated, strengths)

    def list_scores(
        self, request: Request, added: Contributions | None = None
    ) -> dict[ListName, np.ndarray]:
        """Every list's score for every movie (NaN: not in that list)."""
        added = added if added is not None else self.contributions(request)
        return {
            "collab": added.scores,
            "svd": request.svd * self._svd_boost if self.config.svd_popularity else request.svd,
            "content": content_scores(self.model, request.favorites),
            "popular": self._most_rated,
        }

    def _strengths(self, ratings: np.ndarray, from_end: np.ndarray) -> np.ndarray | None:
        """How much each rated movie's EASE row counts, from its rating and how many ratings
        came after it (None: 1 each)."""
        offset, recency = self.config.collab_rating_offset, self.config.collab_recency
        if offset is None and recency is None:
            return None
        if offset is not None:
            offset = on_scale(offset, self.model.rating_scale)
        strengths = np.ones(len(ratings)) if offset is None else ratings - offset
        if recency is not None and len(ratings):
            strengths = strengths * np.exp(-from_end / (recency * len(ratings)))
        return strengths

    def fusion_of(self, request: Request) -> FusionParams:
        """The fusion this request gets (``ScoringConfig.fusion_for``)."""
        return self.config.fusion_for(request.mode, request.named_favorite)

    def fuse(
        self,
        request: Request,
        params: FusionParams | None = None,
        scores: Mapping[ListName, np.ndarray] | None = None,
        lists: Mapping[ListName, np.ndarray] | None = None,
    ) -> list[tuple[int, float, dict[ListName, int]]]:
        """The fused top n: (position, fused score, its rank in each list that ranks it within
        ``label_depth``).

        ``scores`` and ``lists`` (deep enough for ``params``) may be passed in when one request
        is fused many ways, as the evaluation's sweeps do.
        """
        params = params or self.fusion_of(request)
        scores = scores if scores is not None else self.list_scores(request)
        if lists is None:
            lists = self.ranked_lists(request, max(params.depth, params.n), scores)
        # Python ints, not numpy scalars: per-element numpy work is slow, in Pyodide above all
        places = {
            name: {p: rank for rank, p in enumerate(positions[: params.label_depth].tolist(), 1)}
            for name, positions in lists.items()
        }
        if params.method == "rrf":
            fused = rrf(self.ranked_entries(lists, scores, params.depth), params)
            top = self.model.positions([f.movie_id for f in fused])
            combined = dict(zip(top.tolist(), (f.score for f in fused), strict=True))
        else:
            fixed = {"popular": self._most_rated_z} if scores["popular"] is self._most_rated else {}
            blended = blend(scores, self._known, params, fixed)
            top = top_n(
                blended, params.n, exclude=self._seen(request), tie_rank=self.popularity_rank
            )
            combined = blended
        return [
            (p, float(combined[p]), {n: r[p] for n, r in places.items() if p in r})
            for p in top.tolist()
        ]

    # -- shared ---------------------------------------------------------------------------------

    def _answer(self, request: Request, ignored: list[int]) -> Answer:
        params = self.fusion_of(request)
        added = self.contributions(request)
        scores = self.list_scores(request, added)
        lists = self.ranked_lists(request, max(params.depth, params.n, params.label_depth), scores)
        fused = self.fuse(request, params, scores, lists)
        shown_lists = self._shown_lists(request, params)
        on_screen = [p for p, _, _ in fused]
        on_screen += [p for name in shown_lists for p in lists[name][: params.n]]
        on_screen = np.unique(np.asarray(on_screen, dtype=np.int64))
        sources = self._sources(request, added, on_screen)
        # every value an item shows, read for the movies on screen in one gather per array:
        # numpy's per-element indexing is slow, in Pyodide above all
        keys = on_screen.tolist()

        def per_movie(values: np.ndarray) -> dict[int, float]:
            return dict(zip(keys, values[on_screen].tolist(), strict=True))

        svd, similarity = per_movie(request.svd), per_movie(scores["content"])
        collab_source, content_source = per_movie(sources["collab"]), per_movie(sources["content"])
        low, high = self.model.rating_scale

        def item(position: int, score: float, ranks: Mapping[str, int]) -> Item:
            predicted = _maybe(svd[position])  # clipped to the scale, as Surprise reports it
            predicted = None if predicted is None else min(max(predicted, low), high)
            return self._item(
                position,
                score=_maybe(score),
                ranks=dict(ranks),
                predicted_rating=predicted,
                similarity=_maybe(similarity[position]),
                why=self._reasons(
                    ranks, position, predicted, collab_source[position], content_source[position]
                ),
            )

        hybrid = [item(p, score, ranks) for p, score, ranks in fused]
        shown = {
            name: [
                item(p, score, {name: rank})
                for rank, (p, score) in enumerate(
                    zip(top.tolist(), scores[name][top].tolist(), strict=True), 1
                )
            ]
            for name, positions in lists.items()
            if len(positions) and name in shown_lists
            for top in [positions[: params.n]]
        }
        return Answer(
            mode=request.mode,
            hybrid=hybrid,
            lists=shown,
            favorites=[self._item(p) for p in request.favorites.tolist()],
            ignored=ignored,
        )

    def ranked_entries(self, lists, scores, depth: int | None = None) -> dict[ListName, list]:
        """Ranked lists of positions as ``rrf`` takes them: movieIds with their scores."""
        ids = self.model.item_ids
        return {
            name: [Ranked(int(ids[p]), float(scores[name][p])) for p in positions[:depth]]
            for name, positions in lists.items()
        }

    def _reasons(
        self,
        ranks,
        position: int,
        predicted: float | None,
        collab_source: int,
        content_source: int,
    ) -> list[str]:
        """Why a movie is in the answer, one sentence per list that holds it (``predicted``:
        the rating shown, None without one; a source is -1 where nothing brought it)."""
        why = []
        if "collab" in ranks and collab_source >= 0:
            why.append(f"people who rated {self.model.titles[collab_source]} also rated it")
        if "svd" in ranks and predicted is not None:
            why.append(f"predicted {predicted:.1f}★ for you")
        if "content" in ranks and content_source >= 0:
            why.append(f"similar to {self.model.titles[content_source]}")
        if "popular" in ranks:
            count = int(self.model.n_ratings[position])
            why.append(f"one of the most rated ({count:,} rating{'' if count == 1 else 's'})")
        return why

    def _shown_lists(self, request: Request, params: FusionParams) -> set[str]:
        """The single lists an answer carries beside the fused one: the item index's (the page
        shows it), the content list when there are favourites, and any list fused in."""
        shown = {name for name, weight in params.weights().items() if weight > 0}
        shown.add("collab")
        if len(request.favorites):
            shown.add("content")  # also when the fusion does not weigh it (a visitor's)
        else:
            shown.discard("content")
        return shown

    def _sources(
        self, request: Request, added: Contributions, shown: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Per movie shown, what put it in the collaborative and content lists, as positions
        (-1: nothing): the rated movie that adds the most to it through the item index, and
        the favourite that lists it with the highest similarity."""
        model = self.model
        wanted = np.zeros(model.n_items, dtype=bool)
        wanted[shown] = True
        favorites = request.favorites
        lengths = row_lengths(model.neighbor_indptr, favorites)
        entries = row_entries(model.neighbor_indptr, favorites, lengths)
        on_screen = np.flatnonzero(wanted[model.neighbor_items[entries]])
        owners = favorites[np.searchsorted(np.cumsum(lengths), on_screen, side="right")]
        entries = entries[on_screen]
        return {
            "collab": strongest_sources(model, added, shown),
            "content": strongest(
                model.n_items, model.neighbor_items[entries], model.neighbor_sims[entries], owners
            ),
        }

    def _favorites(
        self,
        favorites: Iterable[int],
        rated: np.ndarray,
        ratings: np.ndarray,
        *,
        liked_only: bool,
    ) -> tuple[np.ndarray, bool, list[int]]:
        """The favourites given (known ones, each once, in order) or the default ones; whether
        they were given; the unknown ids among them."""
        favorite_ids = [int(f) for f in favorites]
        positions = self.model.positions(favorite_ids)
        unknown = [f for f, p in zip(favorite_ids, positions, strict=True) if p < 0]
        positions = positions[positions >= 0]
        _, first = np.unique(positions, return_index=True)
        positions = positions[np.sort(first)]  # each favourite once, in the given order
        if len(positions):
            return positions, True, unknown
        return self._default_favorites(rated, ratings, liked_only=liked_only), False, unknown

    def _default_favorites(
        self, rated: np.ndarray, ratings: np.ndarray, *, liked_only: bool
    ) -> np.ndarray:
        """A known user's single highest-rated movie; a visitor's liked movies (or their best)."""
        if len(rated) == 0:
            return np.empty(0, dtype=np.int64)
        if liked_only:
            liked = rated[ratings >= on_scale(self.config.like_threshold, self.model.rating_scale)]
            if len(liked):
                return np.unique(liked)
        best = np.lexsort((self.popularity_rank[rated], -ratings))[0]
        return rated[best : best + 1]

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
    return None if math.isnan(value) else value
