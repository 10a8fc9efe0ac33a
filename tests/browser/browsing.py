"""Helpers for the browser tests: build a site, serve it, wait for what the page shows."""

from __future__ import annotations

import os
import time
from pathlib import Path

from builds import PYODIDE_CACHE, build_site  # noqa: F401 (the browser tests import them here)
from staticrec.site.serve import PreviewServer

CHROMIUM = os.environ.get("STATICREC_CHROMIUM", "/usr/bin/chromium")
# Flags that work here: as root, offline (no background connections to Google's services).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def serve_site(folder: Path) -> PreviewServer:
    """Serves one built site on 127.0.0.1, as ``staticrec serve`` does, until closed."""
    return PreviewServer(folder, port=0, quiet=True).start()


def wait_for_results(page, answered: int = 1, timeout_s: float = 60) -> None:
    """Wait until the For-you page shows its ``answered``-th answer, or fail with what it shows.

    Polls with evaluate: the pages' CSP forbids the eval that wait_for_function relies on.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = page.evaluate(
            "() => [Number(document.getElementById('results').dataset.answered || 0),"
            " document.body.dataset.error === 'true',"
            " document.getElementById('error').textContent]"
        )
        if state[0] >= answered:
            return
        if state[1] and state[0] == 0:
            raise AssertionError(f"the page shows an error: {state[2]}")
        time.sleep(0.1)
    raise AssertionError(f"no answer within {timeout_s}s: status {page.text_content('#status')!r}")


def wait_for_error(page, timeout_s: float = 60) -> str:
    """Wait until the page's visible error box has text; return it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if page.evaluate("() => document.body.dataset.error === 'true'"):
            assert page.is_visible("#error")
            return page.text_content("#error")
        time.sleep(0.1)
    raise AssertionError(f"no error shown within {timeout_s}s: {page.text_content('#status')!r}")


def list_ids(page, selector: str) -> list[int]:
    return [
        int(v)
        for v in page.eval_on_selector_all(
            f"{selector} li[data-movie-id]", "items => items.map(li => li.dataset.movieId)"
        )
    ]


def rate(page, query: str, title: str, stars: str) -> None:
    """Rate a movie on For you as a visitor does: search it, pick it, then click its stars (a
    radio group that starts empty for each new movie)."""
    page.fill("#rate-search", query)
    page.locator("#rate-results li", has_text=title).first.click()
    stars_of = page.locator("#rate-pending [role=radiogroup]")
    assert stars_of.get_attribute("data-value") in ("", stars)  # empty, unless rated before
    stars_of.locator(f"[role=radio][data-value='{stars}']").click()


def ratings_shown(page) -> list[str]:
    """The ratings the list of the visitor's ratings shows, latest first."""
    return page.eval_on_selector_all("#my-ratings li", "all => all.map(li => li.dataset.rating)")
