"""A class roster for `generate --ids`: one student id a line (a CSV file's first column), each made a safe variant name."""

from __future__ import annotations

import os

from ..errors import NetworkFileError
from ..loader import read_text
from .template import safe_name


def read_roster(path: str | os.PathLike) -> list[tuple[str, str]]:
    """(id as written, its safe name) for every id, in file order. Blank lines and # comments are skipped;
    an id that becomes empty, or the same name as another, is a NetworkFileError naming its line."""
    shown = os.fsdecode(path)
    ids: list[tuple[str, str]] = []
    first: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        written = line.split(",", 1)[0].split(";", 1)[0].strip().strip('"').strip()
        if not written or written.startswith("#"):
            continue
        name = safe_name(written)
        if not name:
            raise NetworkFileError(shown, number, f"the id '{written}' has no letter or digit to name a file by")
        if name in first:
            line_before, before = first[name]
            same = "" if before == written else f" ('{before}', as a file name {name})"
            raise NetworkFileError(shown, number, f"the id '{written}' is the same as line {line_before}{same}; "
                                                  "each student needs an id of their own")
        first[name] = (number, written)
        ids.append((written, name))
    if not ids:
        raise NetworkFileError(shown, None, "the roster lists no ids; write one student id a line")
    return ids
