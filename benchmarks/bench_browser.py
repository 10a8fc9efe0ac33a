"""The site in headless Chromium: time to the first recommendation from a cold start against the
bare floor (a page that only starts Pyodide and imports numpy), measured alternately in the same
run; a second visit (once the service worker has kept the files); per-query latency inside
Pyodide; bytes transferred; and the first recommendation on Chromium's network emulation
(9 Mbps / 60 ms, 50 Mbps / 20 ms): cold, on a second visit, and with the network off.

    python benchmarks/bench_browser.py [--runs 5] [--site site] [--network-runs 1]

Served from 127.0.0.1 by ``staticrec serve``'s server as GitHub Pages serves the site (gzip for
text, JavaScript, JSON and wasm, never Parquet, zips or wheels; ``Cache-Control: max-age=600``);
the bytes of a cold visit are the server's transfer log, on the wire and decoded, file by file.
Each cold run uses a fresh browser profile on disk. Times are from navigation start to the
result on screen. The emulated networks' visits are those of ``bench_network.py`` (which also
compares with a baseline site and measures the visitor who comes from a movie page).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
from pathlib import Path

from _common import REPO, ml_small, table
from _visits import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NETWORKS,
    Browser,
    before,
    by_file,
    cold_visit,
    mark,
    serve,
    wait_for,
)
from bench_network import budget
from staticrec.pipeline.run import BuildConfig, run
from staticrec.site.config import SiteConfig


def prepare(site: Path, folder: Path) -> Path:
    """A copy of the site with the benchmark pages under _bench/."""
    copy = folder / "site"
    shutil.copytree(site, copy)
    bench = copy / "_bench"
    shutil.copytree(Path(__file__).parent / "browser", bench)
    body = re.search(r"<body[^>]*>", (copy / "for-you" / "index.html").read_text()).group(0)
    body = body.replace(">", f" data-requests='{json.dumps(latency_requests())}'>", 1)
    (bench / "latency.html").write_text(
        f'<!doctype html><meta charset="utf-8"><title>latency</title>{body}'
        '<script type="module" src="latency.js"></script></body>',
        encoding="utf-8",
    )
    return copy


LATENCY_KINDS = {
    "user": "known user (another than the last)",
    "visitor": "new visitor (5 ratings)",
    "favourite": "known user, favourite changed",
    "controls": "new visitor (5 ratings), 2 hidden, a genre and a decade",
    "together": "new visitor (5 ratings) watching together with another (5 ratings)",
    "niche": "new visitor (5 ratings) / known user, niche level 3 (a pool of 50 re-ranked)",
}


def latency_requests() -> list[dict]:
    """What the latency page sends, each with its kind: known users in turn (each answer for
    another user than the last), new visitors, then one user trying favourites one after
    another (the page's own pattern: that user's scores are kept between answers)."""
    users = [{"user": u, "favorites": [f]} for u, f in [(105, 1), (1, 260), (414, 2571)]]
    visitors = [
        {"ratings": [[6, 5], [16, 4.5], [111, 5], [293, 4], [1213, 5]], "favorites": []},
        {"ratings": [[1, 5], [2355, 4], [4886, 5], [6377, 4.5], [3114, 5]], "favorites": [1]},
    ]
    mixed = [("user", r) for r in users] + [("visitor", r) for r in visitors]
    controls = [
        {**visitors[0], "hidden": [296, 318], "genre": "Crime", "decade": 1990},
        {**visitors[1], "hidden": [2571], "genre": "Comedy", "decade": 2000},
    ]
    mixed += [("controls", r) for r in controls]
    mixed += [("together", {**visitors[0], "together": visitors[1]["ratings"]})]
    # the niche level's known user is not the next round's first: each user's answer is fresh
    mixed += [("niche", {**visitors[1], "niche": 3}), ("niche", {**users[1], "niche": 3})]
    favourites = [{"user": 105, "favorites": [f]} for f in (1, 260, 2571, 318, 593)]
    # the first answer for 105 after the others is a user's first; then favourites change
    tried = [("user", favourites[0])] + [("favourite", r) for r in favourites[1:] * 8]
    return [{"kind": kind, "request": r} for kind, r in mixed * 20 + tried]


LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries()))
  .observe({ type: "longtask", buffered: true });
"""
"""Collects the main thread's long tasks (over 50 ms), as Lighthouse's Total Blocking Time does."""
BLOCKING = (
    "(until) => window.__longTasks.filter((t) => t.startTime < until)"
    ".reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0)"
)
"""Total blocking time (ms) of the long tasks that started before ``until``."""

KEPT = "() => document.body.dataset.offline"
"""Whether the service worker has kept the page and its files (the next visit is warm)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    parser.add_argument(
        "--network-runs",
        type=int,
        default=1,
        help="cold + warm visits per emulated network profile (0: none; default: %(default)s)",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        site = args.site
        if site is None:
            run(
                BuildConfig(
                    data_dir=ml_small(),
                    artifacts_dir=scratch / "artifacts",
                    site=SiteConfig(
                        site_dir=scratch / "built", pyodide_cache=REPO / "build" / "pyodide"
                    ),
                )
            )
            site = scratch / "built"
        served = prepare(site, scratch)
        server = serve(served)
        base = server.url
        floor, first, warm, cold_bytes, boots, blocking = [], [], [], {}, [], []
        floor_start, site_start, site_ready, floor_boots = [], [], [], []
        with sync_playwright() as playwright:
            profiles = Browser(playwright)
            for _ in range(args.runs):
                context = profiles.profile()
                page = context.pages[0]
                page.goto(base + "_bench/floor.html")
                floor.append(int(wait_for(page, mark("done"))))
                floor_start.append(int(page.evaluate(mark("worker-start"))))
                floor_boots.append(json.loads(page.evaluate("() => document.body.dataset.worker")))
                context.close()

                context = profiles.profile()
                context.add_init_script(LONG_TASKS)
                page = context.pages[0]
                server.clear_transfer_log()
                page.goto(base + "for-you/?user=105&favorite=1")
                first.append(int(wait_for(page, mark("first-result"))))
                cold_bytes = by_file(before(server, page, first[-1]))
                blocking.append(page.evaluate(BLOCKING, first[-1]))
                boots.append(json.loads(page.evaluate("() => document.body.dataset.bootTimings")))
                site_start.append(int(page.evaluate(mark("worker-start"))))
                site_ready.append(int(page.evaluate(mark("ready"))))
                wait_for(page, KEPT)
                page.reload()
                warm.append(int(wait_for(page, mark("first-result"))))
                context.close()

            throttled = {
                name: [
                    cold_visit(profiles, server, "for-you/?user=105&favorite=1", conditions)
                    for _ in range(args.network_runs)
                ]
                for name, conditions in NETWORKS.items()
                if args.network_runs
            }

            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + "_bench/latency.html")
            results = json.loads(wait_for(page, "() => document.body.dataset.results", 180))
            context.close()
            browser.close()
            profiles.close()
        server.close()

    med = statistics.median
    print(f"{args.runs} cold runs each, fresh profile per run, alternating floor and site\n")
    table(
        [
            (
                "bare floor: loadPyodide + numpy imported",
                f"{med(floor):.0f}",
                f"{min(floor)}-{max(floor)}",
            ),
            (
                "site: first recommendation, cold (user 105)",
                f"{med(first):.0f}",
                f"{min(first)}-{max(first)}",
            ),
            (
                "site: first recommendation, second visit (service worker)",
                f"{med(warm):.0f}",
                f"{min(warm)}-{max(warm)}",
            ),
        ],
        ("measure", "median ms", "range"),
    )
    ratios = [site / base for site, base in zip(first, floor, strict=True)]
    print(
        f"\ncold first recommendation / floor: {med(ratios):.2f}x (median of the {len(ratios)} "
        f"per-run ratios; {min(ratios):.2f}-{max(ratios):.2f})"
    )
    print(
        "main thread blocked until the first recommendation (sum over long tasks of their time "
        f"beyond 50 ms, as Total Blocking Time counts it): median {med(blocking):.0f} ms, "
        f"{min(blocking):.0f}-{max(blocking):.0f}"
    )
    print(
        f"worker created at (ms after navigation, median): floor {med(floor_start):.0f}, "
        f"site {med(site_start):.0f}; site worker ready at {med(site_ready):.0f}"
    )
    for name, runs in (("floor", floor_boots), ("site", boots)):
        print(
            f"{name} worker milestones (ms after the worker started, median): "
            + ", ".join(f"{k} {med([b[k] for b in runs]):.0f}" for k in runs[0])
        )
    for kind in LATENCY_KINDS:
        worker_ms = [r["worker"] for r in results if r["kind"] == kind]
        trip_ms = [r["roundTrip"] for r in results if r["kind"] == kind]
        tail = statistics.quantiles(worker_ms, n=10)[-1] if len(worker_ms) > 1 else worker_ms[0]
        print(
            f"per query in Pyodide, {LATENCY_KINDS[kind]}: {med(worker_ms):.2f} ms in the worker "
            f"(90th percentile {tail:.2f}), {med(trip_ms):.2f} ms round trip (median of "
            f"{len(worker_ms)})"
        )
    loads = [r for r in results if r.get("shardFiles")]
    if loads:
        ms = [r["shard"] for r in loads]
        files = [r["shardFiles"] for r in loads]
        print(
            f"shards fetched, checked and loaded before an answer that needed any (a user of "
            f"another shard, movies whose neighbours were not here): {med(ms):.1f} ms for "
            f"{med(files):.0f} files (medians of {len(loads)}; {min(ms):.1f}-{max(ms):.1f} ms; "
            "from the HTTP cache after the first time)"
        )
    checks = [r["shard"] for r in results if r.get("shardFiles") == 0]
    if checks:  # the answer itself checks its rows: its time above includes that
        print(
            f"the worker's work before an answer that fetched nothing: {med(checks):.2f} ms "
            "(median)"
        )
    if throttled:
        print(
            f"\nfirst recommendation on Chromium's network emulation ({args.network_runs} "
            "visit(s) each; user 105 + favourite; the workers and the service worker throttled "
            "too), seconds from navigation, medians"
        )
        moments = ("early", "cold", "second visit", "network off")
        table(
            [
                (name, *(f"{med([v.ms[m] for v in runs]) / 1000:.1f}" for m in moments))
                for name, runs in throttled.items()
            ],
            ("network", *moments),
        )
    budget(
        "bytes of a cold For-you page (user 105), until the first recommendation",
        {"site": cold_bytes},
    )


if __name__ == "__main__":
    main()
