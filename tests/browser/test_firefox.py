"""The browser paths that matter in two engines: Firefox ESR over WebDriver BiDi and Chromium,
driven alike by puppeteer-core (web/tests/firefox/drive.mjs), each held to the scoring core's
answer. For you for a known user, a visitor's import, a movie page, and For you opened from a
movie page with the recommender it kept warm."""

from __future__ import annotations

import pytest
from browsing import drive

ENGINES = ["firefox", "chrome"]

# the five movies test_site.py's visitor rates: Heat, Casino, Taxi Driver, Goodfellas, Godfather
VISITOR = {6: 5.0, 16: 4.5, 111: 5.0, 1213: 5.0, 858: 4.0}


@pytest.mark.parametrize("engine", ENGINES)
def test_known_user_gets_the_scoring_cores_answer(engine, site_url, recommender):
    shown = drive(engine, "for-you", f"{site_url}for-you/?user=105")
    assert (shown["state"], shown["mode"]) == ("ready", "user")
    expected = [item.movie_id for item in recommender.for_user(105).hybrid]
    assert len(expected) == 10
    assert shown["hybrid"] == expected
    print(f"{shown['version']}: user 105's first answer at {shown['marks']['first-result']} ms")


@pytest.mark.parametrize("engine", ENGINES)
def test_imported_ratings_get_the_scoring_cores_answer(engine, site_url, recommender, tmp_path):
    csv = tmp_path / "my-ratings.csv"
    csv.write_text("movieId,rating\n" + "".join(f"{m},{r:g}\n" for m, r in VISITOR.items()))
    shown = drive(engine, "import", f"{site_url}for-you/", csv=str(csv))
    assert "5 of 5 ratings loaded" in shown["importStatus"]
    assert shown["mode"] == "visitor"
    assert shown["myRatings"] == list(VISITOR)[::-1]  # the latest first
    expected = [item.movie_id for item in recommender.for_visitor(VISITOR).hybrid]
    assert len(expected) == 10
    assert shown["hybrid"] == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_a_movie_page_shows_its_lists_and_links(engine, site_url, recommender):
    shown = drive(engine, "movie", f"{site_url}movie/1/")
    assert shown["title"] == "Toy Story (1995)"
    similar = [item.movie_id for item in recommender.similar(1, 10)]
    assert similar in [found["ids"] for found in shown["lists"]]
    for found in shown["lists"]:
        assert found["ids"] and found["links"] == [f"../../movie/{i}/" for i in found["ids"]]
    links = {link["href"] for link in shown["links"]}
    assert {"https://www.imdb.com/title/tt0114709/", "../../for-you/?favorite=1"} <= links
    assert shown["rateFormShown"]  # movie.js ran


@pytest.mark.parametrize("engine", ENGINES)
def test_recommend_like_this_answers_with_the_recommender_kept_warm(engine, site_url, recommender):
    shown = drive(
        engine, "click", f"{site_url}movie/2571/", link="a[href*='for-you/?favorite=2571']"
    )
    assert shown["url"] == f"{site_url}for-you/?favorite=2571"
    assert (shown["state"], shown["warmReady"], shown["recommenders"]) == ("ready", 1, 1)
    assert shown["title"].startswith("For you") and shown["focused"]
    expected = [item.movie_id for item in recommender.for_visitor({}, [2571]).hybrid]
    assert len(expected) == 10
    assert shown["hybrid"] == expected
    assert shown["back"] == {"url": f"{site_url}movie/2571/", "heading": "Matrix, The (1999)"}
