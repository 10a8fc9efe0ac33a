"""The documentation site: built in strict mode without a warning and without the network, its
generated pages complete, and the README's paths true."""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
QUIET = {"NO_MKDOCS_2_WARNING": "1"}  # Material's end-of-life notice, printed on every build


def mkdocs_build(config: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **QUIET},
    )


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    """The docs, built as CI builds them, into a temporary folder."""
    out = tmp_path_factory.mktemp("docs") / "site"
    result = mkdocs_build(REPO / "mkdocs.yml", out)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "WARNING" not in log and "ERROR" not in log, log
    return out


@pytest.fixture(scope="module")
def hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", REPO / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page(docs: Path, name: str) -> str:
    return (docs / name / "index.html").read_text(encoding="utf-8")


def test_the_docs_build_in_strict_mode_without_a_warning(docs):
    assert (docs / "index.html").is_file()
    assert (docs / "images" / "for-you.png").is_file()
    assert not (docs / "hooks.py").exists()  # the hooks are code, not a page's file


def test_the_cli_reference_holds_every_command_and_option(docs):
    from staticrec.cli import make_parser

    text = page(docs, "reference/cli")
    assert "<!-- generated" not in text
    sub = next(a for a in make_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert len(sub.choices) >= 6
    for name, command in sub.choices.items():
        assert f"staticrec {name}" in text
        for action in command._actions:
            for option in action.option_strings:
                assert option in text, f"{name} {option}"


def test_the_schema_reference_holds_every_table_and_column(docs):
    from staticrec.scoring import schema

    text = page(docs, "reference/artifacts")
    assert f"Schema version <strong>{schema.SCHEMA_VERSION}</strong>" in text
    for table in schema.TABLES.values():
        assert f'id="{table.name}"' in text
        for column in table.columns:
            assert f"<code>{column.name}</code>" in text, f"{table.name}.{column.name}"


def test_the_architecture_maps_every_module_and_script(docs):
    text = page(docs, "architecture")
    for path in (REPO / "src" / "staticrec").rglob("*.py"):
        package = ".".join(path.relative_to(REPO / "src").parent.parts)
        assert f"<code>{package}</code>" in text, package
        if path.stem != "__init__":
            assert f"<code>{path.stem}</code>" in text, path
    for path in (REPO / "web" / "static").glob("*.js"):
        assert f"<code>{path.name}</code>" in text, path.name
    # the stages, as staticrec.pipeline's docstring numbers them
    assert "content index" in text and "<ol>" in text


def test_the_docs_fetch_nothing_from_another_host(docs):
    """No web fonts, scripts or stylesheets from elsewhere: the docs read offline, and the
    build itself needs no network (this test runs without one)."""
    outside = re.compile(r"""<(?:script|link)\b[^>]*(?:src|href)=["']?(?:https?:)?//""")
    for html in docs.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not outside.search(text), html.relative_to(docs)
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text


def test_strict_mode_fails_on_a_broken_link(tmp_path):
    settings = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nSee [the guide](guides/missing.md).\n")
    config = {
        "site_name": "t",
        "strict": settings["strict"],
        "validation": settings["validation"],
    }
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    result = mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "out")
    assert result.returncode != 0
    assert "guides/missing.md" in result.stderr


def test_a_path_or_module_the_docs_name_must_exist(hooks, caplog):
    with caplog.at_level(logging.WARNING):
        hooks.check_references(
            "`src/staticrec/scoring/schema.py`, `tests/test_docs.py`, `staticrec.toml`, "
            "`staticrec.scoring.api.answer_json`, `user_ratings/<n>.parquet`",
            "fine.md",
        )
    assert caplog.messages == []
    with caplog.at_level(logging.WARNING):
        hooks.check_references("`tests/test_gone.py` and `staticrec.scoring.gone`", "old.md")
    assert len(caplog.messages) == 2
    assert "tests/test_gone.py" in caplog.messages[0]
    assert "staticrec.scoring.gone" in caplog.messages[1]


def test_the_readme_is_short_and_names_only_what_exists(hooks, caplog):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert "bash scripts/setup.sh && .venv/bin/python scripts/build.py\n" in readme
    assert "--data-dir ../shared/data/ml-latest-small" in readme
    assert "STATICREC_TEST_DATA" in readme
    with caplog.at_level(logging.WARNING):
        hooks.check_references(readme, "README.md")
    assert caplog.messages == []
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (REPO / link).is_file(), link
