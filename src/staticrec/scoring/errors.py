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
