"""The page's main thread during a cold visit to For you, on a phone's CPU: what Lighthouse's Total
Blocking Time is made of, measured directly, side by side with a baseline site in the same run.

    python benchmarks/bench_main_thread.py --site SITE [--baseline OLD_SITE] [--runs 5]

Each visit is a fresh browser context in Debian's Chromium with the CPU slowed 4x (Lighthouse's
mobile factor), served as Pages serves the site; it is traced from navigation until the
recommender's answer is on screen, and 1.5 s after. Reported per page, medians over the runs
(the sites alternate): the main thread's busy time (every task), the blocking time (each task
after the first contentful paint beyond 50 ms, as Total Blocking Time counts it) and the longest
task. The page is watched through the DevTools protocol alone: nothing is injected into it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from _common import table
from _visits import CHROMIUM, CHROMIUM_ARGS, serve

PAGES = {
    "For you, a known user": "for-you/?user=105",
    "For you, a favourite": "for-you/?favorite=2571",
    "For you, a new visitor": "for-you/",
}
SLOWDOWN = 4
READY = "!!document.querySelector('[data-state=ready]')"
TASKS = ("RunTask", "ThreadControllerImpl::RunTask")


def main_thread_tasks(events: list[dict]) -> tuple[list[tuple[float, float]], float | None]:
    """The renderer main thread's outermost tasks as (start, duration) in ms, and the first
    contentful paint's time (None if none)."""
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e["name"] == "thread_name"}
    main = {key for key, name in names.items() if name == "CrRendererMain"}
    tasks = sorted(
        (e["ts"] / 1000, e["dur"] / 1000)
        for e in events
        if (e["pid"], e["tid"]) in main and e["name"] in TASKS and e.get("ph") == "X"
    )
    outermost, end = [], -1.0
    for start, duration in tasks:  # a task nested in another is part of it
        if start >= end:
            outermost.append((start, duration))
            end = start + duration
    paints = [e["ts"] / 1000 for e in events if e["name"] == "firstContentfulPaint"]
    return outermost, min(paints) if paints else None


def visit(browser, url: str) -> tuple[float, float, float]:
    """One cold visit: (busy ms, blocking ms after the first contentful paint, longest task)."""
    context = browser.new_context(viewport={"width": 412, "height": 823})
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Emulation.setCPUThrottlingRate", {"rate": SLOWDOWN})
    browser.start_tracing(page=page, categories=["devtools.timeline", "toplevel", "loading"])
    page.goto(url)
    deadline = time.monotonic() + 180
    while not session.send("Runtime.evaluate", {"expression": READY, "returnByValue": True})[
        "result"
    ]["value"]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url}: no answer within 180 s")
        time.sleep(0.25)
    page.wait_for_timeout(1500)
    events = json.loads(browser.stop_tracing())["traceEvents"]
    context.close()
    tasks, painted = main_thread_tasks(events)
    after = [d for start, d in tasks if painted is not None and start >= painted]
    return (
        sum(d for _, d in tasks),
        sum(max(0.0, d - 50) for d in after),
        max(d for _, d in tasks),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", type=Path, required=True, help="a built site")
    parser.add_argument("--baseline", type=Path, help="another built site, visited alternately")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sites = {"site": args.site} | ({"baseline": args.baseline} if args.baseline else {})
    servers = {name: serve(folder) for name, folder in sites.items()}
    figures = {(name, page): [] for name in sites for page in PAGES}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(args.runs):
                for page, path in PAGES.items():
                    for name, server in servers.items():
                        figures[name, page].append(visit(browser, server.url + path))
            browser.close()
    finally:
        for server in servers.values():
            server.close()
    med = statistics.median
    rows = [
        (page, name, *(f"{med(f[k] for f in figures[name, page]):.0f}" for k in range(3)))
        for page in PAGES
        for name in sites
    ]
    print(
        f"main thread of a cold visit at {SLOWDOWN}x CPU, medians of {args.runs} "
        "(sites alternating)"
    )
    table(rows, ("page", "site", "busy ms", "blocking ms", "longest task ms"))


if __name__ == "__main__":
    main()
