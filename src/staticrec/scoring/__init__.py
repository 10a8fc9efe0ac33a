"""The scoring core: numpy and the standard library only.

The build imports it for evaluation and the ``recommend`` command; the site ships these very
files to Pyodide. It does no I/O: callers hand it artifact columns as arrays.

From the columns to an answer: ``schema`` declares the tables, ``columns`` reads them into a
``model`` (``shards`` adds the neighbour rows fetched later); ``collab``, ``collab_index`` and
``content`` score every movie, ``ranking`` picks the top ones, ``fusion`` merges the lists;
``requests`` turns who is asking into positions, ``recommender`` assembles the ``answer`` and
``reasons`` says why each pick is there, as ``config`` sets. ``api`` is the JSON boundary the
browser's worker calls; ``titles`` and ``imports`` read what visitors type and upload.
"""

from staticrec.scoring import schema
from staticrec.scoring.answer import Answer, Item
from staticrec.scoring.api import answer, answer_json, load
from staticrec.scoring.columns import model_from_columns
from staticrec.scoring.config import ScoringConfig
from staticrec.scoring.errors import ArtifactError, ScoringError, UnknownTitle, UnknownUser
from staticrec.scoring.fusion import Fused, FusionParams, Ranked, rrf
from staticrec.scoring.model import Model
from staticrec.scoring.recommender import Recommender

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
