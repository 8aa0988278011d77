"""From the files on a command line to results: which file is the network, and every answer file checked against it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..errors import BpcalcError
from ..loader import is_network_file, load_network
from ..model import Network
from .grade import Checker, SheetResult
from .precision import Rule


def split_files(paths: Sequence[Path], default_network: Path) -> tuple[Path, list[Path]]:
    """(network, answer files): the first file if it is a network, else the bundled default."""
    if not paths:
        raise BpcalcError("give one or more answer files, after the network: bpcalc check NET ANSWERS...")
    first, *rest = paths
    network = first if is_network_file(first) else None
    answers = rest if network is not None else list(paths)
    for path in answers:
        if is_network_file(path):
            raise BpcalcError(f"{os.fsdecode(path)}: this is a network file; give the network first and then "
                              "the answer files: bpcalc check NET ANSWERS...")
    if network is not None and not answers:
        raise BpcalcError(f"{os.fsdecode(first)} is the network; give one or more answer files after it "
                          f"(bpcalc answers {os.fsdecode(first)} prints a blank one)")
    return (network or default_network), answers


def check_files(network_path: Path, answer_paths: Sequence[Path], rule: Rule) -> tuple[Network, list[SheetResult]]:
    """Every answer file checked against the network; all files are read before any is checked,
    so that a bad one stops the run before any output."""
    network = load_network(network_path)
    checker = Checker(network, rule)
    sheets = [checker.read(path) for path in answer_paths]
    return network, [checker.check(sheet) for sheet in sheets]
