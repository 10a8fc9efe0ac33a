"""A visitor's ratings file, read as the page and `recommend --ratings-file` read it: only
\n and \r end a record, ids are ASCII digits, and an export's odd values are unmatched rows."""

from __future__ import annotations

import pytest

from staticrec.scoring.imports import BadRatingsFile, read_ratings_text


def test_unicode_line_breaks_inside_a_quoted_field_do_not_split_the_record(recommender):
    text = 'Const,Your Rating,Title\ntt0113277,9,"Heat\u2028(1995)\x0c"\ntt9999999,7,Nobody\n'
    imported = read_ratings_text(text, recommender.model)
    assert imported.format == "IMDb" and list(imported.ratings) == [6]  # Heat
    assert imported.unmatched == ["line 3: tt9999999 Nobody"]  # the third line, not the fifth


@pytest.mark.parametrize("const", ["tt²", "tt\u0661\u0662", "tt1_0"])
def test_an_imdb_id_that_is_not_ascii_digits_is_an_unmatched_row(recommender, const):
    imported = read_ratings_text(f"Const,Your Rating\n{const},8\n", recommender.model)
    assert imported.ratings == {} and imported.unmatched == [f"line 2: {const}"]


@pytest.mark.parametrize("year", ["inf", "-inf", "nan", "1e400"])
def test_a_letterboxd_year_that_is_not_a_year_is_an_unmatched_row(recommender, year):
    imported = read_ratings_text(f"Name,Year,Rating\nHeat,{year},4\n", recommender.model)
    assert imported.ratings == {} and imported.unmatched == [f"line 2: Heat ({year})"]


@pytest.mark.parametrize("movie_id", ["\u0661", "1_0", "²"])
def test_a_movie_id_in_another_script_is_named_by_line(recommender, movie_id):
    with pytest.raises(BadRatingsFile, match=f"line 2, column movieId: '{movie_id}' is not"):
        read_ratings_text(f"movieId,rating\n{movie_id},4\n", recommender.model)
