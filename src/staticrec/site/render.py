"""Stage 6: the static site, rendered with Jinja from the artifacts.

Compute, then write (Pelican's order): ``site_pages`` builds every page's context in memory from
the artifacts and the scoring core; ``write_site`` is the one writer. It renders the pages, then
copies the static assets, the vendored JavaScript, the data files and the Pyodide runtime.
All links are relative, so the site works from any sub-path (GitHub Pages project sites).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import unicodedata
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args
from xml.sax.saxutils import escape as xml_escape

import jinja2
import pyarrow.parquet as pq

from staticrec import __version__
from staticrec.errors import ConfigError
from staticrec.pipeline.artifacts import load_recommender
from staticrec.scoring import Recommender, schema
from staticrec.scoring.recommender import on_scale
from staticrec.scoring.schema import MANIFEST
from staticrec.site.pyodide import (
    CDN_URL,
    CORE_SHA256,
    LOCK_FILE,
    PYODIDE_VERSION,
    ensure_runtime,
    load_lock,
    sha256_of,
)
from staticrec.site.pyodide import wheel_files as runtime_wheels
from staticrec.site.vendor import copy_hyparquet
from staticrec.site.wheel import build_scoring_wheel, site_package_name, write_site_lock

REPO_WEB = Path(__file__).resolve().parents[3] / "web"
"""The front end in a checkout: templates, static files, and hyparquet under node_modules/."""
PACKAGED_WEB = Path(__file__).resolve().parent / "web"
"""The front end in an installed wheel: templates, static files, and hyparquet under vendor/
(``setup.py`` puts them there)."""


def default_web_dir() -> Path:
    """The installed package's front end, or (in a checkout) the repository's web/."""
    return PACKAGED_WEB if (PACKAGED_WEB / "templates").is_dir() else REPO_WEB


PyodideMode = Literal["self-host", "cdn"]
PYODIDE_MODES: tuple[PyodideMode, ...] = get_args(PyodideMode)
_CORE_FILES = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")

DATA_DIR = "data/"
"""Where the site serves the artifacts (the browser reads the manifest and tables there)."""
NOT_FOUND = "404.html"
"""The page GitHub Pages (and most static hosts) serve for a missing path."""
RUNTIME_DIR = "pyodide/"
"""Where the site serves Pyodide, its lock and the scoring wheel (self-host mode)."""
FOR_YOU = "for-you/"
"""The page that recommends; the service worker keeps it, and all it needs, for offline visits."""
SERVICE_WORKER = "service-worker.js"
"""At the site's root, so that it may answer for every page of the site."""
MOVIE_DATA_DIR = "movie-data/"
"""The movies without a page of their own (beyond ``SiteConfig.movie_pages``), as JSON files of
``MOVIE_DATA_BLOCK`` ids each: the 404 page reads them to show such a movie at its address."""
MOVIE_DATA_BLOCK = 1000
"""movieIds per movie-data file: ``movie-data/<movieId // 1000>.json``."""
EARLY_DIR = "early/"
"""Known users' answers computed by the build, shown before the browser's recommender is up."""
EARLY_USERS_PER_FILE = 16
"""A file holds this many users' answers (about 1.5 kB each): small, so it arrives first."""
EARLY_MAX_USERS = 50_000
"""Above this many users, no early answers are written (their files would outweigh the site):
a known user then sees the most-rated list until the recommender is up."""


@dataclass(frozen=True)
class SiteConfig:
    """How the site is rendered and where its runtime comes from."""

    site_dir: Path = Path("site")
    """The deployable folder (replaced atomically)."""
    pyodide: PyodideMode = "self-host"
    """``self-host`` copies Pyodide into the site; ``cdn`` loads it from the official CDN."""
    pyodide_cache: Path = Path("build/pyodide")
    """Verified Pyodide files kept between builds."""
    pyodide_dir: Path | None = None
    """A folder holding official Pyodide files, used to fill the cache without the network."""
    web_dir: Path = field(default_factory=default_web_dir)
    """Templates, static assets and the pinned front-end package (``default_web_dir``)."""
    list_length: int = 20
    """Movies in each list on the home page."""
    similar_shown: int = 10
    """Content neighbours shown on a movie page."""
    movie_pages: int | None = 10_000
    """A page of its own for at most this many movies, the most-rated first (ml-latest-small:
    all 9,742); every other movie is shown at the same address by the 404 page, from small JSON
    files. Bounds the site's size (GitHub Pages allows 1 GB); None: a page for every movie."""
    title: str = "staticrec"
    """The site's name, in every page's header and title."""
    noun: str = "movie"
    """What is recommended, in the pages' words ("book", "game", ...)."""
    nouns: str | None = None
    """Its plural; default: the noun with an s."""
    link_template: str | None = None
    """Each item's page elsewhere, with ``{id}`` for its id (``https://www.goodreads.com/book/
    show/{id}``): a link on its page. MovieLens links IMDb and TMDB through links.csv instead."""
    base_url: str | None = None
    """Where the site is published (``https://user.github.io/repo/``): gives the 404 page links
    that work at any depth, and the site a sitemap.xml and robots.txt. Without it, the 404 page
    links from the host's root."""

    def __post_init__(self) -> None:
        if self.pyodide not in PYODIDE_MODES:
            raise ConfigError(f"must be one of {', '.join(PYODIDE_MODES)}", field="pyodide")
        if self.movie_pages is not None and self.movie_pages < 0:
            raise ConfigError(f"must be 0 or more, not {self.movie_pages}", field="movie_pages")
        if self.link_template is not None:
            parts = urllib.parse.urlsplit(self.link_template)
            if parts.scheme not in ("http", "https") or "{id}" not in self.link_template:
                raise ConfigError(
                    "must be an http(s) address with {id} for the item's id, such as "
                    f"https://www.goodreads.com/book/show/{{id}}, not {self.link_template!r}",
                    field="link_template",
                )
        if self.base_url is not None:
            parts = urllib.parse.urlsplit(self.base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
                raise ConfigError(
                    f"must be an http(s) address such as https://user.github.io/repo/, "
                    f"not {self.base_url!r}",
                    field="base_url",
                )
            if not self.base_url.endswith("/"):
                object.__setattr__(self, "base_url", self.base_url + "/")


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


def prepare_runtime(config: SiteConfig) -> Path | None:
    """The verified Pyodide cache folder (self-host), or None (cdn). Fails early and clearly."""
    if config.pyodide == "cdn":
        return None
    return ensure_runtime(config.pyodide_cache, source_dir=config.pyodide_dir)


def check_web_dir(web_dir: Path) -> None:
    """Fail early when the templates or the pinned front-end packages are missing."""
    if not (web_dir / "templates").is_dir():
        raise ConfigError(
            f"{web_dir}: no templates/ folder; reinstall staticrec, or in a checkout keep web/"
        )
    packaged = (web_dir / "vendor" / "hyparquet" / "index.js").is_file()
    if not packaged and not (web_dir / "node_modules" / "hyparquet" / "src" / "index.js").is_file():
        raise ConfigError(
            f"{web_dir / 'node_modules'}: hyparquet is not installed; run `npm ci --prefix "
            f"{web_dir}` (it installs the versions pinned in web/package-lock.json)"
        )


# -- compute ------------------------------------------------------------------------------------


def site_pages(
    artifacts: Path,
    recommender: Recommender,
    config: SiteConfig,
    report: ReportPage | None = None,
) -> list[Page]:
    """Every page of the site, with its context; reads the artifacts, writes nothing."""
    manifest = json.loads((artifacts / MANIFEST).read_text(encoding="utf-8"))
    items = read_items(artifacts)
    movies = {row["movieId"]: _movie_summary(row) for row in items}
    common = {
        "manifest_sha256": hashlib.sha256((artifacts / MANIFEST).read_bytes()).hexdigest(),
        "dataset": manifest["dataset"],
        "content_source": manifest["params"]["content"]["source"],
        **_content_words(manifest["params"]["content"]["source"]),
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
                "early_visitor": early_answer(recommender.for_visitor({})),
                "early_files": early_file_count(len(recommender.model.user_ids)),
                "early_dir": EARLY_DIR,
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
            context = movie_context(row, recommender, config, link)
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


def paged_movies(items: list[dict], budget: int | None) -> set[int]:
    """The movieIds that get a page of their own: all, or the ``budget`` most-rated (ties:
    the lower id)."""
    if budget is not None and budget < len(items):
        items = sorted(items, key=lambda row: (-row["n_ratings"], row["movieId"]))[:budget]
    return {row["movieId"] for row in items}


def read_items(artifacts: Path) -> list[dict]:
    """The items table's rows, each with ``link``: its address elsewhere from the item links
    table (your items file's link column), or None."""
    items = pq.read_table(artifacts / schema.ITEMS.file).to_pylist()
    links: dict[int, str] = {}
    if (artifacts / schema.ITEM_LINKS.file).is_file():
        table = pq.read_table(artifacts / schema.ITEM_LINKS.file)
        links = dict(zip(table["movieId"].to_pylist(), table["url"].to_pylist(), strict=True))
    return [{**row, "link": links.get(row["movieId"])} for row in items]


def movie_context(row: dict, recommender: Recommender, config: SiteConfig, link) -> dict:
    """What a movie's page shows: its facts, and the movies most like it."""
    similar = [link(i) for i in recommender.similar(row["movieId"], config.similar_shown)]
    return {"movie": _movie_detail(row, config.link_template), "similar": similar}


def movie_data_files(
    artifacts: Path, recommender: Recommender, config: SiteConfig
) -> dict[int, dict[str, dict]]:
    """The movies without a page, by file number: ``{movieId: {movie, similar}}``, as the
    movie page's context, with only what the page shows of each similar movie."""
    items = read_items(artifacts)
    paged = paged_movies(items, config.movie_pages)
    titles = {row["movieId"]: row["title"] for row in items}

    def link(item) -> dict:
        return {
            "movie_id": item.movie_id,
            "title": titles[item.movie_id],
            "similarity": item.similarity,
        }

    files: dict[int, dict[str, dict]] = {}
    for row in items:
        if row["movieId"] not in paged:
            block = files.setdefault(row["movieId"] // MOVIE_DATA_BLOCK, {})
            block[str(row["movieId"])] = movie_context(row, recommender, config, link)
    return files


def early_answer(answer) -> list[dict]:
    """The fused list of an answer, as the page shows it before its recommender is up."""
    return [{"movie_id": i.movie_id, "title": i.title, "why": i.why} for i in answer.hybrid]


def early_file_count(n_users: int) -> int:
    """How many files the known users' early answers take (0: none are written)."""
    return 0 if n_users > EARLY_MAX_USERS else -(-n_users // EARLY_USERS_PER_FILE)


def early_answers(recommender: Recommender) -> dict[int, dict[int, list[dict]]]:
    """Per file number, each known user's answer without a favourite (computed by the same
    scoring core as the browser's): user u is in file ``u % early_file_count``."""
    user_ids = recommender.model.user_ids.tolist()
    count = early_file_count(len(user_ids))
    files: dict[int, dict[int, list[dict]]] = {}
    if count == 0:
        return files  # too many users: their files would outweigh the site
    for user_id in user_ids:
        files.setdefault(user_id % count, {})[user_id] = early_answer(recommender.for_user(user_id))
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
    genres = [g for g in row["genres"].split("|") if g and g != "(no genres listed)"]
    return {
        **_movie_summary(row),
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
        "rating_default": min(choices, key=lambda value: abs(value - liked)),
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


# -- write --------------------------------------------------------------------------------------


def write_site(
    pages: Iterable[Page],
    artifacts: Path,
    out: Path,
    config: SiteConfig,
    runtime: Path | None,
    report: ReportPage | None = None,
) -> None:
    """Write the whole site into ``out`` (an empty staging folder)."""
    environment = template_environment(config.web_dir)
    runtime_info = _install_runtime(out / RUNTIME_DIR, runtime, config)
    pages = list(pages)
    for page in pages:
        html = environment.get_template(page.template).render(
            **page.context,
            root=page.root if page.root is not None else "../" * page.path.count("/"),
            data_dir=DATA_DIR,
            model_files=[t.file for t in schema.START_TABLES],
            runtime=runtime_info,
            csp=content_security_policy(config.pyodide),
        )
        target = out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    shutil.copytree(config.web_dir / "static", out / "assets")
    _vendor_hyparquet(config.web_dir, out / "vendor" / "hyparquet")
    manifest = json.loads((artifacts / MANIFEST).read_text(encoding="utf-8"))
    shipped = [t.name for t in schema.SCORING_TABLES]
    for name in [*_table_files(manifest, shipped), MANIFEST]:
        (out / DATA_DIR / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(artifacts / name, out / DATA_DIR / name)
    if report is not None:
        for figure in report.context["figures"]:
            shutil.copyfile(report.folder / figure["name"], out / "report" / figure["name"])
    (out / ".nojekyll").write_text("", encoding="utf-8")  # serve files as they are on GitHub Pages
    if config.pyodide == "self-host":
        write_service_worker(environment, out)
    if config.base_url:
        _write_sitemap(out, config.base_url, [p.path for p in pages if p.path != NOT_FOUND])


def _content_words(source: str) -> dict[str, str]:
    """How the pages name what the content model reads, and the vectors it compares."""
    if source == "genres+genome":
        return {
            "content_words": "genres and tag genome",
            "content_vectors": "genre TF-IDF and tag-genome vectors",
        }
    return {"content_words": source.replace("+", " and "), "content_vectors": "TF-IDF vectors"}


def _table_files(manifest: dict, tables: list[str]) -> list[str]:
    """The files of ``tables``, as the manifest lists them (a sharded table: each shard)."""
    files = []
    for name in tables:
        entry = manifest["tables"][name]
        files += [s["file"] for s in entry["shards"]] if "shards" in entry else [entry["file"]]
    return files


OFFLINE_SHARDS_BYTES = 20_000_000
"""The shards of the tables sharded by one key (the users', the movies') are kept for offline
visits when they weigh at most this much together (every user, every movie then works
offline); above it, only the shards a visit fetched are kept."""


def offline_files(out: Path) -> list[str]:
    """What For you needs, as URLs relative to the site's root: the page, the scripts and
    styles, the model files and (self-hosted) the Python runtime. About 24 MB on
    ml-latest-small, most of it Pyodide. The shards are among them only while small
    (``OFFLINE_SHARDS_BYTES``, by shard key: at ml-32m the neighbour rows are, 19.8 MB, and
    the users' are not); otherwise the service worker keeps each one a visit fetches."""
    folders = ["assets", "vendor", DATA_DIR.rstrip("/"), RUNTIME_DIR.rstrip("/")]
    paths = [
        path
        for folder in folders
        if (out / folder).is_dir()
        for path in sorted((out / folder).rglob("*"))
        if path.is_file()
    ]
    by_key: dict[str, set[Path]] = {}
    for path in paths:
        key = _shard_key(path.relative_to(out))
        if key is not None:
            by_key.setdefault(key, set()).add(path)
    for shards in by_key.values():
        if sum(path.stat().st_size for path in shards) > OFFLINE_SHARDS_BYTES:
            paths = [path for path in paths if path not in shards]
    return [FOR_YOU, *(path.relative_to(out).as_posix() for path in paths)]


def _shard_key(path: Path) -> str | None:
    """The shard key of a file of a sharded table (data/<table>/<n>.parquet); None for any
    other file."""
    parts = path.parts
    if len(parts) == 3 and parts[0] == DATA_DIR.rstrip("/") and parts[1] in schema.TABLES:
        return schema.TABLES[parts[1]].shard_key
    return None


def write_service_worker(environment: jinja2.Environment, out: Path) -> None:
    """service-worker.js, with the files it keeps and a digest of them all as the cache's
    version: any change to any of them (data, runtime, page, script) makes a new cache."""
    files = offline_files(out)
    digest = hashlib.sha256()
    for url in files:
        path = out / (f"{url}index.html" if url.endswith("/") else url)
        digest.update(f"{url}\0{sha256_of(path)}\n".encode())
    script = environment.get_template(SERVICE_WORKER).render(
        version=digest.hexdigest()[:16], files=files
    )
    (out / SERVICE_WORKER).write_text(script, encoding="utf-8")


SITEMAP_LIMIT = 50_000
"""URLs per sitemap file (the protocol's limit); more are split under a sitemap index."""


def _write_sitemap(out: Path, base_url: str, paths: list[str]) -> None:
    """sitemap.xml (an index of sitemap-N.xml beyond SITEMAP_LIMIT pages) and robots.txt."""
    urls = [base_url + path.removesuffix("index.html") for path in sorted(paths)]
    chunks = [urls[i : i + SITEMAP_LIMIT] for i in range(0, len(urls), SITEMAP_LIMIT)]
    namespace = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'

    def document(tag: str, entry: str, locations: list[str]) -> str:
        body = "".join(f"<{entry}><loc>{xml_escape(u)}</loc></{entry}>\n" for u in locations)
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<{tag} {namespace}>\n{body}</{tag}>\n'

    if len(chunks) == 1:
        (out / "sitemap.xml").write_text(document("urlset", "url", urls), encoding="utf-8")
    else:
        names = [f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
        for name, chunk in zip(names, chunks, strict=True):
            (out / name).write_text(document("urlset", "url", chunk), encoding="utf-8")
        index = document("sitemapindex", "sitemap", [base_url + name for name in names])
        (out / "sitemap.xml").write_text(index, encoding="utf-8")
    robots = f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n"
    (out / "robots.txt").write_text(robots, encoding="utf-8")


def template_environment(web_dir: Path) -> jinja2.Environment:
    """Jinja with autoescaping on for pages: titles and tags are data, never markup.

    Markdown templates (the report's report.md) are plain text and go unescaped.
    """
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(web_dir / "templates"),
        autoescape=jinja2.select_autoescape(disabled_extensions=("md",), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["hostname"] = lambda url: urllib.parse.urlsplit(url).hostname
    return environment


def content_security_policy(pyodide_mode: str) -> str:
    """Own origin only, plus WebAssembly compilation for Pyodide (and, in cdn mode, the pinned
    release's folder on the CDN: not the whole CDN)."""
    remote = f" {CDN_URL}" if pyodide_mode == "cdn" else ""
    return (
        "default-src 'self'; "
        f"script-src 'self' 'wasm-unsafe-eval'{remote}; "
        f"connect-src 'self'{remote}; "
        "worker-src 'self'; img-src 'self'; style-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'"
    )


def _install_runtime(folder: Path, runtime: Path | None, config: SiteConfig) -> dict:
    """Copy the verified runtime and the scoring wheel into the site; returns what pages need."""
    folder.mkdir(parents=True)
    wheel = build_scoring_wheel(folder)
    info = {
        "mode": config.pyodide,
        "package": site_package_name(),
        "wheel": wheel.name,
        "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
    }
    if runtime is None:
        return {
            **info,
            "index_url": CDN_URL,
            "wheel_url": f"{RUNTIME_DIR}{wheel.name}",
            "core": CORE_SHA256,
        }
    lock = load_lock(runtime / LOCK_FILE)
    for name in [*_CORE_FILES, *(f.name for f in runtime_wheels(lock))]:
        shutil.copyfile(runtime / name, folder / name)
    write_site_lock(runtime / LOCK_FILE, wheel, folder / LOCK_FILE)
    return {
        **info,
        "index_url": RUNTIME_DIR,
        "wheel_url": f"{RUNTIME_DIR}{wheel.name}",
        # the site's own lock (it lists the scoring wheel) in place of the official one
        "core": {**CORE_SHA256, LOCK_FILE: sha256_of(folder / LOCK_FILE)},
    }


def _vendor_hyparquet(web_dir: Path, target: Path) -> None:
    """hyparquet's browser build: as the wheel carries it, or from npm's install in web/."""
    if (web_dir / "vendor" / "hyparquet").is_dir():
        shutil.copytree(web_dir / "vendor" / "hyparquet", target)
    else:
        copy_hyparquet(web_dir / "node_modules" / "hyparquet", target)


def render(
    artifacts: Path,
    out: Path,
    config: SiteConfig,
    runtime: Path | None,
    report: ReportPage | None = None,
) -> int:
    """Compute every page, then write the site; returns the number of pages."""
    recommender = load_recommender(artifacts)
    pages = site_pages(artifacts, recommender, config, report)
    write_site(pages, artifacts, out, config, runtime, report)
    for folder, files in (
        (EARLY_DIR, early_answers(recommender)),
        (MOVIE_DATA_DIR, movie_data_files(artifacts, recommender, config)),
    ):
        for number, content in files.items():
            path = out / folder / f"{number}.json"
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps(content, ensure_ascii=False, separators=(",", ":")), "utf-8")
    return len(pages)
