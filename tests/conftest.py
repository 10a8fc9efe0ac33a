"""Shared fixtures: the real ml-latest-small (read once per session), small hand-made datasets,
and one default build of the artifacts that many tests read."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from datasets import write_dataset
from staticrec.pipeline.data import load_movielens

REPO = Path(__file__).resolve().parents[1]


def _find_ml_small() -> Path | None:
    candidates = [
        os.environ.get("STATICREC_TEST_DATA"),
        REPO.parent / "shared" / "data" / "ml-latest-small",
        Path("/work/shared/data/ml-latest-small"),
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "ratings.csv").is_file():
            return Path(candidate)
    return None


ML_SMALL = _find_ml_small()

SLOW_FIXTURES = {"ml_site", "spark", "spark_cluster", "browser"}
"""A test that needs one of these, itself or through another fixture, is marked ``slow``: a
whole ml-latest-small build, a Spark session or a browser. ``pytest -m "not slow"`` is the
inner loop; ``pytest`` runs everything."""


def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def ml_small_dir() -> Path:
    """The real MovieLens ml-latest-small folder (never downloaded: tests stay offline)."""
    if ML_SMALL is None:
        pytest.fail(
            "ml-latest-small not found: set STATICREC_TEST_DATA to an extracted "
            "ml-latest-small folder (see README, 'Tests')"
        )
    return ML_SMALL


@pytest.fixture(scope="session")
def ml_small(ml_small_dir):
    return load_movielens(ml_small_dir, name="ml-latest-small")


@pytest.fixture(scope="session")
def ml_site(tmp_path_factory, ml_small_dir) -> Path:
    """One default build of the whole ml-latest-small, ``artifacts/`` and ``site/``: every
    slow test that reads the artifacts or drives the site shares it."""
    from builds import build_site

    return build_site(ml_small_dir, tmp_path_factory.mktemp("ml-site"))


@pytest.fixture(scope="session")
def built(ml_site) -> Path:
    """The artifacts of that build."""
    return ml_site / "artifacts"


CUT_MOVIES = 1000
"""The most-rated movies ``ml_cut_dir`` keeps: 61,256 of the 100,836 ratings, every user."""


@pytest.fixture(scope="session")
def ml_cut_dir(tmp_path_factory, ml_small_dir) -> Path:
    """ml-latest-small cut to its ``CUT_MOVIES`` most-rated movies: real titles, users and
    tastes, built in seconds (the item index's solve is cubic in the movies: 0.8 s here
    against about 40 s for the whole catalogue)."""
    import pandas as pd

    folder = tmp_path_factory.mktemp("ml-cut") / "ml-latest-small"
    folder.mkdir()
    ratings = pd.read_csv(ml_small_dir / "ratings.csv", dtype=str, keep_default_na=False)
    kept = ratings["movieId"].value_counts().index[:CUT_MOVIES]
    for name in ("ratings.csv", "movies.csv", "links.csv", "tags.csv"):
        table = pd.read_csv(ml_small_dir / name, dtype=str, keep_default_na=False)
        table[table["movieId"].isin(kept)].to_csv(folder / name, index=False)
    return folder


@pytest.fixture(scope="session")
def cut_built(tmp_path_factory, ml_cut_dir) -> Path:
    """Artifacts of a default build of ``ml_cut_dir`` (no site): the fast loop's build."""
    from staticrec.pipeline.run import BuildConfig, run

    artifacts = tmp_path_factory.mktemp("cut-build") / "artifacts"
    run(BuildConfig(data_dir=ml_cut_dir, artifacts_dir=artifacts, site=None))
    return artifacts


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for every Spark test (a JVM takes seconds to start); builds
    run inside it reuse it."""
    from staticrec.pipeline.collab_spark import session

    with session("local[2]") as running:
        yield running


@pytest.fixture(scope="session")
def spark_site(tmp_path_factory, ml_small_dir, spark) -> Path:
    """ml-latest-small built whole with Spark's ALS as the trainer: ``artifacts/``, ``site/``."""
    from builds import build_site
    from staticrec.pipeline.spark_config import SparkTraining

    folder = tmp_path_factory.mktemp("spark-site")
    return build_site(ml_small_dir, folder, {"spark": SparkTraining()})


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory):
    """A Spark standalone cluster on 127.0.0.1: a master and two workers of one core each,
    stopped (and its folder removed) when the session ends."""
    from spark_cluster import StandaloneCluster

    cluster = StandaloneCluster(tmp_path_factory.mktemp("spark-cluster") / "cluster").start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def cluster_site(tmp_path_factory, ml_small_dir, spark_cluster) -> Path:
    """ml-latest-small built whole with --engine spark on the standalone cluster: ALS, the
    statistics, the item index's Gram matrix and the user shards computed there."""
    from spark_cluster import cluster_build

    return cluster_build(spark_cluster, ml_small_dir, tmp_path_factory.mktemp("cluster-site"))


@pytest.fixture(scope="session")
def spark_built(spark_site) -> Path:
    """The artifacts of that build."""
    return spark_site / "artifacts"


@pytest.fixture(scope="session")
def recommender(built):
    from staticrec.pipeline.artifacts import load_recommender

    return load_recommender(built)


@pytest.fixture
def rng():
    """A seeded generator, so every random test is reproducible."""
    return np.random.default_rng(20181026)


@pytest.fixture
def tiny_dir(tmp_path) -> Path:
    return write_dataset(tmp_path / "tiny")


class _RecordingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder quietly and records each requested path."""

    requests: list[str]

    def do_GET(self):
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server(tmp_path):
    """A local HTTP server on 127.0.0.1 serving tmp_path/www: (base_url, folder, requests)."""
    www = tmp_path / "www"
    www.mkdir()
    requests: list[str] = []
    handler = type("Handler", (_RecordingHandler,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(www))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", www, requests
    httpd.shutdown()
    httpd.server_close()
