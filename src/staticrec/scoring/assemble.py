"""From ranked positions to the items an answer shows: every value an item shows, read for the
movies on screen in one gather per array (numpy's per-element indexing is slow, in Pyodide above
all), and the reasons that put each there."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from staticrec.scoring.answer import Item, maybe
from staticrec.scoring.collab_index import Contributions
from staticrec.scoring.model import NO_GENRES, Model
from staticrec.scoring.reasons import list_sources, reasons, short_reason
from staticrec.scoring.requests import Request


def make_item(model: Model, position: int, **fields) -> Item:
    """The movie at ``position`` as an answer shows it: id, title, genres and year, and
    ``fields`` (its scores and reasons)."""
    position = int(position)
    year = int(model.years[position])
    return Item(
        int(model.item_ids[position]),
        model.titles[position],
        genres=model.genres.of(position),
        year=year or None,
        **fields,
    )


def split_genres(text: str) -> list[str]:
    """An items table's genres cell as a list (``Genres.of``)."""
    return [g for g in text.split("|") if g and g != NO_GENRES]


class Explainer:
    """What one person's request says of the movies on screen: the predicted rating, the
    content similarity, and the rated movie and the favourite that brought each."""

    def __init__(
        self,
        model: Model,
        request: Request,
        added: Contributions,
        scores: Mapping[str, np.ndarray],
        on_screen: np.ndarray,
    ) -> None:
        self.model, self.request = model, request
        sources = list_sources(model, request, added, on_screen)
        keys = on_screen.tolist()

        def per_movie(values: np.ndarray) -> dict[int, float]:
            return dict(zip(keys, values[on_screen].tolist(), strict=True))

        self.svd, self.similarity = per_movie(request.svd), per_movie(scores["content"])
        self.collab_source = per_movie(sources["collab"])
        self.content_source = per_movie(sources["content"])
        self.ids, self.years = per_movie(model.item_ids), per_movie(model.years)
        self.genres = per_movie(model.genres.column)

    def predicted(self, position: int) -> float | None:
        """The rating shown, clipped to the scale as Surprise reports it; None without one."""
        predicted = maybe(self.svd[position])
        low, high = self.model.rating_scale
        return None if predicted is None else min(max(predicted, low), high)

    def item(self, position: int, score: float, ranks: Mapping[str, int]) -> Item:
        """The movie as the answer shows it, with ``score`` and its ``ranks`` in the lists:
        the whole chain of reasons (one sentence per list that holds it), and the one short
        reason shown beside it."""
        predicted = self.predicted(position)
        collab, content = self.collab_source[position], self.content_source[position]
        named = self.request.named_favorite
        return Item(
            self.ids[position],
            self.model.titles[position],
            genres=split_genres(str(self.genres[position])),
            year=self.years[position] or None,
            score=maybe(score),
            ranks=dict(ranks),
            predicted_rating=predicted,
            similarity=maybe(self.similarity[position]),
            why=reasons(self.model, ranks, position, predicted, collab, content),
            reason=short_reason(self.model, ranks, named, collab, content, predicted is not None),
        )
