"""The seed's RRF rule: one worked example by hand, and properties for any input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from staticrec.scoring.fusion import FusionParams, Ranked, rrf


def test_hand_computed_example():
    cf = [Ranked(10, 4.8), Ranked(20, 4.6), Ranked(30, 4.5)]
    content = [Ranked(30, 0.9), Ranked(40, 0.8), Ranked(10, 0.7)]
    fused = rrf(cf, content, FusionParams())
    # movie 10: CF rank 1, content rank 3 -> 0.6/61 + 0.4/63 = 0.0098361 + 0.0063492 = 0.0161853
    # movie 30: CF rank 3, content rank 1 -> 0.6/63 + 0.4/61 = 0.0095238 + 0.0065574 = 0.0160812
    # movie 20: CF rank 2 only           -> 0.6/62                       = 0.0096774
    # movie 40: content rank 2 only      -> 0.4/62                       = 0.0064516
    assert [f.movie_id for f in fused] == [10, 30, 20, 40]
    assert [f.score for f in fused] == pytest.approx(
        [0.6 / 61 + 0.4 / 63, 0.6 / 63 + 0.4 / 61, 0.6 / 62, 0.4 / 62]
    )
    assert fused[0].score == pytest.approx(0.0161853, abs=1e-7)
    assert (fused[0].cf_rank, fused[0].content_rank) == (1, 3)
    assert (fused[3].cf_rank, fused[3].content_rank, fused[3].predicted_rating) == (None, 2, None)
    assert fused[3].similarity == 0.8


def test_ties_go_to_predicted_rating_then_similarity():
    # weights chosen so that "CF rank 1 only" and "content rank 1 only" tie exactly
    params = FusionParams(cf_weight=0.5, content_weight=0.5)
    fused = rrf([Ranked(1, 3.0)], [Ranked(2, 0.9)], params)
    assert [f.movie_id for f in fused] == [1, 2]  # 2 has no predicted rating: it loses
    fused = rrf([Ranked(1, 3.0), Ranked(5, 4.0)], [Ranked(2, 0.9), Ranked(6, 0.5)], params)
    # ranks 1 tie (1 vs 2) and ranks 2 tie (5 vs 6); CF entries win on predicted rating
    assert [f.movie_id for f in fused] == [1, 2, 5, 6]
    both = rrf([Ranked(7, 4.0), Ranked(8, 4.0)], [Ranked(8, 0.2), Ranked(7, 0.3)], params)
    # 7: 1/61+1/62 and 8: 1/62+1/61 tie; equal predicted ratings; higher similarity wins
    assert [f.movie_id for f in both] == [7, 8]


def test_list_lengths_and_n_are_parameters():
    cf = [Ranked(i, 5.0 - i / 10) for i in range(20)]
    fused = rrf(cf, [], FusionParams(cf_length=3, n=10))
    assert [f.movie_id for f in fused] == [0, 1, 2]
    assert len(rrf(cf, [], FusionParams(cf_length=20, n=5))) == 5


def test_empty_inputs():
    assert rrf([], [], FusionParams()) == []
    assert [f.movie_id for f in rrf([], [Ranked(3, 0.5)], FusionParams())] == [3]


ids = st.integers(0, 30)
ranked_lists = st.lists(st.builds(Ranked, ids, st.floats(0, 5, allow_nan=False)), max_size=25)
params = st.builds(
    FusionParams,
    cf_weight=st.floats(0, 1),
    content_weight=st.floats(0, 1),
    k=st.integers(0, 100),
    cf_length=st.integers(0, 15),
    content_length=st.integers(0, 15),
    n=st.integers(0, 15),
)


@given(ranked_lists, ranked_lists, params)
def test_sorted_unique_and_at_most_n(cf, content, p):
    fused = rrf(cf, content, p)
    assert len(fused) <= p.n
    movie_ids = [f.movie_id for f in fused]
    assert len(movie_ids) == len(set(movie_ids))
    scores = [f.score for f in fused]
    assert scores == sorted(scores, reverse=True)
    allowed = {r.movie_id for r in cf} | {r.movie_id for r in content}
    assert set(movie_ids) <= allowed


@given(ranked_lists, ranked_lists, params)
def test_scores_follow_the_formula(cf, content, p):
    for f in rrf(cf, content, p):
        expected = 0.0
        if f.cf_rank is not None:
            expected += p.cf_weight / (p.k + f.cf_rank)
        if f.content_rank is not None:
            expected += p.content_weight / (p.k + f.content_rank)
        assert f.score == pytest.approx(expected)


@given(
    st.integers(1, 10),
    st.integers(1, 10),
    st.integers(0, 100),
    st.floats(0.01, 1),
    st.floats(0.01, 1),
)
def test_being_in_both_lists_beats_one_list_at_the_better_rank(a, b, k, w_cf, w_cb):
    params = FusionParams(w_cf, w_cb, k, cf_length=20, content_length=20, n=30)
    filler = [Ranked(100 + i, 1.0) for i in range(10)]

    def with_movie_at(rank):
        return [*filler[: rank - 1], Ranked(1, 1.0), *filler[rank - 1 :]]

    def score_of_movie_1(cf, content):
        return {f.movie_id: f.score for f in rrf(cf, content, params)}[1]

    both = score_of_movie_1(with_movie_at(a), with_movie_at(b))
    if a <= b:
        single = score_of_movie_1(with_movie_at(a), filler)
    else:
        single = score_of_movie_1(filler, with_movie_at(b))
    assert both > single


@given(ranked_lists, ranked_lists)
def test_one_entry_per_movie_keeps_its_first_rank(cf, content):
    fused = rrf(cf, content, FusionParams(cf_length=30, content_length=30, n=60))
    first_cf = {}
    for r in cf:
        first_cf.setdefault(r.movie_id, len(first_cf) + 1)
    for f in fused:
        assert f.cf_rank == first_cf.get(f.movie_id)
