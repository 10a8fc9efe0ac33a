"""The popular-to-niche control on ml-latest-small (issue 25, item 3): each level's NDCG@10,
coverage, popularity of a pick, self-information, diversity and most-rated share, for the
dataset's users on the temporal and random protocols and for visitors with 5 ratings, beside
most-rated and dense EASE on the same users (``staticrec.evaluation.niche_study``). Validation
first, then the test split once.

    python benchmarks/study_niche.py
"""

from __future__ import annotations

from _common import ml_small
from staticrec.evaluation.niche_study import run
from staticrec.evaluation.protocol import EvaluationConfig
from staticrec.pipeline.data import load_movielens

COLUMNS = ["list", "ndcg", "precision", "movies", "novelty", "pick_ratings"]
COLUMNS += ["self_information", "diversity", "most_rated_share"]


def show(name: str, tables: dict) -> None:
    for stage, table in tables.items():
        print(f"\n{name}: {stage}")
        print(table[COLUMNS].to_string(index=False, float_format="{:.4f}".format), flush=True)


def main() -> None:
    ml = load_movielens(ml_small(), name="ml-latest-small")
    run(ml, EvaluationConfig(), show)


if __name__ == "__main__":
    main()
