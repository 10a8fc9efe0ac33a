"""Errors the scoring core raises; the site shows their message, the CLI prints it."""


class ScoringError(ValueError):
    """A request the scoring core cannot answer, with a message meant for the user."""


class UnknownTitle(ScoringError):
    """A title that matches no movie; ``suggestions`` holds up to five close titles."""

    def __init__(self, message: str, suggestions: list[str]) -> None:
        super().__init__(message)
        self.suggestions = suggestions


class UnknownUser(ScoringError):
    """A userId the model has no factors for."""


class ArtifactError(ScoringError):
    """Artifact columns that do not fit together (missing column, ids that do not line up)."""


class RowsNotLoaded(ScoringError):
    """An answer that reads neighbour rows not loaded yet (the browser's model holds the shards
    it was given); ``missing`` names theirs: ``{table: [shard number, ...]}``."""

    def __init__(self, missing: dict[str, list[int]]) -> None:
        super().__init__(f"The neighbour rows this answer reads are not loaded: {missing}.")
        self.missing = missing
