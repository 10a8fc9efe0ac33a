"""Shared helpers for the benchmarks: where the data is, and how figures are printed."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))  # the tests' helpers: builds.py, browser/browsing.py


def ml_small() -> Path:
    """The ml-latest-small folder: $STATICREC_TEST_DATA, or the workplace's shared copy."""
    for candidate in (
        os.environ.get("STATICREC_TEST_DATA"),
        REPO.parent / "shared" / "data" / "ml-latest-small",
        Path("/work/shared/data/ml-latest-small"),
    ):
        if candidate and (Path(candidate) / "ratings.csv").is_file():
            return Path(candidate)
    sys.exit("ml-latest-small not found: set STATICREC_TEST_DATA")


def summary(values: list[float]) -> str:
    """median [min-max] of a list of timings in seconds, shown in milliseconds."""
    ms = [v * 1000 for v in values]
    return f"{statistics.median(ms):8.2f} ms  [{min(ms):.2f}-{max(ms):.2f}]"


def table(rows: list[tuple], header: tuple) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
