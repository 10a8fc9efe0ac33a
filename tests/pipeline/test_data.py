"""Stage 1: reading and validating MovieLens CSVs, with errors that say where."""

from __future__ import annotations

import pytest

from datasets import TINY_LINKS, TINY_MOVIES, TINY_RATINGS, write_dataset
from staticrec.errors import DataError
from staticrec.pipeline.data import RATINGS, load_movielens, read_table


def test_real_dataset_has_the_seed_numbers(ml_small):
    counts = ml_small.row_counts()
    assert counts["ratings"] == 100_836
    assert counts["users"] == 610
    assert counts["movies"] == 9_742
    assert counts["rated_movies"] == 9_724


def test_tiny_dataset_loads_with_types(tiny_dir):
    ml = load_movielens(tiny_dir, name="tiny", with_tags=True)
    assert ml.ratings["rating"].dtype == "float64"
    assert ml.movies.loc[ml.movies.movieId == 4, "genres"].item() == "(no genres listed)"
    assert ml.movies.loc[ml.movies.movieId == 5, "title"].item() == "Comma, The (1999)"
    assert ml.links["tmdbId"].isna().sum() == 1
    assert len(ml.tags) == 3


def load_error(folder, **kwargs) -> DataError:
    with pytest.raises(DataError) as caught:
        load_movielens(folder, name="tiny", **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("ratings", "line", "column", "words"),
    [
        (TINY_RATINGS.replace("1,2,3.5,", "1,2,abc,"), 3, "rating", "'abc' is not a number"),
        (TINY_RATINGS.replace("1,2,3.5,", "1,2,,"), 3, "rating", "value is empty"),
        (TINY_RATINGS.replace("2,5,2.0,", "x,5,2.0,"), 6, "userId", "'x' is not an integer"),
        (TINY_RATINGS.replace("1,2,3.5,", "1,2,7.5,"), 3, "rating", "outside the scale 0.5-5.0"),
        (TINY_RATINGS.replace("1,2,3.5,", "1,2,0,"), 3, "rating", "outside the scale"),
        (TINY_RATINGS.replace("1,2,3.5,", "1,2,nan,"), 3, "rating", "not a finite number"),
        (
            TINY_RATINGS.replace("2,5,2.0,", "2,99,2.0,"),
            6,
            "movieId",
            "movieId 99 is not in movies.csv",
        ),
        (TINY_RATINGS + "1,3,1.0,964982225\n", 9, None, "duplicate userId=1, movieId=3"),
        (TINY_RATINGS.replace("1,2,3.5,964981247", "1,2,3.5"), 3, None, "has 3 fields where"),
    ],
)
def test_bad_ratings_name_line_column_and_problem(tmp_path, ratings, line, column, words):
    error = load_error(write_dataset(tmp_path / "d", ratings=ratings))
    assert error.path.name == "ratings.csv"
    assert error.line == line
    assert error.column == column
    assert words in str(error)
    assert f"ratings.csv, line {line}" in str(error)


def test_missing_file_is_named(tmp_path):
    error = load_error(write_dataset(tmp_path / "d", links=None))
    assert error.path.name == "links.csv" and "file is missing" in str(error)


def test_tags_are_required_only_for_tag_content(tmp_path):
    folder = write_dataset(tmp_path / "d", tags=None)
    load_movielens(folder, name="tiny")  # genres only: fine
    error = load_error(folder, with_tags=True)
    assert error.path.name == "tags.csv"


GENOME = "movieId,tagId,relevance\n1,1,0.9\n1,2,0.1\n3,1,0.2\n3,2,0.8\n99,1,0.5\n"


def test_the_genome_is_read_only_for_genome_content_and_checked(tmp_path):
    folder = write_dataset(tmp_path / "d")
    assert load_movielens(folder, name="tiny").genome is None
    assert load_error(folder, with_genome=True).path.name == "genome-scores.csv"
    (folder / "genome-scores.csv").write_text(GENOME, encoding="utf-8")
    genome = load_movielens(folder, name="tiny", with_genome=True).genome
    assert genome["movieId"].tolist() == [1, 1, 3, 3]  # movie 99 is not in the catalogue
    (folder / "genome-scores.csv").write_text(GENOME.replace("0.8", "1.5"), encoding="utf-8")
    error = load_error(folder, with_genome=True)
    assert "line 5" in str(error) and "relevance 1.5 is not between 0 and 1" in str(error)
    (folder / "genome-scores.csv").write_text(GENOME + "1,2,0.3\n", encoding="utf-8")
    assert "duplicate movieId=1, tagId=2" in str(load_error(folder, with_genome=True))


def test_empty_file_is_named(tmp_path):
    error = load_error(write_dataset(tmp_path / "d", movies=""))
    assert error.path.name == "movies.csv" and "file is empty" in str(error)


def test_header_only_file_is_named(tmp_path):
    error = load_error(write_dataset(tmp_path / "d", ratings="userId,movieId,rating,timestamp\n"))
    assert "has a header but no rows" in str(error)


def test_missing_column_lists_what_the_header_has(tmp_path):
    error = load_error(
        write_dataset(tmp_path / "d", ratings=TINY_RATINGS.replace("rating,", "stars,"))
    )
    assert error.line == 1
    assert "missing column(s) rating" in str(error)
    assert "userId, movieId, stars, timestamp" in str(error)


def test_bytes_that_are_not_utf8_give_the_line(tmp_path):
    latin1 = TINY_MOVIES.replace("Heat (1995)", "Café (1995)").encode("latin-1")
    error = load_error(write_dataset(tmp_path / "d", movies=latin1))
    assert error.path.name == "movies.csv"
    assert error.line == 4
    assert "not UTF-8" in str(error)


def test_duplicate_movie_id_and_blank_title(tmp_path):
    duplicate = TINY_MOVIES + "3,Heat again (1995),Action\n"
    error = load_error(write_dataset(tmp_path / "d", movies=duplicate))
    assert (error.line, "duplicate movieId=3") == (7, "duplicate movieId=3")
    assert "duplicate movieId=3" in str(error)
    blank = TINY_MOVIES.replace("Heat (1995)", "  ")
    error = load_error(write_dataset(tmp_path / "e", movies=blank))
    assert (error.line, error.column) == (4, "title")


def test_line_numbers_count_quoted_multiline_fields(tmp_path):
    movies = TINY_MOVIES.replace('"Comma, The (1999)"', '"Comma,\nThe (1999)"')
    ratings = TINY_RATINGS.replace("2,5,2.0,", "2,5,9.0,")
    write_dataset(tmp_path / "d", movies=movies, ratings=ratings)
    assert load_error(tmp_path / "d").line == 6
    bad = movies + "7,Broken (2001),Drama,extra\n"
    error = load_error(write_dataset(tmp_path / "e", movies=bad))
    assert error.line == 8  # the quoted title spans lines 6-7


def test_not_a_folder(tmp_path):
    error = load_error(tmp_path / "nowhere")
    assert "is not a folder" in str(error)


def test_read_table_keeps_only_required_columns(tiny_dir):
    frame = read_table(tiny_dir, RATINGS)
    assert list(frame.columns) == ["userId", "movieId", "rating", "timestamp"]


def test_blank_lines_do_not_shift_line_numbers(tmp_path):
    ratings = TINY_RATINGS.replace("1,3,5.0,964982224\n", "1,3,5.0,964982224\n\n")
    ratings += "1,1,4.0,964982705\n"  # a duplicate, after the blank line
    error = load_error(write_dataset(tmp_path / "d", ratings=ratings))
    assert error.line == 10
    assert "duplicate userId=1, movieId=1" in str(error)


def test_a_byte_order_mark_is_accepted(tmp_path):
    folder = write_dataset(tmp_path / "d", movies="\ufeff" + TINY_MOVIES)
    assert len(load_movielens(folder, name="tiny").movies) == 5


@pytest.mark.parametrize(
    ("ratings", "column", "words"),
    [
        (
            TINY_RATINGS.replace(",964981247", ",9649812470000000000000000"),
            "timestamp",
            "too large for a 64-bit integer",
        ),
        (TINY_RATINGS.replace("1,2,3.5,", "1_0,2,3.5,"), "userId", "'1_0' is not an integer"),
        (
            TINY_RATINGS.replace("1,2,3.5,", "3000000000,2,3.5,"),
            "userId",
            "3000000000 is not an id between 1 and 2147483647",
        ),
    ],
)
def test_values_pandas_refuses_are_named_with_their_line(tmp_path, ratings, column, words):
    error = load_error(write_dataset(tmp_path / "d", ratings=ratings))
    assert (error.line, error.column) == (3, column)
    assert words in str(error)


@pytest.mark.parametrize(
    ("overrides", "file", "line", "column", "words"),
    [
        (
            {"ratings": TINY_RATINGS.replace("1,2,3.5,", "0,2,3.5,")},
            "ratings.csv",
            3,
            "userId",
            "0 is not an id between 1 and 2147483647",
        ),
        (
            {
                "movies": TINY_MOVIES.replace("\n2,Jumanji", "\n0,Jumanji"),
                "ratings": TINY_RATINGS.replace("1,2,3.5,", "1,0,3.5,"),
            },
            "movies.csv",
            3,
            "movieId",
            "0 is not an id between 1 and 2147483647",
        ),
        (
            {"links": TINY_LINKS.replace("2,0113497,8844", "2,3000000000,8844")},
            "links.csv",
            3,
            "imdbId",
            "3000000000 is not an id between 1 and 2147483647",
        ),
        (
            {"links": TINY_LINKS.replace("3,0113277,949", "3,-5,949")},
            "links.csv",
            4,
            "imdbId",
            "-5 is not an id between 1 and 2147483647",
        ),
        (
            {"links": TINY_LINKS.replace("5,0000002,5", "5,0000002,-862")},
            "links.csv",
            6,
            "tmdbId",
            "-862 is not an id between 1 and 2147483647",
        ),
        (
            {"movies": TINY_MOVIES.replace("Jumanji (1995)", "\u200b\u200d\u2060\ufeff ")},
            "movies.csv",
            3,
            "title",
            "title is empty",
        ),
    ],
)
def test_ids_and_titles_follow_one_rule_at_load_time(
    tmp_path, overrides, file, line, column, words
):
    """Ids from 1 to 2^31 - 1 everywhere (the page accepts the same), link ids included;
    a title of invisible characters only is empty."""
    error = load_error(write_dataset(tmp_path / "d", **overrides))
    assert (error.path.name, error.line, error.column) == (file, line, column)
    assert words in str(error)
