"""Shared fixtures: the real ml-latest-small (read once per session), small hand-made datasets,
and one default build of the artifacts that many tests read."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from staticrec.data import load_movielens

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
def built(tmp_path_factory, ml_small_dir) -> Path:
    """Artifacts of one default build of ml-latest-small (no site), shared by many tests."""
    from staticrec.pipeline import BuildConfig, run

    artifacts = tmp_path_factory.mktemp("build") / "artifacts"
    run(BuildConfig(data_dir=ml_small_dir, artifacts_dir=artifacts))
    return artifacts


@pytest.fixture(scope="session")
def recommender(built):
    from staticrec.artifacts import load_recommender

    return load_recommender(built)


@pytest.fixture
def rng():
    """A seeded generator, so every random test is reproducible."""
    return np.random.default_rng(20181026)


TINY_MOVIES = """movieId,title,genres
1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
2,Jumanji (1995),Adventure|Children|Fantasy
3,Heat (1995),Action|Crime|Thriller
4,Blank (2000),(no genres listed)
5,"Comma, The (1999)",Comedy|Sci-Fi
"""
TINY_RATINGS = """userId,movieId,rating,timestamp
1,1,4.0,964982703
1,2,3.5,964981247
1,3,5.0,964982224
2,1,5.0,964983815
2,5,2.0,964982931
3,3,4.5,964982400
3,4,1.0,964982401
"""
TINY_LINKS = """movieId,imdbId,tmdbId
1,0114709,862
2,0113497,8844
3,0113277,949
4,0000001,
5,0000002,5
"""
TINY_TAGS = """userId,movieId,tag,timestamp
1,1,pixar,1445714994
2,1,Pixar,1445714995
1,2,board game,1445714996
"""


def write_dataset(folder: Path, **overrides: str | bytes | None) -> Path:
    """Write the tiny dataset into ``folder``; ``ratings=...`` etc. replace a file's text,
    ``None`` leaves it out."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "movies": TINY_MOVIES,
        "ratings": TINY_RATINGS,
        "links": TINY_LINKS,
        "tags": TINY_TAGS,
    } | overrides
    for stem, text in files.items():
        if text is None:
            continue
        path = folder / f"{stem}.csv"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_dir(tmp_path) -> Path:
    return write_dataset(tmp_path / "tiny")


def copy_dataset(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


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
