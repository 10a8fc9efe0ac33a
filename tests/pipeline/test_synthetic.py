"""The MovieLens-shaped generator: exact shapes, valid MovieLens files, long tails, seeded."""

from __future__ import annotations

import numpy as np
import pytest

from staticrec.cli import main
from staticrec.errors import ConfigError
from staticrec.pipeline.data import load_movielens
from staticrec.pipeline.synthetic import SCALES, SyntheticConfig, generate, write_movielens

SMALL = SyntheticConfig(n_users=300, n_movies=3_000, n_ratings=30_000, seed=3)


@pytest.fixture(scope="module")
def small():
    return generate(SMALL)


def test_the_shape_is_exact_and_every_pair_distinct(small):
    assert len(small.movie_ids) == SMALL.n_movies
    assert len(small.user_ids) == SMALL.n_ratings
    per_user = np.bincount(small.user_ids)[1:]
    assert len(per_user) == SMALL.n_users
    assert per_user.min() >= SMALL.min_per_user
    assert per_user.max() <= SMALL.n_movies // 2
    pairs = small.user_ids.astype(np.int64) * 10**7 + small.rated_movie_ids
    assert len(np.unique(pairs)) == SMALL.n_ratings
    assert np.isin(small.rated_movie_ids, small.movie_ids).all()
    assert set(np.unique(small.stars)) <= set(range(10))


def test_popularity_and_activity_have_long_tails(small):
    per_movie = np.bincount(np.searchsorted(small.movie_ids, small.rated_movie_ids))
    assert per_movie.max() > 10 * np.median(per_movie)
    per_user = np.bincount(small.user_ids)[1:]
    assert per_user.max() > 4 * np.median(per_user)


def test_ratings_follow_the_model_not_noise_alone(small):
    """Movies differ in their mean rating by more than noise would make them."""
    index = np.searchsorted(small.movie_ids, small.rated_movie_ids)
    counts = np.bincount(index, minlength=SMALL.n_movies)
    sums = np.bincount(index, weights=small.stars * 0.5 + 0.5, minlength=SMALL.n_movies)
    busy = counts >= 50
    means = sums[busy] / counts[busy]
    noise_only = SMALL.noise / np.sqrt(counts[busy]).mean()
    assert means.std() > 2 * noise_only


def test_written_files_load_as_movielens_and_one_seed_gives_one_dataset(small, tmp_path):
    write_movielens(small, tmp_path / "a")
    write_movielens(generate(SMALL), tmp_path / "b")
    for name in ("movies.csv", "ratings.csv", "links.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    other = generate(SyntheticConfig(300, 3_000, 30_000, seed=4))
    assert not np.array_equal(other.rated_movie_ids, small.rated_movie_ids)
    ml = load_movielens(tmp_path / "a", name="synthetic")
    assert ml.row_counts()["ratings"] == SMALL.n_ratings
    assert ml.movies["title"].is_unique
    assert (ml.movies["genres"].str.len() > 0).all()


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"n_ratings": 1_000}, "n_ratings"), ({"min_per_user": 2_000}, "min_per_user")],
)
def test_impossible_shapes_are_refused_by_name(changes, field):
    shape = {"n_users": 300, "n_movies": 3_000, "n_ratings": 30_000} | changes
    with pytest.raises(ConfigError) as raised:
        SyntheticConfig(**shape)
    assert raised.value.field == field


def test_scales_are_the_releases_shapes():
    assert SCALES["32m"] == (200_948, 87_585, 32_000_204)
    shape = SyntheticConfig.scale("1m", seed=7)
    assert (shape.n_users, shape.n_movies, shape.n_ratings, shape.seed) == (
        6_040,
        3_883,
        1_000_209,
        7,
    )


def test_the_command_writes_a_folder_and_names_a_bad_count(tmp_path, capsys):
    folder = tmp_path / "synthetic"
    args = ["generate", str(folder), "--users", "100", "--movies", "300", "--ratings", "5000"]
    assert main(args) == 0
    assert "5,000 ratings" in capsys.readouterr().out
    before = (folder / "ratings.csv").read_bytes()
    assert main([*args[:-1], "10"]) == 1
    assert "--ratings: must be between 2,000 and 15,000" in capsys.readouterr().err
    assert (folder / "ratings.csv").read_bytes() == before
