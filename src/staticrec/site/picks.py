"""For you's first list as the build writes it into the page: the early answer's picks, drawn
as web/static/picks.js draws them (the same elements, the same words), so that the page's first
paint already shows them and the script's own drawing, a moment later, moves nothing."""

from __future__ import annotations

import re

ARTICLES = ("The", "A", "An", "Les", "La", "Le", "L'", "Il", "El", "Der", "Die", "Das")
"""The articles titles.js moves to the front, in its order."""

_YEAR = re.compile(r"^(.*\S)\s+\((\d{4})\)\s*$")


def spoken(title: str) -> str:
    """ "Matrix, The (1999)" -> "The Matrix (1999)": titles.js's ``spoken``, rule for rule."""
    comma = title.rfind(", ")
    while comma > 0:
        rest = title[comma + 2 : comma + 6]
        for article in ARTICLES:
            after = comma + 2 + len(article)
            if rest.startswith(article) and (after == len(title) or title.startswith(" (", after)):
                return f"{article} {title[:comma]}{title[after:]}"
        comma = title.rfind(", ", 0, comma)
    return title


def title_parts(title: str) -> tuple[str, int | None]:
    """The title as said, without its year, and the year: titles.js's ``titleParts``."""
    text = spoken(title)
    match = _YEAR.match(text)
    return (match[1], int(match[2])) if match else (text, None)


def static_picks(items: list[dict]) -> list[dict]:
    """What picks.js shows of each early pick: the name, the year, the short reason (capitalised),
    the genres beside it, the whole chain."""
    picks = []
    for item in items:
        name, year = title_parts(item["title"])
        why = item.get("why") or []
        reason = item.get("reason") or (why[0] if why else "")
        picks.append(
            {
                "movie_id": item["movie_id"],
                "name": name,
                "year": year,
                "reason": reason[:1].upper() + reason[1:],
                "facts": ", ".join((item.get("genres") or [])[:3]),
                "why": " · ".join(why),
            }
        )
    return picks
