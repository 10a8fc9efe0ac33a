"""staticrec.evaluation: the protocol's pieces against hand-made answers, a smoke run."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staticrec.evaluation.accuracy import GlobalMean
from staticrec.evaluation.metrics import ranking_metrics
from staticrec.evaluation.protocol import EvaluationConfig, random_split, split, temporal_split
from staticrec.evaluation.report import write_report
from staticrec.evaluation.studies import evaluate
from staticrec.pipeline.collab import SVDParams
from staticrec.pipeline.content import ContentConfig


def test_temporal_split_holds_out_each_users_latest_ratings():
    ratings = pd.DataFrame(
        {
            "userId": [1] * 10 + [2] * 4,
            "movieId": [*list(range(10)), 1, 2, 3, 4],
            "rating": [4.0] * 14,
            "timestamp": [5, 3, 9, 1, 7, 2, 8, 4, 6, 10, 4, 3, 2, 1],
        }
    )
    train, test = temporal_split(ratings, 0.2)
    assert sorted(test[test.userId == 1].timestamp) == [9, 10]  # floor(10 * 0.2) = 2 latest
    assert test[test.userId == 2].empty  # floor(4 * 0.2) = 0
    assert len(train) + len(test) == len(ratings)
    assert train[train.userId == 1].timestamp.max() < test[test.userId == 1].timestamp.min()


def test_ranking_metrics_by_hand():
    recommended = {1: [10, 20, 30], 2: [40, 50, 60]}
    relevant = {1: {20, 99}, 2: {40}}
    ranks = {10: 1, 20: 2, 30: 3, 40: 4, 50: 5, 60: 6}
    metrics = ranking_metrics(recommended, relevant, ranks, n_items=12, n=3)
    # user 1: one hit at position 2; user 2: one hit at position 1
    assert metrics["precision"] == pytest.approx((1 / 3 + 1 / 3) / 2)
    assert metrics["recall"] == pytest.approx((1 / 2 + 1 / 1) / 2)
    dcg1, idcg1 = 1 / math.log2(3), 1 + 1 / math.log2(3)
    assert metrics["ndcg"] == pytest.approx((dcg1 / idcg1 + 1.0) / 2)
    assert metrics["coverage"] == pytest.approx(6 / 12)
    assert metrics["novelty"] == pytest.approx(3.5)


def test_global_mean_predicts_the_mean(ml_small):
    from staticrec.pipeline.collab import surprise_dataset

    trainset = surprise_dataset(ml_small.ratings, (0.5, 5.0)).build_full_trainset()
    algo = GlobalMean().fit(trainset)
    assert algo.predict(1, 1).est == pytest.approx(ml_small.ratings.rating.mean())


@pytest.fixture(scope="module")
def quick(ml_small):
    return evaluate(ml_small, SVDParams(n_epochs=10), ContentConfig(), EvaluationConfig.quick())


@pytest.mark.slow  # the evaluation of ml-latest-small
def test_smoke_run_has_every_table(quick):
    assert list(quick.accuracy.model) == [
        "global mean",
        "BaselineOnly",
        "SVD, seed parameters",
        "SVD, tuned on the seed grid",
        "SVD, staticrec default",
    ]
    assert (quick.accuracy.rmse > 0.5).all() and (quick.accuracy.rmse < 1.5).all()
    assert quick.accuracy.set_index("model").loc["global mean", "rmse"] == quick.accuracy.rmse.max()
    names = list(quick.ranking["list"])
    assert names[:3] == [
        "most-rated",
        "best-rated (damped mean)",
        "content, genres (favourite: best-rated movie)",
    ]
    assert names[-2].startswith("hybrid, the seed's rule") and names[-1].startswith(
        "hybrid, the site"
    )
    kinds = list(quick.ranking["kind"])
    assert kinds[:3] == ["popularity", "popularity", "content"]
    assert kinds.count("peer") in (1, 2) and kinds[-2:] == ["hybrid", "hybrid"]
    for column in ("precision", "recall", "ndcg", "coverage"):
        assert quick.ranking[column].between(0, 1).all()
    assert list(quick.cold_start.onboarding) == [5, 10, 20]
    assert set(quick.visitors["onboarding"]) == {5, 10, 20}
    assert quick.visitors["ndcg"].between(0, 1).all()
    assert quick.users == 120


@pytest.mark.slow  # the evaluation of ml-latest-small
def test_every_choice_is_made_on_validation_not_test(quick):
    sweeps = list(quick.validation_sweeps.values())
    assert len(sweeps) == 2 and quick.validation_sweep is sweeps[0]
    mean = np.mean([sweep["ndcg"].to_numpy() for sweep in sweeps], axis=0)
    best = sweeps[0].iloc[int(mean.argmax())]  # the best on both protocols' validation at once
    fusion = quick.chosen.fusion
    assert (fusion.svd_weight, fusion.content_weight, fusion.popular_weight) == (
        best.svd_weight,
        best.content_weight,
        best.popular_weight,
    )
    assert (fusion.k, fusion.depth) == (best.k, best.depth)
    assert quick.chosen.collab_recency == (None if best.isna()["collab_recency"] else 0.5)
    # the validation split is cut from the training ratings: it never sees the test users' test
    assert quick.split["fit"] + quick.split["validation"] == quick.split["train"]
    # the visitors' blend is the best on validation visitors, averaged over onboarding sizes
    means = quick.visitor_validation.drop(columns="onboarding").mean()
    chosen = quick.visitor_blend
    assert means.idxmax() == str((chosen.popular_weight, chosen.svd_weight, chosen.collab_weight))


@pytest.mark.slow  # the evaluation of ml-latest-small
def test_summary_is_json(quick):
    summary = json.loads(json.dumps(quick.summary()))
    assert set(summary) == {
        "accuracy_cv",
        "folds",
        "ranking_at_10",
        "chosen_on_validation",
        "visitors_ndcg_at_10",
        "visitor_blend",
        "cold_start_rmse",
        "users_evaluated",
        "ranking_at_10_by_protocol",
        "chosen_by_protocol",
    }
    assert set(summary["ranking_at_10_by_protocol"]) == {"temporal", "random"}


@pytest.mark.slow  # the evaluation of ml-latest-small
def test_every_list_is_measured_on_both_protocols_with_beyond_accuracy(quick):
    tables = dict(tuple(quick.protocols.groupby("protocol", sort=False)))
    assert list(tables) == ["temporal", "random"]
    assert list(tables["temporal"]["list"])[:3] == list(tables["random"]["list"])[:3]
    pd.testing.assert_frame_equal(
        tables["temporal"].drop(columns="protocol").reset_index(drop=True),
        quick.ranking.drop(columns="protocol").reset_index(drop=True),
    )
    both = quick.protocols
    assert both["most_rated_share"].between(0, 1).all() and both["diversity"].between(0, 1).all()
    most_rated = both[both["list"] == "most-rated"]
    assert (most_rated["most_rated_share"] > 0.5).all()  # the top 20 is the most-rated list
    assert (both["self_information"] >= most_rated["self_information"].min() - 1e-9).all()
    assert set(quick.chosen_by_protocol) == {"temporal", "random"}
    visitors = quick.visitors
    assert {"movies", "self_information", "most_rated_share"} <= set(visitors.columns)
    assert "peer: EASE, dense" in set(visitors["list"])


@pytest.mark.slow  # the evaluation of ml-latest-small
def test_report_is_written_and_reproducible(quick, tmp_path):
    first = write_report(tmp_path / "a", quick)
    write_report(tmp_path / "b", quick)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        "cold-start.svg",
        "ndcg-novelty.svg",
        "ranking-ndcg.svg",
        "rating-distribution.svg",
        "report.md",
        "tuning-heatmap.svg",
    ]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    svg = (tmp_path / "a" / "cold-start.svg").read_text()
    assert svg.startswith("<?xml") and "<dc:date>" not in svg
    text = (tmp_path / "a" / "report.md").read_text()
    assert "## Rating accuracy (3-fold cross-validation)" in text
    assert all(f["caption"] in text for f in first.context["figures"])
    assert np.isfinite(quick.ranking.ndcg).all()


def test_markdown_report_from_its_template():
    """report.md comes from web/templates/report.md; a title with markup stays as written."""
    from staticrec.evaluation.report import markdown

    fusion = {"collab_weight": 1.0, "svd_weight": 0.0, "content_weight": 0.25, "popular_weight": 0}
    beyond = {
        "ndcg": 0.0871,
        "movies": 41,
        "pick_ratings": 190.44,
        "self_information": 1.6789,
        "diversity": 0.71234,
        "most_rated_share": 0.625,
    }
    context = {
        "folds": 3,
        "accuracy": [{"model": "SVD <b>", "rmse": 0.86131, "rmse_std": 0.01, "mae": 0.66}],
        "test_percent": 20,
        "ranking": [
            {
                "list": "item index",
                "precision": 0.05,
                "recall": 0.04,
                "ndcg": 0.1352,
                "coverage": 0.021,
                "novelty": 121.4,
            }
        ],
        "chosen": {
            "fusion": {**fusion, "k": 60, "depth": 10},
            "collab_rating_offset": 2.5,
            "collab_recency": 0.5,
        },
        "chosen_weights": "collab 1 / content 0.25",
        "site_beats_the_rest": True,
        "best_other": "x",
        "onboarding": [5, 10],
        "visitors": [{"list": "most-rated", "ndcg": [0.431, 0.4112]}],
        "visitor_blend": "collab 0.3 / svd 0.6",
        "protocols": [{"protocol": "random", "list": "most-rated", **beyond, "recall": 0.03}],
        "chosen_by_protocol": {"random": "collab 1 (k=60, depth 10); item index rows: 1 each"},
        "visitor_beyond": [{"list": "most-rated", "onboarding": 5, **beyond}],
        "cold_start": [
            {"onboarding": 5, "fold_in": 0.92, "global_mean_plus_bi": 0.93, "retrain": 0.97}
        ],
        "figures": [{"name": "a.svg", "title": "A", "caption": "Caption a."}],
    }
    assert markdown(context) == (
        "# staticrec evaluation\n\n"
        "## Rating accuracy (3-fold cross-validation)\n\n"
        "| model | RMSE | ± | MAE |\n| --- | ---: | ---: | ---: |\n"
        "| SVD <b> | 0.8613 | 0.0100 | 0.6600 |\n\n"
        "## Ranking: top 10 against each user's latest 20% of ratings\n\n"
        "| list | precision@10 | recall@10 | NDCG@10 | coverage | novelty |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: |\n"
        "| item index | 0.0500 | 0.0400 | 0.1352 | 2.1% | 121 |\n\n"
        "Chosen on the validation splits of every protocol at once (the best mean NDCG@10): "
        "collab 1 / content 0.25 (k=60, depth 10); the item "
        "index weighs each rated movie by rating - 2.5 x exp(-from_end / (0.5 x n)). "
        "The site's list ranks best of all rows.\n\n"
        "## Ranking on both protocols, with how generic each list is\n\n"
        "Every list again on each protocol (temporal: each user's latest 20% held out; random: a "
        "seeded random 20% of each user's ratings), each with its own validation split. Beside "
        "NDCG@10: the distinct movies across all users' top 10s, the mean training ratings of a "
        "pick, its mean self-information (bits; higher is less obvious), intra-list diversity "
        "(mean genre Jaccard distance within a top 10) and the share of picks among the 20 "
        "most-rated movies.\n\n"
        "| protocol | list | NDCG@10 | recall@10 | movies | ratings of a pick | "
        "self-information | diversity | in top 20 |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        "| random | most-rated | 0.0871 | 0.0300 | 41 | 190 | 1.68 | 0.712 | 62.5% |\n\n"
        "- random validation alone would choose: collab 1 (k=60, depth 10); item index rows: "
        "1 each\n\n"
        "## New visitors: NDCG@10 after their first n ratings\n\n"
        "| list | n=5 | n=10 |\n| --- | ---: | ---: |\n"
        "| most-rated | 0.4310 | 0.4112 |\n\n"
        "The visitors' blend (collab 0.3 / svd 0.6) was chosen on other held-out visitors.\n\n"
        "| list | n | NDCG@10 | movies | ratings of a pick | self-information | diversity "
        "| in top 20 |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        "| most-rated | 5 | 0.0871 | 41 | 190 | 1.68 | 0.712 | 62.5% |\n\n"
        "## Cold start: RMSE on new users' later ratings\n\n"
        "| onboarding ratings | fold-in | global mean + bi | retrain |\n"
        "| ---: | ---: | ---: | ---: |\n"
        "| 5 | 0.9200 | 0.9300 | 0.9700 |\n\n"
        "## Plots\n\n![A](a.svg)\n\nCaption a.\n"
    )


def test_knn_is_left_out_above_its_size_with_a_message(ml_small, caplog):
    from staticrec.evaluation.studies import _with_knn

    assert _with_knn(ml_small.ratings, EvaluationConfig())
    small_limit = EvaluationConfig(knn_max_items=1_000)
    with caplog.at_level("WARNING", logger="staticrec"):
        assert not _with_knn(ml_small.ratings, small_limit)
    assert "KNNBaseline left out: 9,724 rated movies" in caplog.text
    assert not _with_knn(ml_small.ratings, EvaluationConfig(knn=False))


def test_a_small_generated_dataset_is_evaluated(tmp_path, capsys):
    """Too few visitors to choose a blend, or to measure cold start: the report says so
    instead of failing (it failed on every list's NDCG being missing)."""
    from staticrec.cli import main

    data, report = tmp_path / "data", tmp_path / "report"
    assert main(["generate", str(data), "--users", "20", "--movies", "40", "--ratings", "400"]) == 0
    (data / "tags.csv").write_text("userId,movieId,tag,timestamp\n")  # a header, no tags
    assert main(["evaluate", "--data-dir", str(data), "--quick", "--report-dir", str(report)]) == 0
    assert "No held-out user rated enough movies" in (report / "report.md").read_text()


def test_the_report_folder_is_checked_before_any_work(tmp_path, monkeypatch, capsys, tiny_dir):
    from staticrec.cli import main

    def never(*args, **kwargs):
        raise AssertionError("evaluated before checking the report folder")

    monkeypatch.setattr("staticrec.evaluation.run.evaluate", never)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    assert main(["evaluate", "--data-dir", str(tiny_dir), "--report-dir", str(mine)]) == 1
    assert "holds files staticrec did not write" in capsys.readouterr().err
    assert (mine / "notes.txt").read_text() == "mine"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=6), st.integers(0, 2**32 - 1))
def test_random_split_holds_out_the_temporal_splits_count_per_user_at_random(sizes, seed):
    rows = [(u, m, float(m), m) for u, size in enumerate(sizes) for m in range(size)]
    ratings = pd.DataFrame(rows, columns=["userId", "movieId", "rating", "timestamp"])
    train, test = random_split(ratings, 0.2, seed)
    for user, size in enumerate(sizes):
        assert (test.userId == user).sum() == math.floor(size * 0.2)
    merged = pd.concat([train, test]).sort_values(["userId", "movieId"])
    assert merged[["userId", "movieId"]].values.tolist() == [[u, m] for u, m, _, _ in rows]
    again, _ = random_split(ratings.sample(frac=1, random_state=1), 0.2, seed)
    pd.testing.assert_frame_equal(again, train)  # the input's order does not matter


def test_random_split_is_not_the_latest_ratings():
    ratings = pd.DataFrame(
        {"userId": 1, "movieId": range(100), "rating": 4.0, "timestamp": range(100)}
    )
    _, test = random_split(ratings, 0.2, 0)
    assert len(test) == 20 and test.timestamp.min() < 80
    other = split(ratings, 0.2, "random", 1)[1]
    assert set(other.movieId) != set(test.movieId)  # the seed moves it
    assert split(ratings, 0.2, "temporal", 0)[1].timestamp.min() == 80
