"""What a visitor asks of an answer besides their ratings: movies to hide, a genre and a decade
to keep to, a second person to recommend for together, and how niche the list is
(``Options``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from staticrec.scoring.errors import ScoringError
from staticrec.scoring.model import Model
from staticrec.scoring.niche import check_niche
from staticrec.scoring.requests import Request


@dataclass(frozen=True)
class Options:
    """An answer's controls; the defaults change nothing."""

    hidden: tuple[int, ...] = ()
    """movieIds never recommended, in any list; each also counts against the movies like it
    (``ScoringConfig.hidden_rating``, ``ScoringConfig.hidden_content_penalty``)."""
    genre: str | None = None
    """Only movies of this genre, spelled as in the items table (``Comedy``); None: any."""
    decade: int | None = None
    """Only movies of this decade: 1990 keeps 1990-1999 (movies without a year never match);
    None: any."""
    together: tuple[tuple[int, float], ...] | None = None
    """A second person's ratings, (movieId, rating) pairs: the answer is then one list for
    both (``together``); None: an answer for one."""
    niche: int = 0
    """From 0 (the default, a light lean) to 3 (the most niche): how hard the list is re-ranked
    against popularity (``niche.NICHE_STEPS``). One person's answer only: a ``together``
    answer is fused for two and ignores it."""

    def __post_init__(self) -> None:
        check_niche(self.niche)
        if self.decade is not None and (isinstance(self.decade, bool) or self.decade % 10):
            raise ScoringError(f"A decade is a year ending in 0 (1990), not {self.decade!r}.")
        if self.genre is not None and not (isinstance(self.genre, str) and self.genre.strip()):
            raise ScoringError(f"A genre is a non-empty name, not {self.genre!r}.")

    @classmethod
    def of(
        cls,
        hidden: Iterable[int] = (),
        genre: str | None = None,
        decade: int | None = None,
        together: Mapping[int, float] | Iterable[tuple[int, float]] | None = None,
        niche: int = 0,
    ) -> Options:
        """Options from plain values (``together`` as a mapping or pairs)."""
        if isinstance(together, Mapping):
            together = together.items()
        pairs = None if together is None else tuple((int(m), float(r)) for m, r in together)
        return cls(tuple(int(m) for m in hidden), genre, decade, pairs, check_niche(niche))

    @property
    def filters(self) -> bool:
        """Whether a genre or a decade narrows the answer."""
        return self.genre is not None or self.decade is not None


def allowed_movies(model: Model, options: Options) -> np.ndarray | None:
    """bool per movie: within the genre and decade asked for; None when neither narrows.

    Raises:
        ScoringError: for a genre no movie has (naming those that exist).
    """
    if not options.filters:
        return None
    allowed = np.ones(model.n_items, dtype=bool)
    if options.genre is not None:
        mask = model.genres.mask(options.genre)
        if not mask.any():
            names = ", ".join(model.genres.names()) or "none"
            raise ScoringError(f"No movie has the genre {options.genre!r}; genres: {names}.")
        allowed &= mask
    if options.decade is not None:
        years = model.years  # 0: unknown, in no decade
        allowed &= (years > 0) & (years >= options.decade) & (years < options.decade + 10)
    return allowed


def with_options(
    model: Model, request: Request, ignored: list[int], options: Options | None
) -> tuple[Request, list[int]]:
    """``request`` with the hidden movies and filters of ``options``; the unknown movieIds
    hidden join ``ignored``."""
    if options is None or (not options.hidden and not options.filters):
        return request, ignored
    hidden = model.positions(list(options.hidden))
    unknown = [m for m, p in zip(options.hidden, hidden.tolist(), strict=True) if p < 0]
    allowed = allowed_movies(model, options)
    request = replace(request, hidden=np.unique(hidden[hidden >= 0]), allowed=allowed)
    return request, ignored + unknown
