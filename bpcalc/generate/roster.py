"""A class roster for `generate --ids`: one student id a line (a CSV file's first column), each made a safe variant name."""

from __future__ import annotations

import os

from ..errors import NetworkFileError
from ..loader import read_text
from .template import safe_name

# A first line whose first column reads as one of these is a CSV header, not a student.
HEADERS = frozenset({"id", "ids", "studentid", "student", "studentnumber", "username", "user", "login", "name",
                     "email", "matriculationnumber", "matrikelnummer"})


def read_roster(path: str | os.PathLike) -> list[tuple[str, str]]:
    """(id as written, its safe name) for every id, in file order. Blank lines, # comments and a header
    line (id, student id, username, …) are skipped; an id that becomes empty, or the same name as another, is a NetworkFileError naming its line."""
    shown = os.fsdecode(path)
    ids: list[tuple[str, str]] = []
    first: dict[str, tuple[int, str]] = {}
    lines = [(number, line.split(",", 1)[0].split(";", 1)[0].strip().strip('"').strip())
             for number, line in enumerate(read_text(path).splitlines(), start=1)]
    lines = [(number, written) for number, written in lines if written and not written.startswith("#")]
    if lines and "".join(c for c in lines[0][1].lower() if c.isalnum()) in HEADERS:
        lines = lines[1:]
    for number, written in lines:
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
