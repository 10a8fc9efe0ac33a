"""The lists of the catalogue itself, the same for everyone: the most rated, the best rated,
a movie's content neighbours and what people who liked it also liked; and title lookup."""

from __future__ import annotations

import numpy as np

from staticrec.scoring.answer import Item
from staticrec.scoring.assemble import make_item
from staticrec.scoring.errors import ScoringError
from staticrec.scoring.model import Model
from staticrec.scoring.ranking import first_n, top_n
from staticrec.scoring.titles import TitleIndex


class CatalogueLists:
    """The Recommender's lists that no request shapes (``Recommender`` sets the fields)."""

    model: Model
    popularity_rank: np.ndarray
    _popularity_order: np.ndarray
    _best_rated: np.ndarray
    _titles: TitleIndex | None

    @property
    def titles(self) -> TitleIndex:
        """Title lookup, built on first use (the browser never needs it, so never pays for it)."""
        if self._titles is None:
            self._titles = TitleIndex(
                self.model.titles, self.model.item_ids.tolist(), self.popularity_rank
            )
        return self._titles

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

    def also_liked(self, movie_id: int, n: int | None = None) -> list[Item]:
        """What people who liked one movie also liked: its row of the collaborative item index,
        the strongest positive weights first (each item's ``score`` is the weight)."""
        position = self._position(movie_id)
        items, weights = self.model.collab_neighbors_of(position)
        positive = weights > 0
        items, weights = items[positive][:n], weights[positive][:n]
        return [
            self._item(p, score=float(w))
            for p, w in zip(items.tolist(), weights.tolist(), strict=True)
        ]

    def _position(self, movie_id: int) -> int:
        position = int(self.model.positions([movie_id])[0])
        if position < 0:
            raise ScoringError(f"Unknown movieId {movie_id}.")
        return position

    def _item(self, position: int, **scores) -> Item:
        return make_item(self.model, position, **scores)
