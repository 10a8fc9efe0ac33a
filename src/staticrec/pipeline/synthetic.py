"""MovieLens-shaped data from a seed: the scale benchmark's ladder and the scale tests, offline.

The shapes follow the real releases (``SCALES``: users, movies, ratings of ml-1m .. ml-32m), and
so do the distributions that make a build slow or a site large:

- movie popularity is long-tailed (a power law over a random order of the movies: the most-rated
  movie has about 0.3% of all ratings, as in the real releases, and many movies have a handful);
- user activity is long-tailed too (at least ``min_per_user`` ratings each, as GroupLens keeps
  only such users; a log-normal tail above, capped at half the catalogue);
- ratings come from a low-rank model (biases plus a dot product of ``n_latent`` factors whose
  movie half leans on the movie's genres, so the content model has signal), plus noise,
  rounded to half stars;
- movie ids are sparse (as MovieLens' are), user ids run from 1.

Everything is numpy, vectorised, and seeded: one seed gives byte-identical files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from staticrec.errors import ConfigError

SCALES: dict[str, tuple[int, int, int]] = {
    "100k": (610, 9_742, 100_836),
    "1m": (6_040, 3_883, 1_000_209),
    "10m": (69_878, 10_681, 10_000_054),
    "25m": (162_541, 62_423, 25_000_095),
    "32m": (200_948, 87_585, 32_000_204),
}
"""Users, movies and ratings of the MovieLens release each name stands for."""

GENRE_COUNTS = {
    "Drama": 4361, "Comedy": 3756, "Thriller": 1894, "Action": 1828, "Romance": 1596,
    "Adventure": 1263, "Crime": 1199, "Sci-Fi": 980, "Horror": 978, "Fantasy": 779,
    "Children": 664, "Animation": 611, "Mystery": 573, "Documentary": 440, "War": 382,
    "Musical": 334, "IMAX": 158, "Western": 167, "Film-Noir": 87,
}  # fmt: skip
"""How many of ml-latest-small's movies carry each genre: the generator draws genres by it."""

_WORDS = tuple(
    [
        "night",
        "love",
        "return",
        "last",
        "dark",
        "city",
        "blue",
        "summer",
        "house",
        "king",
        "river",
        "war",
        "secret",
        "lost",
        "man",
        "woman",
        "girl",
        "boy",
        "dead",
        "life",
        "story",
        "dream",
        "road",
        "star",
        "ghost",
        "island",
        "heart",
        "fire",
        "time",
        "world",
        "stone",
        "shadow",
        "red",
        "golden",
        "wild",
        "little",
        "big",
        "new",
        "old",
        "silent",
        "broken",
        "final",
        "first",
        "hidden",
        "winter",
        "spring",
        "moon",
        "sun",
        "sea",
        "garden",
        "mirror",
        "journey",
        "empire",
        "storm",
        "train",
        "letter",
        "song",
        "dance",
        "game",
        "hunter",
        "angel",
    ]
)
_RATINGS_TEXT = [f"{0.5 * k:.1f}" for k in range(1, 11)]  # "0.5" .. "5.0", as MovieLens writes


@dataclass(frozen=True)
class SyntheticConfig:
    """The shape of one generated dataset."""

    n_users: int
    n_movies: int
    n_ratings: int
    seed: int = 0
    min_per_user: int = 20
    """Fewest ratings per user (GroupLens keeps users with at least 20)."""
    movie_skew: float = 1.6
    """Exponent of the popularity power law ``(rank + 200) ** -skew``."""
    activity_spread: float = 1.2
    """Sigma of the log-normal tail of ratings per user."""
    n_latent: int = 8
    """Rank of the model the ratings come from."""
    noise: float = 0.7
    """Spread of the rating noise, in stars."""

    def __post_init__(self) -> None:
        for name in ("n_users", "n_movies", "n_ratings", "min_per_user", "n_latent"):
            if getattr(self, name) < 1:
                raise ConfigError(f"must be at least 1, not {getattr(self, name)}", field=name)
        if not 0 <= self.seed < 2**32:
            raise ConfigError(
                f"must be a whole number from 0 to 2^32-1, not {self.seed}", field="seed"
            )
        per_user_cap = max(1, self.n_movies // 2)
        if self.min_per_user > per_user_cap:
            problem = f"must be at most half the movies ({per_user_cap}), not {self.min_per_user}"
            raise ConfigError(problem, field="min_per_user")
        low, high = self.n_users * self.min_per_user, self.n_users * per_user_cap
        if not low <= self.n_ratings <= high:
            problem = (
                f"must be between {low:,} and {high:,} for {self.n_users:,} users "
                f"({self.min_per_user} to {per_user_cap:,} ratings each), not {self.n_ratings:,}"
            )
            raise ConfigError(problem, field="n_ratings")

    @classmethod
    def scale(cls, name: str, seed: int = 0) -> SyntheticConfig:
        """The shape of a MovieLens release: ``"1m"``, ``"32m"`` (see ``SCALES``)."""
        if name not in SCALES:
            raise ConfigError(f"must be one of {', '.join(SCALES)}, not {name!r}", field="scale")
        users, movies, ratings = SCALES[name]
        return cls(users, movies, ratings, seed=seed)


@dataclass(frozen=True)
class Synthetic:
    """A generated dataset as arrays: what ``write_movielens`` writes."""

    movie_ids: np.ndarray
    titles: list[str]
    genres: list[str]
    user_ids: np.ndarray
    """Per rating, int32; ratings are grouped by user."""
    rated_movie_ids: np.ndarray
    """Per rating, int32."""
    stars: np.ndarray
    """Per rating: index 0..9 of the half-star rating (0.5 .. 5.0)."""
    timestamps: np.ndarray
    """Per rating, int64 seconds."""


def generate(config: SyntheticConfig) -> Synthetic:
    """Draw a dataset of exactly ``config``'s users, movies and ratings."""
    rng = np.random.default_rng(config.seed)
    movie_ids = np.sort(rng.choice(3 * config.n_movies, config.n_movies, replace=False) + 1)
    genre_sets = _genre_sets(rng, config.n_movies)
    popularity = _popularity(rng, config)
    per_user = _ratings_per_user(rng, config)
    users, movies = _distinct_pairs(rng, per_user, popularity)
    stars = _stars(rng, config, genre_sets, popularity, users, movies)
    return Synthetic(
        movie_ids=movie_ids.astype(np.int32),
        titles=_titles(rng, config.n_movies),
        genres=["|".join(names) for names in genre_sets],
        user_ids=(users + 1).astype(np.int32),
        rated_movie_ids=movie_ids[movies].astype(np.int32),
        stars=stars,
        timestamps=_timestamps(rng, per_user),
    )


def write_movielens(data: Synthetic, folder: Path) -> None:
    """movies.csv, ratings.csv and links.csv, as a MovieLens release lays them out."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "movies.csv", "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["movieId", "title", "genres"])
        writer.writerows(zip(data.movie_ids.tolist(), data.titles, data.genres, strict=True))
    with open(folder / "links.csv", "w", encoding="utf-8", newline="") as out:
        out.write("movieId,imdbId,tmdbId\n")
        for movie_id in data.movie_ids.tolist():
            out.write(f"{movie_id},{100000 + movie_id:07d},{movie_id}\n")
    table = pa.table(
        {
            "userId": data.user_ids,
            "movieId": data.rated_movie_ids,
            "rating": pa.DictionaryArray.from_arrays(pa.array(data.stars), _RATINGS_TEXT),
            "timestamp": data.timestamps,
        }
    )
    with open(folder / "ratings.csv", "wb") as out:
        out.write(b"userId,movieId,rating,timestamp\n")
        pa_csv.write_csv(
            table, out, pa_csv.WriteOptions(include_header=False, quoting_style="none")
        )


# -- the draws ----------------------------------------------------------------------------------


def _genre_sets(rng: np.random.Generator, n_movies: int) -> list[list[str]]:
    """One to four genres per movie, drawn by their frequency in the real catalogue."""
    names = list(GENRE_COUNTS)
    weights = np.array(list(GENRE_COUNTS.values()), dtype=float)
    sizes = rng.choice(4, n_movies, p=[0.35, 0.35, 0.2, 0.1]) + 1
    # Gumbel top-k: each movie's genres, drawn without replacement by weight, in one pass
    keys = np.log(weights) + rng.gumbel(size=(n_movies, len(names)))
    order = np.argsort(-keys, axis=1)
    return [sorted(names[j] for j in order[m, : sizes[m]]) for m in range(n_movies)]


def _popularity(rng: np.random.Generator, config: SyntheticConfig) -> np.ndarray:
    """Each movie's share of the ratings: a power law over a random order of the movies."""
    rank = rng.permutation(config.n_movies)
    weights = (rank + 200.0) ** -config.movie_skew
    return weights / weights.sum()


def _ratings_per_user(rng: np.random.Generator, config: SyntheticConfig) -> np.ndarray:
    """Ratings per user: ``min_per_user`` plus a log-normal share of the rest, summing exactly
    to ``n_ratings``, none above half the catalogue."""
    cap = max(1, config.n_movies // 2)
    extra_total = config.n_ratings - config.n_users * config.min_per_user
    share = rng.lognormal(0.0, config.activity_spread, config.n_users)
    extra = np.zeros(config.n_users, dtype=np.int64)
    room = np.full(config.n_users, cap - config.min_per_user, dtype=np.int64)
    left = extra_total
    while left > 0:  # hand out the rest by share; a user at the cap passes theirs on
        open_ = room > 0
        portion = share * open_ / (share * open_).sum() * left
        given = np.minimum(np.floor(portion).astype(np.int64), room)
        if given.sum() == 0:  # the last few: one each to the largest shares with room
            given = np.zeros_like(extra)
            given[np.argsort(-(share * open_))[:left]] = 1
        extra += given
        room -= given
        left = extra_total - int(extra.sum())
    return config.min_per_user + extra


def _distinct_pairs(
    rng: np.random.Generator, per_user: np.ndarray, popularity: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(user, movie) index pairs, ``per_user[u]`` distinct movies for user u, drawn by
    popularity; grouped by user, movies ascending within a user."""
    n_movies = len(popularity)
    cumulative = np.cumsum(popularity)
    cumulative[-1] = 1.0
    keys = np.empty(0, dtype=np.int64)
    missing = per_user.copy()
    for _ in range(30):  # draw what is missing, drop repeats; the heaviest users may need more
        users = np.repeat(np.arange(len(per_user)), missing)
        movies = np.searchsorted(cumulative, rng.random(len(users)), side="right")
        keys = _sorted_unique(np.concatenate([keys, users * n_movies + movies]))
        missing = per_user - np.bincount(keys // n_movies, minlength=len(per_user))
        if not missing.any():
            break
    else:  # exact draws without replacement (Gumbel top-k) for the few users still short
        log_popularity = np.log(popularity)
        extra = []
        for user in np.flatnonzero(missing):
            have = keys[keys // n_movies == user] % n_movies
            scores = log_popularity + rng.gumbel(size=n_movies)
            scores[have] = -np.inf
            chosen = np.argpartition(-scores, missing[user])[: missing[user]]
            extra.append(user * n_movies + chosen)
        keys = _sorted_unique(np.concatenate([keys, *extra]))
    return keys // n_movies, keys % n_movies


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting (numpy 2's hashing ``unique`` is ten times slower here)."""
    keys.sort()
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if len(keys) else keys


def _stars(
    rng: np.random.Generator,
    config: SyntheticConfig,
    genre_sets: list[list[str]],
    popularity: np.ndarray,
    users: np.ndarray,
    movies: np.ndarray,
) -> np.ndarray:
    """Half-star ratings (as indices 0..9) from biases, a low-rank taste model and noise."""
    k = config.n_latent
    genre_index = {name: j for j, name in enumerate(GENRE_COUNTS)}
    genre_matrix = np.zeros((config.n_movies, len(genre_index)))
    for movie, names in enumerate(genre_sets):
        genre_matrix[movie, [genre_index[n] for n in names]] = 1.0
    genre_taste = rng.normal(0.0, 0.5, (len(genre_index), k))
    counts = genre_matrix.sum(axis=1, keepdims=True)
    movie_vectors = genre_matrix @ genre_taste / counts + rng.normal(
        0.0, 0.25, (config.n_movies, k)
    )
    user_vectors = rng.normal(0.0, 0.5, (config.n_users, k))
    # popular movies are rated a little higher, as in MovieLens
    movie_bias = rng.normal(0.0, 0.35, config.n_movies) + 0.1 * np.log(popularity * config.n_movies)
    user_bias = rng.normal(0.0, 0.4, config.n_users)
    chunk = 4_000_000
    stars = np.empty(len(users), dtype=np.int8)
    for start in range(0, len(users), chunk):  # bounded memory at 32M ratings
        u, m = users[start : start + chunk], movies[start : start + chunk]
        taste = np.einsum("ij,ij->i", user_vectors[u], movie_vectors[m])
        raw = 3.5 + user_bias[u] + movie_bias[m] + taste + rng.normal(0.0, config.noise, len(u))
        stars[start : start + chunk] = np.clip(np.rint(raw * 2) - 1, 0, 9)
    return stars


def _titles(rng: np.random.Generator, n_movies: int) -> list[str]:
    """ "Words words (year)": two to four words, and a year, unique by a number where needed."""
    words = np.array(_WORDS)
    sizes = rng.integers(2, 5, n_movies)
    picks = rng.integers(0, len(words), (n_movies, 4))
    years = rng.integers(1920, 2024, n_movies)
    seen: set[str] = set()
    titles = []
    for movie in range(n_movies):
        name = " ".join(words[picks[movie, : sizes[movie]]]).capitalize()
        title = f"{name} ({years[movie]})"
        if title in seen:
            title = f"{name} {movie} ({years[movie]})"
        seen.add(title)
        titles.append(title)
    return titles


def _timestamps(rng: np.random.Generator, per_user: np.ndarray) -> np.ndarray:
    """Each user rates within a span of their own, somewhere in 1996-2023."""
    start = rng.integers(820_000_000, 1_700_000_000, len(per_user))
    span = np.minimum(rng.exponential(3e7, len(per_user)), 1_700_000_000 - start)
    users = np.repeat(np.arange(len(per_user)), per_user)
    offsets = rng.random(len(users)) * span[users]
    return (start[users] + offsets).astype(np.int64)


def describe(data: Synthetic) -> str:
    """One line: users, movies, ratings, and how skewed they are."""
    per_movie = np.bincount(np.searchsorted(data.movie_ids, data.rated_movie_ids))
    per_user = np.bincount(data.user_ids)[1:]
    return (
        f"{len(per_user):,} users, {len(data.movie_ids):,} movies "
        f"({int((per_movie > 0).sum()):,} rated), {len(data.user_ids):,} ratings; "
        f"most-rated movie {int(per_movie.max()):,} ratings, median rated movie "
        f"{int(np.median(per_movie[per_movie > 0])):,}; ratings per user median "
        f"{int(np.median(per_user)):,}, max {int(per_user.max()):,}; "
        f"mean rating {float(np.mean(data.stars) * 0.5 + 0.5):.2f}"
    )
