"""An answer as the page and the command line show it: a fused list of items, each with the
scores and the reasons that put it there."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Item:
    """A movie in an answer, with every score that explains its place. Made once and not
    changed (not frozen: a frozen dataclass sets each field through ``object.__setattr__``,
    which doubles what the forty items of an answer cost in Pyodide)."""

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
    """One reason in plain words per list that put it here: the whole chain."""
    reason: str = ""
    """The one short reason shown beside it ("Because you liked Heat"); empty outside an
    answer's lists."""
    genres: list[str] = field(default_factory=list)
    """Its genres, as the items table lists them."""
    year: int | None = None
    """Its year, None when unknown."""

    def as_dict(self) -> dict:
        return {
            **vars(self),
            "ranks": dict(self.ranks),
            "why": list(self.why),
            "genres": list(self.genres),
        }


@dataclass(frozen=True)
class Answer:
    """A fused top-n, each list it was fused from, and what the request turned into."""

    mode: str
    """``user`` (known userId), ``visitor`` (ratings given), ``popular`` (no ratings) or
    ``together`` (one list for two people: ``Options.together``)."""
    hybrid: list[Item]
    lists: dict[str, list[Item]]
    """Each list's own top n, by name (``fusion.LISTS``), as the page shows them beside the
    fused list: the item index's, and the content list when there are favourites; none
    together."""
    favorites: list[Item]
    """The movies whose neighbours made the content list (the first person's, together)."""
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


def maybe(value: float) -> float | None:
    """A float, or None for NaN (a score that does not exist)."""
    value = float(value)
    return None if math.isnan(value) else value
