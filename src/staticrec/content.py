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
from staticrec.scoring.content import popularity_order

ContentSource = Literal["genres", "genres+tags"]
CONTENT_SOURCES: tuple[ContentSource, ...] = get_args(ContentSource)
MAX_TOP_K = 32767  # ranks are stored as int16

# Bytes of working memory per similarity entry while ranking a chunk: the float32 similarities,
# the int64 sort key and argpartition's int64 indices (the float64 product is gone by then).
_BYTES_PER_ENTRY = 4 + 8 + 8


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


@dataclass(frozen=True)
class NeighborIndex:
    """Each movie's top-k most similar movies, as CSR parts over row positions.

    Row ``i`` is the movie ``item_ids[i]``; its neighbours are ``neighbors[indptr[i]:indptr[i+1]]``
    (positions in ``item_ids``), best first, with ``similarities`` alongside. The index carries
    its own ids (as LensKit's item kNN keeps ``items`` beside its matrix), so nobody has to
    recompute which catalogue it was built over.
    """

    item_ids: np.ndarray
    """int64 movieIds, ascending: the movie of each row."""
    indptr: np.ndarray
    """int64, n + 1 offsets."""
    neighbors: np.ndarray
    """int32 row positions of the neighbours."""
    similarities: np.ndarray
    """float32 cosine similarities, > 0, non-increasing within a row."""

    @classmethod
    def empty(cls, item_ids: np.ndarray) -> NeighborIndex:
        """An index with no neighbours (for studies that never ask for a content list)."""
        return cls(
            np.asarray(item_ids, dtype=np.int64),
            np.zeros(len(item_ids) + 1, np.int64),
            np.empty(0, np.int32),
            np.empty(0, np.float32),
        )

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Neighbour positions and similarities of row ``i``."""
        start, stop = self.indptr[i], self.indptr[i + 1]
        return self.neighbors[start:stop], self.similarities[start:stop]


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
    """Exact top-k cosine neighbours of every row, excluding itself and zero similarities.

    Equal similarities (compared as float32, the stored precision) are ordered by ``tie_order``:
    the position of a movie in that permutation is its tie rank, lower first.

    Args:
        features: n x f, L2-normalised rows.
        tie_order: a permutation of range(n); earlier wins a tie.
        k: neighbours kept per row.
        chunk_bytes: working memory allowed for one chunk of rows.
        item_ids: the id of each row (default: the row positions).
    """
    n = features.shape[0]
    k = min(k, max(n - 1, 0))
    # Columns in tie order: a lower column position then means "wins the tie".
    columns = features[tie_order].T.tocsc()
    chunk_rows = max(1, chunk_bytes // max(1, n * _BYTES_PER_ENTRY))
    counts = np.zeros(n, dtype=np.int64)
    neighbor_parts: list[np.ndarray] = []
    similarity_parts: list[np.ndarray] = []
    position_of = np.empty(n, dtype=np.int64)
    position_of[tie_order] = np.arange(n)
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        sims = (features[start:stop] @ columns).toarray().astype(np.float32)
        rows = np.arange(stop - start)
        sims[rows, position_of[start:stop]] = 0.0  # a movie is not its own neighbour
        chosen, chosen_sims = _rank_chunk(sims, k)
        keep = chosen_sims > 0
        counts[start:stop] = keep.sum(axis=1)
        neighbor_parts.append(tie_order[chosen[keep]].astype(np.int32))
        similarity_parts.append(chosen_sims[keep])
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return NeighborIndex(
        item_ids=np.arange(n, dtype=np.int64) if item_ids is None else np.asarray(item_ids),
        indptr=indptr,
        neighbors=np.concatenate(neighbor_parts) if neighbor_parts else np.empty(0, np.int32),
        similarities=(
            np.concatenate(similarity_parts) if similarity_parts else np.empty(0, np.float32)
        ),
    )


def _rank_chunk(sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k column positions per row by (similarity desc, column asc), and their similarities."""
    if k == 0:
        empty = np.empty((sims.shape[0], 0))
        return empty.astype(np.int64), empty.astype(np.float32)
    n = sims.shape[1]
    # For non-negative float32, the int32 bit pattern orders like the value; packing it above the
    # reversed column position gives one exact integer key for "similarity desc, column asc".
    # The key is negated in place so that argpartition's ascending order puts the best first.
    keys = sims.view(np.int32).astype(np.int64)
    keys <<= 32
    keys |= n - 1 - np.arange(n, dtype=np.int64)
    np.negative(keys, out=keys)
    top = np.argpartition(keys, k - 1, axis=1)[:, :k]
    top_keys = np.take_along_axis(keys, top, axis=1)
    order = np.argsort(top_keys, axis=1)
    chosen = np.take_along_axis(top, order, axis=1)
    return chosen, np.take_along_axis(sims, chosen, axis=1)


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
