"""Titles are data, never markup: a title that is an HTML payload shows as text everywhere."""

from __future__ import annotations

import pytest
from browsing import build_site, serve_site, wait_for_results

from datasets import EVIL_TITLE, evil_dataset


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evil")
    build_site(evil_dataset(folder / "data"), folder / "out")
    server = serve_site(folder / "out" / "site")
    yield server.url
    server.close()


def assert_inert(page):
    assert page.evaluate("() => document.querySelectorAll('img').length") == 0
    assert page.locator(f"text={EVIL_TITLE}").count() >= 1


def test_payload_title_is_text_on_every_page(browser, evil_site):
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in ["", "movie/9/", "movie/1/", "browse/other/"]:
        page.goto(evil_site + path)
        assert_inert(page)
    page.goto(evil_site + "for-you/?favorite=9")
    wait_for_results(page)
    page.fill("#rate-search", "onerror")
    suggestion = page.locator("#rate-results li").first
    assert suggestion.text_content() == EVIL_TITLE
    suggestion.click()
    assert page.text_content("#pending-title") == EVIL_TITLE
    page.click("#rate-pending [role=radio][data-value='5']")
    wait_for_results(page, 2)
    assert EVIL_TITLE in page.text_content("#my-ratings")
    assert EVIL_TITLE in page.text_content("#favorite-chosen")
    assert_inert(page)
    page.wait_for_timeout(500)
    assert dialogs == []
    context.close()
