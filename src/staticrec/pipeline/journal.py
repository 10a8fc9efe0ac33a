"""The journal of a commit (``output``): the staging folders a build made and the renames its
commit makes, written into every folder that holds one of its targets, and the locks on them.

It is what lets a build remove leftovers without guessing: a folder is removed only when a
journal names it, never because its name looks like a staging folder. And it is what lets any
later build finish a commit that was killed half-way: every folder that holds one of the
targets has a copy, so whichever of them the next build writes into, it finds the journal, takes
the locks of all the folders the journal names, and finishes (or discards) the whole set.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from staticrec.errors import ConfigError

try:
    import fcntl
except ImportError:  # Windows: builds are not serialised there
    fcntl = None

log = logging.getLogger("staticrec")

JOURNAL = ".staticrec-commit.json"
"""In every folder that holds a target, from before its staging folder exists until the commit
(or the discard) is done."""
_TOKEN = re.compile(r"[A-Za-z0-9_]+")


def real_path(path: Path) -> Path:
    """The path as the file system finds it: the parent's symlinks and ``..`` resolved, so that
    one folder written two ways is one path. The last part is kept as it is (a target that is a
    symlink is refused, not followed), unless it is ``..`` itself."""
    path = Path(path).absolute()  # absolute() keeps "..": only the file system may resolve it
    if path.name in ("", ".."):
        return path.resolve()
    return Path(os.path.realpath(path.parent)) / path.name


@dataclass(frozen=True)
class Move:
    """One target's switch: ``target`` to ``old``, then ``staged`` to ``target``."""

    target: Path
    token: str

    @property
    def staged(self) -> Path:
        return self.target.with_name(f".{self.target.name}.tmp-{self.token}")

    @property
    def old(self) -> Path:
        return self.target.with_name(f".{self.target.name}.old-{self.token}")


@dataclass
class Journal:
    """One build's moves; ``committed`` once its commit point is passed."""

    moves: list[Move]
    committed: bool = False

    @property
    def parents(self) -> list[Path]:
        return sorted({move.target.parent for move in self.moves})

    def write(self) -> None:
        """A copy into every folder holding a target; the first committed copy is the commit
        point (every staged folder was complete before it was written)."""
        moves = [{"target": str(m.target), "token": m.token} for m in self.moves]
        text = json.dumps({"moves": moves, "committed": self.committed}, indent=2)
        for parent in self.parents:
            _write_atomically(parent / JOURNAL, text)

    def erase(self) -> None:
        """Remove this journal's copies, and no other build's journal that took a copy's place
        (one that an older staticrec wrote in one folder only, say)."""
        for parent in self.parents:
            try:
                copy = read(parent / JOURNAL)
            except ConfigError:  # not a journal this build could have written
                continue
            if copy is not None and copy.moves == self.moves:
                remove(parent / JOURNAL)

    def finish(self) -> None:
        """Complete what a killed build left: a committed switch is finished and the old
        folders removed; an uncommitted build's staging folders are removed."""
        if self.committed:
            roll_forward(self.moves)
        for move in self.moves:
            remove(move.old if self.committed else move.staged)
        self.erase()


def read(journal: Path) -> Journal | None:
    """The journal at ``journal``; None when there is none, or it is another folder's (copied
    along with a project: it names no folder beside it)."""
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
        moves = [_move(entry) for entry in data["moves"]]
        found = Journal(moves, committed=data.get("committed", True))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"{journal}: an interrupted build's journal cannot be read ({exc}); delete it to "
            "build again, and any .NAME.tmp-* or .NAME.old-* folders beside it by hand"
        ) from None
    return found if journal.parent in found.parents else None


def _move(entry: dict) -> Move:
    target = Path(entry["target"])
    if "token" in entry:
        token = entry["token"]
    else:  # an earlier staticrec wrote its journal at commit only, naming each path
        token = Path(entry["staged"]).name.removeprefix(f".{target.name}.tmp-")
    move = Move(target, token)
    if not target.is_absolute() or not _TOKEN.fullmatch(token):
        raise ValueError(f"not a journal entry of staticrec: {entry}")
    if "staged" in entry and (Path(entry["staged"]), Path(entry["old"])) != (move.staged, move.old):
        raise ValueError(f"not a journal entry of staticrec: {entry}")
    return move


def roll_forward(moves: list[Move]) -> None:
    """Do each move that is not done yet; safe to repeat after a kill at any point."""
    for move in moves:
        if not os.path.lexists(move.staged):
            continue  # switched already
        if os.path.lexists(move.target):
            if os.path.lexists(move.old):  # retired already: this one is someone else's
                raise ConfigError(
                    f"{move.target} appeared while an interrupted build was switching it to "
                    f"{move.staged}; move it away and run the build again"
                )
            move.target.rename(move.old)
        move.staged.rename(move.target)


class Locks:
    """Exclusive locks (``flock``) on folders, by real path, always taken in sorted order:
    two builds never wait for each other in a circle."""

    def __init__(self) -> None:
        self._held: dict[Path, int | None] = {}

    def hold(self, folders: set[Path]) -> None:
        """Hold at least ``folders``: when one is missing, let go of all and take them again in
        order, rather than wait for one while holding a folder that sorts after it."""
        if folders <= self._held.keys():
            return
        wanted = sorted(folders | self._held.keys())
        self.release()
        for folder in wanted:
            if folder.is_dir():  # a folder that is gone holds nothing to finish
                self._held[folder] = _lock(folder)

    def keep_only(self, folders: set[Path]) -> None:
        for folder in set(self._held) - folders:
            _unlock(self._held.pop(folder))

    def release(self) -> None:
        while self._held:
            _unlock(self._held.popitem()[1])


def recover(parents: set[Path], locks: Locks) -> None:
    """Lock ``parents``, then finish every journal a killed build left in them (taking the locks
    of the other folders each names), then let go of those other folders."""
    wanted = set(parents)
    while True:
        locks.hold(wanted)
        journals = [j for p in sorted(wanted) if (j := read(p / JOURNAL)) is not None]
        more = {parent for journal in journals for parent in journal.parents} - wanted
        if not more:
            break
        wanted |= more  # and read again: those folders may hold journals of their own
    by_moves: dict[tuple, Journal] = {}
    for journal in journals:  # one copy per folder; committed if any copy is
        same = by_moves.setdefault(tuple(journal.moves), journal)
        same.committed |= journal.committed
    for journal in by_moves.values():
        what = "finishing the commit" if journal.committed else "removing the staging folders"
        log.info("%s of a build that was interrupted (%s)", what, journal.parents[0] / JOURNAL)
        journal.finish()
    for parent in wanted:
        remove(parent / (JOURNAL + ".part"))  # a journal cut off before it was whole
    locks.keep_only(parents)


def _lock(folder: Path) -> int | None:
    if fcntl is None:
        return None
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log.warning(
            "waiting for another staticrec build writing into %s, or removing its old output ...",
            folder,
        )
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing releases the lock


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def remove(path: Path) -> None:
    """Delete a folder or file the journal names; a failure is reported (a leftover), never
    hidden or fatal."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif os.path.lexists(path):
            path.unlink()
    except OSError as exc:
        log.warning("could not remove %s (%s); delete it by hand", path, exc)


BACKGROUND_REMOVAL_ENTRIES = 2_000
"""Old output holding at least this many files and folders is removed in the background."""


def remove_in_background(paths: list[Path], journal: Journal) -> bool:
    """Remove ``paths``, then erase ``journal``, in a detached process, where the system can
    fork and the paths hold at least ``BACKGROUND_REMOVAL_ENTRIES`` entries; False when nothing
    was started (the caller removes them).

    Deleting ml-latest-small's 9,775-page site takes about 3 s of file-system work that the
    command need not wait for. The process inherits the build's folder locks and holds them
    until it is done, so a build started meanwhile waits for it; if it is killed, or a path
    will not go, the journal stays and the next command removes what is left (and says so).
    """
    if not hasattr(os, "fork") or _entries(paths, BACKGROUND_REMOVAL_ENTRIES) < (
        BACKGROUND_REMOVAL_ENTRIES
    ):
        return False
    child = os.fork()
    if child == 0:
        try:
            if os.fork() == 0:  # the remover, left to init once its parent exits at once
                os.setsid()  # no terminal signal (Ctrl-C after the command ended) reaches it
                quiet = os.open(os.devnull, os.O_RDWR)
                for stream in (0, 1, 2):  # no pipe of the command's caller is held open
                    os.dup2(quiet, stream)
                for path in paths:
                    remove(path)
                if not any(os.path.lexists(path) for path in paths):
                    journal.erase()
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    return True


def _entries(paths: list[Path], enough: int) -> int:
    """How many files and folders ``paths`` hold, counted up to ``enough``."""
    count = 0
    for path in paths:
        for _, folders, files in os.walk(path):
            count += len(folders) + len(files)
            if count >= enough:
                return count
    return count
