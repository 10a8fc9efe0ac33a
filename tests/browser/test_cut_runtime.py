"""The runtime the site ships, in Chromium: Pyodide's standard library and numpy's wheel cut to
what the recommender imports (``staticrec.site.cut``). On it, every module of the scoring core
imports, the scoring core answers as it does in CPython, and a Python error reaches the page
with its message. (Every other browser test, the CPython parity tests of test_site.py among
them, runs on this same cut runtime: it is the one the default build ships.)

The probe page (tests/browser/probe/) starts Python on the site's runtime and runs the test's
Python there, with the model's start files decoded.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from staticrec.scoring import api
from staticrec.site import cut
from staticrec.site.wheel import scoring_sources

PROBE = Path(__file__).parent / "probe"

VISITORS = [
    {"ratings": [], "favorites": [2571]},
    {"ratings": [[6, 5], [16, 4.5], [111, 5], [293, 4], [1213, 5]], "favorites": [1]},
    {"ratings": [[1, 5], [2355, 4], [4886, 5], [6377, 4.5], [3114, 5]], "favorites": []},
    {"ratings": [[1, "x"]], "favorites": []},  # refused, with the scoring core's words
]
RATINGS_FILES = [
    "movieId,rating\n1,5\n2571,4.5\n",
    "Const,Your Rating,Title,Title Type,Year\ntt0114709,9,Toy Story,movie,1995\n",
    "Date,Name,Year,Letterboxd URI,Rating\n2020-01-01,Toy Stroy,1995,https://boxd.it/x,4.5\n",
    "no,header\n",
]

PROBE_PYTHON = f"""
import importlib, json, sys
modules = {
    json.dumps(
        sorted(
            {
                p.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
                for p, _ in scoring_sources()
            }
        )
    )
}
for name in modules:
    importlib.import_module(name)
from staticrec.scoring import api
recommender = api.load(columns, manifest_text)
answers = []
for request in {json.dumps(VISITORS)}:
    answer = json.loads(api.answer_json(recommender, json.dumps(request)))
    if "missing" in answer:
        recommender = api.load_shards(recommender, await shards(json.dumps(answer["missing"])))
        answer = json.loads(api.answer_json(recommender, json.dumps(request)))
    answers.append(answer)
imported = [json.loads(api.import_json(recommender, text)) for text in {json.dumps(RATINGS_FILES)}]
json.dumps({{"modules": modules, "answers": answers, "imported": imported}})
"""


def probe(serve_copy, page, python: str) -> tuple[str | None, str | None]:
    """Run ``python`` on the site's runtime; (its value, or None; the error, or None)."""

    def install(site: Path) -> None:
        shutil.copytree(PROBE, site / "_probe")
        body = re.search(r"<body[^>]*>", (site / "for-you" / "index.html").read_text()).group(0)
        body = body.replace(">", f' data-python="{html.escape(python)}">', 1)
        (site / "_probe" / "index.html").write_text(
            f'<!doctype html><meta charset="utf-8"><title>probe</title>{body}'
            '<script type="module" src="probe.js"></script></body>',
            encoding="utf-8",
        )

    page.goto(serve_copy(install) + "_probe/")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        result, error = page.evaluate(
            "() => [document.body.dataset.result, document.body.dataset.error]"
        )
        if result is not None or error is not None:
            return result, error
        time.sleep(0.1)
    raise AssertionError("the probe gave no answer within 120 s")


def test_the_site_ships_the_cut_runtime(ml_build):
    runtime = ml_build / "site" / "pyodide"
    with zipfile.ZipFile(runtime / "python_stdlib.zip") as stdlib:
        names = set(stdlib.namelist())
    assert "json/__init__.py" in names and "difflib.py" in names  # the scoring core's
    assert "asyncio/__init__.py" in names  # Pyodide's own start
    assert "unittest/__init__.py" not in names and "sqlite3/__init__.py" not in names
    (numpy,) = runtime.glob("numpy-*.whl")
    with zipfile.ZipFile(numpy) as wheel:
        names = set(wheel.namelist())
    assert "numpy/_core/__init__.py" in names and "numpy/linalg/__init__.py" in names
    assert not any(name.startswith(cut.NUMPY_UNUSED) for name in names)


def test_every_scoring_module_imports_and_answers_as_in_cpython(page, serve_copy, recommender):
    result, error = probe(serve_copy, page, PROBE_PYTHON)
    assert error is None, error
    found = json.loads(result)
    assert "staticrec.scoring.api" in found["modules"] and len(found["modules"]) >= 15
    for request, answer in zip(VISITORS, found["answers"], strict=True):
        expected = json.loads(api.answer_json(recommender, json.dumps(request)))
        if "error" in expected:
            assert answer == expected
        else:
            assert [i["movie_id"] for i in answer["hybrid"]] == [
                i["movie_id"] for i in expected["hybrid"]
            ]
            for name, items in expected["lists"].items():
                assert [i["movie_id"] for i in answer["lists"][name]] == [
                    i["movie_id"] for i in items
                ], name
    assert found["imported"] == [
        json.loads(api.import_json(recommender, text)) for text in RATINGS_FILES
    ]


@pytest.mark.parametrize(
    "python, expected",
    [
        ("raise ValueError('the probe fails')", "ValueError: the probe fails"),
        ("import unittest", "ModuleNotFoundError: No module named 'unittest'"),
    ],
)
def test_a_python_error_reaches_the_page_with_its_message(page, serve_copy, python, expected):
    """Pyodide formats every Python error with the standard library's traceback module: the
    cut keeps it, so the page can say what failed (here, what the cut leaves out)."""
    result, error = probe(serve_copy, page, python)
    assert result is None and expected in error
