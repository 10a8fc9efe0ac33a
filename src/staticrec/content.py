"""Stage 2a: the content model, a sparse top-k cosine index over TF-IDF of genres (and tags).

This is the build half; the query half, which reads the index in the browser, is
``staticrec.scoring.content``.

Training proceeds in 3 steps:
1. build a text "soup" per movie (the seed's genre rule, optionally plus tags),
2. TF-IDF with L2-normalised rows, so a dot product is the cosine similarity,
3. for a chunk of rows at a time, multiply by all rows, keep each row's top k, drop the chunk.
Memory stays O(chunk * n + n * k): the dense n x n matrix never exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from staticrec.data import MovieLens
from staticrec.errors import ConfigError
from staticrec.neighbors import MAX_TOP_K, NeighborIndex, top_k_rows
from staticrec.scoring.content import popularity_order

ContentSource = Literal["genres", "genres+tags"]
CONTENT_SOURCES: tuple[ContentSource, ...] = get_args(ContentSource)


@dataclass(frozen=True)
class ContentConfig:
    """How the content model is built."""

    source: ContentSource = "genres"
    """``genres`` (the seed) or ``genres+tags`` (genres enriched with tags.csv)."""
    top_k: int = 50
    """Neighbours kept per movie."""
    chunk_bytes: int = 32 << 20
    """Working memory for one chunk of rows; bounds peak memory whatever the catalogue size."""

    def __post_init__(self) -> None:
        if self.source not in CONTENT_SOURCES:
            raise ConfigError(
                f"must be one of {', '.join(CONTENT_SOURCES)}, not {self.source!r}", field="source"
            )
        if not 1 <= self.top_k <= MAX_TOP_K:
            raise ConfigError(f"must be between 1 and {MAX_TOP_K}, not {self.top_k}", field="top_k")
        if self.chunk_bytes < 1:
            raise ConfigError(f"must be positive, not {self.chunk_bytes}", field="chunk_bytes")


def genre_soup(genres: pd.Series) -> pd.Series:
    """The seed's genre text: ``Sci-Fi|IMAX`` -> ``scifi imax``; no genres -> ``""``."""
    cleaned = genres.fillna("").astype(str).replace("(no genres listed)", "")
    return (
        cleaned.str.replace("|", " ", regex=False)
        .str.replace("-", "", regex=False)
        .str.lower()
        .str.strip()
    )


def tag_token(tag: str) -> str:
    """One token per tag: lower case, letters and digits only, words joined by ``_``."""
    words = re.findall(r"[^\W_]+", tag.lower())
    return "_".join(words)


def tag_soup(tags: pd.DataFrame, movie_ids: pd.Series) -> pd.Series:
    """Per movie (aligned to movie_ids), its tag tokens, once per user who applied each."""
    tokens = tags.assign(token=tags["tag"].astype(str).map(tag_token))
    tokens = tokens[tokens["token"] != ""].sort_values(["movieId", "token"], kind="stable")
    joined = tokens.groupby("movieId")["token"].agg(" ".join)
    return movie_ids.map(joined).fillna("").astype(str)


def content_soup(movies: pd.DataFrame, tags: pd.DataFrame | None, source: str) -> pd.Series:
    """The text each movie is described by, for ``source`` in CONTENT_SOURCES."""
    soup = genre_soup(movies["genres"])
    if source == "genres+tags":
        if tags is None:
            raise ConfigError("genres+tags needs tags.csv to be loaded", field="source")
        soup = (soup + " " + tag_soup(tags, movies["movieId"])).str.strip()
    return soup.reset_index(drop=True)


def tfidf_features(soup: pd.Series) -> tuple[sp.csr_matrix, list[str]]:
    """TF-IDF rows (L2-normalised) and the vocabulary, with the seed's whole-token pattern."""
    if not (soup != "").any():  # no movie has a genre (or tag): no features, no neighbours
        return sp.csr_matrix((len(soup), 0)), []
    vectorizer = TfidfVectorizer(token_pattern=r"[^ ]+", lowercase=False)
    matrix = vectorizer.fit_transform(soup.tolist()).tocsr()
    return matrix, vectorizer.get_feature_names_out().tolist()


def top_k_neighbors(
    features: sp.csr_matrix,
    tie_order: np.ndarray,
    k: int,
    chunk_bytes: int = 32 << 20,
    *,
    item_ids: np.ndarray | None = None,
) -> NeighborIndex:
    """Exact top-k cosine neighbours of every row (L2-normalised features), excluding itself and
    zero similarities; equal similarities are ordered by ``tie_order`` (see ``top_k_rows``)."""
    columns = features[tie_order].T.tocsc()  # in tie order: a lower position wins a tie

    def cosine(start: int, stop: int) -> np.ndarray:
        return (features[start:stop] @ columns).toarray()

    return top_k_rows(cosine, features.shape[0], tie_order, k, chunk_bytes, item_ids=item_ids)


def build_content_index(ml: MovieLens, config: ContentConfig) -> tuple[NeighborIndex, list[str]]:
    """Soup, TF-IDF and top-k index over ``ml``'s movies by id, and the vocabulary.

    Equal similarities go to the movie with more ratings in ``ml.ratings``.
    """
    movies = ml.movies_by_id()
    soup = content_soup(movies, ml.tags, config.source)
    features, vocabulary = tfidf_features(soup)
    item_ids = movies["movieId"].to_numpy(dtype=np.int64)
    tie_order = popularity_order(ml.ratings_per_movie(), item_ids)
    index = top_k_neighbors(
        features, tie_order, config.top_k, config.chunk_bytes, item_ids=item_ids
    )
    return index, vocabulary
