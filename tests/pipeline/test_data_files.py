"""Stage 1 for your own data: any ratings file, columns named by options or staticrec.toml."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from datasets import BOOK_OPTIONS, books_dataset
from staticrec.cli import main
from staticrec.errors import ConfigError, DataError
from staticrec.pipeline.data_files import RatingsFiles, load_ratings_files
from staticrec.pipeline.run import BuildConfig, run

BOOKS = RatingsFiles(
    ratings=None,  # set per test
    user_column="user_id",
    item_column="book_id",
    rating_column="score",
    timestamp_column=None,
    title_column="name",
    categories_column="shelves",
    categories_separator=";",
)


def books(folder, **changes) -> RatingsFiles:
    data = books_dataset(folder)
    files = {"ratings": data / "ratings.csv", "items": data / "books.csv", **changes}
    return replace(BOOKS, **files)


def test_a_books_file_reads_into_the_shared_tables(tmp_path):
    ml = load_ratings_files(books(tmp_path), rating_scale=(1, 10))
    assert list(ml.ratings.columns) == ["userId", "movieId", "rating", "timestamp"]
    assert ml.ratings["rating"].between(1, 10).all()
    # no timestamp column: the file's order is the time
    assert (ml.ratings["timestamp"].diff().dropna() > 0).all()
    assert ml.movies["genres"].str.contains("|", regex=False).any()  # ';' became '|'
    assert ml.name == "ratings" and ml.links.empty and ml.tags is None


def test_without_an_items_file_items_are_named_by_id(tmp_path):
    ml = load_ratings_files(books(tmp_path, items=None), rating_scale=(1, 10))
    assert set(ml.movies["title"]) == {f"#{i}" for i in ml.ratings["movieId"].unique()}
    assert (ml.movies["genres"] == "").all()


def test_a_build_without_items_answers_from_the_command_line(tmp_path, capsys):
    """No items file: no categories, so the content table has no rows and no shard; the
    artifacts still load and answer."""
    files = books(tmp_path, items=None)
    artifacts = tmp_path / "artifacts"
    run(BuildConfig(ratings_files=files, rating_scale=(1, 10), artifacts_dir=artifacts, site=None))
    manifest = json.loads((artifacts / "manifest.json").read_text())
    assert manifest["tables"]["content_neighbors"]["shards"] == []
    assert main(["recommend", "--artifacts-dir", str(artifacts), "--user", "3"]) == 0
    assert "#" in capsys.readouterr().out  # items named by their id


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s + "1,2,11\n", "score 11.0 is outside the scale 1-10"),
        (lambda s: s + "1,999,5\n", "book_id 999 is not in books.csv"),
        (lambda s: s + "x,2,5\n", "'x' is not an integer"),
        (lambda s: s.replace("user_id", "reader"), "missing column(s) user_id"),
    ],
)
def test_errors_name_your_file_line_and_column(tmp_path, edit, message):
    files = books(tmp_path)
    path = files.ratings
    path.write_text(edit(path.read_text()))
    with pytest.raises(DataError) as error:
        load_ratings_files(files, rating_scale=(1, 10))
    assert str(error.value).startswith(str(path)) and message in str(error.value)


def test_the_command_line_builds_a_books_site(tmp_path, capsys):
    data = books_dataset(tmp_path / "data")
    out = tmp_path / "out"
    args = ["build", "--ratings", str(data / "ratings.csv"), "--items", str(data / "books.csv")]
    args += [*BOOK_OPTIONS, "--noun", "book", "--site-title", "Shelf"]
    args += ["--link-template", "https://www.goodreads.com/book/show/{id}"]
    args += ["--artifacts-dir", str(out / "artifacts"), "--site-dir", str(out / "site")]
    assert main([*args, "--pyodide", "cdn"]) == 0, capsys.readouterr().err
    manifest = json.loads((out / "artifacts" / "manifest.json").read_text())
    assert manifest["rating_scale"] == [1.0, 10.0]
    assert manifest["dataset"] == {
        **manifest["dataset"],
        "name": "Readers' books",
        "source": "ratings-file",
    }
    home = (out / "site" / "index.html").read_text()
    assert "Find your next book" in home and "<title>Books for you · Shelf</title>" in home
    assert "MovieLens" not in home and "GroupLens" not in home
    for_you = (out / "site" / "for-you" / "index.html").read_text()
    assert 'data-rating-choices="1 2 3 4 5 6 7 8 9 10"' in for_you  # whole stars, one to ten
    assert 'data-like-threshold="8"' in for_you  # 4 of 5 is 8 of 10
    book = (out / "site" / "movie" / "3" / "index.html").read_text()
    assert (
        '<a href="https://www.goodreads.com/book/show/3" rel="noopener">www.goodreads.com</a>'
        in book
    )
    assert "<dt>Categories</dt>" in book and "Recommend books like this" in book
    assert main(["recommend", "--artifacts-dir", str(out / "artifacts"), "--user", "3"]) == 0


def with_links(books_csv: Path, urls: dict[int, str]) -> None:
    """Add a ``url`` column to books.csv: the given books' addresses, the others empty."""
    books = pd.read_csv(books_csv)
    books["url"] = books["book_id"].map(urls).fillna("")
    books.to_csv(books_csv, index=False)


def test_a_link_column_gives_each_item_its_own_address(tmp_path, capsys):
    """Items whose ids are not the other site's: each page links the item's own address; an
    item without one falls back to the template; the browser never downloads the links."""
    data = books_dataset(tmp_path / "data")
    with_links(data / "books.csv", {3: "https://openlibrary.org/works/OL45804W"})
    out = tmp_path / "out"
    args = ["build", "--ratings", str(data / "ratings.csv"), "--items", str(data / "books.csv")]
    args += [*BOOK_OPTIONS, "--link-column", "url", "--pyodide", "cdn"]
    args += ["--link-template", "https://www.goodreads.com/book/show/{id}"]
    args += ["--artifacts-dir", str(out / "artifacts"), "--site-dir", str(out / "site")]
    assert main(args) == 0, capsys.readouterr().err
    book = (out / "site" / "movie" / "3" / "index.html").read_text()
    assert (
        '<a href="https://openlibrary.org/works/OL45804W" rel="noopener">openlibrary.org</a>'
        in book
    )
    other = (out / "site" / "movie" / "4" / "index.html").read_text()
    assert 'href="https://www.goodreads.com/book/show/4"' in other
    links = pq.read_table(out / "artifacts" / "item_links.parquet").to_pylist()
    assert links == [{"movieId": 3, "url": "https://openlibrary.org/works/OL45804W"}]
    assert not (out / "site" / "data" / "item_links.parquet").exists()


def test_a_link_that_is_not_an_address_is_named_by_line(tmp_path):
    files = replace(books(tmp_path), link_column="url")
    with_links(files.items, {5: "openlibrary.org/works/OL1W"})
    with pytest.raises(DataError) as error:
        load_ratings_files(files, rating_scale=(1, 10))
    assert (error.value.line, error.value.column) == (6, "url")  # book 5: line 6
    assert "'openlibrary.org/works/OL1W' is not an http(s) address" in str(error.value)
    with pytest.raises(ConfigError, match="needs an items file"):
        load_ratings_files(replace(files, items=None), rating_scale=(1, 10))


def test_a_link_template_needs_an_id_and_an_address(tmp_path, capsys):
    args = ["build", "--ratings", "r.csv", "--link-template", "www.goodreads.com/book/show/"]
    assert main(args) == 1
    assert "--link-template: must be an http(s) address with {id}" in capsys.readouterr().err


def test_options_come_from_staticrec_toml_and_the_command_line_wins(tmp_path, monkeypatch, capsys):
    books_dataset(tmp_path / "data")
    toml = "\n".join(
        ["[build]", 'ratings = "data/ratings.csv"', 'items = "data/books.csv"',
         'user-column = "user_id"', 'item_column = "book_id"', 'rating-column = "score"',
         'timestamp-column = "none"', 'title-column = "name"', 'categories-column = "shelves"',
         'categories-separator = ";"', "rating-scale = [1, 10]", "no-site = true"]
    )  # fmt: skip
    (tmp_path / "staticrec.toml").write_text(toml + "\n")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--artifacts-dir", "art"]) == 0, capsys.readouterr().err
    manifest = json.loads((tmp_path / "art" / "manifest.json").read_text())
    assert manifest["rating_scale"] == [1.0, 10.0] and manifest["dataset"]["name"] == "ratings"


def test_an_unknown_key_in_staticrec_toml_is_named(tmp_path, monkeypatch, capsys):
    (tmp_path / "staticrec.toml").write_text('[build]\nratings-fiel = "r.csv"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 2
    assert "[build] has no key 'ratings-fiel'" in capsys.readouterr().err
