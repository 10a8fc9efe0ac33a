"""For you fetched ahead: once any other page is idle, the service worker keeps what For you
needs to start, so that For you takes its runtime and model from this browser, not the
network; not when the browser asks to save data."""

from __future__ import annotations

import json

import pytest
from browsing import wait_for_results

START = ("pyodide/pyodide.asm.wasm", "pyodide/python_stdlib.zip", "data/items.parquet", "for-you/")


def kept_urls(page) -> list[str]:
    return page.evaluate(
        """async () => {
          const names = (await caches.keys()).filter((n) => n.startsWith('staticrec-'));
          if (names.length !== 1) return [];
          const cache = await caches.open(names[0]);
          return (await cache.keys()).map((request) => request.url);
        }"""
    )


def wait_until_started_ahead(page) -> None:
    """Until the service worker is active: it has kept For you's start (polled: the pages'
    CSP forbids wait_for_function's eval)."""
    for _ in range(600):
        ready = page.evaluate(
            "async () => Boolean((await navigator.serviceWorker.getRegistration())?.active)"
        )
        if ready:
            return
        page.wait_for_timeout(100)
    raise AssertionError("no active service worker 60 s after the page loaded")


def test_a_movie_page_fetches_for_you_ahead_and_for_you_starts_from_it(page, site_url):
    page.goto(f"{site_url}movie/2571/")
    wait_until_started_ahead(page)
    kept = kept_urls(page)
    for path in START:
        assert f"{site_url}{path}" in kept, path
    assert not any("/content_neighbors/" in url for url in kept)  # the shards: For you's to ask
    assert page.evaluate("() => performance.getEntriesByName('staticrec:ahead').length") == 1

    from_network: list[str] = []

    def note(response) -> None:
        if "/pyodide/" in response.url and not response.from_service_worker:
            from_network.append(response.url)

    page.context.on("response", note)
    # opened as a page (a click opens it in this document, with the movie page's Python:
    # test_warm.py)
    page.goto(f"{site_url}for-you/?favorite=2571")
    wait_for_results(page)
    assert from_network == []


@pytest.mark.parametrize(
    "connection",
    [{"saveData": True, "effectiveType": "4g"}, {"saveData": False, "effectiveType": "2g"}],
    ids=["save-data", "2g"],
)
def test_nothing_is_fetched_ahead_when_the_browser_saves_data(browser, site_url, connection):
    context = browser.new_context()
    context.add_init_script(
        f"Object.defineProperty(navigator, 'connection', {{ value: {json.dumps(connection)} }});"
    )
    page = context.new_page()
    page.goto(f"{site_url}movie/2571/")
    page.wait_for_timeout(4000)  # past the load and the idle moment (at most 2 s after it)
    assert (
        page.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length") == 0
    )
    assert page.evaluate("() => performance.getEntriesByName('staticrec:ahead').length") == 0
    context.close()
