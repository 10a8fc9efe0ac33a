"""For you opened from a movie page in the same document (web/static/warm.js, transition.js):
the movie page starts the recommender while the visitor reads, and "Recommend movies like
this" opens For you with it. One Python, the same answer as For you opened directly, the
focus on For you's heading, Back to the movie page; a click that cannot go this way is an
ordinary navigation."""

from __future__ import annotations

from browsing import list_ids, wait_for_results
from test_accessibility import axe_violations

LINK = "a[href*='for-you/?favorite=2571']"


def wait_until_warm(page) -> None:
    """Until the movie page's recommender can answer (polled: the pages' CSP forbids
    wait_for_function's eval)."""
    for _ in range(1200):
        warm = page.evaluate("() => document.body.dataset.warm")
        assert warm != "failed", page.text_content("body")[:500]
        if warm == "ready":
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the recommender was not ready 120 s after the page loaded: {warm!r}")


def count(page, mark: str) -> int:
    return page.evaluate(f"() => performance.getEntriesByName('staticrec:{mark}').length")


def test_recommend_like_this_answers_with_the_recommender_kept_warm(page, site_url):
    recommenders: list[str] = []
    page.on("worker", lambda worker: recommenders.append(worker.url))
    page.goto(f"{site_url}movie/2571/")
    wait_until_warm(page)

    # a click asking for a new tab is the browser's: For you opens there as a page of its own
    with page.context.expect_page() as opened:
        page.click(LINK, modifiers=["Control"])
    opened.value.close()
    assert page.url == f"{site_url}movie/2571/"

    page.click(LINK)
    page.wait_for_url(f"{site_url}for-you/?favorite=2571")
    wait_for_results(page)
    # the same document (the movie page's marks are here) and one Python in it
    assert count(page, "warm-ready") == 1
    assert count(page, "recommender-start") == 1
    assert len([url for url in recommenders if "/assets/worker.js" in url]) == 1
    assert page.title() == page.evaluate("() => document.title")
    assert page.title().startswith("For you")
    assert page.evaluate("() => document.activeElement.matches('main h1')")
    assert page.evaluate("() => document.body.dataset.warm") is None  # For you's settings
    assert page.text_content("#status").startswith("Computed in your browser")
    shown = {box: list_ids(page, box) for box in ("#hybrid", "#content-list")}
    assert len(shown["#hybrid"]) == 10 and shown["#content-list"]
    assert axe_violations(page) == []

    direct = page.context.new_page()
    direct.goto(f"{site_url}for-you/?favorite=2571")
    wait_for_results(direct)
    assert {box: list_ids(direct, box) for box in shown} == shown
    direct.close()

    page.go_back()
    page.wait_for_url(f"{site_url}movie/2571/")
    page.wait_for_selector("#rate-this:not([hidden])")  # the movie page, loaded again
    assert page.text_content("h1") == "Matrix, The (1999)"


def test_a_click_that_cannot_open_for_you_in_place_navigates(browser, site_url):
    """For you's page cannot be fetched: the click is an ordinary navigation, and For you
    starts its own recommender."""
    context = browser.new_context(service_workers="block")  # every fetch reaches the route
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def no_fetch(route) -> None:
        if route.request.resource_type == "fetch":
            route.abort()
        else:
            route.continue_()

    page.route("**/for-you/**", no_fetch)
    page.goto(f"{site_url}movie/2571/")
    wait_until_warm(page)
    page.click(LINK)
    page.wait_for_url(f"{site_url}for-you/?favorite=2571")
    wait_for_results(page)
    assert count(page, "warm-ready") == 0  # a new document
    assert count(page, "recommender-start") == 1
    assert len(list_ids(page, "#hybrid")) == 10
    context.close()
    assert errors == []
