"""The scoring core: numpy and the standard library only.

The build imports it for evaluation and the ``recommend`` command; the site ships these very
files to Pyodide. It does no I/O: callers hand it artifact columns as arrays.
"""

from staticrec.scoring import schema
from staticrec.scoring.api import answer, answer_json, load
from staticrec.scoring.errors import ArtifactError, ScoringError, UnknownTitle, UnknownUser
from staticrec.scoring.fusion import Fused, FusionParams, Ranked, rrf
from staticrec.scoring.model import Model, model_from_columns
from staticrec.scoring.recommender import Answer, Item, Recommender, ScoringConfig

__all__ = [
    "Answer",
    "ArtifactError",
    "Fused",
    "FusionParams",
    "Item",
    "Model",
    "Ranked",
    "Recommender",
    "ScoringConfig",
    "ScoringError",
    "UnknownTitle",
    "UnknownUser",
    "answer",
    "answer_json",
    "load",
    "model_from_columns",
    "rrf",
    "schema",
]
