"""The shape of the code: imports run one way, down the stages, and no module outgrows a read.

The layers, lowest first (a module may import its own layer and those below it):

    0  the package's plumbing (``staticrec``, ``errors``) and the scoring core
    1-5  the build's stages (``staticrec.pipeline``), by their number
    6  the site
    7  the build's orchestrator (``pipeline.run``, its settings, its Spark half)
    8  the evaluation
    9  the command line
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
LIMIT = 400
"""Lines per module, Python or JavaScript: above it, a module does more than one thing."""

STAGES = {
    "download": 1,
    "data": 1,
    "data_files": 1,
    "synthetic": 1,
    "neighbors": 2,
    "content": 2,
    "collab_index": 3,
    "co_liked": 3,
    "collab": 4,
    "tuning": 4,
    "spark_config": 4,
    "collab_spark": 4,
    "output": 5,
    "journal": 5,
    "export": 5,
    "artifacts": 5,
    "train": 5,
    "summary": 5,
    "sharding": 5,
    "spark_engine": 5,
    "build_config": 7,
    "run_spark": 7,
    "run": 7,
}


def _layer(module: str) -> int:
    parts = module.split(".")[1:]
    if not parts or parts[0] in ("errors", "scoring"):
        return 0
    if parts[0] == "pipeline":
        return STAGES[parts[1]] if len(parts) > 1 else 1
    return {"site": 6, "evaluation": 8, "cli": 9, "__main__": 9}[parts[0]]


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted((SRC / "staticrec").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The staticrec modules ``path`` imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name in modules}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_every_import_runs_down_the_layers(graph):
    upward = [
        f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
        for module, targets in sorted(graph.items())
        for target in sorted(targets)
        if _layer(target) > _layer(module) and not module.startswith(target + ".")
    ]
    assert upward == []


def test_the_import_graph_has_no_circle(graph):
    def edges(module):  # a package's __init__ is imported with any of its modules
        return {t for t in graph[module] if not module.startswith(t + ".")}

    state: dict[str, str] = {}

    def visit(module, path):
        state[module] = "open"
        for target in sorted(edges(module)):
            if state.get(target) == "open":
                cycle = [*path[path.index(target) :], target]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_the_build_never_imports_the_evaluation(graph):
    build = [m for m in graph if m.startswith("staticrec.pipeline")]
    assert [m for m in build if any(t.startswith("staticrec.evaluation") for t in graph[m])] == []


def test_no_module_is_over_the_limit():
    modules = [
        *(SRC / "staticrec").rglob("*.py"),
        *(REPO / "web" / "static").glob("*.js"),
        *(REPO / "web" / "templates").glob("*.js"),
    ]
    sizes = {
        path.relative_to(REPO).as_posix(): len(path.read_text("utf-8").splitlines())
        for path in modules
    }
    assert len(sizes) > 50  # every module was found
    over = {name: lines for name, lines in sorted(sizes.items()) if lines > LIMIT}
    assert over == {}, "split these by responsibility"
