"""Stage 2: the content model, a sparse top-k cosine index over TF-IDF of genres (and tags, or
the tag genome).

This is the build half; the query half, which reads the index in the browser, is
``staticrec.scoring.content``.

Training proceeds in 3 steps:
1. build a text "soup" per movie (the seed's genre rule, optionally plus tags),
2. TF-IDF with L2-normalised rows, so a dot product is the cosine similarity,
3. for a chunk of rows at a time, multiply by all rows, keep each row's top k, drop the chunk.
Memory stays O(chunk * n + n * k): the dense n x n matrix never exists.

With genres alone (the default), many movies share a genre set and so a similarity: their ties
go to the movie whose tags (tags.csv, where the release has it) are closest, by the cosine of
their tag TF-IDF vectors, and only then to the more-rated one. The similarity stored is the
genres' alone; a movie without tags ties at 0 and keeps the popularity order.

With the tag genome (``genres+genome``), each movie is also its genome vector, L2-normalised:
the cosine of two movies with both is the mean of their genre and genome cosines. The genome
half is dense (1,128 relevances a movie) and multiplied as such, by BLAS, among the movies that
have one only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from staticrec.errors import ConfigError
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.neighbors import (
    MAX_TOP_K,
    NeighborIndex,
    identical_rows,
    top_k_rows,
    without_own,
)
from staticrec.scoring.content import popularity_order

ContentSource = Literal["genres", "genres+tags", "genres+genome"]
CONTENT_SOURCES: tuple[ContentSource, ...] = get_args(ContentSource)


@dataclass(frozen=True)
class ContentConfig:
    """How the content model is built."""

    source: ContentSource = "genres"
    """``genres`` (the seed), ``genres+tags`` (genres enriched with tags.csv) or
    ``genres+genome`` (genres and the tag genome of genome-scores.csv, ml-25m and later)."""
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
    # object first: with no tags at all the mapped column is float64 (all NaN), which "" cannot fill
    return movie_ids.map(joined).astype(object).fillna("").astype(str)


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
    progress: str | None = None,
    tie_features: sp.csr_matrix | None = None,
) -> NeighborIndex:
    """Exact top-k cosine neighbours of every row (L2-normalised features), excluding itself and
    zero similarities; equal similarities are ordered by the cosine of ``tie_features`` (when
    given), then by ``tie_order`` (see ``top_k_rows``).

    Movies with the same features (and tie features) score every other movie alike, so each
    distinct row is ranked once, one deeper, and its movies share that list (``without_own``):
    ml-latest-small's 9,742 movies have about a quarter as many distinct rows.
    """
    both = features if tie_features is None else sp.hstack([features, tie_features], "csr")
    first, group = identical_rows(both)
    k = min(k, max(features.shape[0] - 1, 0))
    distinct = features[first]
    columns = features[tie_order].T.tocsc()  # in tie order: a lower position wins a tie

    def cosine(start: int, stop: int) -> np.ndarray:
        return (distinct[start:stop] @ columns).toarray()

    tie_scores = None
    if tie_features is not None and tie_features.nnz:
        distinct_ties = tie_features[first]
        tie_columns = tie_features[tie_order].T.tocsc()

        def tie_scores(start: int, stop: int) -> np.ndarray:
            return (distinct_ties[start:stop] @ tie_columns).toarray()

    shared = top_k_rows(
        cosine,
        features.shape[0],
        tie_order,
        k + 1,
        chunk_bytes,
        progress=progress,
        tie_scores=tie_scores,
        rows=len(first),
    )
    return without_own(shared, group, k, item_ids)


@dataclass(frozen=True)
class GenomeVectors:
    """The tag genome of the movies that have one, L2-normalised rows."""

    positions: np.ndarray
    """Where each movie with a genome is in the catalogue (ascending)."""
    vectors: np.ndarray
    """float32, one row per position, one column per tagId (ascending)."""
    tag_ids: np.ndarray


def genome_vectors(genome: pd.DataFrame, movie_ids: np.ndarray) -> GenomeVectors:
    """Each catalogue movie's genome relevances as one L2-normalised vector (a tag it lacks
    counts 0); movies without any, or only zeros, are left out."""
    tag_ids = np.unique(genome["tagId"].to_numpy())
    rows = np.searchsorted(movie_ids, genome["movieId"].to_numpy())
    positions, row_of = np.unique(rows, return_inverse=True)
    vectors = np.zeros((len(positions), len(tag_ids)), dtype=np.float32)
    vectors[row_of, np.searchsorted(tag_ids, genome["tagId"].to_numpy())] = genome["relevance"]
    norms = np.linalg.norm(vectors, axis=1)
    keep = norms > 0
    return GenomeVectors(positions[keep], vectors[keep] / norms[keep, None], tag_ids)


def genome_neighbors(
    genres: sp.csr_matrix,
    genome: GenomeVectors,
    tie_order: np.ndarray,
    k: int,
    chunk_bytes: int = 32 << 20,
    *,
    item_ids: np.ndarray | None = None,
    progress: str | None = None,
) -> NeighborIndex:
    """``top_k_neighbors`` over the genres and the genome side by side, each half weighed so
    that every movie's whole vector has length 1: a movie with both halves weighs each by
    sqrt(1/2), a movie with one only weighs it by 1."""
    n = genres.shape[0]
    has_genres = np.asarray(genres.getnnz(axis=1) > 0)
    has_genome = np.zeros(n, dtype=bool)
    has_genome[genome.positions] = True
    both = np.where(has_genres & has_genome, np.sqrt(0.5), 1.0)
    genre_part = sp.diags(both) @ genres
    genome_part = genome.vectors * both[genome.positions, None].astype(np.float32)
    place = np.empty(n, dtype=np.int64)  # a movie's column: its place in the tie order
    place[tie_order] = np.arange(n)
    genre_columns = genre_part[tie_order].T.tocsc()
    genome_columns = np.ascontiguousarray(genome_part.T)
    genome_row = np.full(n, -1)
    genome_row[genome.positions] = np.arange(len(genome.positions))

    def cosine(start: int, stop: int) -> np.ndarray:
        out = (genre_part[start:stop] @ genre_columns).toarray()
        rows = genome_row[start:stop]
        local = np.flatnonzero(rows >= 0)
        if len(local):
            block = genome_part[rows[local]] @ genome_columns
            out[np.ix_(local, place[genome.positions])] += block
        return out

    return top_k_rows(cosine, n, tie_order, k, chunk_bytes, item_ids=item_ids, progress=progress)


def build_content_index(
    ml: MovieLens, config: ContentConfig, progress: bool = False
) -> tuple[NeighborIndex, list[str]]:
    """Soup, TF-IDF and top-k index over ``ml``'s movies by id, and the vocabulary (with the
    genome: the genre tokens, then ``genome:<tagId>`` per tag); ``progress``: a bar per movie.

    Equal similarities go to the movie with closer tags (genres alone, with ``ml.tags``), then
    to the movie with more ratings in ``ml.ratings``.
    """
    movies = ml.movies_by_id()
    item_ids = movies["movieId"].to_numpy(dtype=np.int64)
    tie_order = popularity_order(ml.ratings_per_movie(), item_ids)
    label = "content" if progress else None
    if config.source == "genres+genome":
        if ml.genome is None:
            raise ConfigError("genres+genome needs genome-scores.csv to be loaded", field="source")
        features, vocabulary = tfidf_features(genre_soup(movies["genres"]).reset_index(drop=True))
        genome = genome_vectors(ml.genome, item_ids)
        index = genome_neighbors(
            features,
            genome,
            tie_order,
            config.top_k,
            config.chunk_bytes,
            item_ids=item_ids,
            progress=label,
        )
        return index, vocabulary + [f"genome:{t}" for t in genome.tag_ids.tolist()]
    soup = content_soup(movies, ml.tags, config.source)
    features, vocabulary = tfidf_features(soup)
    ties = None
    if config.source == "genres" and ml.tags is not None:  # tags break the genres' ties
        ties, _ = tfidf_features(tag_soup(ml.tags, movies["movieId"]).reset_index(drop=True))
    index = top_k_neighbors(
        features,
        tie_order,
        config.top_k,
        config.chunk_bytes,
        item_ids=item_ids,
        progress=label,
        tie_features=ties,
    )
    return index, vocabulary
