"""The scoring core's tests answer from a build of ml-latest-small cut to its most-rated movies
(``cut_built``, which ``built`` means here): the same users, titles and tastes, built in
seconds, so they run in the fast loop. The few that need the whole catalogue ask for
``full_recommender`` and are marked slow by it."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def built(cut_built):
    return cut_built


@pytest.fixture(scope="session")
def recommender(cut_built):
    from staticrec.pipeline.artifacts import load_recommender

    return load_recommender(cut_built)


@pytest.fixture(scope="session")
def ml_cut(ml_cut_dir):
    """The cut dataset as the build reads it."""
    from staticrec.pipeline.data import load_movielens

    return load_movielens(ml_cut_dir, name="ml-latest-small")


@pytest.fixture(scope="session")
def full_recommender(ml_site):
    """The whole catalogue's recommender, for the tests whose data the cut leaves out."""
    from staticrec.pipeline.artifacts import load_recommender

    return load_recommender(ml_site / "artifacts")
