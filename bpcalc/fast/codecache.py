"""Compiled training programs kept between runs, as Python keeps a module's bytecode in __pycache__.

Compiling the training loop of a small net costs ~0.4 ms, what ~500 of Mazur's updates cost: a
twentieth of `train -n 10000`. So each program's code object is marshalled to a file the first
time, and later runs read it back (~0.02 ms). An entry holds the interpreter's bytecode version
and the very source it was compiled from, and is used only when both match: a changed template,
another Python or a hash collision finds a mismatch and compiles afresh, so an entry is never
stale. The file name (a CRC of the source) only says where to look.

The folder is $BPCALC_CACHE, else $XDG_CACHE_HOME/bpcalc, else ~/.cache/bpcalc; BPCALC_CACHE set
to nothing keeps no files. The cache never fails a run: an entry that is missing, unreadable or
damaged is compiled again, and a folder that cannot be written is left as it is.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType


def folder() -> Path | None:
    """Where entries are kept; None when BPCALC_CACHE is set to nothing (or there is no home)."""
    chosen = os.environ.get("BPCALC_CACHE")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "bpcalc"
    try:
        return Path.home() / ".cache" / "bpcalc"
    except RuntimeError:  # no home directory to be found
        return None


def code_for(source: str) -> CodeType:
    """The compiled `source`, read from the cache when it holds it, else compiled and stored."""
    digest = f"{zlib.crc32(source.encode()):08x}"
    filename = f"<bpcalc program {digest}>"  # the name tracebacks show; bpcalc.fast.compiled registers its lines
    where = folder()
    entry = where / f"{sys.implementation.cache_tag}-{digest}.marshal" if where else None
    if entry is not None:
        try:
            magic, cached_source, code = marshal.loads(entry.read_bytes())
            if magic == MAGIC_NUMBER and cached_source == source and isinstance(code, CodeType):
                return code
        except (OSError, EOFError, ValueError, TypeError):  # no entry yet, or not one of ours
            pass
    code = compile(source, filename, "exec")
    if entry is not None:
        _store(entry, marshal.dumps((MAGIC_NUMBER, source, code)))
    return code


def _store(entry: Path, data: bytes) -> None:
    """Write the entry whole or not at all: another run reading it meanwhile sees the old file or the new."""
    partial = entry.with_name(f"{entry.name}.{os.getpid()}.partial")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, entry)
    except OSError:  # a read-only or full disk: the run goes on without a cache
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass
