"""Accessibility: axe-core finds nothing on each page and in each state of For you; a keyboard
does everything; the stars are a radio group a screen reader can name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browsing import list_ids, wait_for_results

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
KEY = "staticrec:/:ratings"
FIVE = [[6, 5], [16, 4.5], [111, 5], [1213, 5], [858, 4]]


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is (evaluated, as the CSP forbids script tags)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} missing: run `npm ci --prefix web` (axe-core is a devDependency)")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document)).violations"
        ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target)}))"
    )
    return result


@pytest.mark.parametrize(("path", "box"), [("", "#search"), ("for-you/", "#rate-search")])
def test_axe_finds_nothing_with_suggestions_open(page, site_url, path, box):
    page.goto(site_url + path)
    if path:
        wait_for_results(page)
    page.fill(box, "toy")
    assert page.get_attribute(box, "aria-expanded") == "true"
    active = page.get_attribute(box, "aria-activedescendant")
    assert active and page.is_visible(f"#{active}")
    assert axe_violations(page) == []


@pytest.mark.parametrize("size", [(390, 844), (1280, 800)])
def test_axe_finds_nothing_in_each_state_of_for_you(browser, site_url, size):
    """Before any rating; with results (five ratings, a pick's reasons and its stars open);
    with the watchlist open; with a filter; with a friend's shared list."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(f"{site_url}for-you/")
    wait_for_results(page)
    assert axe_violations(page) == [], "before any rating"
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [KEY, json.dumps(FIVE)])
    page.reload()
    wait_for_results(page)
    assert page.get_attribute("#results", "data-mode") == "visitor"
    first = page.locator("#hybrid li").first
    first.locator(".why-toggle").click()
    page.locator("#hybrid li").nth(1).locator("[data-action=seen]").click()
    page.locator("#my-ratings li").first.get_by_role("button", name="Change").click()
    assert page.locator("#hybrid [role=radiogroup], #my-ratings [role=radiogroup]").count() == 2
    assert axe_violations(page) == [], "with results"
    first.locator("[data-action=save]").click()
    page.click("#watchlist-toggle")
    assert page.is_visible("#watchlist-items li")
    assert axe_violations(page) == [], "with the watchlist open"
    page.select_option("select[name=genre]", "Comedy")
    wait_for_results(page, 2)
    assert axe_violations(page) == [], "with a filter"
    page.click("#share-ratings")
    link = page.input_value("#share-link")
    assert axe_violations(page) == [], "with the share link shown"
    page.goto(link)
    wait_for_results(page)
    assert page.is_visible("#share-banner")
    assert axe_violations(page) == [], "with a friend's list"
    context.close()


@pytest.mark.parametrize("path", ["", "movie/1/", "about/", "browse/"])
def test_axe_finds_nothing_on_the_other_pages(page, site_url, path):
    page.goto(site_url + path)
    if path.startswith("movie/"):
        page.locator("#my-rating[role=radiogroup]").wait_for()
    assert axe_violations(page) == []


def focused(page) -> list:
    return page.evaluate(
        "() => [document.activeElement.getAttribute('role'),"
        " document.activeElement.getAttribute('aria-label'),"
        " document.activeElement.closest('[role=radiogroup]')?.getAttribute('aria-label')]"
    )


def test_a_keyboard_picks_a_movie_then_its_stars(page, site_url):
    page.goto(f"{site_url}for-you/")
    wait_for_results(page)
    page.focus("#rate-search")
    page.keyboard.type("heat 1995")
    page.keyboard.press("Enter")  # the first suggestion: Heat (1995), not rated yet
    assert page.get_attribute("#rate-search", "aria-expanded") == "false"
    # the focus is on its stars, none chosen: the first star is the group's one Tab stop
    assert focused(page) == ["radio", "0.5 stars", "Your rating of Heat"]
    stars = page.locator("#rate-pending [role=radio]")
    assert stars.evaluate_all("all => all.map(s => s.ariaChecked)") == ["false"] * 10
    assert stars.evaluate_all("all => all.map(s => s.tabIndex)") == [0] + [-1] * 9
    page.keyboard.press("4")  # a digit: four stars
    wait_for_results(page, 2)
    assert list_ids(page, "#my-ratings") == [6]
    assert page.evaluate("(key) => localStorage.getItem(key)", KEY) == "[[6,4]]"
    page.keyboard.press("ArrowRight")  # 4 -> 4.5
    wait_for_results(page, 3)
    assert focused(page) == ["radio", "4.5 stars", "Your rating of Heat"]
    assert page.evaluate("(key) => localStorage.getItem(key)", KEY) == "[[6,4.5]]"
    # the focus is visible
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("End")  # 5
    page.keyboard.press("ArrowRight")  # stays at 5: the stars stop at the ends
    wait_for_results(page, 4)
    assert page.evaluate("(key) => localStorage.getItem(key)", KEY) == "[[6,5]]"
    # the next movie starts empty: nothing carries over from Heat's five stars
    page.focus("#rate-search")
    page.keyboard.type("casino 1995")
    page.keyboard.press("Enter")
    assert focused(page) == ["radio", "0.5 stars", "Your rating of Casino"]
    assert page.get_attribute("#rate-pending [role=radiogroup]", "data-value") == ""
    assert stars.evaluate_all("all => all.filter(s => s.ariaChecked === 'true').length") == 0


def test_the_tabs_move_with_the_arrow_keys(page, site_url):
    page.goto(f"{site_url}for-you/")
    wait_for_results(page)
    page.focus("#tab-visitor")
    page.keyboard.press("ArrowRight")
    wait_for_results(page, 2)
    assert page.evaluate("() => document.activeElement.id") == "tab-user"
    assert page.get_attribute("#tab-user", "aria-selected") == "true"
    assert page.get_attribute("#tab-user", "tabindex") == "0"
    assert page.get_attribute("#tab-visitor", "tabindex") == "-1"
    assert page.is_visible("#known-user") and page.is_hidden("#visitor")
