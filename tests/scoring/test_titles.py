"""Title lookup: the seed's rules (case-insensitive, difflib suggestions, empty is an error)."""

from __future__ import annotations

import pytest

from staticrec.scoring.errors import ScoringError, UnknownTitle
from staticrec.scoring.titles import TitleIndex


@pytest.fixture
def index():
    titles = ["Toy Story (1995)", "Toy Story 2 (1999)", "Heat (1995)", "Emma (1996)", "Emma (1996)"]
    return TitleIndex(titles, [1, 3114, 6, 838, 1429], preference=[0, 1, 2, 9, 4])


def test_case_insensitive_exact_match(index):
    assert index.find("  toy STORY (1995) ") == 1


def test_shared_title_resolves_to_the_preferred_movie(index):
    assert index.find("Emma (1996)") == 1429


def test_unknown_title_suggests_close_ones(index):
    with pytest.raises(UnknownTitle) as caught:
        index.find("Toy Stroy (1995)")
    assert caught.value.suggestions[0] == "Toy Story (1995)"
    assert len(caught.value.suggestions) <= 5
    assert "Did you mean: Toy Story (1995)" in str(caught.value)


def test_no_close_match(index):
    with pytest.raises(UnknownTitle, match="no close matches") as caught:
        index.find("Zzzzzz")
    assert caught.value.suggestions == []


@pytest.mark.parametrize("title", ["", "   ", None, 42])
def test_empty_or_non_string_title(index, title):
    with pytest.raises(ScoringError, match="non-empty movie title"):
        index.find(title)


def test_real_catalogue_lookup(recommender):
    assert recommender.titles.find("toy story (1995)") == 1
    with pytest.raises(UnknownTitle) as caught:
        recommender.titles.find("toy story")
    assert "Toy Story (1995)" in caught.value.suggestions
