"""The item index before and after its fast solve, side by side in one run: the build stage by
stage (seconds and peak memory, each build in a fresh process) and NDCG@10 on ml-latest-small.

    python benchmarks/bench_item_index.py                      # ml-latest-small: build + NDCG
    python benchmarks/bench_item_index.py --data-dir DIR --no-site --no-ndcg   # a large dataset

"before" is the item index as it was solved until this benchmark came in: every rated movie,
an LU inverse (np.linalg.inv) in float64. "after" is the build's own: movies with at least
``min_ratings`` ratings, a Cholesky inverse in float32. Both prune the same way. The NDCG
part chooses ``min_ratings`` on the validation split (the latest 20% of each user's training
ratings), then scores the test split (each user's latest 20%) once, for before and the choice.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from _common import REPO, ml_small, table
from staticrec.pipeline import collab_index


def before_solve(gram, l2):
    """The solve as it was: the Gram matrix in float64 through numpy's LU inverse."""
    gram = gram.astype(np.float64)
    gram[np.diag_indices_from(gram)] += l2
    return np.linalg.inv(gram)


BEFORE = collab_index.CollabIndexConfig(min_ratings=1)


def use_before() -> None:
    """Swap the old solve in (this process only)."""
    collab_index.solve_precision = before_solve


def child_build(variant: str, data_dir: str, out: str, site: bool) -> None:
    """One build in this (fresh) process; prints its seconds per stage and peak RSS as JSON."""
    from staticrec.pipeline.run import BuildConfig, run
    from staticrec.site.config import SiteConfig

    config = BuildConfig(data_dir=Path(data_dir), artifacts_dir=Path(out, "artifacts"))
    if variant == "before":
        use_before()
        config = replace(config, collab_index=BEFORE)
    site_config = SiteConfig(site_dir=Path(out, "site"), pyodide_cache=REPO / "build" / "pyodide")
    config = replace(config, site=site_config if site else None)
    cpu = time.process_time()
    summary = run(config)
    print(
        json.dumps(
            {
                "seconds": summary.seconds,
                "cpu": time.process_time() - cpu,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "bytes": sum(e.bytes for n, e in summary.files.items() if "collab" in n),
            }
        )
    )


def build_side_by_side(data_dir: str, site: bool) -> None:
    results = {}
    for variant in ("before", "after"):
        with tempfile.TemporaryDirectory() as out:
            command = [sys.executable, __file__, "--child", variant, "--data-dir", data_dir]
            command += ["--out", out] + ([] if site else ["--no-site"])
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            results[variant] = json.loads(done.stdout.strip().splitlines()[-1])
    before, after = results["before"]["seconds"], results["after"]["seconds"]
    rows = [(s, f"{before.get(s, 0):.1f}", f"{after.get(s, 0):.1f}") for s in before]
    rows.append(("total (wall)", f"{sum(before.values()):.1f}", f"{sum(after.values()):.1f}"))
    cpu = [f"{results[v]['cpu']:.1f}" for v in ("before", "after")]
    rows.append(("total (CPU, both cores)", *cpu))
    peak = [f"{results[v]['peak_mb']:,.0f}" for v in ("before", "after")]
    rows.append(("peak RSS, MB", *peak))
    rows.append(("item index on disk, MB", *[f"{results[v]['bytes'] / 1e6:.2f}" for v in results]))
    print(f"build of {data_dir}, seconds per stage (fresh process each)")
    table(rows, ("stage", "before", "after"))


def ndcg_side_by_side(data_dir: str, floors: tuple[int, ...]) -> None:
    from staticrec.evaluation.metrics import ranking_metrics
    from staticrec.evaluation.protocol import relevant_items, temporal_split
    from staticrec.evaluation.ranking import popularity_ranks, single_lists, user_requests
    from staticrec.pipeline.collab import SVDParams
    from staticrec.pipeline.content import ContentConfig
    from staticrec.pipeline.data import load_movielens
    from staticrec.pipeline.train import train_recommender

    ml = load_movielens(Path(data_dir), name="ml-latest-small", with_tags=True)
    train, test = temporal_split(ml.ratings, 0.2)
    fit, validation = temporal_split(train, 0.2)

    def measure(ratings, held, config, before=False):
        solve = collab_index.solve_precision
        if before:
            use_before()
        start = time.perf_counter()
        try:
            rec = train_recommender(ml, ratings, SVDParams(), ContentConfig(), None, config)
        finally:
            collab_index.solve_precision = solve
        seconds = time.perf_counter() - start
        relevant = relevant_items(held, 4.0)
        requests = user_requests(rec, relevant)
        wanted = {u: relevant[u] for u in requests}
        ranks, n_items = popularity_ranks(rec.model), rec.model.n_items
        ids = rec.model.item_ids
        hybrid = {u: [int(ids[p]) for p, _, _ in rec.fuse(r)] for u, r in requests.items()}
        collab = single_lists(rec, requests, "collab", 10)
        return (
            ranking_metrics(collab, wanted, ranks, n_items, 10)["ndcg"],
            ranking_metrics(hybrid, wanted, ranks, n_items, 10)["ndcg"],
            seconds,
        )

    rows, scores = [], {}
    base = collab_index.CollabIndexConfig()
    for floor in floors:
        scores[floor] = measure(fit, validation, replace(base, min_ratings=floor))
    old = measure(fit, validation, BEFORE, before=True)
    rows.append(("before (all rated, float64 LU)", "validation", *_fmt(old)))
    rows += [(f"after, min_ratings {f}", "validation", *_fmt(s)) for f, s in scores.items()]
    # the largest floor within noise of the best validation NDCG of the site's list: cheapest
    best = max(s[1] for s in scores.values())
    chosen = max(f for f, s in scores.items() if s[1] >= best - 0.001)
    rows.append(("before", "test", *_fmt(measure(train, test, BEFORE, before=True))))
    after = measure(train, test, replace(base, min_ratings=chosen))
    rows.append((f"after, min_ratings {chosen} (chosen)", "test", *_fmt(after)))
    print("\nNDCG@10, each user's latest 20% held out (seconds: the whole training)")
    table(rows, ("item index", "split", "item index", "site's list", "seconds"))


def _fmt(scores):
    collab, hybrid, seconds = scores
    return f"{collab:.4f}", f"{hybrid:.4f}", f"{seconds:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--no-site", action="store_true")
    parser.add_argument("--no-ndcg", action="store_true")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--floors", default="1,2,3,5,10")
    parser.add_argument("--child", choices=("before", "after"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data_dir = args.data_dir or str(ml_small())
    if args.child:
        child_build(args.child, data_dir, args.out, not args.no_site)
        return
    if not args.no_build:
        build_side_by_side(data_dir, not args.no_site)
    if not args.no_ndcg:
        ndcg_side_by_side(data_dir, tuple(int(f) for f in args.floors.split(",")))


if __name__ == "__main__":
    main()
