"""A site built from a non-movie ratings file (books rated 1-10) recommends in the browser."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from browsing import PYODIDE_CACHE, list_ids, ratings_shown, serve_site, wait_for_results

from datasets import books_dataset
from staticrec.pipeline.data_files import RatingsFiles
from staticrec.pipeline.run import BuildConfig, run
from staticrec.site.config import SiteConfig


@pytest.fixture(scope="module")
def books_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("books")
    data = books_dataset(folder / "data")
    files = RatingsFiles(
        ratings=data / "ratings.csv",
        items=data / "books.csv",
        user_column="user_id",
        item_column="book_id",
        rating_column="score",
        timestamp_column=None,
        title_column="name",
        categories_column="shelves",
        categories_separator=";",
    )
    run(
        BuildConfig(
            ratings_files=files,
            rating_scale=(1.0, 10.0),
            artifacts_dir=folder / "artifacts",
            site=SiteConfig(site_dir=folder / "site", pyodide_cache=PYODIDE_CACHE, noun="book"),
        )
    )
    server = serve_site(folder / "site")
    titles = pd.read_csv(data / "books.csv").set_index("book_id")["name"].to_dict()
    yield server.url, titles
    server.close()


def test_a_reader_rates_books_out_of_ten_and_gets_books(page, books_site):
    url, titles = books_site
    page.goto(f"{url}for-you/")
    wait_for_results(page)
    for answered, number in enumerate((3, 17, 29), start=2):
        page.fill("#rate-search", titles[number])
        page.locator("#rate-results li", has_text=re.compile(rf"{titles[number]}$")).click()
        # whole stars, one to ten: a radio each, and none chosen for a new book
        stars = page.locator("#rate-pending [role=radio]")
        values = stars.evaluate_all("all => all.map(s => s.dataset.value)")
        assert values == [str(v) for v in range(1, 11)]
        assert stars.evaluate_all("all => all.filter(s => s.ariaChecked === 'true').length") == 0
        page.click("#rate-pending [role=radio][aria-label='9 stars']")
        wait_for_results(page, answered)
    assert page.get_attribute("#results", "data-mode") == "visitor"
    picks = list_ids(page, "#hybrid")
    assert len(picks) == 10 and not set(picks) & set(list_ids(page, "#my-ratings"))
    assert ratings_shown(page) == ["9", "9", "9"]
    assert "Books like:" in page.text_content("#content-from")  # liked at 8 of 10 or more


def test_a_reader_of_the_file_gets_their_list(page, books_site):
    page.goto(f"{books_site[0]}for-you/?user=3")
    wait_for_results(page)
    assert page.get_attribute("#results", "data-mode") == "user"
    assert len(list_ids(page, "#hybrid")) == 10
    assert page.text_content("#cf-title") == "People who rated the same books also rated"
