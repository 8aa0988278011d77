"""Writing output files safely: never over the input, never over an existing file unless asked, never half-written."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable

from .errors import BpcalcError


def write_atomically(path: str | os.PathLike, text: str, *, force: bool = False,
                     inputs: Iterable[str | os.PathLike] = ()) -> None:
    """Write `text` to `path` via a temporary file in the same folder and a rename.

    A reader never sees a half-written file, and an interruption (Ctrl-C included) leaves the
    old file (or none) in place and no temporary file behind. Refuses to replace any of
    `inputs` even with `force`, and any existing file unless `force`.
    """
    target = Path(path)
    folder = check_target(target, force=force, inputs=inputs)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())  # the data is on disk before the name points at it
            os.fchmod(file.fileno(), _mode_for(target))
        _move_into_place(temporary, target, force)
    except BaseException as error:  # includes Ctrl-C: the temporary file must not stay behind
        if temporary is not None:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
        if isinstance(error, OSError):
            raise BpcalcError(f"{target}: cannot write: {error.strerror or error}") from None
        raise


def _move_into_place(temporary: str, target: Path, force: bool) -> None:
    """Rename the finished file to `target`; without `force`, never over a file that appeared meanwhile."""
    if force:
        os.replace(temporary, target)
        return
    try:
        os.link(temporary, target)  # fails if the target exists, with no window for a race
    except FileExistsError:
        raise BpcalcError(f"{target}: already exists; use --force to replace it") from None
    except OSError:  # no hard links on this file system (FAT, some network shares)
        if target.exists():
            raise BpcalcError(f"{target}: already exists; use --force to replace it") from None
        os.replace(temporary, target)
        return
    os.unlink(temporary)


def _mode_for(target: Path) -> int:
    """The permissions the file would have had if written directly: the old file's, or 0666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_target(path: str | os.PathLike, *, force: bool = False,
                 inputs: Iterable[str | os.PathLike] = ()) -> Path:
    """The folder `path` would be written in, once it is safe to write there; else the reason why not.

    write_atomically runs these checks; `train --save` runs them before a long training too.
    """
    target = Path(path)
    if any(_same_file(target, Path(p)) for p in inputs):
        raise BpcalcError(f"{target}: refusing to overwrite an input file; choose another name")
    if target.is_dir():
        raise BpcalcError(f"{target}: is a directory; give a file name")
    if target.exists() and not force:
        raise BpcalcError(f"{target}: already exists; use --force to replace it")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BpcalcError(f"{target}: the folder {folder} does not exist")
    return folder
