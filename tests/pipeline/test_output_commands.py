"""Safe output seen from the command line: what Ctrl-C says."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from staticrec.cli import main
from staticrec.pipeline import synthetic

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
