"""Browser tests: the built site served on 127.0.0.1, driven by Playwright in Debian's Chromium;
the paths that matter also in Debian's Firefox ESR, by puppeteer-core (test_firefox.py).

The server sends the same Content-Security-Policy as the pages' meta tag, so the worker (which
only obeys HTTP headers) runs under the strict policy too.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, serve_site


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (see README, 'Tests')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def ml_build(ml_site) -> Path:
    """ml-latest-small built once: ``artifacts/`` and ``site/`` (shared with ``built``)."""
    return ml_site


@pytest.fixture(scope="session")
def site_url(ml_build):
    server = serve_site(ml_build / "site")
    yield server.url
    server.close()


@pytest.fixture
def serve_copy(ml_build, tmp_path):
    """Serve a copy of the built site after ``change(site_folder)`` damages it; returns its URL."""
    servers = []

    def serve(change) -> str:
        copy = tmp_path / "site"
        # the 9,742 movie pages, most of the site's bytes, are linked: no test changes them
        shutil.copytree(ml_build / "site", copy, ignore=shutil.ignore_patterns("movie"))
        shutil.copytree(ml_build / "site" / "movie", copy / "movie", copy_function=os.link)
        change(copy)
        servers.append(serve_site(copy))
        return servers[-1].url

    yield serve
    for server in servers:
        server.close()


@pytest.fixture
def page(browser):
    """A fresh browser profile (context) per test; page errors fail the test."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"uncaught page errors: {errors}"
