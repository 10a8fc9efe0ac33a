"""MkDocs hooks: the pages that are generated from the code at every docs build, never kept as text.

A page asks for a generated part with a line of its own, ``<!-- generated: NAME -->``:

- ``cli``: every command's ``--help``, from ``staticrec.cli.make_parser()``;
- ``schema``: every artifact table and column, from ``staticrec.scoring.schema``;
- ``stages``: the build's stages, from the docstring of ``staticrec.pipeline``;
- ``modules``: a map of ``src/staticrec`` and ``web/static``, each file's summary from its
  docstring (or leading comment).

The hooks also check that every repository path a page names in backticks (``src/…``,
``tests/…``, ``web/…``, ``scripts/…``, ``benchmarks/…``, ``.github/…``) exists, and that every
dotted ``staticrec.…`` name imports: a renamed file or module fails the strict build instead
of leaving the docs behind the code.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
STATIC = ROOT / "web" / "static"
HELP_WIDTH = "100"
"""Columns the help text is wrapped at, whatever the terminal of the machine building the docs."""

log = logging.getLogger("mkdocs.plugins.staticrec")

MARKER = re.compile(r"^<!-- generated: ([a-z-]+) -->$", re.MULTILINE)
CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
REPO_PATH = re.compile(r"^(?:src|tests|web|scripts|benchmarks|\.github)/[\w./-]*$")
DOTTED = re.compile(r"^staticrec(?:\.\w+)+")
FILE_NAME = re.compile(r"\.(?:toml|py|json|csv|md|txt|yml|whl|parquet)$")
"""``staticrec.toml`` is a file, not a module."""


# --- the command line --------------------------------------------------------------------------


def cli_reference() -> str:
    """Every command's ``--help``, in the order ``staticrec --help`` lists them."""
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH  # argparse wraps at the terminal's width
    try:
        from staticrec.cli import make_parser

        parser = make_parser()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parts = ["## staticrec", "", "```text", parser.format_help().rstrip(), "```"]
        for name, command in sub.choices.items():
            parts += ["", f"## staticrec {name}", "", "```text", command.format_help().rstrip()]
            parts.append("```")
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return "\n".join(parts)


# --- the artifact schema -----------------------------------------------------------------------


def attribute_docs(tree: ast.AST) -> dict[str, str]:
    """The docstrings written under assignments and fields (``X = ...`` then ``\"\"\"...\"\"\"``),
    which Python does not keep at run time: by name, and by ``Class.field`` for fields."""
    docs: dict[str, str] = {}

    def scan(body: list[ast.stmt], prefix: str) -> None:
        for statement, following in zip(body, [*body[1:], None], strict=True):
            if isinstance(statement, ast.ClassDef):
                scan(statement.body, f"{statement.name}.")
            target = None
            if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
                target = statement.targets[0].id
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                target = statement.target.id
            if (
                target
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[prefix + target] = " ".join(following.value.value.split())

    scan(tree.body, "")
    return docs


def markdown_text(text: str) -> str:
    """A docstring's reStructuredText literals (double backticks) as Markdown code."""
    return text.replace("``", "`")


def cell(text: str) -> str:
    """Text for a Markdown table cell: its literals as Markdown code, its pipes escaped, and
    angle brackets outside code shown as text (``movie/<id>/``), not taken for HTML."""
    parts = markdown_text(text).replace("|", "\\|").split("`")
    for i in range(0, len(parts), 2):  # the parts outside code spans
        parts[i] = parts[i].replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts)


def lowered(text: str) -> str:
    """A docstring sentence to follow a name: its first letter lower case."""
    return markdown_text(text[:1].lower() + text[1:])


def schema_reference() -> str:
    """Every table the build may write, its columns and how they are stored."""
    from staticrec.scoring import schema

    source = Path(schema.__file__).read_text(encoding="utf-8")
    docs = attribute_docs(ast.parse(source))
    by_table = {
        value.name: name
        for name, value in vars(schema).items()
        if isinstance(value, schema.Table) and name.isupper()
    }
    out = [
        f"Schema version **{schema.SCHEMA_VERSION}**: {markdown_text(docs['SCHEMA_VERSION'])}",
        "",
        "| column property | meaning |",
        "| --- | --- |",
        f"| type | {cell(docs['Dtype'])} |",
    ]
    for field in ("nullable", "scoring", "dictionary", "delta"):
        out.append(f"| {field} | {cell(docs[f'Column.{field}'])} |")
    out += [
        "",
        f"`{schema.FACTOR_COLUMNS}` {lowered(docs['FACTOR_COLUMNS'])}",
    ]
    for table in schema.TABLES.values():
        where = (
            f"`{table.shard_file(0).replace('/0.', '/<n>.')}`, sharded by `{table.shard_key}` "
            f"({table.shard_order} order)"
            if table.shard_key
            else f"`{table.file}`"
        )
        out += [
            "",
            f"### {table.name}",
            "",
            markdown_text(docs.get(by_table[table.name], "")),
            "",
            f"- file: {where}",
            f"- rows sorted by: {', '.join(f'`{k}`' for k in table.sort_key) or 'nothing'}",
            f"- the browser reads it: {'yes' if table.browser else 'no'}",
        ]
        if not table.columns:
            continue
        out += [
            "",
            "| column | type | nullable | scoring | encoding |",
            "| --- | --- | --- | --- | --- |",
        ]
        for c in table.columns:
            encoding = "delta" if c.delta else "dictionary" if c.dictionary else "plain"
            out.append(
                f"| `{c.name}` | {c.dtype} | {'yes' if c.nullable else ''} | "
                f"{'yes' if c.scoring else ''} | {encoding} |"
            )
    example = schema.describe(
        ["items", "user_ratings"],
        n_factors=2,
        shards={"user_ratings": [{"file": "user_ratings/0.parquet", "first": 1, "last": 300}]},
    )
    out += [
        "",
        "## In the manifest",
        "",
        f"`{schema.MANIFEST}` is {lowered(docs['MANIFEST'])} Its `tables` entry comes from "
        "`describe()`; for the items table and one shard of user ratings it reads:",
        "",
        "```json",
        json.dumps(example, indent=2),
        "```",
        "",
        "| constant | value | meaning |",
        "| --- | ---: | --- |",
    ]
    for name in ("MOVIE_SHARD_ROWS", "USER_SHARD_ROWS"):
        value = getattr(schema, name)
        out.append(f"| `{name}` | {value:,} | {cell(docs[name])} |")
    return "\n".join(out)


# --- the layout --------------------------------------------------------------------------------


def summary(text: str) -> str:
    """The first sentence of a docstring's first paragraph, on one line, for a table cell."""
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z`])", paragraph)[0]
    return cell(sentence)


def js_summary(path: Path) -> str | None:
    """A script's leading comment (``//`` lines or a ``/** */`` block), summarised; a list item
    (``- ...``) ends its first paragraph."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("//"):
            lines.append(stripped[2:].strip())
        elif stripped.startswith(("/**", "*")) and not lines:
            lines.append(stripped.strip("/*").strip())
            if stripped.endswith("*/"):
                break
        else:
            break
    text = "\n".join("" if line.startswith("- ") else line for line in lines).strip()
    return summary(text) if text else None


def module_map() -> str:
    """Each package of ``src/staticrec`` with its modules, and each script of ``web/static``,
    with the first sentence of its docstring or leading comment."""
    packages: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((SRC / "staticrec").rglob("*.py")):
        relative = path.relative_to(SRC)
        package = ".".join(relative.parent.parts)
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if doc is None:
            log.warning("module map: src/%s has no docstring", relative.as_posix())
        packages.setdefault(package, []).append((path.stem, summary(doc or "")))
    out = []
    for package, modules in sorted(packages.items()):
        about = dict(modules).get("__init__", "")
        out += [
            "",
            f"### `{package}`",
            "",
            about,
            "",
            "| module | what it holds |",
            "| --- | --- |",
        ]
        out += [f"| `{name}` | {text} |" for name, text in modules if name != "__init__"]
    out += ["", "### `web/static`", "", "| script | what it does |", "| --- | --- |"]
    for path in sorted(STATIC.glob("*.js")):
        text = js_summary(path)
        if text is None:
            log.warning("module map: web/static/%s has no leading comment", path.name)
        out.append(f"| `{path.name}` | {text or ''} |")
    return "\n".join(out).strip()


def pipeline_stages() -> str:
    """The build's stages as ``staticrec.pipeline``'s docstring numbers them."""
    import staticrec.pipeline

    doc = (staticrec.pipeline.__doc__ or "").strip()
    _, _, rest = doc.partition("\n\n")  # the summary line is the page's own
    if not rest:
        raise PluginError("staticrec.pipeline's docstring lists no stages")
    return markdown_text(rest)


GENERATORS: dict[str, Callable[[], str]] = {
    "cli": cli_reference,
    "schema": schema_reference,
    "stages": pipeline_stages,
    "modules": module_map,
}


# --- checks ------------------------------------------------------------------------------------


def check_references(markdown: str, where: str) -> None:
    """Warn (a failure in strict mode) about repository paths and ``staticrec`` names that do not
    exist. Paths with placeholders (``<n>``, ``*``) are left alone."""
    for match in CODE_SPAN.finditer(markdown):
        text = match.group(1).strip()
        first = text.split()[0] if text.split() else ""
        placeholder = re.search(r"[<>*{}]", first)
        if REPO_PATH.match(first) and not placeholder and not (ROOT / first).exists():
            log.warning("%s: names %s, which is not in the repository", where, first)
        dotted = DOTTED.match(first)
        if dotted and not FILE_NAME.search(first) and not _resolves(dotted.group(0)):
            log.warning("%s: names %s, which does not import", where, dotted.group(0))


def _resolves(name: str) -> bool:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                target = getattr(target, attribute)
        except AttributeError:
            return False
        return True
    return False


# --- MkDocs events -----------------------------------------------------------------------------


def on_page_markdown(markdown: str, page, config, files) -> str:
    def generate(match: re.Match) -> str:
        name = match.group(1)
        if name not in GENERATORS:
            raise PluginError(f"{page.file.src_uri}: no generator named {name!r}")
        text = GENERATORS[name]()
        if not text.strip():
            raise PluginError(f"{page.file.src_uri}: the {name!r} generator gave nothing")
        return text

    check_references(markdown, page.file.src_uri)
    return MARKER.sub(generate, markdown)
