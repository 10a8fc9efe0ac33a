"""Stage 6: the rendered site, without a browser: golden pages, escaping, links, runtime files."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datasets import EVIL_TITLE, evil_dataset
from staticrec.errors import ConfigError, StaticrecError
from staticrec.pipeline.collab_index import CollabIndexConfig
from staticrec.pipeline.run import BuildConfig, run
from staticrec.scoring.niche import NICHE_STEPS
from staticrec.scoring.schema import SCORING_TABLES
from staticrec.site import render
from staticrec.site.also_liked import AlsoLiked
from staticrec.site.config import MOVIE_DATA_BLOCK, SiteConfig, default_web_dir
from staticrec.site.early import EARLY_MAX_USERS, early_file_count
from staticrec.site.offline import offline_files, write_service_worker
from staticrec.site.pages import browse_key, movie_data_files, paged_movies
from staticrec.site.pyodide import CDN_URL, CORE_SHA256
from staticrec.site.render import template_environment, write_files
from staticrec.site.runtime import content_security_policy
from staticrec.site.wheel import build_scoring_wheel, scoring_sources

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_PAGES = [
    "index.html",
    "movie/1/index.html",
    "movie/9/index.html",
    "for-you/index.html",
    "about/index.html",
    "browse/index.html",
    "browse/other/index.html",
    "404.html",
]
BASE_URL = "https://example.org/films/"
UPDATE = os.environ.get("STATICREC_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory) -> Path:
    """The tiny dataset with an HTML-payload title, rendered with Pyodide from the CDN, to be
    published at BASE_URL."""
    folder = tmp_path_factory.mktemp("render")
    run(
        BuildConfig(
            data_dir=evil_dataset(folder / "data"),
            artifacts_dir=folder / "artifacts",
            site=SiteConfig(site_dir=folder / "site", pyodide="cdn", base_url=BASE_URL),
            # every movie in the item index, so that the pages' also-liked lists (and the
            # payload title in them) are rendered from a dataset this small
            collab_index=CollabIndexConfig(min_ratings=1),
        )
    )
    return folder / "site"


def normalised(html: str) -> str:
    """A page with what changes from build to build (hashes, versions) masked."""
    html = re.sub(r"\b[0-9a-f]{64}\b", "<sha256>", html)
    return re.sub(r"staticrec \d+\.\d+\.\d+", "staticrec <version>", html)


@pytest.mark.parametrize("page", GOLDEN_PAGES)
def test_pages_match_the_golden_copies(evil_site, page):
    """Regenerate after an intended change:
    STATICREC_UPDATE_GOLDEN=1 pytest tests/site/test_render.py"""
    actual = normalised((evil_site / page).read_text(encoding="utf-8"))
    golden = GOLDEN / page
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_payload_title_is_escaped_everywhere(evil_site):
    pages = list(evil_site.rglob("*.html"))
    assert len(pages) > 10
    escaped = "&lt;img src=x onerror=alert(1)&gt;"
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert EVIL_TITLE not in html and "<img" not in html, page
    assert escaped in (evil_site / "movie" / "9" / "index.html").read_text(encoding="utf-8")
    assert escaped in (evil_site / "index.html").read_text(encoding="utf-8")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.csp: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if attrs.get("http-equiv") == "Content-Security-Policy":
            self.csp.append(attrs["content"])


def test_every_relative_link_resolves_and_every_page_has_the_csp(evil_site):
    for page in evil_site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.csp == [content_security_policy("cdn")], page
        for link in parser.links:
            if link.startswith(("https://", "http://")):
                continue
            path = link.split("?")[0]
            if path.startswith("/"):  # the 404 page's links, from the published root
                assert path.startswith("/films/"), f"{page}: {link}"
                target = evil_site / path.removeprefix("/films/")
            else:
                target = (page.parent / path).resolve()
            if path.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), f"{page}: {link}"


def test_csp_allows_own_origin_and_wasm_only():
    policy = content_security_policy("self-host")
    assert "script-src 'self' 'wasm-unsafe-eval';" in policy
    assert "unsafe-inline" not in policy and "'unsafe-eval'" not in policy
    cdn = content_security_policy("cdn")
    # the pinned release's folder only, not every file on the CDN
    assert f"script-src 'self' 'wasm-unsafe-eval' {CDN_URL};" in cdn
    assert CDN_URL.startswith("https://cdn.jsdelivr.net/pyodide/v") and CDN_URL.endswith("/full/")
    assert "https://cdn.jsdelivr.net " not in cdn and "https://cdn.jsdelivr.net;" not in cdn


def test_pages_list_the_runtime_files_with_their_pinned_hashes(evil_site):
    listed = re.search(r'data-pyodide-files="([^"]*)"', (evil_site / "index.html").read_text())
    files = dict(entry.split(":") for entry in listed.group(1).split())
    assert files == CORE_SHA256  # cdn mode: the official files, lock included


def test_pages_pin_the_manifest_and_the_site_carries_the_data(evil_site):
    manifest = evil_site / "data" / "manifest.json"
    pinned = re.search(
        r'data-manifest-sha256="([0-9a-f]{64})"', (evil_site / "index.html").read_text()
    ).group(1)
    assert pinned == hashlib.sha256(manifest.read_bytes()).hexdigest()
    files = json.loads(manifest.read_text())["files"]
    assert {"user_ratings/0.parquet", "user_factors/0.parquet"} <= set(files)  # the user shard
    for name in files:
        assert (
            hashlib.sha256((evil_site / "data" / name).read_bytes()).hexdigest()
            == files[name]["sha256"]
        )
    started = " ".join(t.file for t in SCORING_TABLES if t.shard_key is None)
    assert f'data-model-files="{started}"' in (evil_site / "for-you" / "index.html").read_text()
    assert (evil_site / ".nojekyll").is_file()
    assert (evil_site / "vendor" / "hyparquet" / "index.js").is_file()
    assert not (evil_site / "vendor" / "hyparquet" / "node.js").exists()


def test_cdn_mode_ships_the_wheel_but_no_runtime(evil_site):
    assert sorted(p.name for p in (evil_site / "pyodide").iterdir()) == [
        "staticrec_scoring-0.1.0-py3-none-any.whl"
    ]
    body = (evil_site / "for-you" / "index.html").read_text()
    assert 'data-pyodide-index="https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"' in body


def test_scoring_wheel_holds_the_source_files_and_is_reproducible(tmp_path):
    first = build_scoring_wheel(tmp_path)
    digest = hashlib.sha256(first.read_bytes()).hexdigest()
    (tmp_path / "again").mkdir()
    assert (
        hashlib.sha256(build_scoring_wheel(tmp_path / "again").read_bytes()).hexdigest() == digest
    )
    with zipfile.ZipFile(first) as wheel:
        names = wheel.namelist()
        for name, data in scoring_sources():
            assert wheel.read(name) == data
        assert "staticrec/scoring/fusion.py" in names
        assert not [n for n in names if n.endswith(".pyc")]
        metadata = wheel.read("staticrec_scoring-0.1.0.dist-info/METADATA").decode()
        assert "Requires-Dist: numpy" in metadata
    # a wheel is importable from a zip: the shipped package answers on its own
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import staticrec.scoring as s; "
        "print(s.__file__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(first)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    assert out.startswith(str(first))


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Toy Story (1995)", "T"),
        ("Über Goober (2004)", "U"),
        ("2001: A Space Odyssey (1968)", "0-9"),
        (EVIL_TITLE, "other"),
        ("¡Three Amigos! (1986)", "other"),
    ],
)
def test_browse_sections(title, key):
    assert browse_key(title) == key


def test_every_page_has_a_description_of_its_own(evil_site):
    descriptions = {}
    for page in evil_site.rglob("*.html"):
        found = re.search(r'<meta name="description" content="([^"]+)">', page.read_text())
        assert found and len(found.group(1)) > 30, page
        descriptions[page] = found.group(1)
    movies = [d for p, d in descriptions.items() if p.parent.parent.name == "movie"]
    assert len(set(movies)) == len(movies)  # one per movie, not one for all


def test_the_sitemap_lists_every_page_but_the_404(evil_site):
    import xml.etree.ElementTree as ET

    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(evil_site / "sitemap.xml").getroot()
    urls = {loc.text for loc in root.findall("s:url/s:loc", namespace)}
    pages = {
        BASE_URL + str(p.relative_to(evil_site)).removesuffix("index.html")
        for p in evil_site.rglob("*.html")
        if p.name != "404.html"
    }
    assert urls == pages
    assert f"Sitemap: {BASE_URL}sitemap.xml" in (evil_site / "robots.txt").read_text()


def test_a_large_sitemap_is_split_under_an_index(tmp_path, monkeypatch):

    monkeypatch.setattr(render, "SITEMAP_LIMIT", 3)
    render._write_sitemap(tmp_path, BASE_URL, [f"movie/{i}/index.html" for i in range(7)])
    index = (tmp_path / "sitemap.xml").read_text()
    assert "<sitemapindex" in index and index.count("<sitemap>") == 3
    assert all((tmp_path / f"sitemap-{n}.xml").read_text().count("<url>") for n in (1, 2, 3))
    assert (tmp_path / "sitemap-3.xml").read_text().count("<url>") == 1


@pytest.mark.parametrize("url", ["ftp://example.org/", "example.org/films", "https:///x"])
def test_a_base_url_must_be_an_http_address(url):
    with pytest.raises(ConfigError, match="http"):
        SiteConfig(base_url=url)


def test_a_base_url_gets_its_trailing_slash():
    assert SiteConfig(base_url="https://example.org/films").base_url == BASE_URL


def kept_and_version(site: Path) -> tuple[list[str], list[str], str]:
    """The files the service worker keeps on install (For you's start), the others it keeps
    when For you asks, and its version."""
    script = (site / "service-worker.js").read_text(encoding="utf-8")
    start = json.loads(re.search(r"const START = (\[.*?\])\.map", script).group(1))
    rest = json.loads(re.search(r"\.\.\.(\[.*?\])\.map\(absolute\)\]", script).group(1))
    return start, rest, re.search(r'const VERSION = "([0-9a-f]+)"', script).group(1)


def test_the_service_worker_keeps_what_for_you_needs_versioned_by_its_bytes(tmp_path):
    files = [
        "for-you/index.html",
        "assets/for-you.js",
        "vendor/hyparquet/index.js",
        "data/manifest.json",
        "data/items.parquet",
        "data/item_factors.parquet",
        "data/content_neighbors/0.parquet",
        "pyodide/pyodide.asm.wasm",
        "movie/1/index.html",
    ]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name, encoding="utf-8")
    environment = template_environment(default_web_dir())

    write_service_worker(environment, tmp_path)
    start, rest, version = kept_and_version(tmp_path)
    # what For you starts with, kept on install (by any page, ahead of a visit to For you)
    assert start == [
        "for-you/",
        "assets/for-you.js",
        "vendor/hyparquet/index.js",
        "data/item_factors.parquet",
        "data/items.parquet",
        "data/manifest.json",
        "pyodide/pyodide.asm.wasm",
    ]
    # and the shards, kept when For you asks: not every page (a visit keeps about 24 MB)
    assert rest == ["data/content_neighbors/0.parquet"]
    (tmp_path / "movie/1/index.html").write_text("changed", encoding="utf-8")
    write_service_worker(environment, tmp_path)
    assert kept_and_version(tmp_path)[2] == version
    (tmp_path / "data/content_neighbors/0.parquet").write_text("a new build", encoding="utf-8")
    write_service_worker(environment, tmp_path)
    assert kept_and_version(tmp_path)[2] != version


def test_cdn_mode_has_no_service_worker(evil_site):
    """Offline visits need the runtime on the site's own origin: the page is not told of one."""
    assert not (evil_site / "service-worker.js").exists()
    assert 'data-service-worker=""' in (evil_site / "for-you" / "index.html").read_text()


def test_known_users_early_answers_are_the_scoring_cores(evil_site):
    """One small file per 16 users, each answer as the browser's recommender gives it (no
    favourite), the page told how many files there are."""
    from staticrec.pipeline.artifacts import load_recommender

    recommender = load_recommender(evil_site.parent / "artifacts")
    users = recommender.model.user_ids.tolist()
    assert 'data-early-files="1"' in (evil_site / "for-you" / "index.html").read_text()
    answers = json.loads((evil_site / "early" / "0.json").read_text(encoding="utf-8"))
    assert sorted(int(u) for u in answers) == users
    for user in users:
        expected = recommender.for_user(user).hybrid
        assert [i["movie_id"] for i in answers[str(user)]] == [i.movie_id for i in expected]
        assert [i["why"] for i in answers[str(user)]] == [i.why for i in expected]
        assert [i["reason"] for i in answers[str(user)]] == [i.reason for i in expected]
        assert [i["genres"] for i in answers[str(user)]] == [i.genres for i in expected]


def test_no_early_answers_above_the_user_limit():
    assert early_file_count(EARLY_MAX_USERS) > 0
    assert early_file_count(EARLY_MAX_USERS + 1) == 0
    assert early_file_count(17) == 2  # 16 users to a file


def test_the_page_budget_keeps_the_most_rated_ties_to_the_lower_id():
    items = [
        {"movieId": 5, "n_ratings": 3},
        {"movieId": 2, "n_ratings": 7},
        {"movieId": 9, "n_ratings": 3},
        {"movieId": 1, "n_ratings": 0},
    ]
    assert paged_movies(items, 2) == {2, 5}
    assert paged_movies(items, None) == paged_movies(items, 10) == {1, 2, 5, 9}
    assert paged_movies(items, 0) == set()
    with pytest.raises(ConfigError):
        SiteConfig(movie_pages=-1)


def test_movies_past_the_budget_go_to_movie_data_files_by_id_block(evil_site, tmp_path):
    """Each movie without a page, once, in movie-data/<id // 1000>.json, with what its page
    would show; the pages and the files together cover the catalogue."""
    from staticrec.pipeline.artifacts import load_recommender

    artifacts = evil_site.parent / "artifacts"
    recommender = load_recommender(artifacts)
    config = SiteConfig(movie_pages=2)
    files = movie_data_files(artifacts, recommender, config)
    ids = recommender.model.item_ids.tolist()
    kept = paged_movies(pq.read_table(artifacts / "items.parquet").to_pylist(), 2)
    listed = {int(i) for block in files.values() for i in block}
    assert listed == set(ids) - kept and len(kept) == 2
    for number, block in files.items():
        assert all(int(i) // MOVIE_DATA_BLOCK == number for i in block)
    movie_id = min(listed)
    entry = files[movie_id // MOVIE_DATA_BLOCK][str(movie_id)]
    assert entry["movie"]["movie_id"] == movie_id
    assert [s["movie_id"] for s in entry["similar"]] == [
        i.movie_id for i in recommender.similar(movie_id, config.similar_shown)
    ]
    liked = AlsoLiked(recommender, config.also_liked_shown)
    for block in files.values():
        for movie, entry in block.items():
            expected = [(i.movie_id, n) for i, n in liked.of(int(movie))]
            assert [(a["movie_id"], a["liked_both"]) for a in entry["also_liked"]] == expected
    assert movie_data_files(artifacts, recommender, SiteConfig()) == {}  # all have pages
    assert not (evil_site / "movie-data").exists()


def test_shards_are_kept_for_offline_visits_only_while_small(tmp_path, monkeypatch):
    """Weighed by shard key: the users' shards together, the movies' together."""
    sizes = {
        "for-you/index.html": 100,
        "data/items.parquet": 100,
        "data/user_ratings/0.parquet": 60,
        "data/user_factors/0.parquet": 60,
        "data/collab_neighbors/0.parquet": 50,
        "data/content_neighbors/0.parquet": 50,
    }
    for name, size in sizes.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * size)
    assert len(offline_files(tmp_path)) == len(sizes)
    monkeypatch.setattr("staticrec.site.offline.OFFLINE_SHARDS_BYTES", 100)
    assert offline_files(tmp_path) == [
        "for-you/",
        "data/collab_neighbors/0.parquet",
        "data/content_neighbors/0.parquet",
        "data/items.parquet",
    ]  # the users' 120 bytes are left out, the movies' 100 kept
    monkeypatch.setattr("staticrec.site.offline.OFFLINE_SHARDS_BYTES", 99)
    assert offline_files(tmp_path) == ["for-you/", "data/items.parquet"]


def test_for_you_offers_one_niche_choice_per_scoring_level(evil_site):
    """The page's niche menu and the scoring core's levels are one list: a level added to
    NICHE_STEPS without words on the page (or the reverse) fails here."""
    html = (evil_site / "for-you" / "index.html").read_text(encoding="utf-8")
    menu = html[
        html.index('<select id="niche"') : html.index("</select>", html.index('<select id="niche"'))
    ]
    values = re.findall(r'<option value="(\d+)">', menu)
    assert values == [str(level) for level in range(len(NICHE_STEPS))]


def test_files_are_written_in_their_folders_in_full(tmp_path):
    files = [(tmp_path / "movie" / str(n) / "index.html", f"page {n} é" * 50) for n in range(600)]
    write_files(iter(files))
    for path, text in files:
        assert path.read_text(encoding="utf-8") == text


def test_a_file_that_cannot_be_written_stops_the_site(tmp_path):
    (tmp_path / "movie").write_text("a file where a folder should be", encoding="utf-8")
    files = [(tmp_path / "ok.html", "ok"), (tmp_path / "movie" / "1" / "index.html", "x")]
    with pytest.raises(OSError):
        write_files(iter(files))


def share_pages(monkeypatch):
    """Make write_pages share even a few pages with a second process, as on a 2-core machine."""
    monkeypatch.setattr(render, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(render, "_cores", lambda: 2)


@pytest.mark.skipif(sys.platform != "linux", reason="pages are shared with a forked process")
def test_pages_shared_with_a_second_process_are_all_written_once(tmp_path, monkeypatch):
    share_pages(monkeypatch)
    pages = [f"movie/{n}/index.html" for n in range(30)]
    data = [(tmp_path / "early" / f"{n}.json", "[]") for n in range(3)]
    render.write_pages(pages, lambda page: (tmp_path / page, f"{page} {os.getpid()}"), iter(data))
    writers = set()
    for page in pages:
        name, pid = (tmp_path / page).read_text(encoding="utf-8").split()
        assert name == page
        writers.add(pid)
    assert len(writers) == 2  # this process and the child each wrote a share
    assert all(path.read_text(encoding="utf-8") == "[]" for path, _ in data)


@pytest.mark.skipif(sys.platform != "linux", reason="pages are shared with a forked process")
@pytest.mark.parametrize(
    ("failing", "error", "message"),
    [(0, RuntimeError, "page 0"), (1, StaticrecError, "rendering a share of the site's pages")],
    ids=["this process's share", "the child's share"],
)
def test_a_page_that_fails_to_render_fails_the_site_in_either_process(
    tmp_path, monkeypatch, failing, error, message
):
    share_pages(monkeypatch)

    def rendered(page):
        if page == failing:  # page 0 is this process's (one in three), page 1 the child's
            raise RuntimeError(f"template error on page {page}")
        return tmp_path / f"{page}.html", "ok"

    with pytest.raises(error, match=message):
        render.write_pages(list(range(9)), rendered)
