"""Issue 23's measure for movie pages: each of five well-known movies' pages links at least 6
of the 20 movies most co-liked with it by dense EASE computed on the same ratings (the unpruned
model the site's item index is cut from; docs/evaluation.md gives the counts)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from staticrec.pipeline.collab_index import ease_weights, interactions

FAMOUS = {
    2571: "Matrix, The (1999)",
    1: "Toy Story (1995)",
    296: "Pulp Fiction (1994)",
    318: "Shawshank Redemption, The (1994)",
    4993: "Lord of the Rings: The Fellowship of the Ring, The (2001)",
}


@pytest.fixture(scope="module")
def dense_top_20(ml_site, ml_small) -> dict[int, set[int]]:
    """Per famous movie, the 20 movies of its dense EASE row with the largest weights, solved
    with the build's own penalty over the same ratings."""
    manifest = json.loads((ml_site / "artifacts" / "manifest.json").read_text(encoding="utf-8"))
    l2 = manifest["params"]["collab_index"]["l2"]
    item_ids = np.sort(ml_small.ratings["movieId"].unique())
    weights = ease_weights(interactions(ml_small.ratings, item_ids), l2)
    top = {}
    for movie_id in FAMOUS:
        row = weights[np.searchsorted(item_ids, movie_id)]
        top[movie_id] = set(item_ids[np.argsort(-row, kind="stable")[:20]].tolist())
    return top


def linked(page: str, section: str) -> list[int]:
    """The movieIds a movie page lists in one of its sections (also-liked, similar)."""
    part = re.search(rf'<section id="{section}">(.*?)</section>', page, re.DOTALL)
    return [int(m) for m in re.findall(r'<li data-movie-id="(\d+)"', part.group(1))]


@pytest.mark.parametrize("movie_id", list(FAMOUS), ids=list(FAMOUS.values()))
def test_famous_pages_link_what_people_who_liked_them_also_liked(ml_site, dense_top_20, movie_id):
    page = (ml_site / "site" / "movie" / str(movie_id) / "index.html").read_text(encoding="utf-8")
    also, similar = linked(page, "also-liked"), linked(page, "similar")
    overlap = dense_top_20[movie_id] & set(also + similar)
    print(
        f"{FAMOUS[movie_id]}: {len(overlap)} of dense EASE's top 20 linked "
        f"({len(dense_top_20[movie_id] & set(also))} by the also-liked list)"
    )
    assert len(also) == 10 and len(overlap) >= 6
