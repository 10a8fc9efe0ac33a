"""Safe output: build into temporary folders beside the targets, then swap them in as one set.

The promises, in the order a build keeps them:

1. Serialised: each build holds an exclusive lock (``flock``) on the folders that hold its
   targets until it is done, so two builds into the same place run one after the other.
2. Recovered: a build killed mid-commit left a journal; the next build finishes that commit
   (every staged folder was complete when the journal was written), then removes leftovers.
3. Owned: a target is replaced only when it is absent, empty, or a staticrec output (it holds
   the ``.staticrec`` marker, or is recognisably an earlier build). Anything else is refused and
   left untouched, so ``--site-dir ~/Documents`` cannot delete a user's files.
4. Atomic: nothing under a target changes until every stage has succeeded. An exception or
   Ctrl-C before ``commit`` removes the temporary folders and leaves the old output as it was.
   ``commit`` writes the journal, then renames; after a kill at any instant, the next build sees
   either the old set or the new set, never a mix.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType

from staticrec.errors import ConfigError

try:
    import fcntl
except ImportError:  # Windows: builds are not serialised there
    fcntl = None

log = logging.getLogger("staticrec")

MARKER = ".staticrec"
"""A file in every output folder staticrec writes: it may replace a folder that has one."""
MARKER_TEXT = "Written by staticrec: the next build replaces this whole folder.\n"
JOURNAL = ".staticrec-commit.json"
"""Beside the first target while a commit runs: the renames it is making."""


class StagedOutputs:
    """Temporary folders for a set of target folders, committed together.

    Usage::

        with StagedOutputs([artifacts_dir, site_dir]) as staged:
            write_into(staged.path(artifacts_dir))
            ...
            staged.commit()
    """

    def __init__(self, targets: list[Path], keep: list[Path] = ()) -> None:
        """``keep``: folders (caches, inputs) that no target may hold or be inside."""
        self._targets = [Path(t).absolute() for t in targets]
        check_disjoint(self._targets, list(keep))
        self._staging: dict[Path, Path] = {}
        self._committed = False
        self._locks = ExitStack()

    def __enter__(self) -> StagedOutputs:
        try:
            parents = sorted({t.parent for t in self._targets})
            for parent in parents:
                parent.mkdir(parents=True, exist_ok=True)
                self._locks.enter_context(_locked(parent))
            for parent in parents:
                recover(parent, locked=set(parents))
            for target in self._targets:
                remove_leftovers(target)
                check_replaceable(target)
            for target in self._targets:
                staged = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
                staged.chmod(0o755)  # mkdtemp makes it private; a published site must be readable
                (staged / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
                self._staging[target] = staged
        except BaseException:
            self._discard()
            raise
        return self

    def path(self, target: Path) -> Path:
        """The temporary folder that becomes ``target`` on commit."""
        return self._staging[Path(target).absolute()]

    def commit(self) -> None:
        """Swap every staged folder into place: journal first, then renames, then clean-up."""
        moves = []
        for target, staged in self._staging.items():
            old = target.with_name(f".{target.name}.old-{staged.name.rsplit('-', 1)[-1]}")
            moves.append({"staged": str(staged), "target": str(target), "old": str(old)})
        journal = self._targets[0].parent / JOURNAL
        _write_atomically(journal, json.dumps({"moves": moves}, indent=2))
        # From here on the new set is what the next build sees: roll_forward finishes the job.
        roll_forward(moves)
        journal.unlink()
        self._committed = True
        for move in moves:
            _remove(Path(move["old"]))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._discard()

    def _discard(self) -> None:
        try:
            if not self._committed:
                for staged in self._staging.values():
                    _remove(staged)
        finally:
            self._locks.close()


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


def recover(parent: Path, locked: set[Path]) -> None:
    """Finish a commit that a killed build left in ``parent`` (its journal says what)."""
    journal = parent / JOURNAL
    if not journal.is_file():
        return
    try:
        moves = json.loads(journal.read_text(encoding="utf-8"))["moves"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problem = f"{journal}: an interrupted build's journal cannot be read ({exc})"
        raise ConfigError(problem) from None
    if not all(Path(m["target"]).parent in locked for m in moves):
        return  # another set of folders: its own next build recovers it
    log.info("finishing the commit of a build that was interrupted (%s)", journal)
    roll_forward(moves)
    journal.unlink()
    for move in moves:
        _remove(Path(move["old"]))


def roll_forward(moves: list[dict]) -> None:
    """Do each move (target -> old, staged -> target) that is not done yet; safe to repeat."""
    for move in moves:
        staged, target, old = (Path(move[k]) for k in ("staged", "target", "old"))
        if not staged.exists():
            continue  # done already
        if target.exists() and not old.exists():
            target.rename(old)
        elif target.exists():  # the old one is retired already: this is a half-made target
            _remove(target)
        staged.rename(target)


def remove_leftovers(target: Path) -> None:
    """Staging and retired folders of this target left by a killed build."""
    for pattern in (f".{target.name}.tmp-*", f".{target.name}.old-*"):
        for leftover in target.parent.glob(pattern):
            log.info("removing %s, left by an interrupted build", leftover)
            _remove(leftover)


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


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` (its own inode: no lock file is left behind)."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("waiting for another staticrec build writing into %s ...", folder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def _remove(path: Path) -> None:
    """Delete a folder of ours; a failure is reported (a leftover), never hidden or fatal."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    except OSError as exc:
        log.warning("could not remove %s (%s); delete it by hand", path, exc)
