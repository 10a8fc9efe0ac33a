"""The build and the site up a ladder of dataset sizes, in one run: seconds per stage, peak
memory, the site's size, and what a cold For-you visit downloads and how soon it answers.

    python benchmarks/bench_scale.py [--scales small,1m,10m,32m] [--work build/bench-scale]

"small" is the real ml-latest-small; the others are MovieLens-shaped datasets with the users,
movies and ratings of ml-1m .. ml-32m, generated from seed 0 (``staticrec generate``). Each is
built with the default options by ``staticrec build`` in a fresh process: its closing summary
gives the seconds per stage and the process's peak resident memory. Each site is then visited
cold, in headless Chromium from 127.0.0.1 (served as Pages serves it; no network emulation), at
For you, twice: as a new visitor who rated ten of the most-rated movies, and as user 1 (service
worker blocked: its install would fetch the kept files a second time). Each visit reports the
time to the first recommendation and the data fetched: the files every visit starts with, and
the shards (the user's, the movies' neighbour rows) this one read. Large generated folders are
kept under --work between runs (they are regenerated only when missing).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

from _common import REPO, ml_small, table
from _visits import CHROMIUM, CHROMIUM_ARGS, mark, serve, wait_for


def dataset(name: str, work: Path) -> Path:
    """The folder of one step's CSV files, generated if missing."""
    if name == "small":
        return ml_small()
    folder = work / f"data-{name}"
    if not (folder / "ratings.csv").is_file():
        start = time.perf_counter()
        command = [sys.executable, "-m", "staticrec", "generate", str(folder), "--scale", name]
        subprocess.run(command, check=True, cwd=REPO)
        print(f"generated {name} in {time.perf_counter() - start:.0f} s", flush=True)
    return folder


def build(data: Path, out: Path) -> tuple[float, str]:
    """Wall seconds of ``staticrec build`` into ``out``, and its closing summary."""
    command = [
        sys.executable,
        "-m",
        "staticrec",
        "build",
        "--data-dir",
        str(data),
        "--artifacts-dir",
        str(out / "artifacts"),
        "--site-dir",
        str(out / "site"),
        "--pyodide-cache",
        str(REPO / "build" / "pyodide"),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, check=True, cwd=REPO, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout


def stage_seconds(summary: str) -> dict[str, float]:
    line = next(line for line in summary.splitlines() if line.startswith("seconds"))
    stages = re.findall(r"([a-z][a-z ]*?) ([\d.]+)s", line[8:].split("(total")[0])
    return {name: float(sec) for name, sec in stages}


def peak_mb(summary: str) -> float:
    return float(re.search(r"peak memory ([\d,]+) MB", summary).group(1).replace(",", ""))


def site_size(site: Path) -> tuple[int, int, int]:
    """Bytes of the whole site, of its largest file, and its number of HTML pages."""
    sizes = [(p.stat().st_size, p) for p in site.rglob("*") if p.is_file()]
    pages = sum(1 for _, p in sizes if p.suffix == ".html")
    return sum(s for s, _ in sizes), max(s for s, _ in sizes), pages


VISITOR_STARS = (5.0, 4.0, 4.5, 3.0, 2.0)
"""A new visitor's ratings of the most-rated movies, in this order: what the home page offers."""


def visitor_ratings(site: Path, count: int = 10) -> list[list[float]]:
    """``count`` of the most-rated movies, rated as a visitor would from the home page."""
    items = pq.read_table(site / "data" / "items.parquet", columns=["movieId", "n_ratings"])
    rows = sorted(zip(*items.to_pydict().values(), strict=True), key=lambda r: (-r[1], r[0]))
    stars = VISITOR_STARS * count
    return [[movie, stars[i]] for i, (movie, _) in enumerate(rows[:count])]


def data_fetched(transfers) -> dict[str, int]:
    """Bytes of the data folder fetched (on the wire, as the server's transfer log counts
    them): at start (manifest, items, factors) and as shards."""
    out = {"start": 0, "shards": 0, "shard files": 0}
    for transfer in transfers:
        path = transfer.path.split("/data/", 1)
        if len(path) < 2:
            continue
        shard = "/" in path[1]
        out["shards" if shard else "start"] += transfer.wire_bytes
        out["shard files"] += shard
    return out


def cold_visit(browser, site: Path, ratings=None) -> tuple[float, dict[str, int]]:
    """Seconds to For you's first recommendation, cold, and the data fetched: for user 1, or
    for a visitor whose ``ratings`` are in the browser's storage. Served as Pages serves."""
    server = serve(site)
    try:
        # no service worker: it would fetch the kept files again, which is not what a visit needs
        context = browser.new_context(service_workers="block")
        if ratings is not None:
            stored = json.dumps(json.dumps(ratings))
            context.add_init_script(f"localStorage.setItem('staticrec:/:ratings', {stored});")
        page = context.new_page()
        query = "" if ratings is not None else "?user=1"
        page.goto(f"{server.url}for-you/{query}")
        first = wait_for(page, mark("first-result"), 600) / 1000
        fetched = data_fetched(server.transfer_log())
        context.close()
        return first, fetched
    finally:
        server.close()


def ratings_of_user_1(artifacts: Path) -> int:
    """How many ratings user 1 has (what their known-user answer reads)."""
    manifest = json.loads((artifacts / "manifest.json").read_text())
    shard = manifest["tables"]["user_ratings"]["shards"][0]["file"]
    users = pq.read_table(artifacts / shard, columns=["userId"]).column("userId").to_numpy()
    return int((users == 1).sum())


def visit_cell(first: float, fetched: dict[str, int]) -> tuple[str, str]:
    data = fetched["start"] + fetched["shards"]
    return (
        f"{data / 1e6:.1f} MB ({fetched['shards'] / 1e6:.1f} in {fetched['shard files']} shard"
        f"{'' if fetched['shard files'] == 1 else 's'})",
        f"{first:.2f} s",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="small,1m,10m", help="comma-separated steps")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "bench-scale")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name in args.scales.split(","):
            data = dataset(name, args.work)
            out = args.work / f"build-{name}"
            wall, summary = build(data, out)
            print(summary, flush=True)
            stages = stage_seconds(summary)
            site_bytes, largest, pages = site_size(out / "site")
            user = cold_visit(browser, out / "site")
            visitor = cold_visit(browser, out / "site", visitor_ratings(out / "site"))
            slowest = sorted(stages.items(), key=lambda kv: -kv[1])[:3]
            loaded = next(line for line in summary.splitlines() if line.startswith("loaded"))
            rows.append(
                (
                    name,
                    re.sub(r"^loaded\s+", "", loaded),
                    f"{wall:.0f} s",
                    ", ".join(f"{k} {v:.0f}" for k, v in slowest),
                    f"{stages.get('holdout', 0) / stages['svd']:.0%}",
                    f"{peak_mb(summary) / 1024:.2f} GB",
                    f"{site_bytes / 1e6:.0f} MB",
                    f"{largest / 1e6:.1f} MB",
                    f"{pages:,}",
                    *visit_cell(*visitor),
                    f"{ratings_of_user_1(out / 'artifacts'):,}",
                    *visit_cell(*user),
                )
            )
        browser.close()
    print()
    table(
        rows,
        (
            "step",
            "dataset",
            "build",
            "slowest stages (s)",
            "holdout/svd",
            "peak RSS",
            "site",
            "largest file",
            "pages",
            "visitor: data",
            "first answer",
            "user 1 rated",
            "user 1: data",
            "first answer",
        ),
    )


if __name__ == "__main__":
    main()
