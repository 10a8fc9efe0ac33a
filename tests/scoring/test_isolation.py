"""Contract 1: the scoring core imports and answers with only numpy and the standard library."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from staticrec.pipeline.artifacts import read_table

SRC = Path(__file__).resolve().parents[2] / "src"

CHILD = textwrap.dedent(
    """
    import json, sys

    class Block:
        BLOCKED = ("pandas", "sklearn", "surprise", "pyarrow", "scipy", "jinja2", "tqdm")
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.BLOCKED:
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, Block())
    sys.path.insert(0, sys.argv[1])
    import numpy as np
    import staticrec.scoring as scoring

    data = json.load(open(sys.argv[2]))
    columns = {t: {c: (v if c == "title" else np.asarray(v)) for c, v in cols.items()}
               for t, cols in data["columns"].items()}
    recommender = scoring.load(columns, data["manifest"])
    print(scoring.answer_json(recommender, json.dumps({"user": 105, "favorites": [1]})))
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in Block.BLOCKED)
    print(json.dumps(loaded))
    """
)


def test_scoring_answers_without_pandas_sklearn_surprise_or_pyarrow(built, recommender, tmp_path):
    from staticrec.scoring.schema import SCORING_TABLES

    columns = {t.name: read_table(built, t.name).to_pydict() for t in SCORING_TABLES}
    payload = {"columns": columns, "manifest": (built / "manifest.json").read_text()}
    (tmp_path / "input.json").write_text(json.dumps(payload))
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(SRC), str(tmp_path / "input.json")],
        capture_output=True,
        text=True,
        check=True,
    )
    answer_line, loaded_line = result.stdout.strip().splitlines()
    answer = json.loads(answer_line)
    expected = [i.movie_id for i in recommender.for_user(105, [1]).hybrid]
    assert [i["movie_id"] for i in answer["hybrid"]] == expected
    assert json.loads(loaded_line) == []


def test_scoring_sources_import_nothing_else():
    allowed = {
        "numpy",
        "staticrec",
        "__future__",
        "collections",
        "dataclasses",
        "difflib",
        "json",
        "typing",
        "math",
        # text: a visitor's ratings file (imports.py); all four are in Pyodide's standard library
        "csv",
        "io",
        "re",
        "unicodedata",
    }
    for path in (SRC / "staticrec" / "scoring").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name}:{node.lineno} imports {name}"
