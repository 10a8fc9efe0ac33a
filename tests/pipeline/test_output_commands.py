"""Safe output seen from the command line: what Ctrl-C says, and outputs that would delete the
folder the user stands in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from datasets import write_dataset
from staticrec.cli import main
from staticrec.pipeline import synthetic

SRC = Path(__file__).resolve().parents[2] / "src"
GENERATE = ["generate", "--users", "100", "--movies", "300", "--ratings", "5000"]


def generate(folder: Path, seed: int) -> int:
    return main([GENERATE[0], str(folder), *GENERATE[1:], "--seed", str(seed)])


def ctrl_c(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_before_the_commit_says_the_earlier_output_is_kept(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "data"
    assert generate(folder, seed=1) == 0
    before = (folder / "ratings.csv").read_bytes()
    monkeypatch.setattr(synthetic, "write_movielens", ctrl_c)
    assert generate(folder, seed=2) == 130
    assert capsys.readouterr().err.endswith("interrupted: earlier output left as it was\n")
    assert (folder / "ratings.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


@pytest.mark.parametrize("where", ["cleanup", "after"])
def test_ctrl_c_after_the_commit_says_the_new_output_is_in_place(
    tmp_path, monkeypatch, capsys, where
):
    """During the removal of the old folder, or after the commit returned: the message says the
    new output is there, and the next run removes what the interrupted clean-up left."""
    folder = tmp_path / "data"
    assert generate(folder, seed=1) == 0
    before = (folder / "ratings.csv").read_bytes()
    with monkeypatch.context() as patch:
        if where == "cleanup":
            patch.setattr(shutil, "rmtree", ctrl_c)
        else:
            patch.setattr(synthetic, "describe", ctrl_c)
        assert generate(folder, seed=2) == 130
    err = capsys.readouterr().err
    assert "earlier output left as it was" not in err
    assert err.endswith(
        f"interrupted: the new output is in place ({folder}); anything left over is removed "
        "by the next staticrec command that writes there\n"
    )
    assert (folder / "ratings.csv").read_bytes() != before
    if where == "cleanup":
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".data.old-")]
    assert generate(folder, seed=3) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_generate_refuses_the_current_folder_and_its_parents(tmp_path, monkeypatch, capsys):
    here = tmp_path / "proj" / "here"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    for folder, shown in ((".", "."), ("..", ".."), (str(tmp_path), str(tmp_path))):
        assert main([GENERATE[0], folder, *GENERATE[1:]]) == 1
        assert capsys.readouterr().err == (
            f"error: FOLDER: {shown} is the current folder (or holds it); choose a folder "
            "below it, such as ./data\n"
        )
    assert Path.cwd() == here and here.is_dir() and list(here.iterdir()) == []


def staticrec(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The command in a child process, with a timeout: some of these used to hang."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [sys.executable, "-m", "staticrec", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("options", "option", "shown", "example"),
    [
        (["--site-dir", "."], "--site-dir", ".", "./site"),
        (["--site-dir", ".", "--artifacts-dir", "../x"], "--site-dir", ".", "./site"),
        (["--artifacts-dir", ".."], "--artifacts-dir", "..", "./artifacts"),
        (["--evaluate", "--report-dir", "."], "--report-dir", ".", "./report"),
    ],
)
def test_build_refuses_the_current_folder_before_any_work(
    tmp_path, options, option, shown, example
):
    data = write_dataset(tmp_path / "data")
    here = tmp_path / "proj"
    here.mkdir()
    args = ["build", "--quiet", "--pyodide", "cdn", "--data-dir", str(data)]
    args += ["--artifacts-dir", str(tmp_path / "artifacts")]
    args += ["--pyodide-cache", str(tmp_path / "cache")]  # not in the folder: only . is at fault
    done = staticrec(here, *args, *options)
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        f"error: {option}: {shown} is the current folder (or holds it); choose a folder below "
        f"it, such as {example}\n"
    )
    assert here.is_dir() and sorted(p.name for p in tmp_path.iterdir()) == ["data", "proj"]


def test_evaluate_refuses_the_current_folder_before_any_work(tmp_path):
    data = write_dataset(tmp_path / "data")
    done = staticrec(tmp_path, "evaluate", "--quiet", "--data-dir", str(data), "--report-dir", ".")
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        "error: --report-dir: . is the current folder (or holds it); choose a folder below it, "
        "such as ./report\n"
    )
