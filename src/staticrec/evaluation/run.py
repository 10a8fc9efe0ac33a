"""The evaluation as a command (``staticrec evaluate``: ``run``) and as a stage of the build
(``staticrec build --evaluate``: ``for_build``, which the command line hands to the build)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from staticrec.evaluation.protocol import EvaluationConfig
from staticrec.evaluation.report import REPORT_MARKDOWN, write_report
from staticrec.evaluation.studies import Evaluation, evaluate
from staticrec.pipeline.build_config import Evaluator
from staticrec.pipeline.collab import SVDParams
from staticrec.pipeline.content import ContentConfig
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.download import DownloadConfig
from staticrec.pipeline.output import StagedOutputs, check_replaceable, check_targets
from staticrec.pipeline.train import load_dataset
from staticrec.scoring.schema import FactorPrecision
from staticrec.site.pages import ReportPage


@dataclass(frozen=True)
class EvaluateConfig:
    """What ``staticrec evaluate`` does: which data, which protocol, where the report goes."""

    data_dir: Path | None = None
    """An extracted MovieLens folder; None downloads ``download.dataset`` into the cache."""
    download: DownloadConfig = field(default_factory=DownloadConfig)
    """Which release to download and where to cache it, when data_dir is None."""
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    """The protocol (``EvaluationConfig.quick()`` for a smoke run)."""
    svd: SVDParams = field(default_factory=SVDParams)
    """The SVD the site would train."""
    content: ContentConfig = field(default_factory=ContentConfig)
    """The content index the site would build."""
    report_dir: Path = Path("build/report")
    """Where report.md and the SVG plots go (replaced as a whole)."""
    progress: bool = True
    """Show progress bars."""


def run(config: EvaluateConfig) -> str:
    """Evaluate, then write the report folder atomically; returns the report as Markdown."""
    # the report folder is checked before minutes of work, as the build checks its outputs
    inputs = [config.data_dir if config.data_dir is not None else config.download.cache_dir]
    check_targets({"report_dir": config.report_dir}, inputs)
    check_replaceable(Path(config.report_dir).absolute())
    # tags, where the release has them, let the report compare the two content sources
    with_tags = config.data_dir is None or (Path(config.data_dir) / "tags.csv").is_file()
    ml = load_dataset(config.data_dir, config.download, with_tags=with_tags)
    result = evaluate(ml, config.svd, config.content, config.evaluation, progress=config.progress)
    with StagedOutputs({"report_dir": config.report_dir}) as staged:
        write_report(staged.path(config.report_dir), result)
        staged.commit()
    return (config.report_dir / REPORT_MARKDOWN).read_text(encoding="utf-8")


@dataclass(frozen=True)
class BuildEvaluation:
    """An evaluation as the build takes it: the manifest's figures and the report."""

    evaluation: Evaluation

    def summary(self) -> dict:
        return self.evaluation.summary()

    def write_report(self, folder: Path) -> ReportPage:
        return write_report(folder, self.evaluation)


def for_build(config: EvaluationConfig) -> Evaluator:
    """The build's evaluation stage with this protocol: it measures the models the build
    trains, with the movie factors at the precision the site stores them."""

    def evaluate_build(
        ml: MovieLens, svd: SVDParams, content: ContentConfig, precision: FactorPrecision
    ) -> BuildEvaluation:
        protocol = replace(config, factor_precision=precision)
        return BuildEvaluation(evaluate(ml, svd, content, protocol))

    return evaluate_build
