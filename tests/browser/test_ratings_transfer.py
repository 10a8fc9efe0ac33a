"""A visitor's ratings move between browsers: saved as a movieId,rating CSV, loaded from one."""

from __future__ import annotations

import json

from browsing import list_ids, wait_for_results

KEY = "staticrec:/:ratings"


def stored(page):
    return json.loads(page.evaluate("(key) => localStorage.getItem(key) || '[]'", KEY))


def test_saved_ratings_load_in_another_browser(browser, page, site_url, tmp_path):
    page.goto(f"{site_url}about/")
    page.evaluate("(key) => localStorage.setItem(key, '[[6,5],[16,4.5]]')", KEY)
    page.goto(f"{site_url}for-you/")
    wait_for_results(page)
    with page.expect_download() as download:
        page.click("#export-ratings")
    saved = tmp_path / "my-ratings.csv"
    download.value.save_as(saved)
    assert saved.read_text() == "movieId,rating\n6,5\n16,4.5\n"

    other = browser.new_context().new_page()  # another browser: nothing stored
    other.goto(f"{site_url}for-you/")
    wait_for_results(other)
    other.set_input_files("#import-ratings", str(saved))
    wait_for_results(other, 2)
    assert other.get_attribute("#results", "data-mode") == "visitor"
    assert list_ids(other, "#my-ratings") == [16, 6]  # the latest first
    assert "2 of 2 ratings loaded" in other.text_content("#import-status")
    assert stored(other) == [[6, 5], [16, 4.5]]
    other.context.close()


def test_a_bad_file_changes_nothing_and_says_why(page, site_url, tmp_path):
    page.goto(f"{site_url}about/")
    page.evaluate("(key) => localStorage.setItem(key, '[[1,4]]')", KEY)
    page.goto(f"{site_url}for-you/")
    wait_for_results(page)
    bad = tmp_path / "bad.csv"
    bad.write_text("movieId,rating\n6,5\n16,nine\n")
    page.set_input_files("#import-ratings", str(bad))
    status = page.locator("#import-status")
    status.filter(has_text="not loaded").wait_for()
    assert 'line 3: "nine" is not a rating from 0.5 to 5' in status.text_content()
    assert stored(page) == [[1, 4]] and list_ids(page, "#my-ratings") == [1]
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("title,stars\nHeat,5\n")
    page.set_input_files("#import-ratings", str(wrong))
    status.filter(has_text="header needs the columns movieId and rating").wait_for()
    assert stored(page) == [[1, 4]]


def test_ids_this_site_lacks_are_listed_and_the_rest_loaded(page, site_url, tmp_path):
    page.goto(f"{site_url}for-you/")
    wait_for_results(page)
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("movieId,rating,title\n6,5,Heat\n999999,4,Unknown\n")
    page.set_input_files("#import-ratings", str(mixed))
    wait_for_results(page, 2)
    status = page.text_content("#import-status")
    assert "1 of 2 ratings loaded" in status and "Not on this site: movie ids 999999" in status
    assert stored(page) == [[6, 5]]


def test_imdb_and_letterboxd_exports_are_matched_by_the_scoring_core(page, site_url, tmp_path):
    """The page hands an export to the recommender, which reads it as `staticrec recommend
    --ratings-file` does: matched rows join the visitor's ratings, the others are listed."""
    page.goto(f"{site_url}for-you/")
    wait_for_results(page)
    imdb = tmp_path / "ratings.csv"
    imdb.write_text(
        "Const,Your Rating,Date Rated,Title\n"
        "tt0114709,10,2024-01-01,Toy Story\n"
        "tt0113277,7,2024-01-02,Heat\n"
        "tt9999999,8,2024-01-03,Not in MovieLens\n"
    )
    page.set_input_files("#import-ratings", str(imdb))
    wait_for_results(page, 2)
    status = page.text_content("#import-status")
    assert "ratings.csv (IMDb): 2 of 3 rows matched and loaded" in status
    assert "line 4: tt9999999 Not in MovieLens" in status
    assert stored(page) == [[1, 5], [6, 3.5]]  # 1-10 mapped onto 0.5-5

    letterboxd = tmp_path / "letterboxd.csv"
    letterboxd.write_text(
        "Date,Name,Year,Letterboxd URI,Rating\n"
        "2024-02-01,The Matrix,1999,https://boxd.it/x,4.5\n"
        "2024-02-02,No Such Film,2001,https://boxd.it/y,3\n"
    )
    page.set_input_files("#import-ratings", str(letterboxd))
    wait_for_results(page, 3)
    status = page.text_content("#import-status")
    assert "letterboxd.csv (Letterboxd): 1 of 2 rows matched and loaded" in status
    assert "line 3: No Such Film (2001)" in status
    assert stored(page) == [[1, 5], [6, 3.5], [2571, 4.5]]
    assert list_ids(page, "#my-ratings") == [2571, 6, 1]  # the latest first

    # an export none of whose rows can be used: nothing changes, every row is named
    bad = tmp_path / "bad-imdb.csv"
    bad.write_text("Const,Your Rating\nnonsense,8\ntt0114709,11\n")
    page.set_input_files("#import-ratings", str(bad))
    # "Reading bad-imdb.csv…" comes first: wait for the verdict itself
    page.locator("#import-status", has_text="bad-imdb.csv (IMDb): 0 of 2").wait_for()
    status = page.text_content("#import-status")
    assert "0 of 2 rows matched" in status
    assert "line 2: nonsense" in status and "line 3: tt0114709" in status
    assert stored(page) == [[1, 5], [6, 3.5], [2571, 4.5]]
