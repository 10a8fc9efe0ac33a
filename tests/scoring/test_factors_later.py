"""The browser's start without the movie factors: an answer with no ratings reads none, so it
waits for nothing and is the full model's; one that reads them is refused until they are loaded,
and is then the full model's too."""

from __future__ import annotations

import json

import pytest

from staticrec.pipeline.artifacts import read_columns, read_manifest
from staticrec.scoring import ScoringError, api, schema


@pytest.fixture(scope="module")
def started(built):
    """Every table but item_factors (the neighbour shards are test_shards.py's matter)."""
    manifest = read_manifest(built)
    tables = [t for t in schema.SCORING_TABLES if t is not schema.ITEM_FACTORS]
    text = json.dumps(manifest)
    return api.load(read_columns(built, tables, manifest), text), manifest


WITHOUT_FACTORS = [
    {"ratings": [], "favorites": [2571]},
    {"ratings": []},
    {"ratings": [], "favorites": [1, 318], "genre": "Drama", "decade": 1990, "niche": 3},
    {"favorites": [2571], "hidden": [1, 296]},
]

WITH_FACTORS = [
    {"user": 1},
    {"user": 414, "favorites": [2571]},
    {"ratings": [[1, 5], [260, 4.5]], "favorites": [318]},
    {"ratings": [], "together": [[318, 5], [858, 1]]},
]


@pytest.mark.parametrize("request_", WITHOUT_FACTORS, ids=json.dumps)
def test_an_answer_without_ratings_needs_no_factors(started, recommender, request_):
    partial, _ = started
    assert not partial.model.factors_loaded
    assert api.factors_needed(partial, json.dumps(request_)) is False
    assert api.answer(partial, request_) == api.answer(recommender, request_)


@pytest.mark.parametrize("request_", WITH_FACTORS, ids=json.dumps)
def test_an_answer_that_reads_factors_waits_for_them(built, started, recommender, request_):
    partial, manifest = started
    text = json.dumps(request_)
    assert api.factors_needed(partial, text) is True
    with pytest.raises(ScoringError, match="movie factors"):
        api.answer(partial, request_)
    assert "movie factors" in json.loads(api.answer_json(partial, text))["error"]
    factors = read_columns(built, [schema.ITEM_FACTORS], manifest)
    loaded = api.load_factors(partial, factors, json.dumps(manifest))
    assert api.factors_needed(loaded, text) is False
    assert api.answer(loaded, request_) == api.answer(recommender, request_)
    assert loaded._popularity_order is partial._popularity_order  # the catalogue's work is kept


def test_a_bad_request_needs_no_factors_and_the_answer_names_its_fault(started):
    partial, _ = started
    assert api.factors_needed(partial, json.dumps({"user": "x"})) is False
    assert api.factors_needed(partial, "not json") is False
    with pytest.raises(ScoringError, match="userId is a whole number"):
        api.answer(partial, {"user": "x"})
