"""Watch together (issue 23, item 4): one list for two people, that neither would hate."""

from __future__ import annotations

import json

import numpy as np
import pytest

from staticrec.scoring import answer_json
from staticrec.scoring.together import joint_scores, person_scores

CRIME = {6: 5.0, 16: 4.5, 111: 5.0, 293: 4.0, 1213: 5.0}  # Heat, Casino, Taxi Driver, ...
KIDS = {1: 5.0, 2355: 4.5, 3114: 5.0, 588: 4.5, 364: 5.0, 1213: 1.0}  # Toy Story, ...


def test_the_rule_runs_from_the_average_to_least_misery():
    first, second = np.array([1.0, -2.0, 0.5]), np.array([0.0, 3.0, 0.5])
    assert joint_scores(first, second, 0.0).tolist() == [0.5, 0.5, 0.5]
    assert joint_scores(first, second, 1.0).tolist() == np.minimum(first, second).tolist()


def test_one_list_for_both_that_neither_has_seen(recommender):
    answer = recommender.for_visitor(CRIME, together=KIDS)
    picks = [i.movie_id for i in answer.hybrid]
    assert answer.mode == "together" and len(picks) == 10 and answer.lists == {}
    assert not set(picks) & (set(CRIME) | set(KIDS))
    # least misery: each pick is above average for both of them
    for request in (recommender.visitor_request(CRIME)[0], recommender.visitor_request(KIDS)[0]):
        z = person_scores(recommender, request, recommender.list_scores(request))
        assert np.all(z[recommender.model.positions(picks)] > 0)
    # and it differs from either one's own list
    assert picks != [i.movie_id for i in recommender.for_visitor(CRIME).hybrid]
    assert picks != [i.movie_id for i in recommender.for_visitor(KIDS).hybrid]


def test_each_pick_says_why_for_each_in_plain_words(recommender):
    answer = recommender.for_user(105, together=KIDS)
    for item in answer.hybrid:
        assert item.reason and item.why and "(19" not in item.reason and "(20" not in item.reason
        said = ("for you: ", "for them: ", "predicted ", "one of the most")
        assert all(w.startswith(said) for w in item.why)
    assert any("they liked" in i.reason for i in answer.hybrid)


def test_together_keeps_to_the_filters_and_the_hidden_movies(recommender):
    plain = recommender.for_visitor(CRIME, together=KIDS)
    hidden = [plain.hybrid[0].movie_id]
    answer = recommender.for_visitor(CRIME, together=KIDS, hidden=hidden, genre="Comedy")
    assert len(answer.hybrid) == 10 and hidden[0] not in [i.movie_id for i in answer.hybrid]
    assert all("Comedy" in item.genres for item in answer.hybrid)


@pytest.mark.parametrize("first", [{"user": 105}, {"ratings": []}, {"ratings": [[6, 5]]}])
def test_the_json_boundary_takes_a_second_person(recommender, first):
    request = {**first, "together": [[m, r] for m, r in KIDS.items()] + [[999_999, 4]]}
    answer = json.loads(answer_json(recommender, json.dumps(request)))
    assert answer["mode"] == "together" and len(answer["hybrid"]) == 10
    assert answer["ignored"] == [999_999]
    empty = json.loads(answer_json(recommender, json.dumps({**first, "together": []})))
    assert empty["mode"] == "together" and len(empty["hybrid"]) == 10
