"""Weighted RRF: the seed's rule worked by hand, the fused order, and properties for any input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from staticrec.scoring.config import ScoringConfig
from staticrec.scoring.fusion import (
    LISTS,
    FusionParams,
    Ranked,
    blend,
    ranked_positions,
    rrf,
    rrf_ranked,
    standardize,
    with_ranks,
)


def test_the_seeds_rule_by_hand():
    svd = [Ranked(10, 4.8), Ranked(20, 4.6), Ranked(30, 4.5)]
    content = [Ranked(30, 0.9), Ranked(40, 0.8), Ranked(10, 0.7)]
    fused = rrf({"svd": svd, "content": content}, FusionParams.seed())
    # movie 10: SVD rank 1, content rank 3 -> 0.6/61 + 0.4/63 = 0.0098361 + 0.0063492 = 0.0161853
    # movie 30: SVD rank 3, content rank 1 -> 0.6/63 + 0.4/61 = 0.0095238 + 0.0065574 = 0.0160812
    # movie 20: SVD rank 2 only            -> 0.6/62                       = 0.0096774
    # movie 40: content rank 2 only        -> 0.4/62                       = 0.0064516
    assert [f.movie_id for f in fused] == [10, 30, 20, 40]
    assert [f.score for f in fused] == pytest.approx(
        [0.6 / 61 + 0.4 / 63, 0.6 / 63 + 0.4 / 61, 0.6 / 62, 0.4 / 62]
    )
    assert fused[0].score == pytest.approx(0.0161853, abs=1e-7)
    assert fused[0].ranks == {"svd": 1, "content": 3}
    assert fused[3].ranks == {"content": 2} and fused[3].scores == {"content": 0.8}


def test_the_seeds_rule_never_lets_a_content_pick_into_its_top_10():
    """0.6/70 > 0.4/61: why the site's default fusion is chosen on validation instead."""
    svd = [Ranked(i, 5.0 - i / 100) for i in range(10)]
    content = [Ranked(100 + i, 1.0 - i / 100) for i in range(10)]
    fused = rrf({"svd": svd, "content": content}, FusionParams.seed())
    assert [f.movie_id for f in fused] == list(range(10))


def test_a_deeper_weighted_fusion_brings_in_movies_both_lists_hold():
    collab = [Ranked(i, 1.0 - i / 100) for i in range(30)]
    content = [Ranked(25, 0.9), Ranked(26, 0.8), *[Ranked(200 + i, 0.5) for i in range(20)]]
    params = FusionParams(collab_weight=1.0, content_weight=1.0, k=10, depth=30)
    fused = [f.movie_id for f in rrf({"collab": collab, "content": content}, params)]
    assert fused[:2] == [25, 26]  # 1/(10+26) + 1/(10+1) beats 1/(10+1) alone
    # then collab rank r (1/(10+r)) ties content rank r; the tie goes to the collab list (first)
    assert fused[2:] == [0, 1, 2, 200, 3, 201, 4, 202]


def test_ties_go_to_each_lists_own_score_in_list_order():
    # weights chosen so that "SVD rank 1 only" and "content rank 1 only" tie exactly
    params = FusionParams(collab_weight=0, svd_weight=0.5, content_weight=0.5)
    fused = rrf({"svd": [Ranked(1, 3.0)], "content": [Ranked(2, 0.9)]}, params)
    assert [f.movie_id for f in fused] == [1, 2]  # 2 has no predicted rating: it loses
    lists = {"svd": [Ranked(1, 3.0), Ranked(5, 4.0)], "content": [Ranked(2, 0.9), Ranked(6, 0.5)]}
    assert [f.movie_id for f in rrf(lists, params)] == [1, 2, 5, 6]
    lists = {"svd": [Ranked(7, 4.0), Ranked(8, 4.0)], "content": [Ranked(8, 0.2), Ranked(7, 0.3)]}
    # 7: 1/61+1/62 and 8: 1/62+1/61 tie; equal predicted ratings; higher similarity wins
    assert [f.movie_id for f in rrf(lists, params)] == [7, 8]


def test_a_list_at_weight_zero_adds_nothing_but_is_reported():
    params = FusionParams(collab_weight=1.0, popular_weight=0.0)
    fused = rrf({"collab": [Ranked(1, 0.5)], "popular": [Ranked(1, 300), Ranked(2, 200)]}, params)
    assert [f.movie_id for f in fused] == [1]
    assert fused[0].ranks == {"collab": 1, "popular": 1}
    assert fused[0].score == pytest.approx(1 / 61)


def test_depth_and_n_are_parameters():
    collab = [Ranked(i, 5.0 - i / 10) for i in range(20)]
    assert [f.movie_id for f in rrf({"collab": collab}, FusionParams(depth=3))] == [0, 1, 2]
    assert len(rrf({"collab": collab}, FusionParams(depth=20, n=5))) == 5


def test_empty_inputs_and_unknown_lists():
    assert rrf({}, FusionParams()) == []
    assert rrf({"collab": []}, FusionParams()) == []
    with pytest.raises(ValueError, match="unknown lists"):
        rrf({"cf": [Ranked(1, 1.0)]}, FusionParams())


ids = st.integers(0, 30)
ranked_lists = st.lists(st.builds(Ranked, ids, st.floats(0, 5, allow_nan=False)), max_size=25)
all_lists = st.fixed_dictionaries({name: ranked_lists for name in LISTS})
params = st.builds(
    FusionParams,
    collab_weight=st.floats(0, 1),
    svd_weight=st.floats(0, 1),
    content_weight=st.floats(0, 1),
    popular_weight=st.floats(0, 1),
    k=st.integers(0, 100),
    depth=st.integers(0, 15),
    n=st.integers(0, 15),
)


@given(all_lists, params)
def test_sorted_unique_and_at_most_n(lists, p):
    fused = rrf(lists, p)
    assert len(fused) <= p.n
    movie_ids = [f.movie_id for f in fused]
    assert len(movie_ids) == len(set(movie_ids))
    scores = [f.score for f in fused]
    assert scores == sorted(scores, reverse=True)
    allowed = {r.movie_id for name in LISTS if p.weight(name) > 0 for r in lists[name][:50]}
    assert set(movie_ids) <= allowed


@given(all_lists, params)
def test_scores_follow_the_formula_and_ranks_are_first_places(lists, p):
    first = {name: {} for name in LISTS}
    for name in LISTS:
        for r in lists[name]:
            if len(first[name]) < p.depth:
                first[name].setdefault(r.movie_id, len(first[name]) + 1)
    for f in rrf(lists, p):
        assert f.ranks == {n: first[n][f.movie_id] for n in LISTS if f.movie_id in first[n]}
        expected = sum(p.weight(name) / (p.k + rank) for name, rank in f.ranks.items())
        assert f.score == pytest.approx(expected)


def every_fused_in_order(lists, p):
    """The oracle: every candidate spelled out, all of them sorted by the fused order's keys."""
    first = {name: {} for name in LISTS}
    for name in LISTS:
        for r in lists[name]:
            if len(first[name]) < p.depth:
                first[name].setdefault(r.movie_id, (len(first[name]) + 1, r.score))
    candidates = {m for name in LISTS if p.weight(name) > 0 for m in first[name]}
    rows = []
    for m in candidates:
        held = {name: first[name][m] for name in LISTS if m in first[name]}
        score = sum(p.weight(name) / (p.k + rank) for name, (rank, _) in held.items())
        by_list = [-held[name][1] if name in held else float("inf") for name in LISTS]
        rows.append((-score, *by_list, m))
    return [row[-1] for row in sorted(rows)][: p.n]


@given(all_lists, params)
def test_the_first_n_are_the_first_n_of_every_candidate_sorted(lists, p):
    """Ties at the n-th place included: a few ids and small k make many equal scores."""
    assert [f.movie_id for f in rrf(lists, p)] == every_fused_in_order(lists, p)


@given(st.integers(1, 10), st.integers(1, 10), st.integers(0, 100), st.floats(0.01, 1))
def test_being_in_two_lists_beats_one_list_at_the_better_rank(a, b, k, weight):
    p = FusionParams(collab_weight=weight, content_weight=1 - weight + 0.01, k=k, depth=20, n=30)
    filler = [Ranked(100 + i, 1.0) for i in range(10)]

    def with_movie_at(rank):
        return [*filler[: rank - 1], Ranked(1, 1.0), *filler[rank - 1 :]]

    def score_of_movie_1(collab, content):
        return {f.movie_id: f.score for f in rrf({"collab": collab, "content": content}, p)}[1]

    both = score_of_movie_1(with_movie_at(a), with_movie_at(b))
    if a <= b:
        single = score_of_movie_1(with_movie_at(a), filler)
    else:
        single = score_of_movie_1(filler, with_movie_at(b))
    assert both > single


def reference_blend(scores, known, params):
    """The blend written plainly with numpy's own nan_to_num and std."""
    total = np.zeros(len(known))
    for name in LISTS:
        if params.weight(name) == 0 or name not in scores:
            continue
        values = np.nan_to_num(scores[name][known], nan=0.0)
        if values.std() > 0:
            total[known] += params.weight(name) * (values - values.mean()) / values.std()
    return np.where(known, total, -np.inf)


score_arrays = arrays(
    np.float64,
    12,
    elements=st.one_of(st.just(np.nan), st.floats(-5, 5, allow_subnormal=False)),
)


@given(
    st.fixed_dictionaries({name: score_arrays for name in LISTS}),
    arrays(np.bool_, 12).filter(lambda known: known.any()),
    st.lists(st.sampled_from([0.0, 0.1, 0.4, 1.2]), min_size=4, max_size=4),
)
def test_blend_is_the_weighted_sum_of_z_scores_to_the_last_bit(scores, known, weights):
    params = FusionParams(
        method="blend", **{f"{n}_weight": w for n, w in zip(LISTS, weights, strict=True)}
    )
    expected = reference_blend(scores, known, params)
    np.testing.assert_array_equal(blend(scores, known, params), expected)
    fixed = {"popular": standardize(scores["popular"], known)}
    np.testing.assert_array_equal(blend(scores, known, params, fixed), expected)


@given(
    collab=st.lists(st.integers(0, 200), min_size=0, max_size=60, unique=True),
    popular=st.lists(st.integers(0, 200), min_size=10, max_size=60, unique=True),
)
def test_a_known_users_most_rated_list_only_fills_in(collab, popular):
    """The users' default fusion: the item index's order untouched wherever it has ten movies,
    the most-rated list only after its last one (never an empty list for a user it cannot
    serve)."""
    params = ScoringConfig().fusion
    lists = {
        "collab": [Ranked(m, 100.0 - i) for i, m in enumerate(collab)],
        "popular": [Ranked(m, 1000.0 - i) for i, m in enumerate(popular)],
    }
    fused = [f.movie_id for f in rrf(lists, params)]
    head = collab[: params.depth][: params.n]
    assert fused[: len(head)] == head
    rest = [m for m in popular[: params.depth] if m not in collab[: params.depth]]
    assert fused[len(head) :] == rest[: params.n - len(head)]


@given(st.data(), params)
def test_fusing_positions_orders_as_fusing_their_movie_ids(data, p):
    """The recommender fuses a model's positions (``ranked_positions``, ``rrf_ranked``), whose
    order is its movieIds' (ascending ids): the same movies, scores and ranks as ``rrf`` over
    the ids, ties included (few distinct scores make many)."""
    n_items = 40
    ids = np.cumsum(data.draw(arrays(np.int64, n_items, elements=st.integers(1, 9)))) + 100
    lists, scores = {}, {}
    for name in LISTS:
        lists[name] = np.array(
            data.draw(st.lists(st.integers(0, n_items - 1), max_size=20, unique=True)), np.int64
        )
        scores[name] = data.draw(
            arrays(np.float64, n_items, elements=st.sampled_from([0.5, 1.0, 2.0]))
        )
    by_position = with_ranks(
        rrf_ranked(ranked_positions(lists, scores, p.depth), p), lists, p.depth
    )
    entries = {
        name: [Ranked(int(ids[q]), float(scores[name][q])) for q in positions[: p.depth]]
        for name, positions in lists.items()
    }
    by_id = rrf(entries, p)
    assert [(int(ids[q]), score, ranks) for q, score, ranks in by_position] == [
        (f.movie_id, f.score, f.ranks) for f in by_id
    ]
