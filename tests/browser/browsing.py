"""Helpers for the browser tests: build a site, serve it, wait for what the page shows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
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


FIREFOX = os.environ.get("STATICREC_FIREFOX", "/usr/bin/firefox-esr")
WEB = Path(__file__).resolve().parents[2] / "web"
DRIVER = WEB / "tests" / "firefox" / "drive.mjs"
EXECUTABLES = {"firefox": FIREFOX, "chrome": CHROMIUM}
# Firefox prints this line for each connection to a public address it refused (the driver sets
# MOZ_DISABLE_NONLOCAL_CONNECTIONS=1; private ranges count as local to Firefox)
NON_LOCAL = "Non-local network connections are disabled"


def drive(engine: str, task: str, url: str, **options) -> dict:
    """Run web/tests/firefox/drive.mjs: ``task`` at ``url`` in ``engine`` ("firefox": Firefox
    ESR over WebDriver BiDi; "chrome": Chromium over CDP), through puppeteer-core. Returns what
    the page showed; fails on the page's uncaught errors and on any connection Firefox refused.
    """
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules" / "puppeteer-core").is_dir():
        raise AssertionError("node and puppeteer-core needed: run `npm ci --prefix web`")
    if not Path(EXECUTABLES[engine]).is_file():
        raise AssertionError(f"{EXECUTABLES[engine]} not found: run `scripts/setup.sh --dev`")
    request = {"engine": engine, "executable": EXECUTABLES[engine], "task": task, "url": url}
    if engine == "chrome":
        request["args"] = CHROMIUM_ARGS
    # a guard against a hung browser, far beyond the driver's own waits: not a time to meet
    run = subprocess.run(
        [node, str(DRIVER), json.dumps({**request, **options})],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, f"the driver failed:\n{run.stderr[-4000:]}"
    report = json.loads(run.stdout)
    assert report["failure"] is None, report["failure"]
    assert report["pageErrors"] == [], f"uncaught page errors: {report['pageErrors']}"
    refused = [line for line in run.stderr.splitlines() if NON_LOCAL in line]
    assert refused == [], f"{engine} tried to leave this machine: {refused}"
    return report


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
