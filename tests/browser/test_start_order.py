"""What a first visit to For you downloads when: each test fails if one overlap of the cold
start is undone (Python's download waiting for the page's own modules, the items table
sharing the link with Python's start files when the address asks for an answer, or waiting
for them when it does not, a favourite's neighbours fetched only once Python is up, the movie
factors fetched before an answer that reads none)."""

from __future__ import annotations

import json

from browsing import list_ids, rate, wait_for_results

from staticrec.scoring.shards import MovieShards

FAVORITE = 2571
"""The Matrix."""

START_FILES = ("pyodide.asm.wasm", "python_stdlib.zip", "pyodide.asm.js", "pyodide-lock.json")


def finished(page) -> list:
    """Every request the page and its workers finish, in the order they finish."""
    done: list = []
    page.on("requestfinished", lambda request: done.append(request))
    return done


def named(requests, name: str) -> list:
    return [r for r in requests if r.url.split("?")[0].endswith(name)]


def started_ms(request) -> float:
    return request.timing["startTime"]


def ended_ms(request) -> float:
    return request.timing["startTime"] + request.timing["responseEnd"]


def asked_while_held(page, url: str, held_pattern: str, wanted: str) -> tuple[list, list]:
    """Open ``url`` with the requests matching ``held_pattern`` held back, until a request whose
    address holds ``wanted`` is made too (or 30 s pass): the held routes and those requests."""
    held: list = []
    page.route(held_pattern, lambda route: held.append(route))
    asked: list = []
    page.on("request", lambda r: asked.append(r) if wanted in r.url else None)
    page.goto(url, wait_until="commit")
    for _ in range(600):
        if held and asked:
            break
        page.wait_for_timeout(50)
    return held, asked


def release(page, held) -> None:
    for route in held:
        route.continue_()
    wait_for_results(page)


def test_pythons_download_starts_before_the_pages_own_modules_have_arrived(page, site_url):
    """for-you-start.js starts the recommender from its own few modules: one of For you's
    other modules held back does not hold Python's download back."""
    held, wasm = asked_while_held(
        page,
        f"{site_url}for-you/?favorite={FAVORITE}",
        "**/assets/lists-panel.js",
        "pyodide.asm.wasm",
    )
    assert held, "For you never asked for lists-panel.js"
    assert wasm, "Python's download waited for For you's own modules"
    release(page, held)


def test_the_items_table_waits_for_pythons_start_files(page, site_url):
    """Python starts only once all its start files are here: the items table comes after them
    (while Python starts), not beside them."""
    done = finished(page)
    page.goto(f"{site_url}for-you/?favorite={FAVORITE}")
    wait_for_results(page)
    assert all(named(done, name) for name in START_FILES)
    # each file's download: Pyodide imports pyodide.asm.js a second time once it starts,
    # a request that may end after the items table has started
    downloads = [min(named(done, name), key=started_ms) for name in START_FILES]
    [items] = named(done, "data/items.parquet")
    assert started_ms(items) >= max(ended_ms(r) for r in downloads)


def test_without_a_request_the_search_comes_first(page, site_url):
    """An address that asks for nothing (the visitor starts by searching for what to rate):
    the items table, which the search reads, does not wait for Python's start files (held
    back here until it has been asked for)."""
    held, items = asked_while_held(
        page, f"{site_url}for-you/", "**/pyodide.asm.wasm", "data/items.parquet"
    )
    assert held, "For you never asked for Python's runtime"
    assert items, "the items table waited for Python's start files"
    release(page, held)


def test_a_favourites_neighbours_are_fetched_before_python_is_up(
    page, site_url, ml_build, recommender
):
    """The decoder reads the favourite in the page's first request and fetches the shard of
    its content rows with the model files, each once: the answer then waits for nothing."""
    done = finished(page)
    page.goto(f"{site_url}for-you/?favorite={FAVORITE}")
    wait_for_results(page)
    ready_ms = page.evaluate(
        "() => performance.timeOrigin"
        " + performance.getEntriesByName('staticrec:ready')[0].startTime"
    )
    manifest = json.loads((ml_build / "site" / "data" / "manifest.json").read_text())
    rows = recommender.rows_read(None, {}, [FAVORITE])
    missing = MovieShards.from_manifest(manifest).missing(
        {table: recommender.popularity_rank[at] for table, at in rows.items()}
    )
    wanted = [
        f"{table}/{number}.parquet" for table, numbers in missing.items() for number in numbers
    ]
    assert wanted, "the favourite's rows are in no shard"
    shards = [r for r in done if "_neighbors/" in r.url]
    assert sorted(r.url.split("/data/")[-1] for r in shards) == sorted(wanted)  # each once
    assert all(started_ms(r) < ready_ms for r in shards)
    expected = recommender.for_visitor({}, [FAVORITE])
    assert list_ids(page, "#hybrid") == [i.movie_id for i in expected.hybrid]


def test_a_favourites_answer_does_not_wait_for_the_movie_factors(page, site_url, recommender):
    """A favourite alone has no SVD list: its answer comes while the movie factors are held
    back; they are asked for after it, and a rating's answer, which reads them, waits for
    them and is then the scoring core's."""
    held: list = []
    page.route("**/data/item_factors.parquet", lambda route: held.append(route))
    page.goto(f"{site_url}for-you/?favorite={FAVORITE}")
    wait_for_results(page)
    expected = recommender.for_visitor({}, [FAVORITE])
    assert list_ids(page, "#hybrid") == [i.movie_id for i in expected.hybrid]
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1, "the movie factors were not fetched after the first answer"
    rate(page, "toy story", "Toy Story (1995)", "5")
    page.wait_for_timeout(1000)
    assert page.get_attribute("#results", "data-answered") == "1"  # waiting for the factors
    held[0].continue_()
    wait_for_results(page, 2)
    expected = recommender.for_visitor({1: 5.0}, [FAVORITE])
    assert list_ids(page, "#hybrid") == [i.movie_id for i in expected.hybrid]
