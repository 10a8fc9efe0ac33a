"""After one visit, For you works with the network off; a new build replaces the kept one."""

from __future__ import annotations

from browsing import list_ids, wait_for_results

from staticrec.site.config import default_web_dir
from staticrec.site.offline import write_service_worker
from staticrec.site.render import template_environment


def wait_until_kept(page) -> None:
    """Until the service worker has kept For you's files (the page says data-offline=ready)."""
    page.locator("body[data-offline=ready]").wait_for(state="attached", timeout=90_000)


def kept_caches(page) -> list[str]:
    return page.evaluate(
        "async () => (await caches.keys()).filter((n) => n.startsWith('staticrec-'))"
    )


def test_for_you_works_offline_after_one_visit(page, site_url):
    page.goto(f"{site_url}for-you/?user=105&favorite=1")
    wait_for_results(page)
    wait_until_kept(page)
    assert page.is_visible("#offline")
    online = list_ids(page, "#hybrid")

    page.context.set_offline(True)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{site_url}for-you/?user=105&favorite=1")  # served by the service worker
    wait_for_results(page)
    assert list_ids(page, "#hybrid") == online
    page.fill("#user-id", "1")  # another user: computed offline, in this browser
    page.click("#user-form button[type=submit]")
    wait_for_results(page, 2)
    assert list_ids(page, "#hybrid") != online
    # only the build's early answer may be missing offline (it is not kept: Python answers)
    assert [url for url in failed if "/early/" not in url] == []
    assert len(kept_caches(page)) == 1


def test_a_new_build_is_offered_and_replaces_the_kept_one(page, serve_copy):
    folder = {}
    url = serve_copy(lambda copy: folder.setdefault("site", copy))
    page.goto(f"{url}for-you/?user=105")
    wait_for_results(page)
    wait_until_kept(page)
    [old] = kept_caches(page)

    # a new build: the page changed, so the service worker keeps a new version
    site = folder["site"]
    for_you = site / "for-you" / "index.html"
    for_you.write_text(
        for_you.read_text().replace("Movies for you", "Picks for you"), encoding="utf-8"
    )
    write_service_worker(template_environment(default_web_dir()), site)

    page.reload()  # still the old build (a page never mixes two), until the visitor accepts
    wait_for_results(page)
    assert page.text_content("h1") == "Movies for you"
    page.locator("#use-update").wait_for(timeout=60_000)
    page.click("#use-update")
    page.locator("h1", has_text="Picks for you").wait_for(timeout=60_000)
    wait_for_results(page)
    assert kept_caches(page) != [old] and len(kept_caches(page)) == 1
