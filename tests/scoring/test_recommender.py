"""Answers: known users, new visitors (cold start), popularity, and the JSON boundary."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from staticrec.scoring import UnknownUser, answer_json, api
from staticrec.scoring.errors import ScoringError

TOY_STORY = 1
VISITOR = {
    6: 5.0,
    16: 4.5,
    111: 5.0,
    293: 4.0,
    1213: 5.0,
}  # Heat, Casino, Taxi Driver, Léon, Goodfellas


def rated_ids(recommender, user_id):
    model = recommender.model
    items, _ = model.rated_by(model.user_position(user_id))
    return set(model.item_ids[items].tolist())


def test_user_105_with_toy_story(recommender):
    answer = recommender.for_user(105, [TOY_STORY])
    ids = [item.movie_id for item in answer.hybrid]
    assert answer.mode == "user" and len(ids) == 10 and len(set(ids)) == 10
    assert not set(ids) & rated_ids(recommender, 105)
    assert [f.movie_id for f in answer.favorites] == [TOY_STORY]
    content = answer.lists["content"]
    assert not {i.movie_id for i in content} & (rated_ids(recommender, 105) | {TOY_STORY})
    # every pick says in words which lists put it there; a named favourite brings some in
    for item in answer.hybrid:
        assert item.ranks and len(item.why) >= 1
        assert 0.5 <= item.predicted_rating <= 5.0
    liked = [i for i in answer.hybrid if "content" in i.ranks]
    assert liked and all("similar to Toy Story" in i.why for i in liked)
    collab = [i.movie_id for i in answer.lists["collab"]]
    assert collab[0] in ids


def test_naming_a_favourite_changes_the_list(full_recommender):
    recommender = full_recommender  # Toy Story's genre neighbours beyond the most-rated movies
    plain = [i.movie_id for i in recommender.for_visitor(VISITOR).hybrid]
    kids = [i.movie_id for i in recommender.for_visitor(VISITOR, [TOY_STORY]).hybrid]
    assert plain != kids
    toy_neighbours = {i.movie_id for i in recommender.similar(TOY_STORY)}
    assert len(set(kids) & toy_neighbours) >= 2
    assert not set(plain) & toy_neighbours


def test_reasons_are_plain_words_not_raw_scores(recommender):
    for answer in (recommender.for_user(105), recommender.for_visitor(VISITOR, [TOY_STORY])):
        for item in answer.hybrid:
            for reason in item.why:
                assert reason.startswith(
                    ("people who rated ", "predicted ", "similar to ", "one of the most rated")
                )
                assert "similarity" not in reason and "CF #" not in reason
    popular = recommender.for_visitor({}).hybrid
    assert all(
        i.why == [f"one of the most rated ({n:,} ratings)"]
        for i, n in zip(
            popular,
            [
                recommender.model.n_ratings[recommender.model.positions([i.movie_id])[0]]
                for i in popular
            ],
            strict=True,
        )
    )


def test_user_default_favourite_is_their_best_rated(recommender):
    answer = recommender.for_user(105)
    model = recommender.model
    items, ratings = model.rated_by(model.user_position(105))
    favorite = answer.favorites[0].movie_id
    assert ratings[list(model.item_ids[items]).index(favorite)] == ratings.max()


def test_unknown_user_says_which_ids_exist(recommender):
    with pytest.raises(UnknownUser, match="610 users, with ids from 1 to 610"):
        recommender.for_user(9999)


def test_visitor_gets_personal_recommendations(recommender):
    answer = recommender.for_visitor(VISITOR)
    popular = [i.movie_id for i in recommender.for_visitor({}).hybrid]
    ids = [i.movie_id for i in answer.hybrid]
    assert answer.mode == "visitor" and len(ids) == 10
    assert not set(ids) & set(VISITOR)
    assert ids != popular
    assert {f.movie_id for f in answer.favorites} == set(VISITOR)  # all rated >= 4


def test_visitor_ratings_move_the_lists(recommender):
    kids = {1: 5.0, 2355: 5.0, 4886: 5.0, 6377: 5.0, 3114: 5.0}
    likes_kids, likes_crime = recommender.for_visitor(kids), recommender.for_visitor(VISITOR)
    kids_ids = [i.movie_id for i in likes_kids.lists["collab"]]
    assert kids_ids != [i.movie_id for i in likes_crime.lists["collab"]]
    svd = [
        recommender.ranked_lists(recommender.visitor_request(r)[0], 10)["svd"]
        for r in (kids, VISITOR)
    ]
    assert svd[0].tolist() != svd[1].tolist()


def test_an_answer_carries_the_lists_the_page_shows(recommender):
    assert set(recommender.for_visitor(VISITOR).lists) == {"collab", "content"}
    assert set(recommender.for_visitor(VISITOR, [1]).lists) == {"collab", "content"}
    assert set(recommender.for_user(105).lists) == {"collab", "content"}
    assert not recommender.for_visitor({}).lists  # nothing rated, no favourite: both empty


def test_a_low_rating_pushes_its_neighbours_down(recommender):
    toy_story_2 = 3114
    liked = recommender.for_visitor({1: 5.0}).lists["collab"]
    disliked = recommender.for_visitor({1: 0.5}).lists["collab"]
    assert toy_story_2 in [i.movie_id for i in liked]
    assert toy_story_2 not in [i.movie_id for i in disliked]


def test_no_ratings_gives_the_most_rated(recommender):
    answer = recommender.for_visitor({})
    assert answer.mode == "popular" and "content" not in answer.lists and answer.favorites == []
    assert [i.movie_id for i in answer.hybrid] == [i.movie_id for i in recommender.most_rated(10)]


def test_unknown_movie_ids_are_ignored_and_reported(recommender):
    answer = recommender.for_visitor({**VISITOR, 99999999: 5.0}, favorites=[88888888])
    assert answer.ignored == [99999999, 88888888]
    assert answer.mode == "visitor"


def test_out_of_scale_rating_is_an_error(recommender):
    with pytest.raises(ScoringError, match=r"between 0\.5 and 5\.0"):
        recommender.for_visitor({1: 6.0})


def test_json_boundary(recommender):
    reply = json.loads(answer_json(recommender, json.dumps({"user": 105, "favorites": [1]})))
    direct = recommender.for_user(105, [1])
    assert [i["movie_id"] for i in reply["hybrid"]] == [i.movie_id for i in direct.hybrid]
    visitor = json.loads(
        answer_json(recommender, json.dumps({"ratings": [[m, r] for m, r in VISITOR.items()]}))
    )
    assert visitor["mode"] == "visitor"
    assert json.loads(answer_json(recommender, '{"user": 9999}'))["error"].startswith(
        "Unknown userId 9999"
    )
    assert "error" in json.loads(answer_json(recommender, "[1, 2]"))
    assert "error" in json.loads(answer_json(recommender, '{"ratings": [["x", 1]]}'))
    assert "error" in json.loads(answer_json(recommender, "not json"))


def test_json_text_is_the_answers_dict_dumped(recommender):
    """answer_json writes the Answer's fields without as_dict's copies: the same text."""
    for request in ({"user": 105, "favorites": [1]}, {"ratings": [[6, 5], [99999, 4]]}):
        text = answer_json(recommender, json.dumps(request))
        assert text == json.dumps(api.answer(recommender, request), allow_nan=False)


def test_as_dict_is_dataclasses_asdict(recommender):
    """The hand-written as_dict (fast in Pyodide) holds every field, as a copy."""
    for answer in (
        recommender.for_user(105, [TOY_STORY]),
        recommender.for_visitor({6: 5.0, 9999999: 4.0}),
    ):
        plain = answer.as_dict()
        assert plain == dataclasses.asdict(answer)
        plain["hybrid"][0]["why"].append("changed")
        plain["hybrid"][0]["ranks"]["svd"] = 0
        assert answer.as_dict() == dataclasses.asdict(answer)


def test_the_user_on_the_page_keeps_their_scores_and_answers_the_same(recommender):
    """The last user's SVD and item-index scores are kept while favourites change: answers
    equal a fresh Recommender's, whoever was asked for in between."""
    from staticrec.scoring import Recommender

    asked = [(105, [1]), (105, [260]), (1, [260]), (105, []), (105, [2571, 1])]
    for user_id, favorites in asked:
        fresh = Recommender(recommender.model, recommender.config)
        assert recommender.for_user(user_id, favorites) == fresh.for_user(user_id, favorites)
    request, _ = recommender.user_request(105)
    assert request.added is recommender.user_request(105, [1])[0].added  # kept, not redone
    with pytest.raises(ValueError, match="read-only"):
        request.added.scores[0] = 1.0  # shared between answers, so nobody may change it


def test_a_request_made_under_another_strength_rule_is_weighed_again(recommender):
    """The evaluation scores one user's request with several recommenders: one that weighs
    the rated movies otherwise (binary, as EASE is trained) must not reuse the site's sums."""
    from staticrec.scoring import Recommender, ScoringConfig

    binary = Recommender(
        recommender.model, ScoringConfig(collab_rating_offset=None, collab_recency=None)
    )
    request, _ = recommender.user_request(105)
    own, _ = binary.user_request(105)
    assert binary.contributions(request) is not request.added
    np.testing.assert_array_equal(
        binary.contributions(request).scores, binary.contributions(own).scores
    )
    assert not np.array_equal(
        binary.contributions(request).scores,
        recommender.contributions(request).scores,
        equal_nan=True,
    )


def test_similar_lists_the_stored_neighbours(recommender):
    similar = recommender.similar(TOY_STORY)
    assert len(similar) == 50
    sims = [s.similarity for s in similar]
    assert sims == sorted(sims, reverse=True)
    assert TOY_STORY not in {s.movie_id for s in similar}


def test_most_rated(recommender):
    top = recommender.most_rated(3)
    counts = [
        recommender.model.n_ratings[recommender.model.positions([i.movie_id])[0]] for i in top
    ]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == np.max(recommender.model.n_ratings)


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"user": 1.5}, "A userId is a whole number, not 1.5"),
        ({"user": "abc"}, "A userId is a whole number"),
        ({"user": True}, "A userId is a whole number"),
        ({"ratings": [[1.5, 4]]}, "A movieId is a whole number"),
        ({"user": 10**30}, "Unknown userId"),
    ],
)
def test_bad_ids_are_messages_not_crashes(recommender, request_, message):
    reply = json.loads(answer_json(recommender, json.dumps(request_)))
    assert message in reply["error"]


def test_an_id_beyond_int64_is_just_unknown(recommender):
    reply = json.loads(answer_json(recommender, json.dumps({"favorites": [10**20]})))
    assert reply["ignored"] == [10**20] and reply["mode"] == "popular"


def test_favourites_are_never_recommended_and_count_once(recommender):
    model = recommender.model
    # the collaborative list's own top pick: naming it must take it out of every list
    top = recommender.for_user(105).lists["collab"][0].movie_id
    answer = recommender.for_user(105, [top, top])
    assert [f.movie_id for f in answer.favorites] == [top]
    shown = [i for items in answer.lists.values() for i in items] + answer.hybrid
    assert top not in {i.movie_id for i in shown}
    assert model.n_items > 0


def test_a_visitors_liked_movies_bring_their_content_list(recommender):
    """Liked movies are the visitor's favourites: their neighbours are listed, as the page
    says ("Movies like: ..."), even though the visitor's fusion does not weigh that list."""
    answer = recommender.for_visitor({1: 5.0, 2355: 4.5})
    assert [f.movie_id for f in answer.favorites] == [1, 2355]
    assert len(answer.lists["content"]) == 10
