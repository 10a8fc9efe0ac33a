"""Stage 6: the static site, rendered with Jinja from the artifacts.

Compute, then write (Pelican's order): ``pages.site_pages`` builds every page's context in memory
from the artifacts and the scoring core; ``write_site`` here is the one writer. It renders the
pages (a share of them in a second process, ``write_pages``) while the early answers and the
movie data files are made, then copies the static assets, the vendored JavaScript, the data
files and the Pyodide runtime.
All links are relative, so the site works from any sub-path (GitHub Pages project sites).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import sys
import urllib.parse
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import jinja2

from staticrec.errors import StaticrecError
from staticrec.pipeline.artifacts import load_recommender, read_manifest
from staticrec.pipeline.co_liked import CoLikedOf
from staticrec.scoring import schema
from staticrec.scoring.schema import MANIFEST
from staticrec.site.also_liked import AlsoLiked
from staticrec.site.config import (
    DATA_DIR,
    EARLY_DIR,
    FOR_YOU,
    MOVIE_DATA_DIR,
    NOT_FOUND,
    RUNTIME_DIR,
    SiteConfig,
)
from staticrec.site.early import early_answers, early_file_count
from staticrec.site.offline import model_later_files, model_start_files, write_service_worker
from staticrec.site.pages import (
    Page,
    ReportPage,
    collector_paused,
    movie_data_files,
    site_pages,
)
from staticrec.site.runtime import content_security_policy, install_runtime, vendor_hyparquet


def write_site(
    pages: list[Page],
    artifacts: Path,
    out: Path,
    config: SiteConfig,
    runtime: Path | None,
    report: ReportPage | None = None,
    data_files: Iterable[tuple[Path, str]] = (),
) -> None:
    """Write the whole site into ``out`` (an empty staging folder). ``data_files``: more files
    to write, (path, text), made (if a generator) while the pages are written."""
    environment = template_environment(config.web_dir)
    runtime_info = install_runtime(out / RUNTIME_DIR, runtime, config)
    shared = {
        "data_dir": DATA_DIR,
        "model_files": model_start_files(),
        "model_later": model_later_files(),
        "runtime": runtime_info,
        "csp": content_security_policy(config.pyodide),
    }

    def rendered(page: Page) -> tuple[Path, str]:
        html = environment.get_template(page.template).render(
            **page.context,
            **shared,
            root=page.root if page.root is not None else "../" * page.path.count("/"),
            # every page but For you fetches For you's start ahead (web/static/ahead.js)
            fetch_ahead=page.path != f"{FOR_YOU}index.html",
        )
        return out / page.path, html

    write_pages(pages, rendered, data_files)
    shutil.copytree(config.web_dir / "static", out / "assets")
    vendor_hyparquet(config.web_dir, out / "vendor" / "hyparquet")
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


def _table_files(manifest: dict, tables: list[str]) -> list[str]:
    """The files of ``tables``, as the manifest lists them (a sharded table: each shard)."""
    files = []
    for name in tables:
        entry = manifest["tables"][name]
        files += [s["file"] for s in entry["shards"]] if "shards" in entry else [entry["file"]]
    return files


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


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Jinja reading a plain dict's key at once for ``movie.title``, with Jinja's own result.

    Jinja tries the attribute first, then the key: on the pages' contexts (plain dicts) that
    raises and catches an AttributeError each time, 1.1M times on ml-latest-small (1.4 µs
    against 0.1). A name that is also a dict attribute (``items``) still goes Jinja's way.
    """

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def template_environment(web_dir: Path) -> jinja2.Environment:
    """Jinja with autoescaping on for pages: titles and tags are data, never markup.

    Markdown templates (the report's report.md) are plain text and go unescaped. Templates are
    not reloaded: they do not change during a build (a page's lookup is then no file check).
    """
    environment = _Environment(
        loader=jinja2.FileSystemLoader(web_dir / "templates"),
        autoescape=jinja2.select_autoescape(disabled_extensions=("md",), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    environment.filters["hostname"] = lambda url: urllib.parse.urlsplit(url).hostname
    return environment


@collector_paused()  # the pages' contexts: see collector_paused
def render(
    artifacts: Path,
    out: Path,
    config: SiteConfig,
    runtime: Path | None,
    report: ReportPage | None = None,
    co_liked_of: CoLikedOf | None = None,
) -> int:
    """Compute every page, then write the site; returns the number of pages. ``co_liked_of``:
    where the also-liked counts come from, if not from the known users' ratings (which are then
    read only for their early answers)."""
    users = read_manifest(artifacts)["dataset"]["rows"]["users"]
    with_ratings = co_liked_of is None or early_file_count(users) > 0
    recommender = load_recommender(artifacts, with_ratings=with_ratings)
    also_liked = AlsoLiked(recommender, config.also_liked_shown, co_liked_of)  # one count each
    pages = list(site_pages(artifacts, recommender, config, report, also_liked))

    def data_files() -> Iterator[tuple[Path, str]]:
        for folder, files in (
            (EARLY_DIR, early_answers(recommender)),
            (MOVIE_DATA_DIR, movie_data_files(artifacts, recommender, config, also_liked)),
        ):
            for number, content in files.items():
                text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
                yield out / folder / f"{number}.json", text

    write_site(pages, artifacts, out, config, runtime, report, data_files())
    return len(pages)


PARALLEL_MIN_PAGES = 1000
"""From this many pages on, a second process renders a share of them (where it can fork)."""

WRITERS = 2
"""Threads writing the site's files while the next ones are made."""


def write_pages(
    pages: list[Page],
    rendered: Callable[[Page], tuple[Path, str]],
    also: Iterable[tuple[Path, str]] = (),
) -> None:
    """Render and write every page, and write ``also``'s files.

    Rendering is Python's work, one core a process: where the build can fork and has a second
    core, a child process (forked, so it shares the pages and templates without a copy, as
    Sphinx's parallel writes do) renders two pages in three while this one renders the rest and
    makes ``also`` (the early answers).
    """
    child = None
    if len(pages) >= PARALLEL_MIN_PAGES and _cores() > 1 and _can_fork():
        theirs = [page for number, page in enumerate(pages) if number % 3]
        pages = pages[::3]
        child = get_context("fork").Process(target=_write_share, args=(theirs, rendered))
        child.start()
    try:
        write_files(itertools.chain(map(rendered, pages), also))
    except BaseException:
        if child is not None:
            child.terminate()
            child.join()
        raise
    if child is not None:
        child.join()
        if child.exitcode != 0:
            raise StaticrecError(
                f"the process rendering a share of the site's pages failed (exit code "
                f"{child.exitcode}): its error is printed above"
            )


def _can_fork() -> bool:
    """Linux only: macOS's system libraries are not safe in a forked child (CPython starts
    processes afresh there), and Windows cannot fork."""
    return sys.platform == "linux"


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _write_share(pages: list[Page], rendered: Callable[[Page], tuple[Path, str]]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build, which stops this
    write_files(map(rendered, pages))


_PENDING = 256
"""Files made but not yet written, at most: the memory a slow disk can hold up."""


def write_files(files: Iterable[tuple[Path, str]]) -> None:
    """Write each (path, text) as UTF-8, its folder made as needed, while the next is made.

    Creating the site's ~10,000 folders and files is system time, which the threads overlap
    with making the pages (Python, one core).
    """
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        pending: deque[Future] = deque()
        for path, text in files:
            pending.append(pool.submit(_write_file, path, text))
            if len(pending) > _PENDING:
                pending.popleft().result()
        for written in pending:
            written.result()


def _write_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
