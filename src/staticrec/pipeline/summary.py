"""What a build did, for its closing summary: rows, accuracy, files, seconds per stage."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from staticrec.pipeline import export

log = logging.getLogger("staticrec")


@dataclass
class BuildSummary:
    """What a build did, for the closing summary."""

    rows: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, dict] = field(default_factory=dict)
    files: dict[str, export.FileEntry] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    pages: int = 0
    peak_rss_mb: float = 0.0
    nouns: tuple[str, str] = ("movie", "movies")
    """What the items are called, one and several (the site's ``--noun``)."""

    def lines(self) -> list[str]:
        """The closing summary: rows loaded, accuracy, artifact sizes, seconds per stage."""
        rows = self.rows
        out = [
            f"loaded   {count(rows['ratings'], 'rating')} by {count(rows['users'], 'user')} "
            f"on {rows['rated_movies']:,} of {count(rows['movies'], *self.nouns)}",
        ]
        for name in ("holdout", "cv"):
            if name in self.metrics:
                scores = self.metrics[name]
                line = f"{name:<8} RMSE {scores['rmse']:.4f}"
                line += f"  MAE {scores['mae']:.4f}" if "mae" in scores else ""  # Spark's CV: RMSE
                if "sample" in scores:
                    sample = scores["sample"]
                    line += f"  (on {sample['ratings']:,} ratings of {sample['users']:,} users)"
                out.append(line)
        if "evaluation" in self.metrics:
            ndcg = self.metrics["evaluation"]["ranking_at_10"]
            best = max(ndcg, key=lambda name: ndcg[name]["ndcg"])
            out.append(f"evaluate best NDCG@10 {ndcg[best]['ndcg']:.4f} ({best}); see the report")
        by_table: dict[str, list[export.FileEntry]] = {}
        for file_name, entry in self.files.items():  # a sharded table: one line for its folder
            name = file_name.split("/")[0] + ("/" if "/" in file_name else "")
            by_table.setdefault(name, []).append(entry)
        for name, entries in sorted(by_table.items()):
            label = f"{name} ({count(len(entries), 'file')})" if name.endswith("/") else name
            out.append(f"wrote    {label:<32} {sum(e.bytes for e in entries) / 1e6:8.2f} MB")
        total = sum(entry.bytes for entry in self.files.values())
        out.append(f"         {'total':<32} {total / 1e6:8.2f} MB")
        if self.pages:
            out.append(f"site     {self.pages:,} pages")
        timings = "  ".join(f"{name} {sec:.1f}s" for name, sec in self.seconds.items())
        out.append(f"seconds  {timings}  (total {sum(self.seconds.values()):.1f}s)")
        out.append(f"peak memory {self.peak_rss_mb:,.0f} MB")
        return out

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time one stage and log its start."""
        log.info("%s ...", name)
        start = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - start
        log.info("%s done in %.1f s", name, self.seconds[name])

    def holdout(self, scores: Callable[[], dict], test_fraction: float) -> None:
        """Run the hold-out stage (``scores``: RMSE and MAE on the held-out ratings) and keep
        its figures for the summary and the manifest."""
        with self.stage("holdout"):
            self.metrics["holdout"] = {**scores(), "test_fraction": test_fraction}


def count(n: int, noun: str, nouns: str | None = None) -> str:
    """``n`` with its noun, singular or plural: "1 user", "2 users"."""
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"
