"""The browser's neighbour rows, shard by shard: a recommender that starts with none, and loads
the shards each request names, answers exactly as the one that holds every row."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staticrec.pipeline.artifacts import read_columns, read_manifest, table_columns
from staticrec.scoring import ScoringError, api, schema
from staticrec.scoring.shards import ShardRanges


@given(
    st.lists(st.integers(0, 5), min_size=1, max_size=8),
    st.lists(st.integers(-2, 60), max_size=20),
)
def test_shard_ranges_hold_the_places_between_their_first_and_last(gaps_and_sizes, places):
    """Against a brute-force scan: a place belongs to the shard whose range holds it, and to
    none when it falls between two ranges or outside them all."""
    firsts, lasts, at = [], [], 0
    for step in gaps_and_sizes:
        at += step % 3  # a gap of 0, 1 or 2 places (movies with no rows)
        firsts.append(at)
        at += step // 2
        lasts.append(at)
        at += 1
    ranges = ShardRanges(np.array(firsts), np.array(lasts))
    expected = sorted(
        {
            n
            for p in places
            for n, (f, last) in enumerate(zip(firsts, lasts, strict=True))
            if f <= p <= last
        }
    )
    assert ranges.holding(np.array(places, dtype=np.int64)).tolist() == expected


@pytest.fixture(scope="module")
def started(built):
    """The browser's start: the catalogue, no user tables and no neighbour rows."""
    manifest = read_manifest(built)
    recommender = api.load(read_columns(built, schema.START_TABLES, manifest), json.dumps(manifest))
    users = [t for t in schema.SCORING_TABLES if t.shard_key == "userId"]
    return api.load_users(recommender, read_columns(built, users, manifest)), manifest


def _shards(built, manifest, wanted):
    return {
        table: {
            number: table_columns(
                pq.read_table(built / manifest["tables"][table]["shards"][number]["file"])
            )
            for number in numbers
        }
        for table, numbers in wanted.items()
    }


def missing(recommender, request_json: str) -> dict:
    """The shards ``answer_json`` names as missing for this request (none: it answered)."""
    return json.loads(api.answer_json(recommender, request_json)).get("missing", {})


REQUESTS = [
    {"user": 1},
    {"user": 414, "favorites": [1, 2571]},
    {"ratings": [[1, 5], [260, 4.5], [2571, 2]]},
    {"ratings": [[1, 5]], "favorites": [318]},
    {"ratings": []},
    {"ratings": [[1, 0.5]], "favorites": [999_999]},
    {"user": 414, "hidden": [296, 5952], "genre": "Drama"},
    {"ratings": [[1, 5]], "hidden": [2571], "together": [[318, 5], [858, 1]], "decade": 1990},
    {"ratings": [], "together": [[7153, 4.5], [1, 2]]},
]


@pytest.mark.parametrize("request_", REQUESTS, ids=json.dumps)
def test_the_shards_a_request_names_give_the_full_models_answer(
    built, started, recommender, request_
):
    partial, manifest = started
    text = json.dumps(request_)
    wanted = missing(partial, text)
    if request_.get("ratings") or request_.get("user"):
        assert "collab_neighbors" in wanted  # nothing is loaded yet
        with pytest.raises(ScoringError, match="not loaded"):
            api.answer(partial, request_)
    loaded = api.load_shards(partial, _shards(built, manifest, wanted))
    assert missing(loaded, text) == {}
    assert api.answer(loaded, request_) == api.answer(recommender, request_)
    assert loaded._popularity_order is partial._popularity_order  # the catalogue's work is kept


def test_a_visitor_of_popular_movies_needs_the_first_shards_only(started):
    """Shards in popularity order: the rows of the most-rated movies come first, so a visitor
    who rated a few of them fetches one or two small files, not the index."""
    partial, _ = started
    request = {"ratings": [[356, 5], [318, 4.5], [296, 4], [593, 4], [2571, 3.5]]}
    wanted = missing(partial, json.dumps(request))
    assert wanted == {"collab_neighbors": [0], "content_neighbors": [0]}


def test_shards_accumulate_and_a_bad_shard_is_refused(built, started, recommender):
    partial, manifest = started
    first = missing(partial, json.dumps({"user": 1}))
    loaded = api.load_shards(partial, _shards(built, manifest, first))
    second = missing(loaded, json.dumps({"user": 105}))
    assert not set(second.get("collab_neighbors", [])) & set(first["collab_neighbors"])
    both = api.load_shards(loaded, _shards(built, manifest, second))
    for user in (1, 105):  # the first user's rows are still here
        assert api.answer(both, {"user": user}) == api.answer(recommender, {"user": user})
    with pytest.raises(Exception, match="has no shard 999"):
        api.load_shards(partial, {"collab_neighbors": {999: {}}})
    with pytest.raises(ScoringError, match="every neighbour row"):
        api.load_shards(recommender, {})


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_any_visitor_answered_from_the_shards_named_equals_the_full_model(
    built, started, recommender, data
):
    partial, manifest = started
    ids = recommender.model.item_ids
    rated = data.draw(st.lists(st.sampled_from(ids.tolist()), max_size=12, unique=True))
    stars = data.draw(
        st.lists(
            st.sampled_from([0.5, 2.0, 3.5, 4.0, 5.0]), min_size=len(rated), max_size=len(rated)
        )
    )
    request = {"ratings": [[m, r] for m, r in zip(rated, stars, strict=True)]}
    request["hidden"] = data.draw(st.lists(st.sampled_from(ids.tolist()), max_size=4))
    second = data.draw(st.lists(st.sampled_from(ids.tolist()), max_size=6, unique=True))
    if second:  # a second person, watching together
        request["together"] = [[m, 4.5] for m in second]
    wanted = missing(partial, json.dumps(request))
    loaded = api.load_shards(partial, _shards(built, manifest, wanted))
    assert api.answer(loaded, request) == api.answer(recommender, request)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_the_shards_missing_are_those_holding_a_place_and_not_loaded(started, data):
    """Against a brute-force scan of the ranges, whatever was loaded before."""
    partial, _ = started
    shards = partial.movie_shards
    name = data.draw(st.sampled_from(sorted(shards.ranges)))
    ranges = shards.ranges[name]
    count, end = len(ranges.firsts), int(ranges.lasts.max()) + 3
    loaded = data.draw(st.sets(st.integers(0, count - 1), max_size=count))
    places = data.draw(st.lists(st.integers(0, end), max_size=30))
    after = shards.add({name: {n: {} for n in loaded}})
    expected = sorted(
        {
            n
            for p in places
            for n, (first, last) in enumerate(zip(ranges.firsts, ranges.lasts, strict=True))
            if first <= p <= last and n not in loaded
        }
    )
    got = after.missing({name: np.array(places, dtype=np.int64)})
    assert got.get(name, []) == expected
