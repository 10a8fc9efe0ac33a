"""Packaging and publishing: the project's metadata and the GitHub Pages workflow."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = (REPO / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")

CURRENT_MAJORS = {
    "actions/checkout": 7,
    "actions/setup-python": 7,
    "actions/setup-node": 7,
    "actions/cache": 5,
    "actions/configure-pages": 5,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}
"""The majors current when the workflow was last reviewed (each action's newest tag)."""


def test_the_build_backend_supports_the_licence_field():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    bound = re.search(r"setuptools>=(\d+)", " ".join(project["build-system"]["requires"]))
    assert bound and int(bound.group(1)) >= 77  # SPDX licence strings need setuptools 77
    assert any(
        c.startswith("Programming Language :: Python :: 3.11")
        for c in project["project"]["classifiers"]
    )
    urls = project["project"]["urls"]
    assert urls and all(url.startswith("https://") for url in urls.values())
    # the extras the README names: the evaluation's peers, Spark, the development tools
    assert set(project["project"]["optional-dependencies"]) == {"peers", "spark", "dev"}


def test_the_pages_workflow_uses_every_action_at_its_current_major():
    used = dict(re.findall(r"uses: (actions/[\w-]+)@v(\d+)", WORKFLOW))
    assert set(used) == set(CURRENT_MAJORS)
    for action, major in CURRENT_MAJORS.items():
        assert int(used[action]) >= major, action


def test_the_pages_workflow_never_cuts_a_deployment_off_and_has_time_limits():
    assert "cancel-in-progress: false" in WORKFLOW
    jobs = WORKFLOW.split("\njobs:\n", 1)[1]
    assert jobs.count("runs-on:") == jobs.count("timeout-minutes:") == 2
    assert "pages: write" in WORKFLOW and "id-token: write" in WORKFLOW


def test_the_pages_workflow_caches_tests_before_deploying_and_evaluates_on_demand():
    assert "cache: pip" in WORKFLOW and "cache: npm" in WORKFLOW
    assert "build/cache" in WORKFLOW  # the dataset download
    tests, upload = WORKFLOW.index("pytest"), WORKFLOW.index("uses: actions/upload-pages-artifact")
    assert tests < upload  # nothing is published before the tests pass
    assert "--base-url" in WORKFLOW and "steps.pages.outputs.base_url" in WORKFLOW
    evaluate = next(line for line in WORKFLOW.splitlines() if "--evaluate" in line)
    assert "schedule" in evaluate and "inputs.evaluate" in evaluate


def test_the_pages_workflow_publishes_the_strict_docs_beside_the_site():
    docs = WORKFLOW.index("mkdocs build --strict")
    assert WORKFLOW.index('-e ".[dev]"') < docs  # MkDocs comes with the dev extra
    assert WORKFLOW.index("pytest") < docs < WORKFLOW.index("uses: actions/upload-pages-artifact")
    line = next(line for line in WORKFLOW.splitlines() if "mkdocs build" in line)
    assert "--site-dir site/docs" in line  # under docs/ of the published folder
    assert "path: site\n" in WORKFLOW


def test_the_pages_workflow_caches_by_files_that_exist():
    for args in re.findall(r"hashFiles\(([^)]*)\)", WORKFLOW):
        for path in re.findall(r"'([^']+)'", args):
            assert (REPO / path).is_file(), path


@pytest.mark.slow  # builds a wheel and a site in a fresh virtualenv
def test_the_wheel_builds_a_site_outside_the_checkout(ml_small_dir):
    """The README's promise: `pip install` of the wheel is all a user needs (no web/, no npm).
    scripts/check_wheel.sh builds the wheel, installs it in a fresh virtualenv and builds a site
    from another folder."""
    result = subprocess.run(
        ["bash", str(REPO / "scripts" / "check_wheel.sh"), str(ml_small_dir)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "the installed wheel built a site outside the checkout" in result.stdout
