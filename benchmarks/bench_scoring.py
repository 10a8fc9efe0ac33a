"""Per-query latency of the scoring core in CPython over ml-latest-small's 9,742 movies, side by
side with the naive route (Surprise's predict for every movie, then a sort).

    python benchmarks/bench_scoring.py [--queries 200]

The same code runs in the browser; benchmarks/bench_browser.py measures it inside Pyodide.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import ml_small, summary, table
from staticrec.pipeline import collab
from staticrec.pipeline.artifacts import load_recommender
from staticrec.pipeline.data import load_movielens
from staticrec.pipeline.run import BuildConfig, run


def timed(calls, repeat):
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        calls(i)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as out:
        run(BuildConfig(data_dir=ml_small(), artifacts_dir=Path(out), site=None))
        recommender = load_recommender(Path(out))
    model = recommender.model
    users = rng.choice(model.user_ids, args.queries)
    favorites = rng.choice(model.item_ids[model.n_ratings > 20], args.queries)
    popular = model.item_ids[np.argsort(-model.n_ratings)[:300]]
    visitors = [
        {
            int(m): float(r)
            for m, r in zip(
                rng.choice(popular, 5, replace=False),
                rng.choice([3.0, 4.0, 4.5, 5.0], 5),
                strict=True,
            )
        }
        for _ in range(args.queries)
    ]

    known = timed(lambda i: recommender.for_user(int(users[i]), [int(favorites[i])]), args.queries)
    # the page's pattern: one user trying favourites (their scores are kept between answers)
    tried = timed(lambda i: recommender.for_user(int(users[0]), [int(favorites[i])]), args.queries)
    fold = timed(lambda i: recommender.for_visitor(visitors[i], [int(favorites[i])]), args.queries)
    cold = timed(lambda i: recommender.for_visitor({}), args.queries)

    ml = load_movielens(ml_small(), name="ml-latest-small")
    algo = collab.train_svd(ml.ratings, (0.5, 5.0), collab.SVDParams())
    items = [int(m) for m in model.item_ids[model.has_factors]]

    def naive(i):
        scores = [(algo.predict(int(users[i]), m).est, m) for m in items]
        scores.sort(reverse=True)
        return scores[:10]

    baseline = timed(naive, max(5, args.queries // 20))

    print(
        f"{model.n_items:,} movies, {int(model.has_factors.sum()):,} with SVD factors; "
        f"median [min-max] of {args.queries} queries\n"
    )
    table(
        [
            ("known user + favourite: item index, content, RRF, reasons (ours)", summary(known)),
            ("the same known user, another favourite (ours)", summary(tried)),
            ("new visitor, 5 ratings + favourite: fold-in, item index, blend", summary(fold)),
            ("new visitor, no ratings: most-rated (ours)", summary(cold)),
            ("baseline: surprise predict() per movie + sort, CF only", summary(baseline)),
        ],
        ("query", "latency"),
    )
    ratio = np.median(baseline) / np.median(known)
    print(f"\na known user's whole answer is {ratio:.0f}x faster than the per-movie predict loop")


if __name__ == "__main__":
    main()
