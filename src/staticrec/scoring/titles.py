"""Title lookup: case-insensitive exact match, else up to five close titles (the seed's rule)."""

from __future__ import annotations

from collections.abc import Sequence

from staticrec.scoring.errors import ScoringError, UnknownTitle


def normalise_title(title: str) -> str:
    """The form titles are compared in: lower case, outer spaces removed."""
    return title.lower().strip()


class TitleIndex:
    """Finds a movie by title.

    Args:
        titles: one title per movie.
        movie_ids: the movies, aligned with ``titles``.
        preference: per movie, lower is preferred when several share a title (e.g. rank by
            rating count), so a lookup is deterministic.
    """

    def __init__(
        self, titles: Sequence[str], movie_ids: Sequence[int], preference: Sequence[int]
    ) -> None:
        self._by_title: dict[str, tuple[int, int]] = {}  # key -> (movieId, preference)
        self._display: dict[str, str] = {}
        for title, movie_id, rank in zip(titles, movie_ids, preference, strict=True):
            key = normalise_title(str(title))
            current = self._by_title.get(key)
            if current is None or (int(rank), int(movie_id)) < (current[1], current[0]):
                self._by_title[key] = (int(movie_id), int(rank))
                self._display[key] = str(title).strip()
        self._keys = list(self._by_title)

    def find(self, title: object) -> int:
        """The movieId of ``title``.

        Raises:
            ScoringError: for an empty or non-string title.
            UnknownTitle: when nothing matches; its message lists up to five close titles.
        """
        if not isinstance(title, str) or not title.strip():
            raise ScoringError("Please give a non-empty movie title.")
        key = normalise_title(title)
        if key in self._by_title:
            return self._by_title[key][0]
        import difflib  # here, not at the top: it costs 20 ms of start-up in the browser

        close = difflib.get_close_matches(key, self._keys, n=5, cutoff=0.6)
        suggestions = [self._display[k] for k in close]
        if suggestions:
            message = f"Title {title!r} not found. Did you mean: {'; '.join(suggestions)}?"
        else:
            message = f"Title {title!r} not found and no close matches."
        raise UnknownTitle(message, suggestions)
