"""A generated MovieLens-shaped dataset, built as a large catalogue is (a page budget, compact
movie factors): the movies past the budget are shown at their own address by the 404 page,
and For you answers from the same site as the build's own scoring core does, with the movie
factors in float16 or in int8."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from browsing import build_site, list_ids, serve_site, wait_for_results

from staticrec.pipeline.artifacts import load_recommender
from staticrec.pipeline.synthetic import SyntheticConfig, generate, write_movielens
from staticrec.site.also_liked import AlsoLiked

SHAPE = SyntheticConfig(n_users=300, n_movies=2_000, n_ratings=30_000, seed=5)
MOVIE_PAGES = 300


def _built(tmp_path_factory, precision):
    folder = tmp_path_factory.mktemp(f"generated-{precision}")
    write_movielens(generate(SHAPE), folder / "data")
    build_site(folder / "data", folder, {"factor_precision": precision}, movie_pages=MOVIE_PAGES)
    server = serve_site(folder / "site")
    return folder, server


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder, server = _built(tmp_path_factory, "float16")
    yield folder, server.url, load_recommender(folder / "artifacts")
    server.close()


@pytest.fixture(scope="module")
def generated_int8(tmp_path_factory):
    folder, server = _built(tmp_path_factory, "int8")
    yield folder, server.url, load_recommender(folder / "artifacts")
    server.close()


def unpaged_movie(folder):
    """A movie without a page of its own, rated and with similar movies."""
    pages = {int(p.name) for p in (folder / "site" / "movie").iterdir()}
    assert len(pages) == MOVIE_PAGES
    items = pq.read_table(folder / "artifacts" / "items.parquet").to_pylist()
    return next(r for r in items if r["movieId"] not in pages and r["n_ratings"] > 0)


def test_a_movie_past_the_budget_is_shown_at_its_address(page, generated):
    folder, url, recommender = generated
    movie = unpaged_movie(folder)
    page.goto(f"{url}movie/{movie['movieId']}/")
    page.locator("article.movie h1").wait_for(timeout=10_000)
    assert page.text_content("article.movie h1") == movie["title"]
    assert page.title().startswith(movie["title"])
    assert f"{movie['n_ratings']:,}, mean" in page.text_content(".facts")
    expected = [i.movie_id for i in recommender.similar(movie["movieId"], 10)]
    assert expected and list_ids(page, "#similar") == expected
    liked = AlsoLiked(recommender, 10).of(movie["movieId"])
    assert list_ids(page, "#also-liked") == [item.movie_id for item, _ in liked]
    texts = page.locator("#also-liked li").all_text_contents()
    for (_, count), text in zip(liked, texts, strict=True):
        assert text.endswith(f"{count:,} {'person' if count == 1 else 'people'} liked both")
    assert page.is_visible('#also-liked [data-when="no-also-liked"]') == (not liked)
    page.click("#my-rating [role=radio][data-value='4']")  # the stars, as on every movie page
    assert page.text_content("#rate-status").startswith("Saved")
    page.click("#similar li a")  # its links lead on, paged or not
    page.wait_for_url(f"{url}movie/{expected[0]}/")


def test_an_unknown_movie_stays_not_found(page, generated):
    _, url, _ = generated
    page.goto(f"{url}movie/99999999/")
    assert page.text_content("h1") == "Page not found"
    assert page.locator("article.movie").count() == 0


@pytest.mark.parametrize(
    ("site", "stored"), [("generated", "halffloat"), ("generated_int8", "int8")]
)
def test_for_you_answers_from_the_generated_site(page, request, site, stored):
    folder, url, recommender = request.getfixturevalue(site)
    factors = pq.read_schema(folder / "site" / "data" / "item_factors.parquet")
    assert str(factors.field("f0").type) == stored  # decoded by hyparquet in the page
    page.goto(f"{url}for-you/?user=7")
    wait_for_results(page)
    assert list_ids(page, "#hybrid") == [i.movie_id for i in recommender.for_user(7).hybrid]
    answer = recommender.for_user(7)
    assert " · ".join(answer.hybrid[0].why) in page.locator("#hybrid li").first.text_content()
