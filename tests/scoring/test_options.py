"""An answer's controls (issue 23, item 3): hidden movies, a genre and a decade, kept to over the
whole catalogue, in the fused list and every single list, for known users and visitors alike."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staticrec.scoring import answer_json
from staticrec.scoring.errors import ScoringError
from staticrec.scoring.options import Options

VISITOR = {6: 5.0, 16: 4.5, 111: 5.0, 293: 4.0, 1213: 5.0}


def every_item(answer):
    yield from answer.hybrid
    for items in answer.lists.values():
        yield from items


def ids(items):
    return [i.movie_id for i in items]


def test_a_genre_keeps_to_it_in_every_list(recommender):
    for answer in (
        recommender.for_user(105, [1], genre="Comedy"),
        recommender.for_visitor(VISITOR, genre="Comedy"),
        recommender.for_visitor({}, genre="Comedy"),
    ):
        assert len(answer.hybrid) == 10
        assert all("Comedy" in item.genres for item in every_item(answer))
        assert all(len(items) == 10 for items in answer.lists.values())


def test_a_rare_genre_returns_ten_when_ten_exist(recommender):
    """Filtered over the whole catalogue, not by hiding the picks of an unfiltered top 10: the
    genre with the fewest movies (ten or more) still fills the list."""
    model = recommender.model
    counts = {g: int(model.genres.mask(g).sum()) for g in model.genres.names()}
    genre = min((g for g, n in counts.items() if n >= 20), key=counts.get)
    plain = recommender.for_user(105)
    assert not any(genre in item.genres for item in plain.hybrid)  # none in the plain list
    for answer in (
        recommender.for_user(105, genre=genre),
        recommender.for_visitor(VISITOR, genre=genre),
    ):
        assert len(answer.hybrid) == 10
        assert all(genre in item.genres for item in answer.hybrid)


def test_a_decade_keeps_to_its_ten_years(recommender):
    answer = recommender.for_visitor(VISITOR, decade=1980, genre="Action")
    assert len(answer.hybrid) == 10
    for item in every_item(answer):
        assert 1980 <= item.year <= 1989 and "Action" in item.genres


def test_hidden_movies_never_come_back_and_count_against_their_kind(recommender):
    plain = recommender.for_visitor(VISITOR)
    hidden = ids(plain.hybrid[:3])
    answer = recommender.for_visitor(VISITOR, hidden=hidden)
    assert len(answer.hybrid) == 10
    assert not set(hidden) & set(ids(every_item(answer)))
    # a negative signal, not a filter only: what people who rated the hidden movies rated
    # scores lower in the item index's list
    # (the movies its item-index row weighs positively, among those the ratings lifted: as a
    # 2-star rating would, it pushes them down, never below neutral; nothing else moves)
    request, _ = recommender.visitor_request(VISITOR)
    hiding, _ = recommender.visitor_request(VISITOR, (), Options.of(hidden[:1]))
    before = np.nan_to_num(recommender.list_scores(request)["collab"])
    after = np.nan_to_num(recommender.list_scores(hiding)["collab"])
    model = recommender.model
    reached, weights = model.collab_neighbors_of(model.positions(hidden[:1])[0])
    lowered = np.zeros(model.n_items, dtype=bool)
    lowered[reached[(weights > 0) & (before[reached] > 0)]] = True
    assert lowered.any() and np.all(after[lowered] < before[lowered])
    assert np.all(after[~lowered] == before[~lowered]) and np.all(after >= np.minimum(before, 0))


def test_hidden_content_neighbours_drop_within_the_favourites_list(recommender):
    plain = recommender.for_visitor(VISITOR, [1])
    first = plain.lists["content"][0].movie_id
    answer = recommender.for_visitor(VISITOR, [1], hidden=[first])
    assert first not in ids(answer.lists["content"])


def test_unknown_hidden_ids_are_reported(recommender):
    answer = recommender.for_visitor(VISITOR, hidden=[999_999])
    assert answer.ignored == [999_999] and len(answer.hybrid) == 10


def test_bad_options_are_messages(recommender):
    with pytest.raises(ScoringError, match="year ending in 0"):
        recommender.for_visitor(VISITOR, decade=1995)
    with pytest.raises(ScoringError, match="genres: Action, Adventure"):
        recommender.for_visitor(VISITOR, genre="comedy")


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"ratings": [], "genre": 5}, "A genre is a name"),
        ({"ratings": [], "decade": "1990"}, "A decade is a whole number"),
        ({"ratings": [], "decade": 1991}, "year ending in 0"),
        ({"ratings": [], "hidden": ["x"]}, "A hidden movieId is a whole number"),
        ({"ratings": [], "together": [[1.5, 4]]}, "second person's is a whole number"),
        ({"ratings": [], "together": [[1, 9]]}, "between 0.5 and 5.0"),
        ({"ratings": [], "together": [[1]]}, "Bad request"),
    ],
)
def test_bad_options_at_the_json_boundary(recommender, request_, message):
    assert message in json.loads(answer_json(recommender, json.dumps(request_)))["error"]


def test_the_json_boundary_carries_the_controls_and_the_new_fields(recommender):
    request = {"ratings": [[6, 5], [16, 4.5]], "hidden": [296], "genre": "Crime", "decade": 1990}
    answer = json.loads(answer_json(recommender, json.dumps(request)))
    assert len(answer["hybrid"]) == 10 and answer["mode"] == "visitor"
    for item in answer["hybrid"]:
        assert item["movie_id"] != 296 and "Crime" in item["genres"]
        assert 1990 <= item["year"] <= 1999
        assert isinstance(item["reason"], str) and item["reason"]
        assert isinstance(item["why"], list)


def genre_and_decade(model):
    genres = model.genres.names()
    decades = sorted({int(y) // 10 * 10 for y in model.years.tolist() if y})
    return st.sampled_from([None, *genres]), st.sampled_from([None, *decades])


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_no_answer_strays_outside_its_filters_or_shows_a_hidden_movie(recommender, data):
    """Any visitor or known user, any genre and decade, any hidden movies: nothing outside the
    filter, nothing hidden or rated, in any list; ten picks whenever ten are eligible."""
    model = recommender.model
    catalogue = model.item_ids.tolist()
    genres, decades = genre_and_decade(model)
    genre, decade = data.draw(genres), data.draw(decades)
    hidden = data.draw(st.lists(st.sampled_from(catalogue), max_size=6))
    if data.draw(st.booleans()):
        user = data.draw(st.sampled_from(model.user_ids[:50].tolist()))
        answer = recommender.for_user(user, hidden=hidden, genre=genre, decade=decade)
        rated = set(model.item_ids[model.rated_by(model.user_position(user))[0]].tolist())
    else:
        rated_ids = data.draw(st.lists(st.sampled_from(catalogue), max_size=8, unique=True))
        ratings = {m: data.draw(st.sampled_from([1.0, 3.0, 4.5, 5.0])) for m in rated_ids}
        answer = recommender.for_visitor(ratings, hidden=hidden, genre=genre, decade=decade)
        rated = set(rated_ids)
    options = Options.of(hidden, genre, decade)
    eligible = np.ones(model.n_items, dtype=bool)
    if genre is not None:
        eligible &= model.genres.mask(genre)
    if decade is not None:
        eligible &= (model.years >= decade) & (model.years < decade + 10)
    for item in every_item(answer):
        assert genre is None or genre in item.genres
        assert decade is None or decade <= item.year < decade + 10
        assert item.movie_id not in set(options.hidden) | rated
    eligible[model.positions(list(set(options.hidden) | rated))] = False
    eligible &= model.n_ratings > 0
    eligible[model.positions([f.movie_id for f in answer.favorites])] = False
    if eligible.sum() >= 10:
        assert len(answer.hybrid) == 10
