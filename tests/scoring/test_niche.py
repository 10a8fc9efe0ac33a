"""The popular-to-niche control (issue 25, item 3): one re-ranking in the scoring core, the same
lists through the request's ``niche`` and ``for_user``/``for_visitor``."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staticrec.scoring import answer_json
from staticrec.scoring.errors import ScoringError
from staticrec.scoring.niche import (
    NICHE_FLOOR,
    NICHE_POOL,
    NICHE_STEPS,
    RANK_K,
    check_niche,
    niche_order,
    pool_size,
    rerank,
)
from staticrec.scoring.options import Options

VISITOR = {260: 5.0, 1196: 5.0, 2571: 5.0, 4993: 5.0, 589: 4.0, 1721: 2.0}


def brute_niche(fused, n_ratings, level, n):
    """Every pair compared directly: a movie goes above another when its key is larger, or
    equal and it came first in the fused list."""
    keys = [
        max(n_ratings[p], NICHE_FLOOR) ** -NICHE_STEPS[level] / (RANK_K + r)
        for r, (p, *_) in enumerate(fused, 1)
    ]
    above = [
        sum(keys[j] > keys[i] or (keys[j] == keys[i] and j < i) for j in range(len(fused)))
        for i in range(len(fused))
    ]
    return [fused[i] for i in sorted(range(len(fused)), key=above.__getitem__)][:n]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=0, max_size=60, unique=True),
    st.lists(st.integers(0, 5000), min_size=31, max_size=31),
    st.integers(0, len(NICHE_STEPS) - 1),
    st.integers(1, 20),
)
def test_niche_order_matches_a_brute_force_ranking(positions, counts, level, n):
    fused = [(p, 1.0 / (i + 1), {}) for i, p in enumerate(positions)]
    n_ratings = np.array(counts)
    got = niche_order(fused, n_ratings, level, n)
    assert got == brute_niche(fused, n_ratings, level, n)
    assert len(got) == min(n, len(fused)) and len({e[0] for e in got}) == len(got)


def test_no_lean_is_the_fused_list_and_the_default_level_lifts_rare_movies():
    fused = [(0, 0.9, {}), (1, 0.8, {}), (2, 0.7, {})]
    counts = np.array([300, 300, 20])
    assert rerank(fused, counts, 0.0, 2) == fused[:2]
    # level 0 leans 0.2: 20^-.2 / 13 = 0.0422 against 300^-.2 / 11 = 0.0291 and / 12 = 0.0267
    assert NICHE_STEPS[0] == 0.2
    assert [e[0] for e in niche_order(fused, counts, 0, 2)] == [2, 0]
    # below the floor, rarity earns nothing: the fused order stands
    assert [e[0] for e in niche_order(fused, np.array([20, 3, 1]), 3, 3)] == [0, 1, 2]


def test_pool_is_deeper_at_every_level_that_leans():
    assert pool_size(0, 10) == NICHE_POOL and pool_size(3, 10) == NICHE_POOL
    assert pool_size(3, 80) == 80


@pytest.mark.parametrize("bad", [-1, len(NICHE_STEPS), 1.5, "2", True, None])
def test_a_bad_level_is_refused_with_the_range(bad):
    with pytest.raises(ScoringError, match="niche level"):
        check_niche(bad)


def test_answers_get_less_popular_level_by_level(recommender):
    model = recommender.model
    for answer_at in (
        lambda level: recommender.for_visitor(VISITOR, niche=level),
        lambda level: recommender.for_user(105, niche=level),
    ):
        mean_ratings = []
        for level in range(len(NICHE_STEPS)):
            answer = answer_at(level)
            assert len(answer.hybrid) == 10
            rated = model.n_ratings[model.positions([i.movie_id for i in answer.hybrid])]
            mean_ratings.append(float(np.mean(rated)))
        assert mean_ratings == sorted(mean_ratings, reverse=True)
        assert mean_ratings[-1] < mean_ratings[0]


def test_the_request_field_gives_the_same_list_as_the_python_call(recommender):
    pairs = [[m, r] for m, r in VISITOR.items()]
    for level in range(len(NICHE_STEPS)):
        got = json.loads(answer_json(recommender, json.dumps({"ratings": pairs, "niche": level})))
        expected = recommender.for_visitor(VISITOR, niche=level).as_dict()
        assert [i["movie_id"] for i in got["hybrid"]] == [i["movie_id"] for i in expected["hybrid"]]
    plain = json.loads(answer_json(recommender, json.dumps({"ratings": pairs})))
    assert (
        plain["hybrid"]
        == json.loads(answer_json(recommender, json.dumps({"ratings": pairs, "niche": 0})))[
            "hybrid"
        ]
    )
    bad = json.loads(answer_json(recommender, json.dumps({"ratings": pairs, "niche": 9})))
    assert "niche level" in bad["error"]


def test_options_default_to_no_re_ranking():
    assert Options().niche == 0 and Options.of(niche=2).niche == 2


def test_a_together_answer_ignores_the_level(recommender):
    friend = {1: 5.0, 3114: 4.5}
    plain = recommender.for_visitor(VISITOR, together=friend)
    niche = recommender.for_visitor(VISITOR, together=friend, niche=3)
    assert niche.mode == "together" and niche.hybrid == plain.hybrid
