"""Safe output: build into staging folders beside the targets, then switch them in as one set.

What a build, an evaluation or ``staticrec generate`` promises about the folders it writes
(its targets), in the order it keeps them:

1. Serialised: it holds an exclusive lock (``flock``) on each real folder that holds a target
   (symlinks and ``..`` resolved, so one folder written two ways is locked once), taken in one
   order, so two commands writing into the same place run one after the other, never in a
   circle.
2. Owned: a target is replaced only when it is absent, empty, or a staticrec output (it holds
   the ``.staticrec`` marker, or is recognisably an earlier build); the current folder and the
   folders that hold it are refused, as are targets that overlap each other or an input.
3. Only its own leftovers: every staging folder, and the name each old target is moved to, is
   recorded in a journal (``journal``) in every folder holding a target before the folder is
   made. A folder is removed only when a journal names it: ``.site.old-backup`` of your own is
   never touched, whatever its name looks like.
4. Nothing changes before the commit point: an error or Ctrl-C before it removes the staging
   folders and leaves every target as it was; a kill leaves the staging folders to the next
   command that writes there, which removes them.
5. The commit point is the journal's commit record (written with fsync before any target is
   touched): from there the new set is the one every later command finishes. Then each target is
   switched in turn, in the order given, by two renames (the old folder away, the new one in).
   So, for a reader during those renames or after a kill between them:

   - each target is at every instant the whole old folder or the whole new one, except between
     its own two renames, when it is absent; no folder ever holds files of both builds;
   - between the first rename and the last, the earlier targets are new and the later ones old:
     the artifacts can be new while the site is still old;
   - a killed commit stays so (one target absent, or a mix) until the next staticrec command
     that writes into any folder holding one of its targets: before anything else, that one
     finishes the switch of the whole set and removes the old folders. Reading commands
     (``serve``, ``recommend``) do not. A kill while the journal's copies are erased may leave
     the last copy, its work done, until a command writes into that folder;
   - Ctrl-C from the commit point on waits until every target is switched, then stops the
     command with the new set in place; the command line says which side of the commit point
     Ctrl-C came (``RECORD``), and the journal lets the next command remove what is left over.

   These are promises about a killed process; after a power cut, what the disk kept of the
   renames is the file system's to say.

Why not old-or-new at every instant for the whole set: that needs the targets behind one pointer
switched by one rename (each target a symlink into a versioned folder, all of them under one
folder). A site that is a symlink is not the plain folder people and tools expect: ``git add
site`` (a gh-pages branch, a docs/ folder) records the link and not the pages, ``cp -r`` and
``rsync -a`` copy the link, moving the versioned folder breaks it; and ``--site-dir`` and
``--artifacts-dir`` may be far apart. Linux's ``renameat2(RENAME_EXCHANGE)`` would close the
instant a target is absent, though not the mix, and the standard library does not offer it. So
each target stays a plain folder, the switch is as short as it can be (two renames per target,
nothing copied), and what it leaves is stated above and tested at every step
(``tests/pipeline/test_output.py``).
"""

from __future__ import annotations

import json
import logging
import secrets
import signal
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from staticrec.errors import ConfigError, StaticrecError
from staticrec.pipeline.journal import (
    JOURNAL,
    Journal,
    Locks,
    Move,
    real_path,
    recover,
    remove,
    remove_in_background,
    roll_forward,
)

__all__ = ["JOURNAL", "MARKER", "RECORD", "StagedOutputs", "check_replaceable", "check_targets"]

log = logging.getLogger("staticrec")

MARKER = ".staticrec"
"""A file in every output folder staticrec writes: it may replace a folder that has one."""
MARKER_TEXT = "Written by staticrec: the next build replaces this whole folder.\n"
EXAMPLES = {"site_dir": "site", "artifacts_dir": "artifacts", "report_dir": "report"}
"""A folder name to suggest for each config field, when a target is refused."""

Targets = Mapping[str, Path] | Sequence[Path]
"""The target folders, each by the config field (``site_dir``) that names it in messages."""


class CommitRecord:
    """What this process's commits have done, for the message after Ctrl-C: the command line
    reads it, since a KeyboardInterrupt says nothing about where it struck."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.switched: list[Path] = []
        self.switching: list[Path] = []

    def after_interrupt(self) -> str:
        """The state of the output after Ctrl-C, in words."""
        if self.switching:  # only where Ctrl-C cannot be held off (a thread other than main)
            return (
                f"the switch to the new output ({_listed(self.switching)}) stopped half-way; "
                "the next staticrec command that writes there finishes it"
            )
        if self.switched:
            return (
                f"the new output is in place ({_listed(self.switched)}); anything left over "
                "is removed by the next staticrec command that writes there"
            )
        return "earlier output left as it was"


RECORD = CommitRecord()


class StagedOutputs:
    """Staging folders for a set of target folders, committed together.

    Usage::

        with StagedOutputs({"artifacts_dir": artifacts_dir, "site_dir": site_dir}) as staged:
            write_into(staged.path(artifacts_dir))
            ...
            staged.commit()
    """

    def __init__(self, targets: Targets, keep: Sequence[Path] = ()) -> None:
        """``keep``: folders (caches, inputs) that no target may hold or be inside."""
        check_targets(targets, keep)
        self._given = {real_path(t): Path(t) for _, t in _named(targets)}
        token = secrets.token_hex(6)
        self._journal = Journal([Move(target, token) for target in self._given])
        self._locks = Locks()
        self._state = "new"  # then "staging", "switching", "switched"

    def __enter__(self) -> StagedOutputs:
        try:
            for parent in self._journal.parents:
                parent.mkdir(parents=True, exist_ok=True)
            recover(set(self._journal.parents), self._locks)
            for target in self._given:
                check_replaceable(target)
            self._state = "staging"
            self._journal.write()  # before the folders exist: a kill leaves nothing unnamed
            for move in self._journal.moves:
                move.staged.mkdir()
                move.staged.chmod(0o755)  # a published site must be readable
                (move.staged / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        except BaseException:
            self._discard()
            raise
        return self

    def path(self, target: Path) -> Path:
        """The staging folder that becomes ``target`` on commit."""
        return {m.target: m.staged for m in self._journal.moves}[real_path(target)]

    def commit(self) -> None:
        """Switch every staged folder into place (see the module doc), then clean up."""
        given = list(self._given.values())
        with _ctrl_c_deferred():  # a switch stopped half-way would leave a mix until next time
            self._state = "switching"
            RECORD.switching = given
            try:
                self._journal.committed = True
                self._journal.write()  # the commit point
                roll_forward(self._journal.moves)
            except OSError as exc:  # a full disk, a folder made read-only meanwhile
                where = f"{exc.filename}: " if exc.filename else ""
                raise StaticrecError(
                    f"{where}{exc.strerror or exc}; the switch to the new output stopped: the "
                    "next staticrec command that writes there finishes or undoes it"
                ) from exc
            self._state = "switched"
            RECORD.switching, RECORD.switched = [], [*RECORD.switched, *given]
        # Ctrl-C from here leaves old folders the journal names: the next command removes them
        old = [move.old for move in self._journal.moves]
        if not remove_in_background(old, self._journal):
            for path in old:
                remove(path)
            self._journal.erase()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._discard()

    def _discard(self) -> None:
        """Remove the staging folders of a build that did not commit (a committed or half-
        switched one is left to its journal: removing a staged folder would lose the set)."""
        try:
            if self._state == "staging":
                for move in self._journal.moves:
                    remove(move.staged)
                self._journal.erase()
        finally:
            self._locks.release()


def check_targets(targets: Targets, keep: Sequence[Path] = ()) -> None:
    """Refuse, before any work, a target that is the current folder or holds it (replacing it
    would leave the shell in a deleted folder), or that overlaps another target or ``keep``."""
    try:
        here = Path.cwd()  # the physical path, as real_path gives
    except FileNotFoundError:
        here = None
    for field, target in _named(targets):
        real = real_path(target)
        if here is not None and (real == here or real in here.parents):
            raise ConfigError(
                f"{target} is the current folder (or holds it); choose a folder below it, "
                f"such as ./{EXAMPLES.get(field, 'data')}",
                field=field,
            )
    check_disjoint([t for _, t in _named(targets)], list(keep))


def check_disjoint(targets: list[Path], keep: list[Path]) -> None:
    """Refuse targets that overlap each other or ``keep``: replacing one would delete the other."""
    targets = [Path(t).resolve() for t in targets]
    keep = [Path(k).resolve() for k in keep]
    for i, target in enumerate(targets):
        for other in [*targets[i + 1 :], *keep]:
            if target == other or target in other.parents or other in target.parents:
                raise ConfigError(
                    f"output folder {target} overlaps {other}: replacing one would delete the "
                    "other; choose separate folders"
                )


def check_replaceable(target: Path) -> None:
    """Refuse a target that is not absent, empty or a staticrec output (see the module doc)."""
    if not target.exists() and not target.is_symlink():
        return
    if target.is_symlink() or not target.is_dir():
        raise ConfigError(
            f"{target} exists and is not a folder; staticrec will not replace it: choose "
            "another path"
        )
    if (target / MARKER).is_file() or _earlier_build(target) or not any(target.iterdir()):
        return
    raise ConfigError(
        f"{target} holds files staticrec did not write (it has no {MARKER} marker); refusing "
        "to replace it: choose a new or empty folder, or remove this one yourself"
    )


def _earlier_build(folder: Path) -> bool:
    """An output of a staticrec from before the marker: artifacts, a site or a report."""
    for manifest in (folder / "manifest.json", folder / "data" / "manifest.json"):
        try:
            generator = json.loads(manifest.read_text(encoding="utf-8")).get("generator", "")
        except (OSError, ValueError, AttributeError):
            continue
        if str(generator).startswith("staticrec"):
            return True
    try:
        with (folder / "report.md").open(encoding="utf-8") as report:
            return report.readline().startswith("# staticrec evaluation")
    except (OSError, UnicodeDecodeError):
        return False


def _named(targets: Targets) -> list[tuple[str | None, Path]]:
    if isinstance(targets, Mapping):
        return [(field, Path(path)) for field, path in targets.items()]
    return [(None, Path(path)) for path in targets]


def _listed(paths: list[Path]) -> str:
    return ", ".join(str(path) for path in paths)


@contextmanager
def _ctrl_c_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block is done, then raise it (as the handler it replaced would)."""
    pressed = []
    try:
        previous = signal.signal(signal.SIGINT, lambda *_: pressed.append(True))
    except ValueError:  # not the main thread: only the main thread may handle signals
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
    if pressed and callable(previous):
        previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt
    elif pressed and previous != signal.SIG_IGN:
        raise KeyboardInterrupt
