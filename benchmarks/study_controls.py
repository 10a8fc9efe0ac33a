"""The answer's controls measured on ml-latest-small (issue 23, items 3 and 4): watch together
against each person's own list on held-out pairs of real users, and hidden movies as a negative
signal against leaving them out only (``staticrec.evaluation.controls``). NDCG@10 against each
user's held-out likes; one training (about two minutes), then a few minutes of answers.

    python benchmarks/study_controls.py [--pairs 300] [--users 400] [--seed 0]
"""

from __future__ import annotations

import argparse

from _common import ml_small
from staticrec.evaluation.controls import run
from staticrec.pipeline.data import load_movielens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    ml = load_movielens(ml_small(), name="ml-latest-small")
    tables = run(ml, args.pairs, args.users, args.seed)
    for name, table in tables.items():
        print(f"\n{name}\n{table.to_string(index=False, float_format='{:.4f}'.format)}")


if __name__ == "__main__":
    main()
