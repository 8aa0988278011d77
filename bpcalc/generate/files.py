"""The whole set of variants written into one directory, all or nothing: built in a hidden sibling, then renamed into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

from ..errors import BpcalcError
from ..records import Record
from . import sheets
from .draw import Variant
from .key import blank_text, key_entries, key_text
from .sheets import Problem
from .template import Plan


class Names(Record):
    """The file names of one variant inside the directory."""

    network: str
    key: str
    answers: str


def names_of(variant: str) -> Names:
    return Names(f"{variant}.yaml", f"{variant}.key.yaml", f"{variant}.answers.yaml")


def check_directory(out: Path, force: bool, template: Path) -> None:
    """Refuse, before anything is drawn, a directory that exists (without `force`), that is not a directory,
    that holds the template, or whose parent is missing."""
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise BpcalcError(f"{out}: exists and is not a directory; give a new directory for --out")
        if not force:
            raise BpcalcError(f"{out}: already exists; use --force to replace it, or give a new directory")
        if template.resolve().is_relative_to(out.resolve()):
            raise BpcalcError(f"{out}: holds the template {template}; --force would delete it: give another directory")
    if not out.parent.is_dir():
        raise BpcalcError(f"{out}: the folder {out.parent} does not exist")


def problems_of(plan: Plan, variants: Sequence[Variant]) -> list[Problem]:
    return [Problem(v, key_entries(v.network, plan.precision)) for v in variants]


def files_of(plan: Plan, problems: Sequence[Problem]) -> dict[str, str]:
    """Every file of the set, by name, in the order written."""
    files: dict[str, str] = {}
    for problem in problems:
        variant = problem.variant
        names = names_of(variant.name)
        files[names.network] = variant.text
        files[names.key] = key_text(variant.name, names.network, problem.key, plan.precision)
        files[names.answers] = blank_text(variant.network, variant.name, names.network)
    documents = [sheets.problem_document(p, plan.precision) for p in problems]
    keys = [sheets.key_document(p, plan.precision) for p in problems]
    files[f"{plan.name}-problems.md"] = sheets.markdown(f"{plan.name}: problems", documents)
    files[f"{plan.name}-problems.tex"] = sheets.latex(f"{plan.name}: problems", documents)
    files[f"{plan.name}-keys.md"] = sheets.markdown(f"{plan.name}: keys", keys)
    files[f"{plan.name}-keys.tex"] = sheets.latex(f"{plan.name}: keys", keys)
    return files


def write_directory(out: Path, files: dict[str, str], force: bool) -> None:
    """Write `files` into a new hidden directory beside `out`, then put it in `out`'s place in one rename;
    an interruption or a failure leaves `out` as it was and nothing behind."""
    parent = out.parent if str(out.parent) else Path(".")
    temporary = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}."))
    old: Path | None = None
    try:
        for name, text in files.items():
            with open(temporary / name, "w", encoding="utf-8", newline="\n") as file:
                file.write(text)
        os.chmod(temporary, 0o777 & ~_umask())
        if out.exists():
            if not force:  # appeared since it was checked
                raise BpcalcError(f"{out}: already exists; use --force to replace it, or give a new directory")
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.old."))
            os.rename(out, old / out.name)
        os.rename(temporary, out)
    except BaseException as error:
        shutil.rmtree(temporary, ignore_errors=True)
        if old is not None and not out.exists():
            os.rename(old / out.name, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        if isinstance(error, OSError):
            raise BpcalcError(f"{out}: cannot write: {error.strerror or error}") from None
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
