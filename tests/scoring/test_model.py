"""Building the Model from artifact columns: any row order, any id space, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from staticrec.pipeline.artifacts import read_table, table_columns
from staticrec.scoring import ArtifactError, Recommender, model_from_columns, schema
from staticrec.scoring.model import IdIndex
from staticrec.scoring.schema import SCORING_TABLES


@pytest.mark.parametrize("largest", [1000, 2**40])  # a dense table, and binary search
@given(data=st.data())
def test_id_index_equals_a_dictionary(largest, data):
    known = data.draw(st.lists(st.integers(0, largest), max_size=30, unique=True))
    queried = data.draw(st.lists(st.integers(-5, largest + 5), max_size=30))
    known = np.array(sorted(known), dtype=np.int64)
    position = {int(v): i for i, v in enumerate(known)}
    assert IdIndex(known)(queried).tolist() == [position.get(q, -1) for q in queried]


def test_id_index_dense_ids_near_the_table_edge():
    known = np.array([0, 3, 7], dtype=np.int64)
    assert IdIndex(known)([7, 8, -1, 0, 3, 2]).tolist() == [2, -1, -1, 0, 1, -1]


@pytest.fixture(scope="module")
def columns(built):
    tables = {t.name: read_table(built, t.name) for t in SCORING_TABLES}
    return tables, json.loads((built / "manifest.json").read_text())


def as_columns(tables, order=None):
    out = {}
    for name, table in tables.items():
        rows = np.arange(table.num_rows) if order is None else order(table.num_rows)
        out[name] = {
            c: table.column(c).to_numpy(zero_copy_only=False)[rows] for c in table.column_names
        }
    return out


def test_row_order_does_not_matter(columns, rng):
    tables, manifest = columns
    ordered = Recommender(model_from_columns(as_columns(tables), manifest))
    shuffled = Recommender(model_from_columns(as_columns(tables, rng.permutation), manifest))
    for user in (1, 105, 610):
        assert ordered.for_user(user, [1]) == shuffled.for_user(user, [1])
    assert ordered.similar(1) == shuffled.similar(1)


def test_missing_column_is_named(columns):
    tables, manifest = columns
    broken = as_columns(tables)
    del broken["item_factors"]["f7"]
    with pytest.raises(ArtifactError, match="'item_factors' has no column 'f7'"):
        model_from_columns(broken, manifest)


def test_ids_that_do_not_line_up(columns):
    tables, manifest = columns
    broken = as_columns(tables)
    broken["user_ratings"]["movieId"] = broken["user_ratings"]["movieId"].copy()
    broken["user_ratings"]["movieId"][0] = 999_999_999
    with pytest.raises(ArtifactError, match="user_ratings refers to a user or movie"):
        model_from_columns(broken, manifest)


def test_neighbour_rows_in_any_order_come_out_best_first(columns):
    tables, manifest = columns
    data = as_columns(tables)
    rows = data["content_neighbors"]

    def row(movie, rank):
        return int(np.flatnonzero((rows["movieId"] == movie) & (rows["rank"] == rank))[0])

    # (movie 1, rank 3), (movie 2, rank 1), (movie 1, rank 2): each step raises the movieId or
    # the rank, yet movie 1's rows are not best first
    order = [row(1, 3), row(2, 1), row(1, 2)]
    data["content_neighbors"] = {c: v[order] for c, v in rows.items()}
    model = model_from_columns(data, manifest)
    items, _ = model.neighbors_of(int(model.positions([1])[0]))
    assert model.item_ids[items].tolist() == [
        rows["neighborId"][row(1, 2)],
        rows["neighborId"][row(1, 3)],
    ]


def test_a_model_without_users_answers_a_shards_users_as_the_full_model(columns, recommender):
    """The browser's start: no user tables; each user's shard loaded when asked for. Users of
    the shard get the full model's answers; a user of another shard is unknown until their
    shard comes (and the catalogue's work is not redone)."""
    from staticrec.scoring.api import load, load_users
    from staticrec.scoring.errors import UnknownUser

    tables, manifest = columns
    without_users = {
        name: table_columns(table)
        for name, table in tables.items()
        if schema.TABLES[name].shard_key != "userId"
    }
    bare = Recommender(model_from_columns(without_users, manifest))
    assert len(bare.model.user_ids) == 0
    assert [i.movie_id for i in bare.for_visitor({1: 5.0}).hybrid] == [
        i.movie_id for i in recommender.for_visitor({1: 5.0}).hybrid
    ]
    shard = manifest["tables"]["user_ratings"]["shards"][1]
    in_shard = lambda table: table.filter(  # noqa: E731
        pc.and_(
            pc.greater_equal(table["userId"], shard["first"]),
            pc.less_equal(table["userId"], shard["last"]),
        )
    )
    users = {
        name: table_columns(in_shard(tables[name])) for name in ("user_factors", "user_ratings")
    }
    loaded = load_users(bare, users)
    assert loaded._popularity_order is bare._popularity_order  # kept, not recomputed
    assert loaded.model.collab_by_target is bare.model.collab_by_target  # sorted once, shared
    for user in (shard["first"], shard["last"]):
        for favorites in ([], [1]):
            assert loaded.for_user(user, favorites).as_dict() == (
                recommender.for_user(user, favorites).as_dict()
            )
    with pytest.raises(UnknownUser):
        loaded.for_user(shard["first"] - 1)
    # the browser's start (api.load without user tables): the dataset's users, from the manifest
    started = load(without_users, json.dumps(manifest))
    for one in (started, load_users(started, users)):
        with pytest.raises(UnknownUser, match="knows 610 users, with ids from 1 to 610"):
            one.for_user(999_999)
