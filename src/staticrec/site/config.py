"""The site's settings and layout: what a build renders, and where each kind of file goes."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from staticrec.errors import ConfigError

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
    also_liked_shown: int = 10
    """Movies a movie page lists under "People who liked it also liked" (the item index's
    strongest positive weights, each liked along with it by someone)."""
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
