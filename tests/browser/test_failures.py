"""Whatever breaks, the page says what, visibly: never a blank page or a console-only error."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from browsing import list_ids, rate, wait_for_error, wait_for_results

from staticrec.scoring.schema import SCHEMA_VERSION


def flip_one_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def assert_no_answer_from_bad_data(page):
    """Nothing the recommender computed; at most the build's early answer, saying it stays."""
    state = page.get_attribute("#results", "data-state")
    assert state in (None, "early")
    if state == "early":
        assert "the recommender could not start" in page.text_content("#early-note")


def test_changed_artifact_byte_is_refused(page, serve_copy):
    url = serve_copy(lambda site: flip_one_byte(site / "data" / "item_factors.parquet"))
    page.goto(f"{url}for-you/?user=105")
    message = wait_for_error(page)
    assert "item_factors.parquet failed its integrity check" in message
    assert_no_answer_from_bad_data(page)


def test_changed_manifest_is_refused(page, serve_copy):
    def edit(site):
        manifest = site / "data" / "manifest.json"
        manifest.write_text(manifest.read_text().replace('"n_factors": 50', '"n_factors": 49'))

    url = serve_copy(edit)
    page.goto(f"{url}for-you/")
    assert "manifest.json failed its integrity check" in wait_for_error(page)


@pytest.mark.parametrize(
    ("missing", "query"),
    [
        ("item_factors.parquet", "?user=1"),
        ("user_ratings/0.parquet", "?user=1"),  # a user's shard
        ("collab_neighbors/0.parquet", "?user=1"),  # the most-rated movies' neighbours
    ],
)
def test_missing_artifact_is_named(page, serve_copy, missing, query):
    url = serve_copy(lambda site: (site / "data" / missing).unlink())
    page.goto(f"{url}for-you/{query}")
    assert f"Could not download {missing}: HTTP 404" in wait_for_error(page)


def test_missing_factors_are_named_when_an_answer_reads_them(page, serve_copy):
    """A favourite's answer reads no movie factors (they come after it): the first rating,
    which reads them, names the file."""
    url = serve_copy(lambda site: (site / "data" / "item_factors.parquet").unlink())
    page.goto(f"{url}for-you/?favorite=2571")
    wait_for_results(page)
    rate(page, "toy story", "Toy Story (1995)", "5")
    assert "Could not download item_factors.parquet: HTTP 404" in wait_for_error(page)


def remove(name):
    return lambda site: (site / "pyodide" / name).unlink()


def damage(name):
    return lambda site: flip_one_byte(site / "pyodide" / name)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (remove("pyodide.mjs"), "Could not download pyodide.mjs: HTTP 404"),
        (remove("pyodide.asm.wasm"), "Could not download pyodide.asm.wasm: HTTP 404"),
        (damage("pyodide.asm.wasm"), "pyodide.asm.wasm failed its integrity check"),
        (damage("pyodide.asm.js"), "pyodide.asm.js failed its integrity check"),
        (remove("python_stdlib.zip"), "Could not download python_stdlib.zip: HTTP 404"),
        (remove("pyodide-lock.json"), "Could not download pyodide-lock.json: HTTP 404"),
    ],
    ids=[
        "mjs-missing",
        "wasm-missing",
        "wasm-damaged",
        "asm-js-damaged",
        "stdlib-missing",
        "lock-missing",
    ],
)
def test_a_missing_or_damaged_runtime_file_is_named(page, serve_copy, change, expected):
    """Every runtime file is checked by SHA-256 in the worker before Pyodide starts it."""
    url = serve_copy(change)
    page.goto(f"{url}for-you/")
    assert expected in wait_for_error(page)
    assert page.text_content("#status") == "The recommender is unavailable."


def test_a_stalled_runtime_download_is_a_message_within_a_minute(page, site_url):
    """A download that stops sending (here: never answered) is abandoned after 60 s."""
    page.context.route("**/pyodide.asm.wasm", lambda route: None)  # never fulfilled
    page.goto(f"{site_url}for-you/")
    message = wait_for_error(page, timeout_s=75)
    assert "The download of pyodide.asm.wasm stalled: nothing arrived for 60 s" in message


def test_broken_scoring_wheel_is_named(page, serve_copy):
    url = serve_copy(
        lambda site: flip_one_byte(next((site / "pyodide").glob("staticrec_scoring-*.whl")))
    )
    page.goto(f"{url}for-you/")
    message = wait_for_error(page)
    assert "staticrec_scoring-" in message and "failed its integrity check" in message


def test_search_on_home_reports_a_damaged_catalogue(page, serve_copy):
    url = serve_copy(lambda site: flip_one_byte(site / "data" / "items.parquet"))
    page.goto(url)
    assert "Search is unavailable: items.parquet failed its integrity check" in wait_for_error(page)
    assert page.is_visible("text=Most rated")  # the static content is still there


def test_a_user_that_is_not_a_number_is_a_note_that_stays(page, site_url):
    page.goto(f"{site_url}for-you/?user=abc")
    wait_for_results(page)  # the visitor's answer comes, and the note stays above it
    assert page.is_visible("#notice")
    assert 'user "abc" is not a userId' in page.text_content("#notice")
    assert page.get_attribute("#results", "data-mode") == "popular"
    page.click("#tab-user")  # acting on the page is what puts the note away
    wait_for_results(page, 2)
    assert page.is_hidden("#notice")


def test_bad_favourites_in_the_link_are_named_and_duplicates_count_once(page, site_url):
    page.goto(f"{site_url}for-you/?favorite=<script>,1.5,0,1,1&favorite=1")
    wait_for_results(page)
    notice = page.text_content("#notice")
    assert '"<script>", "1.5", "0" is not a movie id' in notice
    assert page.text_content("#favorite-chosen").count("Toy Story") == 1
    assert page.text_content("#content-from") == "Movies like: Toy Story (1995)"


def test_a_favourite_without_genres_says_why_nothing_is_similar(page, site_url, recommender):
    model = recommender.model
    lonely = np.flatnonzero(np.diff(model.neighbor_indptr) == 0)
    assert len(lonely)  # ml-latest-small has movies with "(no genres listed)"
    movie_id = int(model.item_ids[lonely[0]])
    page.goto(f"{site_url}for-you/?user=105&favorite={movie_id}")
    wait_for_results(page)
    assert "No movie is listed as similar to" in page.text_content("#content-from")


def test_opened_from_a_file_the_page_says_to_serve_it(browser, ml_build):
    context = browser.new_context()
    page = context.new_page()
    page.goto((ml_build / "site" / "for-you" / "index.html").as_uri())
    message = wait_for_error(page, timeout_s=10)
    assert "opened from a file" in message and "python -m http.server" in message
    assert page.text_content("#status") == "The recommender cannot start from a file."
    context.close()


STORAGE_KEY = "staticrec:/:ratings"


def with_stored(page, site_url, value: str) -> None:
    """Open For you with ``value`` as the stored ratings (the raw localStorage text)."""
    page.goto(f"{site_url}about/")
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [STORAGE_KEY, value])
    page.goto(f"{site_url}for-you/")


def test_stored_ratings_off_the_scale_are_skipped_with_a_note(page, site_url):
    with_stored(page, site_url, json.dumps([[1, 5], [2, 9], ["x", 3], [3, -1], [260, 4.5]]))
    wait_for_results(page)
    assert page.get_attribute("#results", "data-mode") == "visitor"
    assert "Skipped 3 stored rating(s)" in page.text_content("#notice")
    assert list_ids(page, "#my-ratings") == [260, 1]  # the latest first


def test_unreadable_stored_ratings_are_set_aside_not_lost(page, site_url):
    with_stored(page, site_url, "{not json")
    wait_for_results(page)
    assert "could not be read" in page.text_content("#notice")
    kept = page.evaluate("(key) => localStorage.getItem(key + ':unreadable')", STORAGE_KEY)
    assert kept == "{not json"


def test_many_stored_ratings_are_capped_and_the_older_kept(page, site_url, recommender):
    ids = recommender.model.item_ids[:6000].tolist()
    with_stored(page, site_url, json.dumps([[movie_id, 4] for movie_id in ids]))
    wait_for_results(page, timeout_s=120)
    assert "You have 6,000 stored ratings: the latest 5,000 are used" in (
        page.text_content("#notice")
    )
    assert len(list_ids(page, "#my-ratings")) == 5000
    page.click(
        f"#my-ratings li[data-movie-id='{ids[-1]}'] button[aria-label^=Remove]"
    )  # the latest
    wait_for_results(page, 2, timeout_s=120)
    stored = json.loads(page.evaluate("(key) => localStorage.getItem(key)", STORAGE_KEY))
    assert [movie_id for movie_id, _ in stored] == ids[:-1]  # the older 1,000 still there


def test_artifacts_of_another_schema_version_are_refused_by_the_scoring_core(page, serve_copy):
    """A manifest that passes its integrity check but declares another schema version is
    refused by staticrec.scoring.schema inside Pyodide: the same check as the command line."""

    def edit(site):
        manifest = site / "data" / "manifest.json"
        old = hashlib.sha256(manifest.read_bytes()).hexdigest()
        current = f'"schema_version": {SCHEMA_VERSION}'
        text = manifest.read_text().replace(current, f'"schema_version": {SCHEMA_VERSION + 1}')
        manifest.write_text(text)
        new = hashlib.sha256(manifest.read_bytes()).hexdigest()
        page_file = site / "for-you" / "index.html"
        page_file.write_text(page_file.read_text().replace(old, new))

    url = serve_copy(edit)
    page.goto(f"{url}for-you/")
    message = wait_for_error(page)
    assert f"schema version {SCHEMA_VERSION + 1}" in message and "rebuild" in message
    assert_no_answer_from_bad_data(page)
