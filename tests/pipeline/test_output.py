"""Safe output folders: ownership, serialised builds, and a kill at any step of the commit."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from staticrec.errors import ConfigError
from staticrec.pipeline.output import JOURNAL, MARKER, StagedOutputs

SRC = Path(__file__).resolve().parents[2] / "src"

# A child build of two folders, each holding one file that says which build wrote it. With
# KILL_AT = n it kills itself (SIGKILL: no clean-up runs) just before the n-th rename, and with
# n = 0 just before commit; with HOLD it sleeps inside the lock before committing.
CHILD = textwrap.dedent(
    """
    import os, pathlib, signal, sys, time
    sys.path.insert(0, sys.argv[1])
    from staticrec.pipeline.output import StagedOutputs

    root, label = pathlib.Path(sys.argv[2]), sys.argv[3]
    kill_at, hold = int(sys.argv[4]), float(sys.argv[5])
    renames = 0
    rename = pathlib.Path.rename
    def counting(self, target):
        global renames
        renames += 1
        if renames == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return rename(self, target)
    pathlib.Path.rename = counting

    targets = [root / "artifacts", root / "site"]
    with StagedOutputs(targets) as staged:
        for target in targets:
            (staged.path(target) / "built-by").write_text(label)
        time.sleep(hold)
        if kill_at == 0:
            os.kill(os.getpid(), signal.SIGKILL)
        staged.commit()
    print("committed", label)
    """
)


def child(root: Path, label: str, kill_at: int = -1, hold: float = 0.0):
    command = [sys.executable, "-c", CHILD, str(SRC), str(root), label, str(kill_at), str(hold)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def state(root: Path) -> tuple[str | None, str | None]:
    def label(name):
        path = root / name / "built-by"
        return path.read_text() if path.is_file() else None

    return label("artifacts"), label("site")


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("kill_at", [0, 1, 2, 3, 4])
def test_a_kill_at_any_commit_step_leaves_one_whole_set(tmp_path, kill_at):
    """Renames 1-4 swap artifacts then site; 0 is a kill just before the commit starts."""
    assert child(tmp_path, "old").wait() == 0
    killed = child(tmp_path, "new", kill_at=kill_at)
    assert killed.wait() == -9
    # the next build recovers first: it sees the old set or the new set, never a mix
    assert child(tmp_path, "next", hold=0).wait() == 0
    assert state(tmp_path) == ("next", "next")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kill_at", [0, 1, 2, 3, 4])
def test_recovery_alone_restores_the_killed_builds_set(tmp_path, kill_at):
    assert child(tmp_path, "old").wait() == 0
    assert child(tmp_path, "new", kill_at=kill_at).wait() == -9
    with StagedOutputs([tmp_path / "artifacts", tmp_path / "site"]):
        pass  # entering recovers and cleans; leaving without a commit changes nothing
    expected = ("old", "old") if kill_at == 0 else ("new", "new")
    assert state(tmp_path) == expected
    assert leftovers(tmp_path) == []


def test_two_builds_into_the_same_folders_run_one_after_the_other(tmp_path):
    first = child(tmp_path, "first", hold=1.5)
    time.sleep(0.5)
    second = child(tmp_path, "second")
    _, err_first = first.communicate(timeout=60)
    _, err_second = second.communicate(timeout=60)
    assert first.returncode == 0 and second.returncode == 0, err_first + err_second
    assert "waiting for another staticrec build" in err_second
    assert state(tmp_path) == ("second", "second")
    assert leftovers(tmp_path) == []


def test_a_folder_of_the_users_own_files_is_refused_and_untouched(tmp_path):
    mine = tmp_path / "mydocs"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    with (
        pytest.raises(ConfigError, match="holds files staticrec did not write"),
        StagedOutputs([mine]),
    ):
        pass
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]
    assert leftovers(tmp_path) == []


def test_a_file_is_refused_as_an_output_folder(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    with pytest.raises(ConfigError, match="exists and is not a folder"):
        StagedOutputs([notes]).__enter__()
    assert notes.read_text() == "keep me"


def test_empty_folders_marked_outputs_and_earlier_builds_are_replaced(tmp_path):
    empty, marked, earlier = tmp_path / "empty", tmp_path / "marked", tmp_path / "earlier"
    empty.mkdir()
    marked.mkdir()
    (marked / MARKER).write_text("")
    (marked / "old.txt").write_text("")
    earlier.mkdir()
    (earlier / "manifest.json").write_text(json.dumps({"generator": "staticrec 0.1.0"}))
    with StagedOutputs([empty, marked, earlier]) as staged:
        for target in (empty, marked, earlier):
            (staged.path(target) / "new.txt").write_text("")
        staged.commit()
    for target in (empty, marked, earlier):
        assert sorted(p.name for p in target.iterdir()) == [MARKER, "new.txt"]
    assert not (tmp_path / JOURNAL).exists()
