"""Safe output folders: ownership, serialised builds, and a kill at any step of the commit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from staticrec.errors import ConfigError
from staticrec.pipeline import journal
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


# --- one folder spelled two ways, leftovers that are not ours, a kill at every step ---

# A child that commits ``targets`` (as spelled, from ``cwd``) and prints "committed": run with a
# timeout, since the failure it looks for is a build waiting forever on its own lock.
SPELLED = textwrap.dedent(
    """
    import os, pathlib, sys
    sys.path.insert(0, sys.argv[1])
    os.chdir(sys.argv[2])
    from staticrec.pipeline.output import StagedOutputs

    targets = [pathlib.Path(arg) for arg in sys.argv[3:]]
    with StagedOutputs(targets) as staged:
        for target in targets:
            (staged.path(target) / "built-by").write_text(str(target))
        staged.commit()
    print("committed")
    """
)


def spelled(cwd: Path, *targets: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", SPELLED, str(SRC), str(cwd), *targets]
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


def test_a_parent_written_with_dotdot_is_locked_once(tmp_path):
    proj = tmp_path / "proj"
    proj.mkdir()
    done = spelled(proj, "../proj/art", "site")
    assert done.returncode == 0, done.stderr
    assert (proj / "art" / "built-by").read_text() == "../proj/art"
    assert (proj / "site" / "built-by").read_text() == "site"
    assert leftovers(proj) == []


def test_a_parent_reached_through_a_symlink_is_locked_once(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    done = spelled(tmp_path, "real/art", "link/site")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["art", "site"]
    assert (tmp_path / "link").is_symlink()  # the link is left a link


def test_a_folder_that_only_looks_like_a_leftover_is_left_alone(tmp_path, caplog):
    """Only what a build recorded as its own is removed: not a user's backup named like one,
    even a copy of an old site (which carries the .staticrec marker)."""
    keep = tmp_path / "keep"
    mine = {
        ".site.old-backup": {"notes.txt": "mine"},
        ".site.tmp-draft": {"draft.txt": "mine too"},
        ".site.old-copy": {MARKER: "a copy of an old site", "index.html": "<p>old</p>"},
    }
    for name, files in mine.items():
        (keep / name).mkdir(parents=True)
        for file, text in files.items():
            (keep / name / file).write_text(text)
    caplog.set_level("INFO", logger="staticrec")
    with StagedOutputs([keep / "site"]) as staged:
        staged.commit()
    with StagedOutputs([keep / "site"]) as staged:
        staged.commit()
    for name, files in mine.items():
        assert {p.name: p.read_text() for p in (keep / name).iterdir()} == files
    assert sorted(p.name for p in keep.iterdir()) == [*sorted(mine), "site"]
    assert "interrupted" not in caplog.text and "removing" not in caplog.text


# A child that stages "artifacts" and "site" (each holding "built-by": its label), then logs and
# counts every call that changes a folder (rename, replace, unlink, rmdir) once commit begins:
# just before the STOP-th it sends itself SIGNAL (SIGKILL: nothing more runs; SIGINT: Ctrl-C).
# STOP = 0 sends it just before commit; a STOP past the last step lets it finish.
STEPS = textwrap.dedent(
    """
    import json, os, pathlib, signal, sys
    sys.path.insert(0, sys.argv[1])
    from staticrec.pipeline.output import RECORD, StagedOutputs

    artifacts, site = pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    label, stop, how = sys.argv[4], int(sys.argv[5]), getattr(signal, sys.argv[6])
    counting, steps = False, 0

    def counted(name, original):
        def step(*args, **kwargs):
            global steps
            if counting:
                steps += 1
                print(json.dumps([name, *(str(a) for a in args[:2])]), flush=True)
                if steps == stop:
                    os.kill(os.getpid(), how)
            return original(*args, **kwargs)
        return step

    for name in ("rename", "replace", "unlink", "rmdir"):
        setattr(os, name, counted(name, getattr(os, name)))
    try:
        with StagedOutputs([artifacts, site]) as staged:
            for target in (artifacts, site):
                (staged.path(target) / "built-by").write_text(label)
            if stop == 0:
                os.kill(os.getpid(), how)
            counting = True
            staged.commit()
            counting = False
    except KeyboardInterrupt:
        sys.exit("interrupted: " + RECORD.after_interrupt())
    """
)


def stepped(artifacts: Path, site: Path, label: str, stop: int = -1, how: str = "SIGKILL"):
    command = [sys.executable, "-c", STEPS, str(SRC), str(artifacts), str(site), label]
    return subprocess.run([*command, str(stop), how], capture_output=True, text=True, timeout=60)


def labels(*folders: Path) -> tuple[str | None, ...]:
    return tuple(
        (f / "built-by").read_text() if (f / "built-by").is_file() else None for f in folders
    )


def hidden(*folders: Path) -> list[str]:
    return sorted(p.name for f in folders for p in f.iterdir() if p.name.startswith("."))


LAYOUTS = {"one parent": ("artifacts", "site"), "two parents": ("a/artifacts", "b/site")}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_kill_at_every_step_of_the_commit_shows_what_the_docstring_says(tmp_path, layout):
    """Killed before its n-th step, for every n: each folder is old, new or (between its two
    renames) absent, switched in order; any later writer of either folder finishes the set
    when the commit point (the journal's commit record) was passed, and discards it if not."""
    ran_to_the_end = False
    for stop in range(1, 100):
        root = tmp_path / str(stop)
        artifacts, site = (root / name for name in LAYOUTS[layout])
        assert stepped(artifacts, site, "old").returncode == 0
        killed = stepped(artifacts, site, "new", stop=stop)
        if killed.returncode == 0:
            ran_to_the_end = True
            break
        assert killed.returncode == -9, killed.stderr
        done = [json.loads(line) for line in killed.stdout.splitlines()][:-1]
        renames = sum(name == "rename" for name, *_ in done)
        seen = [("old", "old"), (None, "old"), ("new", "old"), ("new", None), ("new", "new")]
        assert labels(artifacts, site) == seen[renames], (stop, done)
        committed = any(name == "replace" and Path(a[1]).name == JOURNAL for name, *a in done)
        assert committed or renames == 0
        # a later writer of the site alone finishes (or discards) the whole set
        with StagedOutputs([site]):
            pass
        expected = ("new", "new") if committed else ("old", "old")
        assert labels(artifacts, site) == expected, (stop, done)
        assert hidden(artifacts.parent, site.parent) == [], (stop, done)
    assert ran_to_the_end


def test_ctrl_c_at_every_step_of_the_commit_never_stops_the_switch_half_way(tmp_path):
    """Ctrl-C before the commit leaves the old set; from the commit's first step on, the switch
    is finished first: the new set is in place when the build stops, and it says so; the next
    writer removes what is left over."""
    for stop in range(0, 100):
        artifacts, site = (tmp_path / str(stop) / name for name in LAYOUTS["two parents"])
        assert stepped(artifacts, site, "old").returncode == 0
        interrupted = stepped(artifacts, site, "new", stop=stop, how="SIGINT")
        if interrupted.returncode == 0:
            break
        assert interrupted.returncode == 1, interrupted.stderr
        if stop == 0:
            assert interrupted.stderr == "interrupted: earlier output left as it was\n"
            assert labels(artifacts, site) == ("old", "old")
            assert hidden(artifacts.parent, site.parent) == []
        else:
            assert interrupted.stderr.startswith(
                f"interrupted: the new output is in place ({artifacts}, {site}); anything "
                "left over is removed by the next staticrec command that writes there"
            )
            assert labels(artifacts, site) == ("new", "new"), stop
        with StagedOutputs([artifacts]):
            pass
        assert labels(artifacts, site) == (("old",) if stop == 0 else ("new",)) * 2
        # at most the site's copy of a journal whose work is done (the artifacts' copy was
        # erased first): the next writer of the site erases it
        assert set(hidden(artifacts.parent, site.parent)) <= {JOURNAL}
        with StagedOutputs([site]):
            pass
        assert hidden(artifacts.parent, site.parent) == []
    assert stop > 10  # every step of the commit was tried, and then one past the last


def test_a_journal_of_the_earlier_format_is_finished(tmp_path):
    """An earlier staticrec wrote its journal at commit only, beside the first target, naming each
    path: a build it left killed after its first rename is finished the same way."""
    assert child(tmp_path, "old").wait() == 0
    staged = {name: tmp_path / f".{name}.tmp-k1ll3d_x" for name in ("artifacts", "site")}
    for folder in staged.values():
        folder.mkdir()
        (folder / MARKER).write_text("")
        (folder / "built-by").write_text("new")
    (tmp_path / "artifacts").rename(tmp_path / ".artifacts.old-k1ll3d_x")
    moves = [
        {"staged": str(staged[name]), "target": str(tmp_path / name)}
        | {"old": str(tmp_path / f".{name}.old-k1ll3d_x")}
        for name in ("artifacts", "site")
    ]
    (tmp_path / JOURNAL).write_text(json.dumps({"moves": moves}))
    with StagedOutputs([tmp_path / "site"]):
        pass
    assert state(tmp_path) == ("new", "new")
    assert leftovers(tmp_path) == []


def test_a_journal_that_names_other_folders_is_refused_and_nothing_removed(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    moves = [{"staged": str(mine), "target": str(tmp_path / "site"), "old": str(mine)}]
    (tmp_path / JOURNAL).write_text(json.dumps({"moves": moves}))
    with (
        pytest.raises(ConfigError, match="an interrupted build's journal cannot be read"),
        StagedOutputs([tmp_path / "site"]),
    ):
        pass
    assert (mine / "thesis.tex").read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == [JOURNAL, "mine"]


def build_into(folders: list[Path], label: str, files: int = 1) -> None:
    with StagedOutputs(folders) as staged:
        for folder in folders:
            for number in range(files):
                (staged.path(folder) / f"{label}-{number}.txt").write_text(label)
        staged.commit()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="old output is removed here without fork")
def test_a_large_old_output_is_removed_in_the_background_holding_the_lock(tmp_path, monkeypatch):
    monkeypatch.setattr(journal, "BACKGROUND_REMOVAL_ENTRIES", 20)
    folders = [tmp_path / "artifacts", tmp_path / "site"]
    build_into(folders, "old", files=30)
    real_remove = journal.remove

    def slow_remove(path):  # the remover's deletion of an old folder takes a while
        if ".old-" in path.name:
            time.sleep(1.0)
        real_remove(path)

    monkeypatch.setattr(journal, "remove", slow_remove)
    start = time.perf_counter()
    build_into(folders, "new", files=30)
    assert time.perf_counter() - start < 1.0  # the command did not wait for the deletion
    assert leftovers(tmp_path)  # the old folders and the journal, still being removed
    monkeypatch.setattr(journal, "remove", real_remove)
    monkeypatch.setattr(journal, "BACKGROUND_REMOVAL_ENTRIES", 1000)  # "new" is removed here
    start = time.perf_counter()
    build_into(folders, "next")  # waits for the remover's lock, then finds nothing to finish
    assert time.perf_counter() - start > 1.0
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in folders[1].iterdir()) == [MARKER, "next-0.txt"]


def test_a_small_old_output_is_removed_before_the_command_ends(tmp_path):
    folders = [tmp_path / "artifacts", tmp_path / "site"]
    build_into(folders, "old", files=3)
    build_into(folders, "new", files=3)
    assert leftovers(tmp_path) == []
