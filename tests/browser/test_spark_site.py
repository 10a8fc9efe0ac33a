"""A site whose factors Spark's ALS trained (local mode, ml-latest-small): the page answers a
known user and a new visitor as the build's own scoring core does, and says which model it is."""

from __future__ import annotations

import pytest
from browsing import list_ids, serve_site, wait_for_results
from test_site import VISITOR_PICKS, rate

from staticrec.pipeline.artifacts import load_recommender


@pytest.fixture(scope="module")
def served_spark_site(spark_site):
    server = serve_site(spark_site / "site")
    yield server.url, load_recommender(spark_site / "artifacts")
    server.close()


def test_a_known_user_and_a_visitor_get_the_cores_answers(page, served_spark_site):
    url, recommender = served_spark_site
    page.goto(f"{url}for-you/?user=105")
    wait_for_results(page)
    assert list_ids(page, "#hybrid") == [i.movie_id for i in recommender.for_user(105).hybrid]

    page.goto(f"{url}for-you/")
    wait_for_results(page)
    picks = VISITOR_PICKS[:3]
    for answered, (query, title, stars) in enumerate(picks, start=2):
        rate(page, query, title, stars)
        wait_for_results(page, answered)
    assert page.get_attribute("#results", "data-mode") == "visitor"
    ratings = {recommender.titles.find(title): float(s) for _, title, s in picks}
    expected = [i.movie_id for i in recommender.for_visitor(ratings).hybrid]
    assert list_ids(page, "#hybrid") == expected


def test_the_about_page_names_spark_and_its_parameters(page, served_spark_site):
    url, _ = served_spark_site
    page.goto(f"{url}about/")
    text = page.text_content("main")
    # For you speaks plainly ("predicted 4.4★ for you"); the About page names the model
    assert "ALS in Apache Spark MLlib" in text and "rank=50" in text and "reg_param=0.1" in text
    assert "SVD, from scikit-surprise" not in text


def test_a_site_built_on_a_standalone_cluster_answers(page, cluster_site):
    """Built against spark://127.0.0.1 (a master, two one-core workers): the page answers a
    known user as the build's scoring core does."""
    server = serve_site(cluster_site / "site")
    try:
        recommender = load_recommender(cluster_site / "artifacts")
        page.goto(f"{server.url}for-you/?user=105")
        wait_for_results(page)
        assert list_ids(page, "#hybrid") == [i.movie_id for i in recommender.for_user(105).hybrid]
    finally:
        server.close()
