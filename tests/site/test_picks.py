"""For you's first list as the build writes it: titles said as titles.js says them, and the
picks the early answer gives, in picks.js's words."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from staticrec.site.picks import static_picks, title_parts

TITLES = [
    "Matrix, The (1999)",
    "Heat (1995)",
    "Shawshank Redemption, The (1994)",
    "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
    "City of Lost Children, The (Cité des enfants perdus, La) (1995)",
    "Untitled",
    "Long, The " * 3 + "(1999)",
    "Misérables, Les (1995)",
    "It (2017)",
    "1, 2, 3, Sun (1993)",
]


def test_titles_are_said_as_the_page_says_them():
    assert title_parts("Matrix, The (1999)") == ("The Matrix", 1999)
    assert title_parts("Untitled") == ("Untitled", None)
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: titles.js is compared under Node")
    script = (
        "import('./web/static/titles.js').then(({ titleParts }) => console.log(JSON.stringify("
        f"{json.dumps(TITLES)}.map((t) => {{ const p = titleParts(t); "
        "return [p.name, p.year]; }))))"
    )
    run = subprocess.run(
        [node, "--input-type=module", "-e", script],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout) == [list(title_parts(t)) for t in TITLES]


def test_a_pick_says_its_reason_and_keeps_the_chain():
    item = {
        "movie_id": 318,
        "title": "Shawshank Redemption, The (1994)",
        "why": ["one of the most rated (317 ratings)", "predicted 4.4★ for you"],
    }
    assert static_picks([item]) == [
        {
            "movie_id": 318,
            "name": "The Shawshank Redemption",
            "year": 1994,
            "reason": "One of the most rated (317 ratings)",
            "facts": "",
            "why": "one of the most rated (317 ratings) · predicted 4.4★ for you",
        }
    ]
    # the scoring core's own short reason, and the genres, when the answer has them
    item |= {"reason": "one of the most rated", "genres": ["Crime", "Drama", "Film-Noir", "War"]}
    [pick] = static_picks([item])
    assert pick["reason"] == "One of the most rated" and pick["facts"] == "Crime, Drama, Film-Noir"
