"""``staticrec evaluate``: measure every list on a held-out split and write the report."""

from __future__ import annotations

import argparse
import logging
from dataclasses import replace
from pathlib import Path

from staticrec.cli.options import add_data_options, download_config, results_only

log = logging.getLogger("staticrec")


def add_evaluation_options(group, report_dir: Path) -> None:
    group.add_argument(
        "--report-dir",
        type=Path,
        default=report_dir,
        help="where the report (Markdown and SVG plots) goes (default: %(default)s)",
    )
    group.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run (about half a minute): 120 users, 3 folds, a small grid, no KNN",
    )
    group.add_argument(
        "--sample-users",
        type=int,
        metavar="N",
        help="evaluate on a seeded random sample of N users (for large datasets; default: all, "
        "or 120 with --quick)",
    )


def evaluation_config(args: argparse.Namespace):
    from staticrec.evaluation.protocol import EvaluationConfig

    config = EvaluationConfig.quick() if args.quick else EvaluationConfig()
    return replace(config, max_users=args.sample_users) if args.sample_users else config


def add_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.evaluation.run import EvaluateConfig

    p = sub.add_parser(
        "evaluate",
        help="measure rating accuracy, top-10 ranking quality and cold start; write a report",
        description="Cross-validated RMSE/MAE of six models, precision/recall/NDCG@10, coverage "
        "and novelty of every list the site shows (fusion chosen on a validation split), and "
        "RMSE for new users after 5, 10 and 20 ratings. Writes report.md and SVG plots.",
        epilog="example: staticrec evaluate --data-dir ~/data/ml-latest-small --quick",
    )
    add_data_options(p)
    add_evaluation_options(p, EvaluateConfig().report_dir)
    p.add_argument(
        "--factor-precision",
        choices=("float32", "float16", "int8"),
        default="float32",
        help="store the trained models' movie factors so, as a site would (default: %(default)s)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars or stage log")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from staticrec.evaluation.run import EvaluateConfig
    from staticrec.evaluation.run import run as run_evaluation

    config = EvaluateConfig(
        data_dir=args.data_dir,
        download=download_config(args),
        evaluation=replace(evaluation_config(args), factor_precision=args.factor_precision),
        report_dir=args.report_dir,
        progress=not args.quiet,
    )
    print(results_only(run_evaluation, config))
    log.info("report written to %s", args.report_dir / "report.md")
    return 0
