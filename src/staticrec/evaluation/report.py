"""The evaluation as a report: static SVG plots made at build time, a Markdown copy, and the
context of the site's report page. Readable without JavaScript; every plot has a caption.

Compute, then write: ``report_figures`` draws the plots in memory and ``report_context`` makes
the rows both templates show (``web/templates/report.md`` and ``report.html``); ``write_report``
writes the plots with the Markdown next to them.
"""

from __future__ import annotations

import functools
import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from staticrec.evaluation.studies import Evaluation, chosen_summary
from staticrec.site.config import REPO_WEB
from staticrec.site.pages import ReportPage
from staticrec.site.render import template_environment

REPORT_MARKDOWN = "report.md"

_SVG_METADATA = {"Date": None, "Creator": "staticrec"}


@dataclass(frozen=True)
class Figure:
    """One plot: its file name, its SVG text and the sentence that says what it shows."""

    name: str
    title: str
    svg: str
    caption: str


@functools.cache
def _pyplot():
    """matplotlib's pyplot, set up for files, imported on the first plot: a build without
    ``--evaluate`` does not pay its import (0.4 s)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: plots are files
    # Fixed ids and no date in the SVG: the same evaluation gives byte-identical plots.
    matplotlib.rcParams["svg.hashsalt"] = "staticrec"
    matplotlib.rcParams["svg.fonttype"] = "none"
    import matplotlib.pyplot

    return matplotlib.pyplot


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=_SVG_METADATA, bbox_inches="tight")
    _pyplot().close(figure)
    return buffer.getvalue()


def tuning_heatmap(table: pd.DataFrame) -> Figure:
    """Best cross-validated RMSE per (n_factors, reg_all) cell of the tuning grid."""
    cells = table.groupby(["param_n_factors", "param_reg_all"])["mean_test_rmse"].min().unstack()
    figure, axes = _pyplot().subplots(figsize=(5.5, 3.6))
    image = axes.imshow(cells.to_numpy(), cmap="viridis_r", aspect="auto")
    axes.set_xticks(range(len(cells.columns)), [f"{v:g}" for v in cells.columns])
    axes.set_yticks(range(len(cells.index)), [str(int(v)) for v in cells.index])
    axes.set_xlabel("reg_all")
    axes.set_ylabel("n_factors")
    for (row, col), value in np.ndenumerate(cells.to_numpy()):
        axes.text(col, row, f"{value:.4f}", ha="center", va="center", color="white", fontsize=9)
    figure.colorbar(image, ax=axes, label="RMSE (3-fold)")
    stacked = cells.stack()
    best, worst = stacked.idxmin(), stacked.idxmax()
    return Figure(
        "tuning-heatmap.svg",
        "RMSE over the tuning grid",
        _svg(figure),
        f"Cross-validated RMSE over the tuning grid, each cell the best over its other parameters; "
        f"lower is better. Best: n_factors={int(best[0])}, reg_all={best[1]:g} "
        f"({stacked[best]:.4f}); worst: n_factors={int(worst[0])}, reg_all={worst[1]:g} "
        f"({stacked[worst]:.4f}).",
    )


def ndcg_bars(ranking: pd.DataFrame) -> Figure:
    figure, axes = _pyplot().subplots(figsize=(7, 0.45 * len(ranking) + 1))
    axes.barh(range(len(ranking)), ranking["ndcg"], color="#b4361e")
    axes.set_yticks(range(len(ranking)), ranking["list"])
    axes.invert_yaxis()
    axes.set_xlabel("NDCG@10 on the held-out latest 20% of each user's ratings")
    for row, value in enumerate(ranking["ndcg"]):
        axes.text(value, row, f" {value:.4f}", va="center", fontsize=9)
    best = ranking.loc[ranking["ndcg"].idxmax(), "list"]
    return Figure(
        "ranking-ndcg.svg",
        "NDCG@10 per list",
        _svg(figure),
        f"How well each list ranks the movies users went on to rate 4 or more; higher is better. "
        f"Best: {best}.",
    )


MARKERS = {"temporal": "o", "random": "s"}


def ndcg_against_novelty(protocols: pd.DataFrame) -> Figure:
    """Each list's NDCG@10 against the self-information of its picks, on every protocol."""
    figure, axes = _pyplot().subplots(figsize=(7, 4.2))
    colours = dict(zip(protocols["list"].unique(), itertools.cycle(_pyplot().cm.tab20.colors)))
    for protocol, table in protocols.groupby("protocol", sort=False):
        for row in table.itertuples():
            axes.scatter(
                row.self_information,
                row.ndcg,
                marker=MARKERS.get(protocol, "^"),
                color=colours[row.list],
                label=row.list if protocol == protocols["protocol"].iloc[0] else None,
            )
    axes.set_xlabel("novelty: mean self-information of a pick, bits (right: less obvious)")
    axes.set_ylabel("NDCG@10")
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    shapes = ", ".join(f"{MARKERS.get(p, '^')} {p}" for p in protocols["protocol"].unique())
    site = protocols.groupby("protocol", sort=False).tail(1)  # the site's fusion: each last row
    text = "; ".join(
        f"{r.protocol}: NDCG@10 {r.ndcg:.4f} at {r.self_information:.2f} bits"
        for r in site.itertuples()
    )
    return Figure(
        "ndcg-novelty.svg",
        "Accuracy against novelty",
        _svg(figure),
        f"Each list on each protocol ({shapes}): up is more accurate, right recommends less "
        f"rated movies. The site's list: {text}.",
    )


def rating_distribution(counts: pd.Series) -> Figure:
    figure, axes = _pyplot().subplots(figsize=(6, 3))
    axes.bar([f"{v:g}" for v in counts.index], counts.to_numpy(), color="#5b6576")
    axes.set_xlabel("rating")
    axes.set_ylabel("ratings")
    share = counts / counts.sum()
    whole = share[[v for v in share.index if float(v).is_integer()]].sum()
    return Figure(
        "rating-distribution.svg",
        "The rating distribution",
        _svg(figure),
        f"How often each rating is given: whole stars make up {whole:.0%} of all ratings, and "
        f"the most common rating is {share.idxmax():g} ({share.max():.0%}).",
    )


def cold_start_lines(cold: pd.DataFrame) -> Figure:
    figure, axes = _pyplot().subplots(figsize=(6, 3.4))
    labels = {
        "fold_in": "fold-in (what the site does)",
        "retrain": "full retrain with them",
        "global_mean_plus_bi": "global mean + item bias",
    }
    for column, label in labels.items():
        axes.plot(cold["onboarding"], cold[column], marker="o", label=label)
    axes.set_xticks(cold["onboarding"])
    axes.set_xlabel("onboarding ratings per new user")
    axes.set_ylabel("RMSE on their later ratings")
    axes.legend()
    first = cold.iloc[0]
    text = (
        "New users, held out of training, rate their first movies; their later ratings are then "
        "predicted. "
    )
    if pd.isna(first.fold_in):
        text += "No held-out user rated enough movies to measure it on this dataset."
    else:
        text += (
            f"With {int(first.onboarding)} ratings the fold-in is at {first.fold_in:.3f} against "
            f"{first.global_mean_plus_bi:.3f} without personalisation and {first.retrain:.3f} "
            "for a full retrain; lower is better."
        )
    return Figure(
        "cold-start.svg", "Cold-start RMSE against onboarding ratings", _svg(figure), text
    )


def report_figures(evaluation: Evaluation) -> list[Figure]:
    return [
        tuning_heatmap(evaluation.tuning),
        ndcg_bars(evaluation.ranking),
        ndcg_against_novelty(evaluation.protocols),
        rating_distribution(evaluation.rating_counts),
        cold_start_lines(evaluation.cold_start),
    ]


def report_context(evaluation: Evaluation, figures: list[Figure]) -> dict:
    """What the report page and the Markdown show: tables as rows, figures with captions."""
    ranking = evaluation.ranking
    site = ranking.iloc[-1]  # the site's own fusion is the table's last row
    others = ranking.iloc[:-1]
    visitors = evaluation.visitors.pivot_table(
        index="list", columns="onboarding", values="ndcg", sort=False
    )
    chosen = chosen_summary(evaluation.chosen)
    return {
        "accuracy": evaluation.accuracy.to_dict(orient="records"),
        "ranking": ranking.to_dict(orient="records"),
        "protocols": evaluation.protocols.to_dict(orient="records"),
        "chosen_by_protocol": {p: _setting(c) for p, c in evaluation.chosen_by_protocol.items()},
        "visitor_beyond": evaluation.visitors.to_dict(orient="records"),
        "cold_start": evaluation.cold_start.to_dict(orient="records"),
        "visitors": [
            {"list": name, "ndcg": [float(v) for v in row.to_numpy()]}
            for name, row in visitors.iterrows()
        ],
        "onboarding": [int(n) for n in visitors.columns],
        "chosen": chosen,
        "chosen_weights": _weights(chosen["fusion"]),
        "visitor_blend": _weights(evaluation.visitor_blend.as_dict()),
        "tuned": evaluation.tuned,
        "users": evaluation.users,
        "folds": evaluation.folds,
        "grid_points": evaluation.grid_points,
        "test_percent": round(evaluation.test_fraction * 100),
        "split": evaluation.split,
        "figures": [{"name": f.name, "title": f.title, "caption": f.caption} for f in figures],
        "site_beats_the_rest": bool(site["ndcg"] > others["ndcg"].max()),
        "best_other": str(others.loc[others["ndcg"].idxmax(), "list"]),
    }


def _setting(chosen) -> str:
    """One line of what a protocol's validation chose: the fusion and the item index's rows."""
    summary = chosen_summary(chosen)
    fusion = summary["fusion"]
    offset, recency = summary["collab_rating_offset"], summary["collab_recency"]
    rows = "1 each" if offset is None else f"rating - {offset:g}"
    rows += "" if recency is None else f", recency half-scale {recency:g}"
    return f"{_weights(fusion)} (k={fusion['k']}, depth {fusion['depth']}); item index rows: {rows}"


def _weights(fusion: dict) -> str:
    """ "collab 1 / content 0.25": the lists a fusion weighs, with their weights."""
    lists = ("collab", "svd", "content", "popular")
    return " / ".join(f"{n} {fusion[f'{n}_weight']:g}" for n in lists if fusion[f"{n}_weight"])


def markdown(context: dict, web_dir: Path = REPO_WEB) -> str:
    """The report as Markdown, from the template beside the site's report page."""
    return template_environment(web_dir).get_template("report.md").render(**context)


def write_report(folder: Path, evaluation: Evaluation, web_dir: Path = REPO_WEB) -> ReportPage:
    """Write the plots and report.md into ``folder``; returns what the site's page needs."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = report_figures(evaluation)
    for figure in figures:
        (folder / figure.name).write_text(figure.svg, encoding="utf-8")
    context = report_context(evaluation, figures)
    (folder / REPORT_MARKDOWN).write_text(markdown(context, web_dir), encoding="utf-8")
    return ReportPage(context, folder)
