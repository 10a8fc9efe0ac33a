"""Why each movie is in an answer: what brought it into each list, in plain words (``reasons``,
the whole chain), and the one reason shown beside it (``short_reason``). Titles are said as in
a sentence (``titles.short_title``: "The Matrix"), and no model is named."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from staticrec.scoring.collab_index import (
    Contributions,
    row_entries,
    row_lengths,
    strongest,
    strongest_sources,
)
from staticrec.scoring.model import Model
from staticrec.scoring.requests import Request
from staticrec.scoring.titles import short_title


def lists_shown(request: Request) -> set[str]:
    """The single lists an answer carries beside the fused one, those the page shows: the item
    index's, and the content list when there are favourites. (The fused items' ``ranks`` and
    reasons still name every list that holds them.)"""
    return {"collab", "content"} if len(request.favorites) else {"collab"}


def list_sources(
    model: Model, request: Request, added: Contributions, shown: np.ndarray
) -> dict[str, np.ndarray]:
    """Per movie shown, what put it in the collaborative and content lists, as positions
    (-1: nothing): the rated movie that adds the most to it through the item index, and
    the favourite that lists it with the highest similarity."""
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


def reasons(
    model: Model,
    ranks: Mapping[str, int],
    position: int,
    predicted: float | None,
    collab_source: int,
    content_source: int,
) -> list[str]:
    """Why a movie is in the answer, one sentence per list that holds it (``predicted``:
    the rating shown, None without one; a source is -1 where nothing brought it)."""
    why = []
    if "collab" in ranks and collab_source >= 0:
        why.append(f"people who rated {short_title(model.titles[collab_source])} also rated it")
    if "svd" in ranks and predicted is not None:
        why.append(f"predicted {predicted:.1f}★ for you")
    if "content" in ranks and content_source >= 0:
        why.append(f"similar to {short_title(model.titles[content_source])}")
    if "popular" in ranks:
        count = int(model.n_ratings[position])
        why.append(f"one of the most rated ({count:,} rating{'' if count == 1 else 's'})")
    return why


def short_reason(
    model: Model,
    ranks: Mapping[str, int],
    named_favorite: bool,
    collab_source: int,
    content_source: int,
    has_prediction: bool,
) -> str:
    """The one reason shown beside a pick, from the lists that hold it, in this order: like a
    favourite the visitor named ("Like Toy Story"), then what they rated ("Because you liked
    Heat"), like a favourite of theirs, people like them ("Popular with people like you"),
    the most-rated list ("One of the most rated")."""
    content = "content" in ranks and content_source >= 0
    if content and named_favorite:
        return f"Like {short_title(model.titles[content_source])}"
    if "collab" in ranks and collab_source >= 0:
        return f"Because you liked {short_title(model.titles[collab_source])}"
    if content:
        return f"Like {short_title(model.titles[content_source])}"
    if "svd" in ranks and has_prediction:
        return "Popular with people like you"
    if "popular" in ranks:
        return "One of the most rated"
    return "Picked from your ratings" if has_prediction else "One of the most rated"
