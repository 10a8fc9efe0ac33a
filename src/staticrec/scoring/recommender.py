"""Answers to a visitor: ranked lists from each model, fused into one list that says why.

Four lists can hold a movie (``fusion.LISTS``): the collaborative item index (EASE: what people
who rated the same movies also rated), SVD's popularity-aware prediction, the content neighbours
of the favourites, and the most-rated movies. Weighted Reciprocal Rank Fusion merges them for
a user of the dataset, a blend of standardised scores for a new visitor (``fusion.py``); each
fused movie carries the lists it came from, a reason in plain words per list and one short
reason (``reasons``, ``assemble``), so the page and ``staticrec recommend`` show the same
reasoning. ``Options`` hide movies, keep to a genre and a decade over the whole catalogue, or
make one list for two people (``together``), or re-rank it towards less popular movies
(``niche``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np

from staticrec.scoring import collab as cf
from staticrec.scoring.answer import Answer
from staticrec.scoring.assemble import Explainer
from staticrec.scoring.catalogue import CatalogueLists
from staticrec.scoring.collab_index import Contributions, contributions, with_rows, without_nan
from staticrec.scoring.columns import with_neighbors
from staticrec.scoring.config import ScoringConfig
from staticrec.scoring.content import content_scores, popularity_order
from staticrec.scoring.errors import UnknownUser
from staticrec.scoring.fusion import (
    LISTS,
    FusionParams,
    ListName,
    Ranked,
    blend,
    ranked_positions,
    rrf_ranked,
    standardize,
    with_ranks,
)
from staticrec.scoring.model import Model
from staticrec.scoring.niche import niche_order, pool_size
from staticrec.scoring.options import Options, with_options
from staticrec.scoring.ranking import first_n, top_n
from staticrec.scoring.reasons import lists_shown
from staticrec.scoring.requests import (
    Request,
    favorites_of,
    hidden_rows,
    row_strengths,
    rows_read,
    seen_mask,
    visitor_request,
)
from staticrec.scoring.shards import MovieShards
from staticrec.scoring.together import together_answer


class Recommender(CatalogueLists):
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
        self.known_movies = model.n_ratings > 0
        """The movies with ratings: the only ones a blend of scores ranks."""
        self._most_rated_z = standardize(self._most_rated, self.known_movies)
        self._svd_boost = np.power(np.maximum(model.n_ratings, 1.0), self.config.svd_popularity)
        self._titles = None
        self._last_user: tuple[int, np.ndarray, Contributions] | None = None
        self.movie_shards: MovieShards | None = None
        """The neighbour shards loaded so far, when the model holds only some (the browser's);
        None when it holds every row (CPython)."""

    def with_users_of(self, model: Model) -> Recommender:
        """This recommender over ``model``, which differs from its own in the known users or the
        movie factors only (``scoring.columns.with_users``, ``with_item_factors``): the work
        done here on the catalogue is kept, not redone."""
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

    def for_user(
        self,
        user_id: int,
        favorites: Iterable[int] = (),
        *,
        hidden: Iterable[int] = (),
        genre: str | None = None,
        decade: int | None = None,
        together: Mapping[int, float] | Iterable[tuple[int, float]] | None = None,
        niche: int = 0,
    ) -> Answer:
        """Fused list for a known user; without favourites, their highest-rated movie is used.

        ``hidden``, ``genre``, ``decade``, ``together`` and ``niche`` are the answer's
        ``Options``.
        """
        options = Options.of(hidden, genre, decade, together, niche)
        request, ignored = self.user_request(user_id, favorites, options)
        return self.answer(request, ignored, options)

    def for_visitor(
        self,
        ratings: Mapping[int, float],
        favorites: Iterable[int] = (),
        *,
        hidden: Iterable[int] = (),
        genre: str | None = None,
        decade: int | None = None,
        together: Mapping[int, float] | Iterable[tuple[int, float]] | None = None,
        niche: int = 0,
    ) -> Answer:
        """Fused list for a new visitor from a few (movieId, rating) pairs, folded into the model.

        Unknown movieIds are ignored and reported in ``Answer.ignored``. With no usable
        rating, the answer is the most-rated movies (and the favourites' neighbours).
        ``hidden``, ``genre``, ``decade``, ``together`` and ``niche`` are the answer's
        ``Options``.
        """
        options = Options.of(hidden, genre, decade, together, niche)
        request, ignored = self.visitor_request(ratings, favorites, options)
        return self.answer(request, ignored, options)

    def answer(self, request: Request, ignored: list[int], options: Options) -> Answer:
        """The answer to ``request`` (made with ``options``): one person's, or with
        ``options.together`` one list for them and a second person."""
        if options.together is None:
            return self._answer(request, ignored, options.niche)
        second, unknown = self.visitor_request(dict(options.together), (), options)
        return together_answer(self, request, second, ignored + unknown)

    def user_request(
        self, user_id: int, favorites: Iterable[int] = (), options: Options | None = None
    ) -> tuple[Request, list]:
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
        return with_options(self.model, request, ignored, options)

    def _known_user(self, user: int) -> tuple[np.ndarray, Contributions]:
        """A known user's SVD scores and item-index contributions. Favourites change neither,
        so the user on the page (the last one asked for) keeps them, read-only, while the
        visitor tries favourites: each such answer then skips a third of the work."""
        if self._last_user is None or self._last_user[0] != user:
            rated, ratings = self.model.rated_by(user)
            svd = cf.raw_scores(self.model, *cf.known_user_factors(self.model, user))
            strengths = row_strengths(
                self.config, self.model.rating_scale, ratings, self.model.recency_of(user)
            )
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
        options: Options | None = None,
    ) -> dict[str, np.ndarray]:
        """The movies (positions) whose neighbour rows an answer reads, by table
        (``requests.rows_read``)."""
        if user_id is not None:
            user = self.model.user_position(int(user_id))
            if user < 0:
                return {}
            rated = self.model.rated_by(user)
        else:
            rated = None
        return rows_read(
            self.model, self.config, self.popularity_rank, rated, ratings, favorites, options
        )

    def visitor_request(
        self,
        ratings: Mapping[int, float],
        favorites: Iterable[int] = (),
        options: Options | None = None,
    ) -> tuple[Request, list]:
        """A visitor's rated movies, folded-in SVD scores, and the favourites it names."""
        request, ignored = visitor_request(
            self.model, self.config, self.popularity_rank, ratings, favorites
        )
        return with_options(self.model, request, ignored, options)

    def _favorites(
        self, favorites: Iterable[int], rated: np.ndarray, ratings: np.ndarray, *, liked_only: bool
    ) -> tuple[np.ndarray, bool, list[int]]:
        return favorites_of(
            self.model,
            self.config,
            self.popularity_rank,
            favorites,
            rated,
            ratings,
            liked_only=liked_only,
        )

    def ranked_lists(
        self, request: Request, depth: int, scores: Mapping[ListName, np.ndarray] | None = None
    ) -> dict[ListName, np.ndarray]:
        """Each list's top ``depth`` positions, best first; nothing rated or favoured in any."""
        seen = seen_mask(self.model, request)
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
        """What the request's rated movies add to each movie through the item index, and its
        hidden movies take away (``requests.hidden_rows``)."""
        if request.added is not None and request.added_rule == self.strength_rule:
            added = request.added
        else:
            strengths = row_strengths(
                self.config, self.model.rating_scale, request.ratings, request.from_end
            )
            added = contributions(self.model, request.rated, strengths)
        hidden, strengths = hidden_rows(self.model, self.config, request)
        if not len(hidden):
            return added
        lifted_only = self.config.hidden_lifted_only
        return with_rows(self.model, added, hidden, strengths, lifted_only=lifted_only)

    def list_scores(
        self, request: Request, added: Contributions | None = None
    ) -> dict[ListName, np.ndarray]:
        """Every list's score for every movie (NaN: not in that list)."""
        added = added if added is not None else self.contributions(request)
        content = content_scores(self.model, request.favorites)
        if len(request.hidden) and self.config.hidden_content_penalty:
            # the hidden movies' neighbours drop a little, within the favourites' list
            unwanted = without_nan(content_scores(self.model, request.hidden))
            content -= self.config.hidden_content_penalty * unwanted
        return {
            "collab": added.scores,
            "svd": request.svd * self._svd_boost if self.config.svd_popularity else request.svd,
            "content": content,
            "popular": self._most_rated,
        }

    def blend(self, scores: Mapping[ListName, np.ndarray], params: FusionParams) -> np.ndarray:
        """The lists' standardised scores summed with ``params``' weights (``fusion.blend``);
        -inf for movies without ratings."""
        fixed = {"popular": self._most_rated_z} if scores["popular"] is self._most_rated else {}
        return blend(scores, self.known_movies, params, fixed)

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
        fused, lists = self._fused(request, params, scores, lists)
        return with_ranks(fused, lists, params.label_depth)

    def niche_fuse(
        self,
        request: Request,
        niche: int,
        scores: Mapping[ListName, np.ndarray] | None = None,
        lists: Mapping[ListName, np.ndarray] | None = None,
    ) -> list[tuple[int, float, dict[ListName, int]]]:
        """``fuse`` at a niche level: a deeper pool re-ranked against popularity
        (``niche.niche_order``); level 0 is ``fuse`` itself."""
        params = self.fusion_of(request)
        pool = replace(params, n=pool_size(niche, params.n))
        fused, lists = self._fused(request, pool, scores, lists)
        chosen = niche_order(fused, self.model.n_ratings, niche, params.n)
        return with_ranks(chosen, lists, params.label_depth)

    def _fused(self, request: Request, params: FusionParams, scores, lists) -> tuple[list, dict]:
        """The fused top ``params.n`` as (position, fused score), best first, and the ranked
        lists it read (``lists``, or made from ``scores``, themselves made when None)."""
        scores = scores if scores is not None else self.list_scores(request)
        if lists is None:
            lists = self.ranked_lists(request, max(params.depth, params.n), scores)
        if params.method == "rrf":
            return rrf_ranked(ranked_positions(lists, scores, params.depth), params), lists
        blended = self.blend(scores, params)
        exclude = seen_mask(self.model, request)
        top = top_n(blended, params.n, exclude=exclude, tie_rank=self.popularity_rank).tolist()
        return list(zip(top, blended[top].tolist(), strict=True)), lists

    def _answer(self, request: Request, ignored: list[int], niche: int = 0) -> Answer:
        params = self.fusion_of(request)
        added = self.contributions(request)
        scores = self.list_scores(request, added)
        depth = max(params.depth, pool_size(niche, params.n), params.label_depth)
        lists = self.ranked_lists(request, depth, scores)
        fused = self.niche_fuse(request, niche, scores, lists)
        shown_lists = lists_shown(request)
        on_screen = [p for p, _, _ in fused]
        on_screen += [p for name in shown_lists for p in lists[name][: params.n]]
        on_screen = np.unique(np.asarray(on_screen, dtype=np.int64))
        explained = Explainer(self.model, request, added, scores, on_screen)
        hybrid = [explained.item(p, score, ranks) for p, score, ranks in fused]
        shown = {
            name: [
                explained.item(p, score, {name: rank})
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
