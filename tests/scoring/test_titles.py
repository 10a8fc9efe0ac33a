"""Titles: the command line matches them as the page's search does (issue 23, item 5), checked
case by case through both the Python matcher and search.js run by Node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staticrec.scoring.errors import ScoringError, UnknownTitle
from staticrec.scoring.titles import TitleIndex, normalise, short_title, spoken

REPO = Path(__file__).resolve().parents[2]

TITLES = [
    "Toy Story (1995)",
    "Toy Story 2 (1999)",
    "Heat (1995)",
    "Heathers (1989)",
    "Heat, The (2013)",
    "Emma (1996)",
    "Emma (1996)",
    "Matrix, The (1999)",
    "Matrix Reloaded, The (2003)",
    "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
    "Léon: The Professional (a.k.a. The Professional) (Léon) (1994)",
    "It's a Wonderful Life (1946)",
    "It (2017)",
    "\uff34\uff4f\uff59 \uff33\uff54\uff4f\uff52\uff59 (2020)",  # fullwidth "Toy Story"
    "Брат (1997)",
    "千と千尋の神隠し (2001)",
    "Smile 😀 (2022)",
    "Lord of the Rings: The Fellowship of the Ring, The (2001)",
    "Misérables, Les (2012)",
    "Dog's Purpose, A (2017)",
    "Sherlock - A Study in Pink (2010)",
    "Band of Brothers (2001–2001)",
]
IDS = [1, 3114, 6, 2, 103, 838, 1429, 2571, 6365, 4973, 293, 953, 300, 900, 901, 5618, 902, 4993]
IDS += [95, 96, 97, 98]
COUNTS = [215, 97, 102, 30, 12, 20, 25, 278, 75, 120, 133, 70, 30, 0, 1, 87, 2, 198, 10, 3, 1, 1]
QUERIES = [
    "heat",
    "Heat",
    "Heat (1995)",
    "matrix",
    "The Matrix (1999)",
    "the matrix",
    "MATRIX, THE",
    "amelie",
    "Amélie",
    "leon",
    "Léon",
    "it",
    "It (2017)",
    "toy story",
    "toy",
    "\uff54\uff4f\uff59",
    "брат",
    "БРАТ",
    "千と千尋",
    "😀",
    "emma",
    "lord of the rings",
    "the fellowship",
    "les miserables",
    "Misérables",
    "a dog's purpose",
    "sherlock a study",
    "band of brothers",
    "x",
    "",
    "   ",
    "?!",
]


def preference(counts, ids):
    """Each movie's place in the page's order: more ratings first, then the lower id."""
    order = np.lexsort((ids, -np.asarray(counts)))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    return rank.tolist()


@pytest.fixture
def index():
    return TitleIndex(TITLES, IDS, preference(COUNTS, IDS))


def run_page_search(titles, ids, counts, queries, texts=()) -> dict:
    """web/tests/title-match.mjs: search.js's answers to the same cases."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the page's search runs under Node here")
    cases = {"titles": titles, "ids": ids, "counts": counts, "queries": queries}
    run = subprocess.run(
        [node, str(REPO / "web" / "tests" / "title-match.mjs")],
        input=json.dumps({**cases, "texts": list(texts)}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_the_page_and_the_command_line_match_alike(index):
    page = run_page_search(TITLES, IDS, COUNTS, QUERIES, QUERIES + TITLES)
    assert [index.search(q, limit=None) for q in QUERIES] == page["search"]
    assert [normalise(t) for t in QUERIES + TITLES] == page["normalise"]
    assert [spoken(t) for t in TITLES] == page["spoken"]


def test_the_real_catalogue_matches_alike(recommender):
    model = recommender.model
    titles, ids = list(model.titles), model.item_ids.tolist()
    counts = model.n_ratings.tolist()
    queries = ["heat", "matrix", "the godfather", "star wars", "alien", "pulp", "toy story 2"]
    queries += ["lord of the rings", "schindler", "amelie", "léon", "x men", "up", "it"]
    page = run_page_search(titles, ids, counts, queries, titles)
    assert [recommender.titles.search(q, limit=None) for q in queries] == page["search"]
    assert [normalise(t) for t in titles] == page["normalise"]


# characters this Python's Unicode database assigns: Node's may be newer, and a character one
# side has not heard of is a separator there (every assigned one agrees, checked to U+2FFFF)
ASSIGNED = st.characters(exclude_categories=("Cs", "Cn"))


@settings(max_examples=20, deadline=None)
@given(st.lists(st.text(ASSIGNED, max_size=12), min_size=1, max_size=50))
def test_normalise_agrees_with_the_page_on_any_text(texts):
    """Any text, any script (one Node run per batch of texts)."""
    page = run_page_search([], [], [], [], texts)
    assert [normalise(t) for t in texts] == page["normalise"]


@pytest.mark.parametrize(
    ("typed", "movie_id"),
    [
        ("heat", 6),
        ("Heat (1995)", 6),
        ("matrix", 2571),
        ("The Matrix (1999)", 2571),
        ("Matrix, The (1999)", 2571),
        ("amelie", 4973),
        ("Léon", 293),
        ("leon", 293),
        ("it", 300),  # the whole title wins over a more-rated prefix ("It's a Wonderful Life")
        ("  toy STORY (1995) ", 1),
        ("toy story", 1),
        ("les miserables", 95),
    ],
)
def test_titles_as_people_type_them(index, typed, movie_id):
    assert index.find(typed) == movie_id


def test_equal_matches_go_to_the_most_rated_and_say_which_lost(index):
    emma = index.match("Emma (1996)")
    assert emma.movie_id == 1429 and emma.others == ("Emma (1996)",)  # 25 ratings beat 20
    matrix = index.match("matrix")
    assert matrix.movie_id == 2571 and matrix.others == ("Matrix Reloaded, The (2003)",)
    assert index.match("Heat (1995)").others == ()


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


@pytest.mark.parametrize(
    ("title", "short"),
    [
        ("Matrix, The (1999)", "The Matrix"),
        ("Heat (1995)", "Heat"),
        (
            "Lord of the Rings: The Fellowship of the Ring, The (2001)",
            "The Lord of the Rings: The Fellowship of the Ring",
        ),
        ("Band of Brothers (2001–2001)", "Band of Brothers"),
        (
            "Léon: The Professional (a.k.a. The Professional) (Léon) (1994)",
            "Léon: The Professional",
        ),
        ("Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)", "Amelie"),
        ("(500) Days of Summer (2009)", "(500) Days of Summer"),
        ("Misérables, Les (2012)", "Les Misérables"),
        ("No Year", "No Year"),
        ("(1995)", "(1995)"),
    ],
)
def test_short_titles_for_reasons(title, short):
    assert short_title(title) == short


def test_real_catalogue_lookup(recommender):
    """The command line's examples from issue 23: each found as the page finds it."""
    assert recommender.titles.find("toy story (1995)") == 1
    assert recommender.titles.find("toy story") == 1
    assert recommender.titles.find("Heat") == 6
    assert recommender.titles.find("matrix") == 2571
    assert recommender.titles.find("The Matrix (1999)") == 2571
