"""The niche study's lists: level 0 is the site's answer, every level a top 10."""

from __future__ import annotations

from staticrec.evaluation.niche_study import level_lists
from staticrec.scoring.niche import NICHE_STEPS


def test_level_lists_are_the_answers_at_each_level(cut_built):
    from staticrec.pipeline.artifacts import load_recommender

    recommender = load_recommender(cut_built)
    requests = {u: recommender.user_request(u)[0] for u in (1, 105, 414)}
    lists = level_lists(recommender, requests)
    assert set(lists) == {f"niche {level}" for level in range(len(NICHE_STEPS))} | {
        "as fused",
        "most-rated",
    }
    for user in requests:
        for level in range(len(NICHE_STEPS)):
            answer = recommender.for_user(user, niche=level)
            assert lists[f"niche {level}"][user] == [i.movie_id for i in answer.hybrid]
