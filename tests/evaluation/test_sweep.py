"""The validation sweep scores each fusion as an answer shows it: a pool as deep as the default
niche level re-ranks, cut to n as the scoring core cuts it."""

from __future__ import annotations

import pytest

from staticrec.evaluation.ranking import as_answered, pooled
from staticrec.scoring.fusion import rrf


@pytest.fixture(scope="module")
def recommender(cut_built):
    from staticrec.pipeline.artifacts import load_recommender

    return load_recommender(cut_built)


@pytest.mark.parametrize("user", [1, 105, 414, 610])
def test_a_swept_list_is_the_answers_list(recommender, user):
    request = recommender.user_request(user)[0]
    fusion = recommender.fusion_of(request)
    scores = recommender.list_scores(request)
    lists = recommender.ranked_lists(request, max(fusion.depth, pooled(fusion).n), scores)
    swept = as_answered(
        recommender.model, rrf(recommender.ranked_entries(lists, scores), pooled(fusion)), fusion.n
    )
    ids = recommender.model.item_ids
    expected = [int(ids[p]) for p, _, _ in recommender.niche_fuse(request, 0)]
    assert swept == expected
    assert len(swept) == fusion.n
