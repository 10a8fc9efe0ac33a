"""Lighthouse's mobile audit of the built site's pages: performance, accessibility, best
practices and SEO, with Total Blocking Time, layout shift and paint times.

    python benchmarks/bench_lighthouse.py [--site site] [--runs 1]

Lighthouse 12 (13 needs Node 22; Debian's is 20) comes from web/'s npm lock (`npm ci --prefix
web`, a devDependency) and drives Debian's Chromium. Its default mobile profile simulates a
mid-range phone on a slow 4G link. The site is served as `staticrec serve` serves it, with Pages'
`Cache-Control` (the pages' Content-Security-Policy sent as a header too).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

from _common import REPO, ml_small, table
from _visits import serve
from staticrec.pipeline.run import BuildConfig, run
from staticrec.site.config import SiteConfig

LIGHTHOUSE = REPO / "web" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
PAGES = {
    "For you, a known user": "for-you/?user=105",
    "For you, a new visitor": "for-you/",
    "home": "",
    "a movie page": "movie/1/",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def audit(url: str) -> dict:
    """One Lighthouse run: category scores (0-100) and the timings that make them."""
    report = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            "--output-path=stdout",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(report.stdout)
    audits = result["audits"]
    return {
        **{name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES},
        "TBT ms": audits["total-blocking-time"]["numericValue"],
        "CLS": audits["cumulative-layout-shift"]["numericValue"],
        "LCP s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "FCP s": audits["first-contentful-paint"]["numericValue"] / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    parser.add_argument("--runs", type=int, default=1, help="audits per page (medians shown)")
    args = parser.parse_args()
    if not LIGHTHOUSE.is_file():
        raise SystemExit(f"{LIGHTHOUSE} not found: run `npm ci --prefix web` first")
    with tempfile.TemporaryDirectory() as scratch:
        site = args.site
        if site is None:
            site = Path(scratch) / "site"
            run(
                BuildConfig(
                    data_dir=ml_small(),
                    artifacts_dir=Path(scratch) / "artifacts",
                    site=SiteConfig(site_dir=site, pyodide_cache=REPO / "build" / "pyodide"),
                )
            )
        server = serve(site)
        try:
            rows = []
            for name, path in PAGES.items():
                runs = [audit(server.url + path) for _ in range(args.runs)]
                figures = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
                rows.append(
                    (
                        name,
                        *(f"{figures[c]:.0f}" for c in CATEGORIES),
                        f"{figures['TBT ms']:.0f}",
                        f"{figures['CLS']:.3f}",
                        f"{figures['LCP s']:.1f}",
                        f"{figures['FCP s']:.1f}",
                    )
                )
        finally:
            server.close()
    print(f"Lighthouse mobile, medians of {args.runs} run(s) per page\n")
    table(rows, ("page", *CATEGORIES, "TBT ms", "CLS", "LCP s", "FCP s"))


if __name__ == "__main__":
    main()
