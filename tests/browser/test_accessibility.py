"""Accessibility: axe-core finds nothing with suggestions open; a keyboard does everything."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import list_ids, wait_for_results

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"


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


def test_a_keyboard_picks_a_movie_then_its_rating(page, site_url):
    page.goto(f"{site_url}for-you/")
    wait_for_results(page)
    page.focus("#rate-search")
    page.keyboard.type("heat 1995")
    page.keyboard.press("Enter")  # the first suggestion: Heat (1995), rated 4 (the default)
    wait_for_results(page, 2)
    assert page.get_attribute("#rate-search", "aria-expanded") == "false"
    assert list_ids(page, "#my-ratings") == [6]
    focused = page.evaluate(
        "() => [document.activeElement.tagName,"
        " document.activeElement.closest('li')?.dataset.movieId]"
    )
    assert focused == ["SELECT", "6"]  # focus is on Heat's rating, ready to change it
    page.keyboard.press("ArrowUp")  # 4 -> 4.5
    wait_for_results(page, 3)
    stored = page.evaluate("() => localStorage.getItem('staticrec:/:ratings')")
    assert stored == "[[6,4.5]]"


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
