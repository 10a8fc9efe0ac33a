"""Atomic output: build into temporary folders beside the targets, then swap them all into place.

Nothing under a target folder changes until every stage has succeeded. An exception or Ctrl-C
before ``commit`` removes the temporary folders and leaves the previous output exactly as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from types import TracebackType

from staticrec.errors import ConfigError


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
        self._targets = [Path(t).resolve() for t in targets]
        check_disjoint(self._targets, list(keep))
        self._staging: dict[Path, Path] = {}
        self._committed = False

    def __enter__(self) -> StagedOutputs:
        for target in self._targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            staged = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
            staged.chmod(0o755)  # mkdtemp makes it private; a published site must be readable
            self._staging[target] = staged
        return self

    def path(self, target: Path) -> Path:
        """The temporary folder that becomes ``target`` on commit."""
        return self._staging[Path(target).resolve()]

    def commit(self) -> None:
        """Move every staged folder into place; the old folders are removed afterwards."""
        placed: list[Path] = []
        retired: dict[Path, Path] = {}
        try:
            for target, staged in self._staging.items():
                if target.exists():
                    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
                    old.rmdir()
                    target.rename(old)
                    retired[target] = old
                staged.rename(target)
                placed.append(target)
        except BaseException:
            # Undo the swaps made so far, so a failed commit changes nothing.
            for target in placed:
                shutil.rmtree(target, ignore_errors=True)
            for target, old in retired.items():
                old.rename(target)
            raise
        self._committed = True
        for old in retired.values():
            shutil.rmtree(old, ignore_errors=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._committed:
            for staged in self._staging.values():
                shutil.rmtree(staged, ignore_errors=True)


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
