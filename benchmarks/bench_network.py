"""A Pages visitor's waits on an emulated phone link, with the bytes each file took on the wire
and decoded: a built site against a baseline site, visited alternately in one run.

    python benchmarks/bench_network.py --site SITE [--baseline SITE] [--runs 3]
        [--networks "9 Mbps / 60 ms (fast 4G)"] [--read-s 10]

Each site is served by ``staticrec serve``'s server, as GitHub Pages serves it (gzip for text,
JavaScript, JSON and wasm; never Parquet, zips or wheels); Chromium's network emulation
(``Network.emulateNetworkConditions``) throttles the page, its workers and the service worker.
Every visit is a first-time visitor's fresh profile:

- cold: ``/for-you/?favorite=2571`` opened directly: the build's early answer, the
  recommender's own (``#results[data-state=ready]``), and the bytes before it, file by file;
  then a second visit once the service worker has kept the files, then one with the network
  off;
- after the click: ``/movie/2571/`` read for ``--read-s`` seconds, then "Recommend movies like
  this" clicked: the recommender's answer, from the click; when the movie page's recommender
  was ready (kept warm: web/static/warm.js), whether For you opened in the movie page's
  document, the browser's CPU seconds while reading and after the click, and its memory at the
  click.

Times are medians over the runs (ranges beside them); bytes are the first run's.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
from pathlib import Path

from _common import table
from _visits import NETWORKS, Browser, by_file, click_visit, cold_visit, runtime_wire, serve

FAVORITE = 2571
"""The Matrix: a new visitor's favourite, and the movie page the reader lands on."""

STRETCHES = ("reading", "after click")

MOMENTS = ("early", "cold", "warm ready", "after click", "second visit", "network off")


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def seconds(values: list[float]) -> str:
    s = [v / 1000 for v in values if v == v]  # a moment the page never marked is NaN
    if not s:
        return "-"
    return f"{statistics.median(s):.2f} ({min(s):.2f}-{max(s):.2f})"


def megabytes(n: int) -> str:
    return f"{n / 1e6:.3f}"


def budget(label: str, sides: dict[str, dict]) -> None:
    """Bytes by file, each side's wire and decoded, side by side."""
    names = sorted({name for files in sides.values() for name in files})
    rows = []
    for name in names:
        cells = []
        for files in sides.values():
            wire, decoded, _ = files.get(name, (0, 0, 0))
            cells += [megabytes(wire), megabytes(decoded)]
        rows.append((name, *cells))
    totals = []
    for files in sides.values():
        totals += [
            megabytes(sum(v[0] for v in files.values())),
            megabytes(sum(v[1] for v in files.values())),
        ]
    rows.append(("total", *totals))
    print(f"\n{label} (MB)")
    header = [f"{side} {kind}" for side in sides for kind in ("wire", "decoded")]
    table(rows, ("file", *header))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", type=Path, required=True, help="the built site measured")
    parser.add_argument("--baseline", type=Path, help="a site to compare with, in the same run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--networks", default="9 Mbps / 60 ms (fast 4G)", help="comma-separated")
    parser.add_argument("--read-s", type=float, default=10.0)
    parser.add_argument("--no-click", action="store_true", help="skip the movie-page visit")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    sites = {"baseline": args.baseline, "site": args.site} if args.baseline else {"site": args.site}
    servers = {name: serve(folder) for name, folder in sites.items()}
    networks = [name.strip() for name in args.networks.split(",")]
    times = {(n, s, m): [] for n in networks for s in sites for m in MOMENTS}
    cpu = {(n, s, stretch): [] for n in networks for s in sites for stretch in STRETCHES}
    in_place = {(n, s): 0 for n in networks for s in sites}
    memory = {(n, s): [] for n in networks for s in sites}
    first = {}
    print(f"load before: {load()}", flush=True)
    try:
        with sync_playwright() as playwright:
            browser = Browser(playwright)
            for run in range(args.runs):
                for network in networks:
                    for side, server in servers.items():
                        cold = cold_visit(
                            browser, server, f"for-you/?favorite={FAVORITE}", NETWORKS[network]
                        )
                        visits = [cold]
                        if not args.no_click:
                            visits.append(
                                click_visit(
                                    browser, server, FAVORITE, NETWORKS[network], args.read_s
                                )
                            )
                        for visit in visits:
                            for moment, ms in visit.ms.items():
                                times[(network, side, moment)].append(ms)
                            for stretch, seconds_used in visit.cpu_s.items():
                                cpu[(network, side, stretch)].append(seconds_used)
                            in_place[(network, side)] += visit.in_place
                            if visit.memory_mb == visit.memory_mb:  # a click visit's
                                memory[(network, side)].append(visit.memory_mb)
                        first.setdefault((network, side), visits)
                        print(
                            f"run {run + 1} {network} {side}: "
                            + ", ".join(
                                f"{k} {v / 1000:.2f} s"
                                for visit in visits
                                for k, v in visit.ms.items()
                            ),
                            flush=True,
                        )
            browser.close()
    finally:
        for server in servers.values():
            server.close()
    print(f"load after: {load()}")
    for network in networks:
        print(
            f"\n{network}: seconds from navigation (after click: from the click), "
            f"median (range) of {args.runs}"
        )
        rows = [(m, *(seconds(times[(network, s, m)]) for s in sites)) for m in MOMENTS]
        table(rows, ("moment", *sites))
        cold = {s: by_file(first[(network, s)][0].transfers["cold"]) for s in sites}
        budget(f"{network}, cold visit: bytes before the recommender's answer", cold)
        for s in sites:
            wire = runtime_wire(first[(network, s)][0].transfers["cold"])
            print(
                f"{s}: the runtime's bytes on the wire before the first answer: {wire / 1e6:.2f} MB"
            )
        if not args.no_click:
            print(
                f"\n{network}, movie page then the click: the browser's CPU seconds, and its "
                "anonymous resident memory at the click (MB), medians"
            )
            rows = [
                (stretch, *(f"{statistics.median(cpu[(network, s, stretch)]):.1f}" for s in sites))
                for stretch in STRETCHES
            ]
            shares = (f"{in_place[(network, s)]}/{args.runs}" for s in sites)
            rows.append(("opened in place", *shares))
            rows.append(
                (
                    "memory at the click",
                    *(f"{statistics.median(memory[(network, s)]):.0f}" for s in sites),
                )
            )
            table(rows, ("stretch", *sites))
            for stretch in STRETCHES:
                sides = {s: by_file(first[(network, s)][1].transfers[stretch]) for s in sites}
                budget(f"{network}, movie page then the click: bytes {stretch}", sides)


if __name__ == "__main__":
    main()
