"""People who liked a movie also liked (issue 23, item 1): the item index's strongest positive
weights, each with how many people liked both, counted by sparse products against a brute-force
count of the users' liked sets."""

from __future__ import annotations

import pytest

from staticrec.scoring.config import on_scale
from staticrec.site.also_liked import AlsoLiked, co_liked_here, like_threshold


@pytest.fixture(scope="module")
def cut_recommender(cut_built):
    from staticrec.pipeline.artifacts import load_recommender

    return load_recommender(cut_built)


def liked_sets(recommender) -> dict[int, set[int]]:
    """Per movie position, the users (positions) who liked it, read one user at a time."""
    model = recommender.model
    threshold = on_scale(recommender.config.like_threshold, model.rating_scale)
    liked: dict[int, set[int]] = {}
    for user in range(len(model.user_ids)):
        items, ratings = model.rated_by(user)
        for item in items[ratings >= threshold].tolist():
            liked.setdefault(item, set()).add(user)
    return liked


def test_co_liked_counts_equal_the_users_who_liked_both(cut_recommender, rng):
    liked = liked_sets(cut_recommender)
    n = cut_recommender.model.n_items
    anchors, others = rng.integers(0, n, 3000), rng.integers(0, n, 3000)
    pairs = zip(anchors.tolist(), others.tolist(), strict=True)
    expected = [len(liked.get(a, set()) & liked.get(b, set())) for a, b in pairs]
    ids = cut_recommender.model.item_ids
    count = co_liked_here(cut_recommender)
    got = count(ids[anchors], ids[others], like_threshold(cut_recommender))
    assert got.tolist() == expected and max(expected) > 10


def test_each_list_is_the_strongest_positive_weights_liked_together(cut_recommender):
    model = cut_recommender.model
    liked = liked_sets(cut_recommender)
    lists = AlsoLiked(cut_recommender, 10)
    shown = 0
    for movie_id in model.item_ids[:200].tolist():
        position = model.positions([movie_id])[0]
        row, weights = model.collab_neighbors_of(position)
        entries = lists.of(movie_id)
        assert len(entries) <= 10
        listed = [model.positions([item.movie_id])[0] for item, _ in entries]
        # in the row's order, positive weights only, each liked along with it by someone
        order = [row.tolist().index(p) for p in listed]
        assert order == sorted(order) and all(weights[i] > 0 for i in order)
        for (item, count), p in zip(entries, listed, strict=True):
            assert count == len(liked.get(position, set()) & liked.get(p, set())) >= 1
            assert item.score == pytest.approx(float(weights[row.tolist().index(p)]))
        # none left out that was stronger and liked together
        skipped = [
            p
            for p, w in zip(row.tolist(), weights.tolist(), strict=True)
            if w > 0 and p not in listed and liked.get(position, set()) & liked.get(p, set())
        ]
        if len(entries) < 10:
            assert not skipped or row.tolist().index(skipped[0]) >= 20  # past the candidates
        shown += len(entries)
    assert shown > 1000
