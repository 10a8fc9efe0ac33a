"""The For-you page's scripts outside a browser: web/tests/ under Node's own test runner
(messages.js, and the workers' client against fake workers), and the page's preload list."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STATIC = REPO / "web" / "static"


def test_the_scripts_unit_tests_pass():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: web/tests/ runs with Node's test runner (node --test)")
    files = sorted((REPO / "web" / "tests").glob("*.test.js"))
    assert files, "no tests under web/tests/"
    run = subprocess.run(
        [node, "--test", *map(str, files)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^# fail 0$", run.stdout, re.MULTILINE), run.stdout


def _static_imports(script: str) -> set[str]:
    """The scripts in web/static that ``script`` imports statically, directly or not."""
    found: set[str] = set()
    pending = [script]
    while pending:
        text = (STATIC / pending.pop()).read_text(encoding="utf-8")
        for name in re.findall(r'^import [^;]*?from "\./([\w-]+\.js)";', text, re.MULTILINE):
            if name not in found:
                found.add(name)
                pending.append(name)
    return found


def _preloaded() -> list[str]:
    """For you's modulepreload list, in its order."""
    template = (REPO / "web" / "templates" / "for_you.html").read_text(encoding="utf-8")
    listed = re.search(r"{% for script in (\[.*?\]) %}", template, re.DOTALL)
    return re.findall(r'"([\w-]+\.js)"', listed.group(1))


def test_for_you_preloads_its_whole_static_import_graph():
    """The worker starts once its starter's imports have all arrived, and the page once its
    own have: each one is preloaded in parallel rather than found one level at a time, and so
    is the worker's script and its imports (then taken from the cache)."""
    entries = ("for-you-start.js", "for-you.js", "worker.js")
    graphs = {name for entry in entries for name in (entry, *_static_imports(entry))}
    assert set(_preloaded()) == graphs
    assert len(_preloaded()) == len(graphs)


def test_what_starts_the_recommender_is_preloaded_first():
    """The recommender's starter, its imports and the worker's script come before the rest of
    For you's modules: on a slow link Python's download starts that much sooner."""
    first = {"for-you-start.js", *_static_imports("for-you-start.js"), "worker.js"}
    first |= _static_imports("worker.js")
    assert set(_preloaded()[: len(first)]) == first
