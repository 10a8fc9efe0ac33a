"""Beyond-accuracy figures against hand-worked cases and a brute-force recount."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from staticrec.evaluation.beyond import Catalogue, beyond_accuracy, genre_distance


def toy() -> Catalogue:
    return Catalogue(
        ratings={1: 4, 2: 2, 3: 1},
        genres={1: frozenset({"Drama"}), 2: frozenset({"Drama", "War"}), 3: frozenset()},
        users=4,
        most_rated=frozenset({1}),
    )


def test_hand_worked_lists():
    got = beyond_accuracy({10: [1, 2], 11: [3, 1, 4]}, toy(), n=2)
    assert got["movies"] == 3  # 4 is past n
    assert got["pick_ratings"] == (4 + 2 + 1 + 4) / 4
    assert math.isclose(got["self_information"], (0 + 1 + 2 + 0) / 4)
    # {1, 2}: 1 - 1/2; {3, 1}: 1 - 0/1
    assert math.isclose(got["diversity"], (0.5 + 1.0) / 2)
    assert got["most_rated_share"] == 2 / 4


def test_an_unrated_movie_counts_as_the_rarest():
    got = beyond_accuracy({1: [99]}, toy(), n=10)
    assert got["pick_ratings"] == 0 and got["self_information"] == 2.0
    assert math.isnan(got["diversity"])  # a one-movie list has no pairs


def test_catalogue_of_training_ratings_ranks_most_rated_with_movieid_ties():
    train = pd.DataFrame({"userId": [1, 1, 2, 2, 3], "movieId": [5, 7, 5, 7, 9]})
    movies = pd.DataFrame({"movieId": [5, 7, 9], "genres": ["A|B", "(no genres listed)", "B"]})
    catalogue = Catalogue.of(train, movies, top=1)
    assert catalogue.most_rated == {5} and catalogue.users == 3
    assert catalogue.genres[7] == frozenset() and catalogue.ratings == {5: 2, 7: 2, 9: 1}


genre_sets = st.frozensets(st.sampled_from("ABCDE"))


@settings(max_examples=200, deadline=None)
@given(genre_sets, genre_sets)
def test_genre_distance_is_a_symmetric_jaccard_distance(a, b):
    d = genre_distance(a, b)
    assert d == genre_distance(b, a) and 0.0 <= d <= 1.0
    assert (d == 0.0) == (a == b)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.integers(0, 5), st.lists(st.integers(1, 8), max_size=6, unique=True), min_size=1
    ),
    st.integers(1, 6),
)
def test_against_a_brute_force_recount(lists, n):
    catalogue = Catalogue(
        ratings={m: m for m in range(1, 9)},
        genres={m: frozenset("ABCD"[: m % 4]) for m in range(1, 9)},
        users=8,
        most_rated=frozenset({7, 8}),
    )
    got = beyond_accuracy(lists, catalogue, n)
    picks = [m for items in lists.values() for m in items[:n]]
    assert got["movies"] == len(set(picks))
    if picks:
        assert math.isclose(got["pick_ratings"], sum(picks) / len(picks))
        info = sum(math.log2(8 / m) for m in picks) / len(picks)
        assert math.isclose(got["self_information"], info, abs_tol=1e-12)
        assert math.isclose(got["most_rated_share"], sum(m >= 7 for m in picks) / len(picks))
