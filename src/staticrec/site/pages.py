"""Every page of the site, computed: each page's template and context, from the artifacts and
the scoring core (nothing is written here: ``render`` writes)."""

from __future__ import annotations

import gc
import hashlib
import json
import unicodedata
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from staticrec import __version__
from staticrec.scoring import Recommender, schema
from staticrec.scoring.config import on_scale
from staticrec.scoring.schema import MANIFEST
from staticrec.scoring.titles import short_title
from staticrec.site.also_liked import AlsoLiked
from staticrec.site.config import (
    EARLY_DIR,
    FOR_YOU,
    MOVIE_DATA_BLOCK,
    MOVIE_DATA_DIR,
    NOT_FOUND,
    SERVICE_WORKER,
    SiteConfig,
)
from staticrec.site.early import early_answer, early_file_count
from staticrec.site.picks import static_picks
from staticrec.site.pyodide import PYODIDE_VERSION


@dataclass(frozen=True)
class ReportPage:
    """The evaluation report: the page's context and the folder holding its plots."""

    context: dict
    folder: Path


@dataclass(frozen=True)
class Page:
    """One HTML page: where it goes, which template, and everything the template shows."""

    path: str
    template: str
    context: dict = field(default_factory=dict)
    root: str | None = None
    """How the page's links reach the site's root; None: relative, from the page's depth."""


def site_pages(
    artifacts: Path,
    recommender: Recommender,
    config: SiteConfig,
    report: ReportPage | None = None,
    also_liked: AlsoLiked | None = None,
) -> list[Page]:
    """Every page of the site, with its context; reads the artifacts, writes nothing
    (``also_liked``: every movie's list, when the caller has it already)."""
    also_liked = also_liked or AlsoLiked(recommender, config.also_liked_shown)
    manifest = json.loads((artifacts / MANIFEST).read_text(encoding="utf-8"))
    items = read_items(artifacts)
    movies = {row["movieId"]: _movie_summary(row) for row in items}
    common = {
        "manifest_sha256": hashlib.sha256((artifacts / MANIFEST).read_bytes()).hexdigest(),
        "dataset": manifest["dataset"],
        "content_source": manifest["params"]["content"]["source"],
        **_content_words(manifest["params"]["content"]["source"]),
        "content_ties": _content_ties(config, manifest),
        # which trainer made the factors: Surprise's SVD, or ALS on Spark
        "factor_model": "ALS" if manifest["params"].get("trainer") == "spark" else "SVD",
        "rating_scale": manifest["rating_scale"],
        **_words(config, manifest, recommender.config),
        "version": __version__,
        "pyodide_version": PYODIDE_VERSION,
        "has_report": report is not None,
        # kept for offline visits only with the runtime on the site's own origin
        "service_worker": SERVICE_WORKER if config.pyodide == "self-host" else "",
    }

    def link(item) -> dict:
        return {**movies[item.movie_id], **{k: v for k, v in vars(item).items() if v is not None}}

    pages = [
        Page(
            "index.html",
            "index.html",
            {
                **common,
                "most_rated": [link(i) for i in recommender.most_rated(config.list_length)],
                "best_rated": [link(i) for i in recommender.popular(config.list_length)],
                "damping": recommender.config.popularity_damping,
            },
        ),
        Page(
            f"{FOR_YOU}index.html",
            "for_you.html",
            {
                **common,
                "example_user": _example_user(recommender),
                "early_visitor": (early := early_answer(recommender.for_visitor({}))),
                "early_picks": static_picks(early),
                "early_files": early_file_count(len(recommender.model.user_ids)),
                "early_dir": EARLY_DIR,
                **filter_choices(items),
            },
        ),
        Page(
            "about/index.html",
            "about.html",
            {**common, "manifest": manifest, "scoring": recommender.config},
        ),
    ]
    paged = paged_movies(items, config.movie_pages)
    for row in items:
        if row["movieId"] in paged:
            context = movie_context(row, recommender, config, link, also_liked)
            pages.append(
                Page(f"movie/{row['movieId']}/index.html", "movie.html", {**common, **context})
            )
    pages.extend(_browse_pages(list(movies.values()), common))
    if report is not None:
        pages.append(Page("report/index.html", "report.html", {**common, **report.context}))
    # served for any missing path, at any depth: its links start from the site's own root
    root = urllib.parse.urlsplit(config.base_url).path if config.base_url else "/"
    movie_data = {"movie_data_dir": MOVIE_DATA_DIR, "movie_data_block": MOVIE_DATA_BLOCK}
    pages.append(Page(NOT_FOUND, "404.html", {**common, **movie_data}, root=root))
    return pages


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a while (then as it was), as ``render`` is.

    The pages' contexts are some million small dicts and lists, none in a cycle, kept until
    written: as they pile up, each full collection walks all of them again (1.0 s of the 2.2 s
    that computing ml-latest-small's pages took, and more while writing them). Refcounting
    still frees what is dropped; the site stage leaves no cyclic garbage worth a pass.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def paged_movies(items: list[dict], budget: int | None) -> set[int]:
    """The movieIds that get a page of their own: all, or the ``budget`` most-rated (ties:
    the lower id)."""
    if budget is not None and budget < len(items):
        items = sorted(items, key=lambda row: (-row["n_ratings"], row["movieId"]))[:budget]
    return {row["movieId"] for row in items}


NICHE_LABELS = ("As ranked", "A little less known", "Less known", "Hidden gems")
"""For you's words for the scoring core's niche levels, 0 to 3 (one per NICHE_STEPS)."""


def filter_choices(items: list[dict]) -> dict[str, list]:
    """What For you's filters offer: every genre (category) listed, by name, every decade with a
    dated movie, as its first year (1990 for 1990-1999), and the niche levels' words."""
    genres = {g for row in items for g in _genres(row)}
    decades = {row["year"] // 10 * 10 for row in items if row.get("year")}
    return {
        "genres": sorted(genres, key=str.casefold),
        "decades": sorted(decades),
        "niche_labels": list(NICHE_LABELS),
    }


def _genres(row: dict) -> list[str]:
    """A row's genres, without MovieLens's "(no genres listed)"."""
    return [g for g in (row["genres"] or "").split("|") if g and g != "(no genres listed)"]


def read_items(artifacts: Path) -> list[dict]:
    """The items table's rows, each with ``link``: its address elsewhere from the item links
    table (your items file's link column), or None."""
    items = pq.read_table(artifacts / schema.ITEMS.file).to_pylist()
    links: dict[int, str] = {}
    if (artifacts / schema.ITEM_LINKS.file).is_file():
        table = pq.read_table(artifacts / schema.ITEM_LINKS.file)
        links = dict(zip(table["movieId"].to_pylist(), table["url"].to_pylist(), strict=True))
    return [{**row, "link": links.get(row["movieId"])} for row in items]


def movie_context(
    row: dict, recommender: Recommender, config: SiteConfig, link, also_liked: AlsoLiked
) -> dict:
    """What a movie's page shows: its facts, what people who liked it also liked (with how
    many liked both), and the movies most like it."""
    similar = [link(i) for i in recommender.similar(row["movieId"], config.similar_shown)]
    liked = [{**link(i), "liked_both": n} for i, n in also_liked.of(row["movieId"])]
    return {
        "movie": _movie_detail(row, config.link_template),
        "also_liked": liked,
        "similar": similar,
    }


def movie_data_files(
    artifacts: Path,
    recommender: Recommender,
    config: SiteConfig,
    also_liked: AlsoLiked | None = None,
) -> dict[int, dict[str, dict]]:
    """The movies without a page, by file number: ``{movieId: {movie, also_liked, similar}}``,
    as the movie page's context, with only what the page shows of each movie listed."""
    items = read_items(artifacts)
    paged = paged_movies(items, config.movie_pages)
    titles = {row["movieId"]: row["title"] for row in items}
    if len(paged) == len(items):
        return {}
    also_liked = also_liked or AlsoLiked(recommender, config.also_liked_shown)

    def link(item) -> dict:
        shown = {"movie_id": item.movie_id, "title": titles[item.movie_id]}
        return shown if item.similarity is None else {**shown, "similarity": item.similarity}

    files: dict[int, dict[str, dict]] = {}
    for row in items:
        if row["movieId"] not in paged:
            block = files.setdefault(row["movieId"] // MOVIE_DATA_BLOCK, {})
            context = movie_context(row, recommender, config, link, also_liked)
            block[str(row["movieId"])] = context
    return files


def _example_user(recommender: Recommender) -> int:
    """The userId the page suggests: 105 (the seed's example) when the dataset has it."""
    ids = recommender.model.user_ids
    return 105 if 105 in ids else int(ids[0])


def _movie_summary(row: dict) -> dict:
    return {
        "movie_id": row["movieId"],
        "title": row["title"],
        "year": row["year"],
        "n_ratings": row["n_ratings"],
        "mean_rating": row["mean_rating"],
    }


def _movie_detail(row: dict, link_template: str | None = None) -> dict:
    link_url = row.get("link")  # the item's own address wins over the template
    if link_url is None and link_template:
        link_url = link_template.replace("{id}", str(row["movieId"]))
    genres = _genres(row)
    return {
        **_movie_summary(row),
        "short_title": short_title(row["title"]),
        "genres": genres,
        "imdb_url": f"https://www.imdb.com/title/tt{row['imdbId']:07d}/" if row["imdbId"] else None,
        "tmdb_url": f"https://www.themoviedb.org/movie/{row['tmdbId']}" if row["tmdbId"] else None,
        "link_url": link_url,
    }


def browse_key(title: str) -> str:
    """The A-Z section a title is listed under: its first letter, or ``0-9`` / ``other``."""
    first = unicodedata.normalize("NFKD", title.strip()[:1]).encode("ascii", "ignore").decode()
    if first.isalpha():
        return first.upper()
    return "0-9" if first.isdigit() else "other"


def _words(config: SiteConfig, manifest: dict, scoring) -> dict:
    """What the pages call things, and the ratings a visitor can give, for this dataset."""
    scale = tuple(float(v) for v in manifest["rating_scale"])
    movielens = manifest["dataset"].get("source", "movielens") == "movielens"
    choices = rating_choices(scale)
    liked = on_scale(scoring.like_threshold, scale)
    return {
        "site_title": config.title,
        "noun": config.noun,
        "nouns": config.nouns or f"{config.noun}s",
        "categories": "genres" if movielens else "categories",
        "dataset_credit": "MovieLens " if movielens else "",
        "rating_choices": choices,
        "like_threshold": liked,
    }


def rating_choices(scale: tuple[float, float]) -> list[float]:
    """The ratings a visitor can give, highest first: half stars on a scale up to 5 that
    starts at a half (MovieLens), whole steps otherwise."""
    low, high = scale
    step = 0.5 if high <= 5 or low % 1 else 1.0
    count = round((high - low) / step)
    return [high - i * step for i in range(count + 1)]


def _browse_pages(movies: list[dict], common: dict) -> list[Page]:
    sections: dict[str, list[dict]] = {}
    for movie in sorted(movies, key=lambda m: (m["title"].casefold(), m["movie_id"])):
        sections.setdefault(browse_key(movie["title"]), []).append(movie)
    keys = sorted(sections, key=lambda k: (len(k) > 1, k))
    index = [{"key": k, "count": len(sections[k])} for k in keys]
    pages = [Page("browse/index.html", "browse.html", {**common, "sections": index})]
    for key in keys:
        pages.append(
            Page(
                f"browse/{key}/index.html",
                "browse_section.html",
                {
                    **common,
                    "sections": index,
                    "key": key,
                    "movies": sections[key],
                },
            )
        )
    return pages


def _content_ties(config: SiteConfig, manifest: dict) -> str:
    """What breaks ties between equally similar movies (``pipeline.content``): tags, when the
    index is of genres alone and the dataset has them, then the number of ratings."""
    tagged = manifest["params"]["content"]["source"] == "genres" and manifest["dataset"][
        "rows"
    ].get("tags")
    closer = f"the {config.noun} with the closer tags, then to " if tagged else ""
    return f"{closer}the more-rated {config.noun}"


def _content_words(source: str) -> dict[str, str]:
    """How the pages name what the content model reads, and the vectors it compares."""
    if source == "genres+genome":
        return {
            "content_words": "genres and tag genome",
            "content_vectors": "genre TF-IDF and tag-genome vectors",
        }
    return {"content_words": source.replace("+", " and "), "content_vectors": "TF-IDF vectors"}
