"""Stage 2a: genre soup, TF-IDF and the sparse top-k index, checked against a dense oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics.pairwise import linear_kernel
from sklearn.preprocessing import normalize

from staticrec.errors import ConfigError
from staticrec.pipeline.content import (
    ContentConfig,
    build_content_index,
    content_soup,
    genre_soup,
    popularity_order,
    tag_soup,
    tag_token,
    tfidf_features,
    top_k_neighbors,
)
from staticrec.pipeline.neighbors import TIE_STEPS, identical_rows, top_k_rows


def brute_force_top_k(features, tie_order, k, tie_features=None):
    """The oracle: the dense product (the seed's linear_kernel), sorted row by row in Python;
    ties by the cosine of ``tie_features`` in TIE_STEPS steps, then by ``tie_order``."""
    dense = linear_kernel(features, features).astype(np.float32)
    ties = np.zeros(dense.shape)
    if tie_features is not None:
        cosine = linear_kernel(tie_features, tie_features).astype(np.float32)
        ties = np.rint(np.clip(cosine, 0, 1) * TIE_STEPS)
    tie_rank = np.empty(len(tie_order), dtype=np.int64)
    tie_rank[tie_order] = np.arange(len(tie_order))
    rows = []
    for i in range(dense.shape[0]):
        ranked = sorted(
            (j for j in range(dense.shape[1]) if j != i and dense[i, j] > 0),
            key=lambda j: (-dense[i, j], -ties[i, j], tie_rank[j]),
        )[:k]
        rows.append((ranked, [dense[i, j] for j in ranked]))
    return rows


def test_genre_soup_is_the_seeds():
    genres = pd.Series(["Adventure|Animation|Children", "Sci-Fi|Film-Noir", "(no genres listed)"])
    assert genre_soup(genres).tolist() == ["adventure animation children", "scifi filmnoir", ""]


def test_real_genres_give_19_features(ml_small):
    features, vocabulary = tfidf_features(genre_soup(ml_small.movies["genres"]))
    assert features.shape == (9_742, 19)
    assert "scifi" in vocabulary and "(no" not in vocabulary


def test_toy_story_neighbours_are_perfect_genre_matches(recommender):
    toy_story = recommender.titles.find("Toy Story (1995)")
    neighbours = recommender.similar(toy_story, 5)
    assert [n.similarity for n in neighbours] == pytest.approx([1.0] * 5, abs=1e-6)
    assert "Toy Story 2 (1999)" in [n.title for n in neighbours]


def test_equal_genres_go_to_the_closer_tags_then_the_more_rated(ml_small):
    """Issue 23: a genre-only index ties whole genre sets; tags break the ties, and movies
    without tags keep the popularity order among themselves."""
    from staticrec.pipeline.data import load_movielens

    ml = load_movielens(ml_small.folder, name="x", with_tags=True)
    movies = ml.movies_by_id()
    index, _ = build_content_index(ml, ContentConfig(top_k=50))
    tags, _ = tfidf_features(tag_soup(ml.tags, movies["movieId"]).reset_index(drop=True))
    counts = ml.ratings_per_movie()
    toy_story = int(np.searchsorted(movies["movieId"].to_numpy(), 1))
    ids, sims = index.row(toy_story)
    tag_cosine = (tags[toy_story] @ tags[ids].T).toarray().ravel()
    steps = np.rint(np.clip(tag_cosine, 0, 1) * TIE_STEPS)
    for a, b in zip(range(len(ids) - 1), range(1, len(ids)), strict=True):
        if sims[a] == sims[b]:
            assert steps[a] >= steps[b]
            if steps[a] == steps[b]:
                assert counts[ids[a]] >= counts[ids[b]]
    assert steps[0] > 0  # a tagged movie leads the ties


@st.composite
def sparse_features(draw):
    n = draw(st.integers(1, 25))
    f = draw(st.integers(1, 6))
    # small integer counts make many exact ties, the hard case for ordering
    counts = draw(st.lists(st.integers(0, 2), min_size=n * f, max_size=n * f))
    matrix = normalize(sp.csr_matrix(np.array(counts, dtype=float).reshape(n, f)))
    tie_order = np.array(draw(st.permutations(range(n))), dtype=np.int64)
    k = draw(st.integers(1, n + 2))
    chunk_bytes = draw(st.sampled_from([1, 200, 1 << 20]))
    return matrix, tie_order, k, chunk_bytes


@settings(max_examples=150, deadline=None)
@given(sparse_features())
def test_index_equals_oracle_for_any_matrix(case):
    features, tie_order, k, chunk_bytes = case
    index = top_k_neighbors(features, tie_order, k, chunk_bytes)
    for i, (ids, sims) in enumerate(brute_force_top_k(features, tie_order, k)):
        got_ids, got_sims = index.row(i)
        assert got_ids.tolist() == ids
        np.testing.assert_array_equal(got_sims, np.array(sims, dtype=np.float32))


@settings(max_examples=100, deadline=None)
@given(sparse_features(), st.data())
def test_index_with_tie_features_equals_the_oracle(case, data):
    features, tie_order, k, chunk_bytes = case
    n = features.shape[0]
    counts = data.draw(st.lists(st.integers(0, 2), min_size=n * 3, max_size=n * 3))
    ties = normalize(sp.csr_matrix(np.array(counts, dtype=float).reshape(n, 3)))
    index = top_k_neighbors(features, tie_order, k, chunk_bytes, tie_features=ties)
    for i, (ids, sims) in enumerate(brute_force_top_k(features, tie_order, k, ties)):
        got_ids, got_sims = index.row(i)
        assert got_ids.tolist() == ids
        np.testing.assert_array_equal(got_sims, np.array(sims, dtype=np.float32))


def test_sparse_index_equals_dense_oracle_on_real_sample(ml_small, rng):
    movies = ml_small.movies.sort_values("movieId").reset_index(drop=True)
    sample = np.sort(rng.choice(len(movies), 400, replace=False))
    features, _ = tfidf_features(genre_soup(movies["genres"].iloc[sample]))
    counts = (
        ml_small.ratings["movieId"]
        .value_counts()
        .reindex(movies["movieId"].iloc[sample], fill_value=0)
        .to_numpy()
    )
    tie_order = popularity_order(counts, movies["movieId"].iloc[sample].to_numpy())
    index = top_k_neighbors(features, tie_order, k=20, chunk_bytes=1 << 16)
    oracle = brute_force_top_k(features, tie_order, k=20)
    for i, (ids, sims) in enumerate(oracle):
        got_ids, got_sims = index.row(i)
        assert got_ids.tolist() == ids
        np.testing.assert_array_equal(got_sims, np.array(sims, dtype=np.float32))


def test_identical_rows_groups_equal_rows_only():
    matrix = sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 0], [0, 0], [0, 2], [0, 0]], float))
    first, group = identical_rows(matrix)
    assert first.tolist() == [0, 1, 3, 4]
    assert group.tolist() == [0, 1, 0, 2, 3, 2]


def test_ranking_each_distinct_row_once_equals_ranking_every_row(ml_small):
    """The whole catalogue with tags as tie features: the shared lists (each distinct row
    ranked once) give every movie exactly the list ranking its own row gives."""
    from staticrec.pipeline.data import load_movielens

    ml = load_movielens(ml_small.folder, name="x", with_tags=True)
    movies = ml.movies_by_id()
    features, _ = tfidf_features(genre_soup(movies["genres"]).reset_index(drop=True))
    ties, _ = tfidf_features(tag_soup(ml.tags, movies["movieId"]).reset_index(drop=True))
    tie_order = popularity_order(ml.ratings_per_movie(), movies["movieId"].to_numpy())
    first, _ = identical_rows(sp.hstack([features, ties], "csr"))
    assert len(first) < len(movies) / 2  # the case the sharing is for
    shared = top_k_neighbors(features, tie_order, 50, tie_features=ties)
    columns, tie_columns = features[tie_order].T.tocsc(), ties[tie_order].T.tocsc()
    each = top_k_rows(
        lambda a, b: (features[a:b] @ columns).toarray(),
        len(movies),
        tie_order,
        50,
        tie_scores=lambda a, b: (ties[a:b] @ tie_columns).toarray(),
    )
    np.testing.assert_array_equal(shared.indptr, each.indptr)
    np.testing.assert_array_equal(shared.neighbors, each.neighbors)
    np.testing.assert_array_equal(shared.weights, each.weights)


def test_movie_without_genres_has_no_neighbours_and_is_nobodys(ml_small):
    movies = ml_small.movies_by_id()
    index, _ = build_content_index(ml_small, ContentConfig(top_k=10))
    blank = np.flatnonzero(genre_soup(movies["genres"]).to_numpy() == "")
    assert len(blank) > 0
    for i in blank:
        assert len(index.row(i)[0]) == 0
    assert not np.isin(index.neighbors, blank).any()


def test_tags_become_one_token_each():
    assert tag_token("Highly quotable") == "highly_quotable"
    assert tag_token("sci-fi!") == "sci_fi"
    assert tag_token("  ") == ""


def test_genres_plus_tags_adds_tag_tokens(ml_small):
    movies = ml_small.movies.sort_values("movieId").reset_index(drop=True)
    from staticrec.pipeline.data import load_movielens

    with_tags = load_movielens(ml_small.folder, name="x", with_tags=True)
    soup = content_soup(movies, with_tags.tags, "genres+tags")
    toy_story = soup[movies.index[movies.movieId == 1][0]]
    assert toy_story.startswith("adventure animation children comedy fantasy ")
    assert "pixar" in toy_story.split()
    _, vocabulary = tfidf_features(soup)
    assert len(vocabulary) > 19


def test_genres_plus_tags_needs_tags(ml_small):
    with pytest.raises(ConfigError, match=r"needs tags\.csv"):
        content_soup(ml_small.movies, None, "genres+tags")


def test_a_catalogue_without_any_genre_has_an_empty_index(tmp_path):
    from datasets import TINY_MOVIES, write_dataset
    from staticrec.pipeline.data import load_movielens

    no_genres = (
        "\n".join(
            line.rsplit(",", 1)[0] + ",(no genres listed)" if i else line
            for i, line in enumerate(TINY_MOVIES.strip().splitlines())
        )
        + "\n"
    )
    ml = load_movielens(write_dataset(tmp_path / "d", movies=no_genres), name="tiny")
    index, vocabulary = build_content_index(ml, ContentConfig())
    assert vocabulary == [] and len(index.neighbors) == 0 and len(index.indptr) == 6


@pytest.mark.parametrize("kwargs", [{"source": "plot"}, {"top_k": 0}, {"top_k": 40000}])
def test_bad_content_config(kwargs):
    with pytest.raises(ConfigError):
        ContentConfig(**kwargs)


def _genome_case(rng, n=40, tags=12):
    """Movies with genres only, the genome only, both, or neither."""
    genres = rng.integers(0, 2, size=(n, 5)) * (rng.random((n, 1)) < 0.8)
    features = normalize(sp.csr_matrix(genres.astype(float)))
    with_genome = np.flatnonzero(rng.random(n) < 0.6)
    relevance = rng.random((len(with_genome), tags))
    genome = pd.DataFrame(
        {
            "movieId": np.repeat(with_genome * 10 + 1, tags),
            "tagId": np.tile(np.arange(tags) * 3 + 1, len(with_genome)),
            "relevance": relevance.ravel(),
        }
    ).sample(frac=1.0, random_state=0)  # in no particular order
    return features, genome, with_genome, relevance


def test_genome_index_equals_the_oracle_on_the_weighted_halves(rng):
    """Each movie's vector is its genre TF-IDF and its genome vector side by side, each half
    of length sqrt(1/2) when it has both and 1 when it has one: brute force on that matrix."""
    from staticrec.pipeline.content import genome_neighbors, genome_vectors

    features, genome, with_genome, relevance = _genome_case(rng)
    n = features.shape[0]
    item_ids = np.arange(n) * 10 + 1
    vectors = genome_vectors(genome, item_ids)
    assert vectors.positions.tolist() == with_genome.tolist()
    dense_genome = np.zeros((n, relevance.shape[1]))
    dense_genome[with_genome] = normalize(relevance)
    has_genres = features.getnnz(axis=1) > 0
    halves = np.where(has_genres & (np.abs(dense_genome).sum(axis=1) > 0), np.sqrt(0.5), 1.0)
    combined = sp.csr_matrix(np.hstack([features.toarray(), dense_genome]) * halves[:, None])
    tie_order = rng.permutation(n)
    index = genome_neighbors(features, vectors, tie_order, k=8, chunk_bytes=1 << 9)
    for i, (ids, sims) in enumerate(brute_force_top_k(combined, tie_order, k=8)):
        got_ids, got_sims = index.row(i)
        assert got_ids.tolist() == ids
        np.testing.assert_allclose(got_sims, np.array(sims, dtype=np.float32), rtol=1e-5)


def test_genres_plus_genome_needs_the_genome(ml_small):
    with pytest.raises(ConfigError, match=r"needs genome-scores\.csv"):
        build_content_index(ml_small, ContentConfig(source="genres+genome"))
