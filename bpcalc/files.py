"""Writing output files safely: never over the input, never over an existing file unless asked, never half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

from .errors import BpcalcError


def write_atomically(path: str | os.PathLike, text: str, *, force: bool = False,
                     inputs: Iterable[str | os.PathLike] = ()) -> None:
    """Write `text` to `path` via a temporary file in the same folder and a rename.

    A reader never sees a half-written file, and an interruption leaves the old file (or
    none) in place. Refuses to replace any of `inputs`, and any existing file unless `force`.
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
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.replace(temporary, target)
    except BaseException as error:  # includes Ctrl-C: the temporary file must not stay behind
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError):
            raise BpcalcError(f"{target}: cannot write: {error.strerror or error}") from None
        raise


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_target(path: str | os.PathLike, *, force: bool = False,
                 inputs: Iterable[str | os.PathLike] = ()) -> None:
    """Raise now the error write_atomically would raise later, before any work goes into the text.

    (The same checks as write_atomically's; `train --save` runs them before a long training.)
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
