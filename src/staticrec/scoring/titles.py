"""Titles as people type them: the page's search rule (``web/static/search.js``) in Python, for
``staticrec recommend`` (``--rate``, ``--favorite``, ``--hide``), and titles as reasons say them.

One rule on both sides, checked case by case through both (``tests/scoring/test_titles.py``):
a title and a query are compared in ``normalise``'s form (compatibility forms folded, accents
dropped, case folded, anything but letters, digits and symbols one space), a title also as
people say it (``spoken``: "Matrix, The (1999)" is "The Matrix (1999)"); every word of the query
must appear in one of the two; the whole title first (with or without its year), then titles
that start with the query, then any other, each tier most-rated first, then the lower movieId.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from staticrec.scoring.errors import ScoringError, UnknownTitle

ARTICLES = ("The", "A", "An", "Les", "La", "Le", "L'", "Il", "El", "Der", "Die", "Das")
"""Articles that titles put last ("Matrix, The"), as search.js lists them."""

_ASCII_SEPARATORS = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r" +")
_LAST_PARENTHESES = re.compile(r"\s+\([^()]*\)$")


def normalise(text: str) -> str:
    """Comparable text, as search.js's ``normalise``: NFKD, combining marks dropped, lower
    case, every run of anything but letters, digits and other symbols (emoji) one space."""
    if text.isascii():  # nearly every title: the same result, without a pass per character
        return _ASCII_SEPARATORS.sub(" ", text.lower()).strip()
    folded = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in folded if not unicodedata.category(c).startswith("M")).lower()
    spaced = "".join(c if _is_word(c) else " " for c in kept)
    return _SPACES.sub(" ", spaced).strip()


def _is_word(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "So"


def spoken(title: str) -> str:
    """ "Matrix, The (1999)" -> "The Matrix (1999)", as search.js's ``spoken``: the last
    ", Article" that ends the title or comes just before " (" moves to the front."""
    comma = title.rfind(", ")
    while comma > 0:
        rest = title[comma + 2 : comma + 6]
        for article in ARTICLES:
            if not rest.startswith(article):
                continue
            after = comma + 2 + len(article)
            if after == len(title) or title.startswith(" (", after):
                return f"{article} {title[:comma]}{title[after:]}"
        comma = title.rfind(", ", 0, comma)
    return title


_SHORT: dict[str, str] = {}
"""Titles already shortened: reasons name the same few rated movies again and again."""


def short_title(title: str) -> str:
    """A title as a sentence says it: spoken, without its year and the other names MovieLens
    gives in parentheses ("Léon: The Professional (a.k.a. The Professional) (Léon) (1994)" is
    "Léon: The Professional")."""
    if title in _SHORT:
        return _SHORT[title]
    short = spoken(title.strip())
    while True:
        shorter = _LAST_PARENTHESES.sub("", short)
        if shorter == short or not shorter.strip():
            break
        short = shorter
    if len(_SHORT) < 100_000:
        _SHORT[title] = short
    return short


@dataclass(frozen=True)
class Match:
    """The movie a typed title names, and how sure that is."""

    movie_id: int
    title: str
    others: tuple[str, ...] = ()
    """Titles that matched as well (same tier) and lost on the page's order: most rated,
    then the lower movieId; empty when the match was the only one of its tier."""


class TitleIndex:
    """Finds movies by title, as the page's search does.

    Args:
        titles: one title per movie.
        movie_ids: the movies, aligned with ``titles``.
        preference: per movie, lower is preferred among equal matches: the place in the
            most-rated order (more ratings first, then the lower movieId), as the page ranks.
    """

    def __init__(
        self, titles: Sequence[str], movie_ids: Sequence[int], preference: Sequence[int]
    ) -> None:
        self.titles = [str(t) for t in titles]
        self.movie_ids = [int(m) for m in movie_ids]
        self.preference = [int(p) for p in preference]
        self._keys = [(normalise(t), normalise(spoken(t))) for t in self.titles]

    def search(self, query: str, limit: int | None = 8) -> list[int]:
        """Positions matching every word of ``query``, best first (search.js's ``search``)."""
        words = [w for w in normalise(query).split(" ") if w]
        if not words:
            return []
        phrase = " ".join(words)
        hits = []
        for i, (plain, natural) in enumerate(self._keys):
            text = f"{plain} {natural}"
            if all(w in text for w in words):
                hits.append((tier(plain, natural, phrase), self.preference[i], i))
        hits.sort()
        return [i for _, _, i in hits[:limit]]

    def match(self, title: object) -> Match:
        """The movie ``title`` names: the page's first suggestion for it.

        Raises:
            ScoringError: for an empty or non-string title.
            UnknownTitle: when nothing matches; its message lists up to five close titles.
        """
        if not isinstance(title, str) or not title.strip():
            raise ScoringError("Please give a non-empty movie title.")
        found = self.search(title, limit=None)
        if not found:
            raise self._unknown(title)
        phrase = " ".join(w for w in normalise(title).split(" ") if w)
        best = tier(*self._keys[found[0]], phrase)
        ties = [i for i in found[1:6] if tier(*self._keys[i], phrase) == best]
        chosen = found[0]
        return Match(
            self.movie_ids[chosen], self.titles[chosen], tuple(self.titles[i] for i in ties)
        )

    def find(self, title: object) -> int:
        """The movieId of ``title`` (``match``)."""
        return self.match(title).movie_id

    def _unknown(self, title: str) -> UnknownTitle:
        import difflib  # here, not at the top: it costs 20 ms of start-up in the browser

        keys: dict[str, int] = {}  # each key once: its most-rated title
        for i in sorted(range(len(self._keys)), key=self.preference.__getitem__):
            keys.setdefault(self._keys[i][0], i)
        close = difflib.get_close_matches(normalise(title), list(keys), n=5, cutoff=0.6)
        suggestions = [self.titles[keys[k]] for k in close]
        if suggestions:
            message = f"Title {title!r} not found. Did you mean: {'; '.join(suggestions)}?"
        else:
            message = f"Title {title!r} not found and no close matches."
        return UnknownTitle(message, suggestions)


def tier(plain: str, natural: str, phrase: str) -> int:
    """0: the whole title (with or without its year); 1: the title starts with the query;
    2: the query's words are in it somewhere (search.js's ``tier``)."""
    if any(key == phrase or _is_year(key, phrase) for key in (plain, natural)):
        return 0
    return 1 if plain.startswith(phrase) or natural.startswith(phrase) else 2


def _is_year(key: str, phrase: str) -> bool:
    """Whether ``key`` is ``phrase`` and a year: "heat 1995" for "heat"."""
    rest = key[len(phrase) :]
    return key.startswith(phrase) and len(rest) == 5 and rest[0] == " " and _ascii_digits(rest[1:])


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()
