"""An answer at once, before Python is up: the build's own, labelled, then replaced."""

from __future__ import annotations

import pytest
from browsing import list_ids, wait_for_results

from staticrec.pipeline.artifacts import load_recommender


@pytest.fixture
def stalled(page):
    """The page with Python's runtime never arriving: only the early answer can show."""
    page.context.route("**/pyodide/pyodide.asm.wasm", lambda route: None)
    return page


@pytest.fixture(scope="module")
def built_answers(ml_build):
    return load_recommender(ml_build / "artifacts")


def early_state(page):
    page.locator("#results[data-state=early]").wait_for(timeout=30_000)
    return list_ids(page, "#hybrid"), page.text_content("#early-note")


def test_a_known_user_sees_the_builds_answer_at_once(stalled, site_url, built_answers):
    stalled.goto(f"{site_url}for-you/?user=105")
    ids, note = early_state(stalled)
    assert ids == [i.movie_id for i in built_answers.for_user(105).hybrid]
    assert note.startswith("User 105's picks as this site's build computed them.")
    assert "people who rated" in stalled.text_content("#hybrid")  # reasons, as computed
    assert stalled.is_hidden("#side-lists")


def test_the_early_answer_says_the_favourite_is_not_counted_yet(stalled, site_url):
    stalled.goto(f"{site_url}for-you/?user=105&favorite=1")
    _, note = early_state(stalled)
    assert "before your favourite is counted" in note


def test_a_new_visitor_sees_the_most_rated_at_once(stalled, site_url, built_answers):
    stalled.goto(f"{site_url}for-you/")
    ids, note = early_state(stalled)
    assert ids == [i.movie_id for i in built_answers.for_visitor({}).hybrid]
    assert note.startswith("The most-rated movies: rate a few")


def test_an_unknown_user_gets_no_early_answer_but_the_recommenders_word(page, site_url):
    page.goto(f"{site_url}for-you/?user=999999")
    page.locator("#error:not([hidden])").wait_for(timeout=60_000)
    assert "Unknown userId 999999" in page.text_content("#error")
    assert page.get_attribute("#results", "data-state") != "early"


def test_the_recommenders_answer_replaces_the_early_one(page, site_url):
    page.goto(f"{site_url}for-you/?user=105&favorite=1")
    wait_for_results(page)
    assert page.is_hidden("#early-note") and page.is_visible("#side-lists")
    assert page.get_attribute("#results", "data-state") == "ready"
